import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The folders of src/ and what each may import, lowest first. A folder may import only folders
 * listed before it, so the table itself cannot hold a cycle. `(root)` is src/errors.ts and
 * src/version.ts; `api` is src/api.ts, the library under the CLI; `drivers/*` and `cloud/local` are
 * folders of their own.
 */
const LAYERS: readonly { readonly folder: string; readonly mayImport: readonly string[] }[] = [
  { folder: "(root)", mayImport: [] },
  { folder: "util", mayImport: ["(root)"] },
  { folder: "catalog", mayImport: ["util", "(root)"] },
  // The narrow AWS SDK interfaces (EC2, Pricing): what fetch, setup, image and live act through.
  { folder: "cloud", mayImport: ["catalog", "util", "(root)"] },
  { folder: "host", mayImport: ["util", "(root)"] },
  { folder: "traces", mayImport: ["cloud", "catalog", "util", "(root)"] },
  // Flag and setting parsers shared by the CLI, the sweep's --vary and the local cloud's serve.
  { folder: "options", mayImport: ["traces", "util", "(root)"] },
  // The contract: Observation, Decision, Policy, PolicyContext, candidates, price paths, look-back view.
  { folder: "engine", mayImport: ["traces", "catalog", "util", "(root)"] },
  { folder: "policies", mayImport: ["engine", "traces", "catalog", "util", "(root)"] },
  { folder: "results", mayImport: ["engine", "traces", "util", "(root)"] },
  { folder: "setup", mayImport: ["policies", "engine", "cloud", "catalog", "util", "(root)"] },
  {
    folder: "drivers/sim",
    mayImport: ["results", "policies", "engine", "traces", "catalog", "util", "(root)"],
  },
  {
    folder: "drivers/live",
    mayImport: [
      // The live driver reuses the sim's markets of a zone and its look-back view.
      "drivers/sim",
      "setup",
      "results",
      "policies",
      "engine",
      "traces",
      "host",
      "cloud",
      "catalog",
      "util",
      "(root)",
    ],
  },
  {
    folder: "sweep",
    mayImport: [
      "drivers/sim",
      "results",
      "policies",
      "engine",
      "options",
      "traces",
      "catalog",
      "util",
      "(root)",
    ],
  },
  { folder: "reports", mayImport: ["sweep", "results", "traces", "catalog", "util", "(root)"] },
  { folder: "container", mayImport: ["drivers/live", "host", "cloud", "util", "(root)"] },
  { folder: "image", mayImport: ["cloud", "catalog", "util", "(root)"] },
  // The emulator: only the api (and tests) may reach it.
  {
    folder: "cloud/local",
    mayImport: ["drivers/live", "options", "traces", "host", "catalog", "util", "(root)"],
  },
  // The library entry: typed options in, typed results out; only the CLI calls it.
  {
    folder: "api",
    mayImport: [
      "cloud/local",
      "image",
      "container",
      "reports",
      "sweep",
      "drivers/live",
      "drivers/sim",
      "setup",
      "results",
      "policies",
      "engine",
      "options",
      "traces",
      "host",
      "cloud",
      "catalog",
      "util",
      "(root)",
    ],
  },
  // Argument parsing, printing and exit codes: everything else goes through the api.
  { folder: "cli", mayImport: ["api", "options", "util", "(root)"] },
];

/**
 * Files of other folders the CLI may still import directly: name lists and flag value parsers its
 * option builders and parsers need synchronously (no I/O, no cloud client), each with why.
 */
const CLI_REGISTRIES: Readonly<Record<string, string>> = {
  "catalog/work-unit.ts": "workUnits, workUnitChoices: the --work-unit names and labels",
  "engine/billing.ts": "billingModels: the --billing names",
  "engine/migration-model.ts":
    "durationModes and defaultMigrationModel: --durations names, --transfer/--bandwidth defaults",
  "drivers/sim/interruptions.ts":
    "interruptionModels, availabilityReadings, skypilotTypes: --interruptions and --availability names",
  "drivers/live/host/cpu-reference.ts": "decodeReference: the --cpu-reference parser",
  "policies/names.ts": "policyNames: the --policy names",
  "policies/index.ts": "policyByName, resolveParams: --policy, --param and --help-policy",
  "policies/cpu-compat.ts": "cpuCompatRules, liveCpuCompatRules: the --cpu-compat names",
  "policies/inputs.ts": "policyInputFlags, checkPolicyInputs: the side-file flags and their check",
  "setup/validate.ts": "INSTANCE_TYPE_RE and the setup flags' validators",
  "sweep/settings.ts": "varyKeys, parseVary, sweepInterruptions: the --vary parser",
  "sweep/shard.ts": "parseShard, shardFromEnvironment, shardIndexVariables: the --shard parser",
  "traces/types.ts": "defaultReadLimits: the --max-line-bytes/--max-input-bytes defaults",
  "traces/zones.ts": "regionOfZone, zoneKindOf: zone-name checks of --zones",
  "traces/fetch.ts": "fetchWindow, maxHistoryDays: the --days/--start/--end window check",
  "traces/synth.ts": "regimes: the --regime names",
  "container/source.ts": "sourceKinds, parseSource: the --from parser",
  "image/architecture.ts": "architectureOfTypes: the --types architecture check",
};

const root = resolve(import.meta.dirname, "../..");
const src = join(root, "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** The folder a file of src/ belongs to (its path relative to the repository). */
function folderOf(path: string): string {
  const parts = relative(src, path).split("/");
  if (parts[0] === "api.ts") return "api";
  if (parts.length === 1) return "(root)";
  if (parts[0] === "drivers" || (parts[0] === "cloud" && parts[1] === "local" && parts.length > 2)) {
    return `${parts[0]}/${parts[1]}`;
  }
  return parts[0];
}

interface Import {
  readonly from: string;
  readonly to: string;
}

/** Every relative import of src/: static, type-only, re-exports and import("…"), resolved to files. */
function collectImports(): { imports: Import[]; problems: string[] } {
  const imports: Import[] = [];
  const problems: string[] = [];
  for (const file of sourceFiles(src)) {
    const text = readFileSync(file, "utf8");
    const name = relative(root, file);
    if (/\bimport\(\s*[^"'\s)]/.test(text)) problems.push(`${name}: a computed import() cannot be checked`);
    for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
      if (!fileName.startsWith(".")) continue;
      const target = resolve(dirname(file), fileName).replace(/\.js$/, ".ts");
      if (!existsSync(target)) problems.push(`${name}: "${fileName}" is not a file of the repository`);
      else imports.push({ from: file, to: target });
    }
  }
  return { imports, problems };
}

const { imports, problems } = collectImports();
const crossFolder = imports.filter((i) => folderOf(i.from) !== folderOf(i.to));

/** Folder edges with the number of imports behind each. */
function folderGraph(): Map<string, Map<string, number>> {
  const graph = new Map<string, Map<string, number>>();
  for (const { from, to } of crossFolder) {
    const edges = graph.get(folderOf(from)) ?? new Map<string, number>();
    edges.set(folderOf(to), (edges.get(folderOf(to)) ?? 0) + 1);
    graph.set(folderOf(from), edges);
  }
  return graph;
}

function formatGraph(graph: Map<string, Map<string, number>>): string {
  const order = LAYERS.map((layer) => layer.folder);
  const rank = (folder: string) => (order.includes(folder) ? order.indexOf(folder) : order.length);
  const byRank = (a: string, b: string) => rank(b) - rank(a) || a.localeCompare(b);
  return [...graph.keys()]
    .sort(byRank)
    .map((from) => {
      const edges = [...graph.get(from)!].sort(([a], [b]) => byRank(a, b));
      return `${from} → ${edges.map(([to, count]) => `${to} ${count}`).join(", ")}`;
    })
    .join("\n");
}

/** Folders that lie on a cycle, as strongly connected components of more than one folder (Tarjan). */
function cycles(graph: Map<string, Map<string, number>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

const shown = ({ from, to }: Import) => `${relative(root, from)} → ${relative(root, to)}`;

describe("import graph of src/", () => {
  it("reads every import", () => {
    process.stdout.write(
      `folder graph (importer → imported folder, number of imports):\n${formatGraph(folderGraph())}\n`,
    );
    expect(problems).toEqual([]);
    // A parser that silently found nothing would pass every rule below.
    expect(crossFolder.length).toBeGreaterThan(500);
  });

  it("places every folder in the table, each importing only folders listed before it", () => {
    const order = LAYERS.map((layer) => layer.folder);
    const upward = LAYERS.flatMap(({ folder, mayImport }) =>
      mayImport
        .filter((target) => !order.includes(target) || order.indexOf(target) >= order.indexOf(folder))
        .map((target) => `${folder} → ${target}`),
    );
    expect(upward).toEqual([]);
    const unplaced = [...new Set(sourceFiles(src).map(folderOf))].filter((folder) => !order.includes(folder));
    expect(unplaced).toEqual([]);
  });

  it("has no cycle between folders", () => {
    expect(cycles(folderGraph())).toEqual([]);
  });

  it("imports only downward, as the table allows", () => {
    const allowed = new Map(LAYERS.map((layer) => [layer.folder, new Set(layer.mayImport)]));
    const registry = (i: Import) =>
      folderOf(i.from) === "cli" && Object.hasOwn(CLI_REGISTRIES, relative(src, i.to));
    const violations = crossFolder.filter(
      (i) => !allowed.get(folderOf(i.from))?.has(folderOf(i.to)) && !registry(i),
    );
    expect(violations.map(shown)).toEqual([]);
  });

  it("lists only registries the CLI imports, each in a folder below the api", () => {
    const used = new Set(
      crossFolder.filter((i) => folderOf(i.from) === "cli").map((i) => relative(src, i.to)),
    );
    expect(Object.keys(CLI_REGISTRIES).filter((file) => !used.has(file))).toEqual([]);
    const below = LAYERS.find((layer) => layer.folder === "api")!.mayImport;
    expect(Object.keys(CLI_REGISTRIES).filter((file) => !below.includes(folderOf(join(src, file))))).toEqual(
      [],
    );
  });

  it("keeps the CLI out of everything, the api out of all but the CLI, the emulator out of all but the api", () => {
    const intoCli = crossFolder.filter((i) => folderOf(i.to) === "cli");
    expect(intoCli.map(shown)).toEqual([]);
    const intoApi = crossFolder.filter((i) => folderOf(i.to) === "api" && folderOf(i.from) !== "cli");
    expect(intoApi.map(shown)).toEqual([]);
    const intoEmulator = crossFolder.filter(
      (i) => folderOf(i.to) === "cloud/local" && folderOf(i.from) !== "api",
    );
    expect(intoEmulator.map(shown)).toEqual([]);
  });

  it("keeps the look-back view free of policy code", () => {
    const history = join(src, "drivers/sim/history.ts");
    const intoPolicies = imports.filter((i) => i.from === history && folderOf(i.to) === "policies");
    expect(intoPolicies.map(shown)).toEqual([]);
  });

  it("lets only main.ts import a command module", () => {
    const main = join(src, "cli/main.ts");
    const commands = new Set(
      imports.filter((i) => i.from === main && i.to.startsWith(join(src, "cli/commands/"))).map((i) => i.to),
    );
    // main.ts loads each command lazily; a wrong parse would leave nothing to check.
    expect(commands.size).toBeGreaterThan(5);
    const between = imports.filter((i) => commands.has(i.to) && i.from !== main);
    expect(between.map(shown)).toEqual([]);
  });
});
