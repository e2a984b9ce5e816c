import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import ts from "typescript";
import { parseAllDocuments } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";

/**
 * The AWS Batch and Kubernetes manifests of docs/sharding.md, type-checked as literals against the
 * request shapes of @aws-sdk/client-batch and the API types of kubernetes-types: TypeScript's
 * excess-property check rejects a misspelled field at any depth, and each field's type (string
 * enums included) is checked.
 */
const root = resolve(import.meta.dirname, "../..");
const doc = readFileSync(join(root, "docs/sharding.md"), "utf8");

/** The body of the first ```language block in the section headed `heading`. */
function fencedBlock(heading: string, language: string): string {
  const start = doc.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`docs/sharding.md: expected a section "## ${heading}", found none`);
  const next = doc.indexOf("\n## ", start + 1);
  const section = doc.slice(start, next < 0 ? undefined : next);
  const match = new RegExp("```" + language + "\\n([\\s\\S]*?)\\n```").exec(section);
  if (!match)
    throw new Error(`docs/sharding.md "${heading}": expected a \`\`\`${language} block, found none`);
  return match[1];
}

/** The one match of `pattern` in the section's shell block (a quoted JSON argument). */
function shellArgument(heading: string, pattern: RegExp): string {
  const match = pattern.exec(fencedBlock(heading, "sh"));
  if (!match) throw new Error(`docs/sharding.md "${heading}": expected ${pattern} in its sh block`);
  return match[1];
}

/** The manifests with the type each must satisfy (module, exported name). */
function documentedManifests(): { name: string; type: string; from: string; value: unknown }[] {
  const batch = "AWS Batch array job";
  const kubernetes = "Kubernetes Indexed Job";
  const yamlDocuments = parseAllDocuments(fencedBlock(kubernetes, "yaml"));
  const kubernetesTypes: Record<string, { type: string; from: string }> = {
    PersistentVolumeClaim: { type: "PersistentVolumeClaim", from: "kubernetes-types/core/v1.js" },
    Job: { type: "Job", from: "kubernetes-types/batch/v1.js" },
  };
  return [
    {
      name: "job definition",
      type: "RegisterJobDefinitionCommandInput",
      from: "@aws-sdk/client-batch",
      value: JSON.parse(fencedBlock(batch, "json")),
    },
    {
      name: "merge job's --container-overrides",
      type: "ContainerOverrides",
      from: "@aws-sdk/client-batch",
      value: JSON.parse(shellArgument(batch, /--container-overrides '([^']*)'/)),
    },
    ...yamlDocuments.map((document, index) => {
      if (document.errors.length > 0 || document.warnings.length > 0) {
        throw new Error(
          `Kubernetes YAML document ${index}: ${[...document.errors, ...document.warnings].join("; ")}`,
        );
      }
      const value = document.toJS() as { kind?: string };
      const known = kubernetesTypes[value.kind ?? ""];
      if (!known)
        throw new Error(
          `Kubernetes YAML document ${index}: expected kind Job or PersistentVolumeClaim, found ${value.kind}`,
        );
      return { name: `Kubernetes ${value.kind}`, ...known, value };
    }),
    {
      name: "merge pod's kubectl --overrides",
      type: "Pod",
      from: "kubernetes-types/core/v1.js",
      value: JSON.parse(shellArgument(kubernetes, /--overrides='([^']*)'/)),
    },
  ];
}

/**
 * Type-checks each `sources[name]` (a TypeScript module) in one program, as files of test/docs so the
 * packages resolve from node_modules; returns each file's diagnostics as text.
 */
function typeCheck(sources: Record<string, string>): Record<string, string[]> {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
      },
    },
  )!;
  const paths = Object.fromEntries(
    Object.keys(sources).map((name) => [join(root, "test/docs", `${name}.manifest-check.ts`), name]),
  );
  const host = ts.createCompilerHost(config.options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (path) => path in paths || fileExists.call(host, path);
  host.readFile = (path) => (path in paths ? sources[paths[path]] : readFile.call(host, path));
  host.getSourceFile = (path, language, ...rest) =>
    path in paths
      ? ts.createSourceFile(path, sources[paths[path]], language, true)
      : getSourceFile.call(host, path, language, ...rest);
  const program = ts.createProgram(Object.keys(paths), { ...config.options, noEmit: true }, host);
  return Object.fromEntries(
    Object.entries(paths).map(([path, name]) => {
      const file = program.getSourceFile(path)!;
      const diagnostics = [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)];
      return [name, diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"))];
    }),
  );
}

function checkSource(manifest: { type: string; from: string; value: unknown }): string {
  return `import type { ${manifest.type} } from "${manifest.from}";\nexport const manifest: ${manifest.type} = ${JSON.stringify(manifest.value, null, 2)};\n`;
}

type Json = Record<string, unknown>;

/** A deep copy of `value` with `change` applied: the negative cases below. */
function changed<T>(value: T, change: (copy: Json) => void): T {
  const copy = structuredClone(value) as Json;
  change(copy);
  return copy as T;
}

function renameKey(object: Json, from: string, to: string): void {
  if (!(from in object)) throw new Error(`expected a field ${from}, found ${Object.keys(object).join(", ")}`);
  object[to] = object[from];
  delete object[from];
}

const manifests = documentedManifests();
const byName = (name: string) => manifests.find((manifest) => manifest.name === name)!;
const jobDefinition = byName("job definition");
const job = byName("Kubernetes Job");

/** Mistakes each check must catch, with a word its diagnostic must hold. */
const negatives: Record<string, { manifest: (typeof manifests)[number]; mention: string }> = {
  "misspelled nested Batch field": {
    manifest: {
      ...jobDefinition,
      value: changed(jobDefinition.value, (copy) =>
        renameKey(copy.containerProperties as Json, "image", "imgae"),
      ),
    },
    mention: "imgae",
  },
  "Batch attempts as a string": {
    manifest: {
      ...jobDefinition,
      value: changed(jobDefinition.value, (copy) => ((copy.retryStrategy as Json).attempts = "3")),
    },
    mention: "number",
  },
  "Batch resource type outside its enum": {
    manifest: {
      ...jobDefinition,
      value: changed(jobDefinition.value, (copy) => {
        ((copy.containerProperties as Json).resourceRequirements as Json[])[0].type = "CPU";
      }),
    },
    mention: "CPU",
  },
  "misspelled Job spec field": {
    manifest: {
      ...job,
      value: changed(job.value, (copy) => renameKey(copy.spec as Json, "completionMode", "completionMod")),
    },
    mention: "completionMod",
  },
  "Job completions as a string": {
    manifest: { ...job, value: changed(job.value, (copy) => ((copy.spec as Json).completions = "16")) },
    mention: "number",
  },
  "Job under the wrong apiVersion": {
    manifest: { ...job, value: changed(job.value, (copy) => (copy.apiVersion = "batch/v1beta1")) },
    mention: "batch/v1",
  },
};

describe("docs/sharding.md manifests", () => {
  let diagnostics: Record<string, string[]>;
  beforeAll(() => {
    diagnostics = typeCheck({
      ...Object.fromEntries(manifests.map((manifest, index) => [`doc-${index}`, checkSource(manifest)])),
      ...Object.fromEntries(
        Object.values(negatives).map(({ manifest }, index) => [`negative-${index}`, checkSource(manifest)]),
      ),
    });
  });

  it("finds the Batch job definition, its merge overrides, the PVC, the Job and the merge pod", () => {
    expect(manifests.map((manifest) => manifest.name)).toEqual([
      "job definition",
      "merge job's --container-overrides",
      "Kubernetes PersistentVolumeClaim",
      "Kubernetes Job",
      "merge pod's kubectl --overrides",
    ]);
  });

  it("match the AWS Batch request shapes and the Kubernetes API types", () => {
    const found = Object.fromEntries(
      manifests.map((manifest, index) => [manifest.name, diagnostics[`doc-${index}`]]),
    );
    expect(found).toEqual(Object.fromEntries(manifests.map((manifest) => [manifest.name, []])));
  });

  it("would be rejected with a misspelled field, a wrong type or a value outside an enum", () => {
    Object.entries(negatives).forEach(([label, { mention }], index) => {
      const found = diagnostics[`negative-${index}`];
      expect(found.length, label).toBeGreaterThan(0);
      expect(found.join("\n"), label).toContain(mention);
    });
  });

  it("shard as many ways as the array or the Job runs", () => {
    const shardCount = (command: string) => Number(/--shard-count (\d+)/.exec(command)?.[1]);
    const batchCommand = (jobDefinition.value as { containerProperties: { command: string[] } })
      .containerProperties.command;
    const arraySize = Number(
      /--array-properties size=(\d+)/.exec(fencedBlock("AWS Batch array job", "sh"))?.[1],
    );
    expect(shardCount(batchCommand.join(" "))).toBe(arraySize);
    expect(arraySize).toBe(16);
    const spec = (
      job.value as { spec: { completions: number; template: { spec: { containers: { args: string[] }[] } } } }
    ).spec;
    expect(shardCount(spec.template.spec.containers[0].args.join(" "))).toBe(spec.completions);
  });
});
