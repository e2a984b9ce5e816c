import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Source files without a test at the mirrored path (src/x/y.ts -> test/x/y.test.ts), each with why.
 * A file leaves this list when its test arrives; the test fails on an entry that has one, or none.
 */
const ALLOWED: Readonly<Record<string, string>> = {
  // No logic: types, constants, a re-export index, a stylesheet.
  "src/catalog/types.ts": "types and two constant lists",
  "src/drivers/live/hop/resources.ts": "types and the default timeouts",
  "src/traces/types.ts": "types and the default read limits",
  "src/reports/style.ts": "the report's stylesheet, a string",
  "src/engine/config.ts": "interfaces only (RunModel, EngineConfig)",
  "src/engine/driver.ts":
    "the driver contract, types only; the engine's side is tested with test/support/scripted-driver.ts in test/engine/engine.test.ts and live-semantics.test.ts",
  "src/engine/result.ts": "types only (the engine's result, timeline and instance records)",
  "src/engine/types.ts": "types only (Market, Observation, Decision …)",

  // Tested through another file's test, because it cannot run alone.
  "src/sweep/worker.ts":
    "a worker thread's entry (runs on import): tested through test/sweep/run.test.ts, whose threads execution loads it via test/sweep/ts-worker.mjs",
  "src/drivers/live/driver.ts":
    "the live Driver: every command needs EC2 and a container host; tested through runLive in test/drivers/live/run.test.ts, host-failure.test.ts and self-migrating.test.ts (emulator + the fake container host)",

  "src/policies/optimal/plan.ts":
    "planRun turns the policy's first Observation into a plan: tested through the policy in test/policies/optimal.test.ts",

  // No logic: wiring, declarations, data.
  "src/cli/commands/trace/index.ts":
    "yargs wiring of trace info/synth/fetch; each is tested at test/cli/commands/trace/*",
  "src/cli/policy-input-options.ts": "two constant option declarations",
  "src/cloud/local/actions.ts":
    "the table of EC2 action names to handlers; each handler is tested at its own file's path",
  "src/cloud/local/host-backend.ts": "interfaces only",
  "src/cloud/local/image-model.ts": "types and one constant",
  "src/cloud/local/index.ts": "a re-export index",
  "src/cloud/local/model.ts": "types and a constant table of state codes",
  "src/cloud/local/public-images.ts":
    "constant data (the stand-in public images), served and checked by test/cloud/local/images.test.ts",
  "src/image/errors.ts": "one error class with a fixed code",

  // Needs real LXC, CRIU and namespaces: run only by the end-to-end tests.
  "src/cloud/local/local-container-host.ts":
    "the local cloud's container host (LXC and CRIU on namespace hosts): tested end to end by test/cli/live-local-e2e.test.ts, live-self-migrating-e2e.test.ts and test/walkthrough",
  "src/cloud/local/hosts/container.ts": "the Container interface and the list of kinds",
  "src/cloud/local/hosts/index.ts": "a re-export index",
  ...Object.fromEntries(
    [
      "src/cloud/local/hosts/criu.ts",
      "src/cloud/local/hosts/lxc-container.ts",
      "src/cloud/local/hosts/pidns-container.ts",
      "src/cloud/local/hosts/rehearsal.ts",
      "src/cloud/local/hosts/workload.ts",
    ].map((path) => [
      path,
      "runs CRIU, LXC and processes in network namespaces as root: tested end to end by test/cloud/local/hosts/migrate.test.ts, test/cloud/local/migrate-e2e.test.ts and npm run bench:migrate",
    ]),
  ),
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [relative(root, path)] : [];
  });
}

const mirrored = (source: string) => join("test", source.slice("src/".length)).replace(/\.ts$/, ".test.ts");

describe("test/ mirrors src/", () => {
  const sources = sourceFiles(join(root, "src")).sort();
  const tested = sources.filter((source) => existsSync(join(root, mirrored(source))));

  it("every src/**/*.ts has test/<path>.test.ts, or an entry in ALLOWED saying why not", () => {
    const missing = sources.filter((source) => !tested.includes(source) && !(source in ALLOWED));
    console.log(
      `test/ mirrors ${tested.length} of ${sources.length} source files; ${sources.length - tested.length} allowed without (${Object.values(ALLOWED).filter((why) => why.startsWith("pending")).length} pending)`,
    );
    expect(missing, "source files without a test at the mirrored path").toEqual([]);
  });

  it("ALLOWED names only source files that exist and have no mirrored test", () => {
    const stale = Object.keys(ALLOWED).filter((path) => !sources.includes(path) || tested.includes(path));
    expect(stale, "entries to remove from ALLOWED").toEqual([]);
  });
});
