import { execFile } from "node:child_process";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { canonicalHeader, canonicalRow } from "../src/traces/canonical-csv.js";
import { loadTrace } from "../src/traces/load.js";
import { ratioLine } from "./targets.js";

const repetitions = 7;
const generatedRows = 2_000_000;
// warmOverCold: issue 14's bound on a cached load of a real trace against parsing it.
const targets = { cold: 3, warm: 0.25, warmOverCold: 0.25 };
// Compiled to dist/bench/ingest.js: the repository root is two levels up.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const realTrace = resolve(repoRoot, "../shared/traces/spot/us-east-1_2016-03-01_2016-03-21.csv");

type Mode = "baseline" | "cold" | "warm";

interface ChildResult {
  baselineMs: number[];
  modeMs: number[];
  maxRssMiB: number;
}

/** The baseline: stream the file, decode it and split it into line strings, as a plain reader would. */
async function readAndSplit(path: string): Promise<number> {
  let lines = 0;
  let rest = "";
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const parts = (rest + chunk.toString("utf8")).split("\n");
    rest = parts.pop() ?? "";
    lines += parts.length;
  }
  return rest.length > 0 ? lines + 1 : lines;
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

/** Runs in a child process: the baseline and `mode` alternately, `repetitions` times each; prints JSON. */
export async function measureInChild(mode: Mode, path: string, cacheDir: string): Promise<void> {
  const result: ChildResult = { baselineMs: [], modeMs: [], maxRssMiB: 0 };
  // Alternating keeps each pair under the same machine load, so their ratio is fair.
  for (let i = 0; i < repetitions; i++) {
    result.baselineMs.push(await timed(() => readAndSplit(path)));
    if (mode === "cold") result.modeMs.push(await timed(() => loadTrace(path, { cacheDir: false })));
    if (mode === "warm") {
      result.modeMs.push(
        await timed(async () => {
          const trace = await loadTrace(path, { cacheDir });
          if (!trace.report.fromCache) throw new Error(`warm load of ${path} did not use the cache`);
        }),
      );
    }
  }
  result.maxRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify(result));
}

async function runChild(mode: Mode, path: string, cacheDir: string): Promise<ChildResult> {
  const moduleUrl = pathToFileURL(fileURLToPath(import.meta.url)).href;
  const script = `const m = await import(${JSON.stringify(moduleUrl)}); await m.measureInChild(${JSON.stringify(mode)}, ${JSON.stringify(path)}, ${JSON.stringify(cacheDir)});`;
  const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout) as ChildResult;
}

/** A deterministic canonical CSV: 240 series, prices a bounded random walk, times ascending. */
async function writeSyntheticTrace(path: string, rows: number): Promise<void> {
  const zones = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"];
  const families = ["m5", "c5", "r5", "m6i", "c6i", "r6i", "m4", "c4"];
  const sizes = ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge"];
  const keys = zones.flatMap((zone) =>
    families.flatMap((family) =>
      sizes.map((size) => ({ zone, instanceType: `${family}.${size}`, product: "Linux/UNIX" })),
    ),
  );
  const prices = keys.map((_, i) => 0.02 + (i % 37) * 0.01);
  let state = 12345;
  const nextUniform = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const out = createWriteStream(path);
  let time = Date.UTC(2021, 0, 1) / 1000;
  let batch = `${canonicalHeader}\n`;
  for (let row = 0; row < rows; row++) {
    time += 1 + Math.floor(nextUniform() * 8);
    const series = Math.floor(nextUniform() * keys.length);
    prices[series] = Math.max(0.001, prices[series] * (0.9 + nextUniform() * 0.2));
    batch += canonicalRow(keys[series], Number(prices[series].toFixed(6)), time);
    if (batch.length > 1 << 20) {
      if (!out.write(batch)) await new Promise((done) => out.once("drain", () => done(undefined)));
      batch = "";
    }
  }
  await new Promise<void>((done, fail) => out.end(batch, () => done()).once("error", fail));
}

/** Median measurement over median baseline, both from the same process. */
function medianRatio(result: ChildResult): number {
  return median(result.modeMs) / median(result.baselineMs);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** `npm run bench -- ingest`: cold and cached loads against read-and-split, on a 2M-row and a real trace. */
export async function runIngestBench(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), "hotspot-ingest-bench-"));
  try {
    const synthetic = join(work, "synthetic-2m.csv");
    await writeSyntheticTrace(synthetic, generatedRows);
    const rows: string[][] = [];
    const warmOverCold: string[] = [];
    for (const [label, path] of [
      [`synthetic ${generatedRows.toLocaleString("en-US")} rows`, synthetic],
      ["real 2016 (82,258 rows)", realTrace],
    ]) {
      const cacheDir = join(work, "cache");
      await loadTrace(path, { cacheDir });
      const baseline = await runChild("baseline", path, cacheDir);
      const cold = await runChild("cold", path, cacheDir);
      const warm = await runChild("warm", path, cacheDir);
      const base = median([...cold.baselineMs, ...warm.baselineMs]);
      const coldRatio = medianRatio(cold);
      const warmRatio = medianRatio(warm);
      // Each side over its own process's baseline, so load that differs between the two processes cancels.
      warmOverCold.push(
        ratioLine(`warm / cold load, ${label}`, warmRatio / coldRatio, { atMost: targets.warmOverCold }),
      );
      rows.push(
        [label, "baseline (read + split lines)", base.toFixed(1), "", "", baseline.maxRssMiB.toFixed(0)],
        [
          label,
          "cold load (parse, no cache)",
          median(cold.modeMs).toFixed(1),
          `${coldRatio.toFixed(2)}x`,
          `<= ${targets.cold}x ${coldRatio <= targets.cold ? "met" : "MISSED"}`,
          cold.maxRssMiB.toFixed(0),
        ],
        [
          label,
          "warm load (from cache)",
          median(warm.modeMs).toFixed(1),
          `${warmRatio.toFixed(2)}x`,
          `<= ${targets.warm}x ${warmRatio <= targets.warm ? "met" : "MISSED"}`,
          warm.maxRssMiB.toFixed(0),
        ],
      );
    }
    const header = ["trace", "measurement", "median ms", "vs baseline", "target", "peak RSS MiB"];
    const widths = header.map((title, column) =>
      Math.max(title.length, ...rows.map((row) => row[column].length)),
    );
    const line = (cells: string[]) =>
      `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(" | ")} |\n`;
    process.stdout.write(
      `Median of ${repetitions} runs. Each measurement runs in its own node process, alternating with the baseline;\n` +
        "a ratio is its median over the median baseline of the same process. Peak RSS is that process's maxRSS.\n" +
        `Load average (1 min) at the end: ${loadavg()[0].toFixed(2)}; other work on the machine skews timings.\n\n`,
    );
    process.stdout.write(line(header));
    process.stdout.write(line(widths.map((width) => "-".repeat(width))));
    for (const row of rows) process.stdout.write(line(row));
    process.stdout.write(`\n${warmOverCold.join("")}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
