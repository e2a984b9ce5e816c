// `npm run study`: regenerates the numbers and reports behind docs/study.md from the real traces in
// ../shared/traces. Runs the built CLI (argument arrays, no shell) for each era and memory footprint,
// then one sweep per era over seeded windows for the paired statistics, writes each results document
// and HTML report under reports/study/ (not committed), and prints the tables that docs/study.md quotes.
import { execa } from "execa";
import { mkdir, readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const root = fileURLToPath(new URL("..", import.meta.url));
const traces = join(root, "..", "shared", "traces");
const out = join(root, "reports", "study");
const cli = join(root, "dist", "src", "cli", "bin.js");

const eras = [
  {
    name: "volatile-2016",
    label: "volatile era (us-east-1, 2016-03-01..21, hourly billing, bid = on-demand)",
    args: [
      "--trace",
      join(traces, "spot", "us-east-1_2016-03-01_2016-03-21.csv"),
      "--start",
      "2016-03-01",
      "--billing",
      "hourly",
      "--interruptions",
      "bid",
    ],
    // Sweeps draw windows inside the trace: a third of its 21 days.
    sweep: [
      "--trace",
      join(traces, "spot", "us-east-1_2016-03-01_2016-03-21.csv"),
      "--start",
      "2016-03-01",
      "--billing",
      "hourly",
      "--interruptions",
      "bid",
      "--windows",
      "7d",
    ],
  },
  {
    name: "smoothed-2021",
    label: "smoothed era (us-east-1, 2021-03-04..05-31, per-second billing, Spot Advisor interruptions)",
    // The trace lists each series from its first change: on 03-02 most markets have no price yet (1 of
    // 51 in us-east-1a when spot-stay chose), so it starts once every series has one (by 03-03 00:47).
    args: [
      "--trace",
      join(traces, "spot", "us-east-1_2021-03-02_2021-05-31.csv"),
      "--start",
      "2021-03-04",
      "--billing",
      "per-second",
      "--interruptions",
      "advisor",
      "--advisor",
      join(traces, "interruptions", "spot-advisor-data.json"),
    ],
    // Sweeps have no advisor model: capacity interruptions are left out of the paired runs.
    sweep: [
      "--trace",
      join(traces, "spot", "us-east-1_2021-03-02_2021-05-31.csv"),
      "--start",
      "2021-03-04",
      "--billing",
      "per-second",
      "--interruptions",
      "none",
      "--windows",
      "30d",
    ],
  },
];
const memories = [1, 4, 16, 64];
const policies = ["on-demand", "spot-stay", "greedy", "hotspot", "optimal"];

if (!existsSync(traces)) {
  process.stderr.write(`study: expected the real traces at ${traces}, found nothing\n`);
  process.exit(1);
}
await mkdir(out, { recursive: true });

const pct = (x) => (x === null ? "—" : `${x.toFixed(1)}%`);
const rows = [];
for (const era of eras) {
  for (const memory of memories) {
    const base = `${era.name}-${memory}gib`;
    const json = join(out, `${base}.json`);
    process.stderr.write(`study: ${base} ...\n`);
    await execa(
      process.execPath,
      [
        cli,
        "sim",
        ...era.args,
        "--memory",
        String(memory),
        "--policy",
        "all",
        "--skip-unknown-types",
        "--out",
        json,
        "--report",
        join(out, `${base}.html`),
      ],
      { stdout: "ignore", stderr: "inherit" },
    );
    const doc = JSON.parse(await readFile(json, "utf8"));
    const days =
      (Date.parse(doc.trace.end) - Date.parse(doc.configuration.start ?? doc.trace.start)) / 86400e3;
    const zones = doc.aggregate[0].zones.length;
    const by = Object.fromEntries(doc.aggregate.map((a) => [a.policy, a]));
    const saving = (name) => 100 * (1 - by[name].usdPerEcuHour / by["spot-stay"].usdPerEcuHour);
    rows.push({
      era: era.name,
      memory,
      days,
      zones,
      ...Object.fromEntries(policies.map((p) => [p, by[p]])),
      savings: { greedy: saving("greedy"), hotspot: saving("hotspot"), optimal: saving("optimal") },
      migrationsPerDay: Object.fromEntries(policies.map((p) => [p, by[p].migrations / (days * zones)])),
    });
  }
}

const line = (cells) => `| ${cells.join(" | ")} |`;
process.stdout.write("\n### Cost as % of on-demand for the same work (all zones)\n\n");
process.stdout.write(
  line(["era", "memory GiB", ...policies]) + "\n" + line(Array(2 + policies.length).fill("---")) + "\n",
);
for (const r of rows)
  process.stdout.write(line([r.era, r.memory, ...policies.map((p) => pct(r[p].percentOfOnDemand))]) + "\n");

process.stdout.write("\n### Saving in $ per work-unit-hour over staying on one spot market (spot-stay)\n\n");
process.stdout.write(
  line([
    "era",
    "memory GiB",
    "greedy",
    "hotspot",
    "optimal",
    "hotspot gap to optimal",
    "greedy gap to optimal",
  ]) +
    "\n" +
    line(Array(7).fill("---")) +
    "\n",
);
for (const r of rows) {
  process.stdout.write(
    line([
      r.era,
      r.memory,
      pct(r.savings.greedy),
      pct(r.savings.hotspot),
      pct(r.savings.optimal),
      pct(100 * r.hotspot.gapToOptimal),
      pct(100 * r.greedy.gapToOptimal),
    ]) + "\n",
  );
}

process.stdout.write("\n### Migrations per zone per day, and downtime\n\n");
process.stdout.write(
  line([
    "era",
    "memory GiB",
    "spot-stay",
    "greedy",
    "hotspot",
    "optimal",
    "hotspot p95 downtime s",
    "hotspot revocations",
  ]) +
    "\n" +
    line(Array(8).fill("---")) +
    "\n",
);
for (const r of rows) {
  process.stdout.write(
    line([
      r.era,
      r.memory,
      ...["spot-stay", "greedy", "hotspot", "optimal"].map((p) => r.migrationsPerDay[p].toFixed(2)),
      r.hotspot.downtimeP95Seconds.toFixed(1),
      r.hotspot.revocations,
    ]) + "\n",
  );
}
// Paired statistics: every policy on the same seeded windows, each against spot-stay window by window.
const starts = 10;
const sweepSeed = 7;
const paired = [];
for (const era of eras) {
  const base = `${era.name}-sweep`;
  const json = join(out, `${base}.json`);
  process.stderr.write(`study: ${base} ...\n`);
  await execa(
    process.execPath,
    [
      cli,
      "sweep",
      ...era.sweep,
      "--policy",
      "all",
      "--skip-unknown-types",
      "--vary",
      `memory-gib=${memories.join(",")}`,
      "--starts",
      String(starts),
      "--seed",
      String(sweepSeed),
      "--baseline",
      "spot-stay",
      "--out",
      json,
      "--report",
      join(out, `${base}.html`),
    ],
    { stdout: "ignore", stderr: "inherit" },
  );
  const doc = JSON.parse(await readFile(json, "utf8"));
  for (const point of doc.points) {
    const by = Object.fromEntries(point.comparisons.map((c) => [c.policy, c]));
    const gap = point.policies.find((p) => p.policy === "hotspot").metrics.gapToOptimal;
    paired.push({ era: era.name, memory: point.varied["memory-gib"], windows: point.windows, by, gap });
  }
}

const ci = (mean, interval) =>
  mean === null ? "—" : `${pct(100 * mean)} [${pct(100 * interval[0])}, ${pct(100 * interval[1])}]`;
process.stdout.write(
  `\n### Paired over ${starts} seeded windows per era (seed ${sweepSeed}): saving per work-unit-hour over spot-stay, mean [95% bootstrap CI], and hotspot's gap to the optimum\n\n`,
);
process.stdout.write(
  line([
    "era",
    "memory GiB",
    "windows",
    "greedy",
    "hotspot",
    "optimal",
    "hotspot cheaper/tied/dearer",
    "hotspot gap to optimal",
  ]) +
    "\n" +
    line(Array(8).fill("---")) +
    "\n",
);
for (const r of paired) {
  process.stdout.write(
    line([
      r.era,
      r.memory,
      r.windows,
      ...["greedy", "hotspot", "optimal"].map((p) => ci(r.by[p].meanSaving, r.by[p].ci95)),
      `${r.by.hotspot.wins}/${r.by.hotspot.ties}/${r.by.hotspot.losses}`,
      ci(r.gap.mean, r.gap.ci95),
    ]) + "\n",
  );
}
process.stdout.write(`\nReports: ${out}/*.html\n`);
