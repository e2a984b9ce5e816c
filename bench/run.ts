import { runIngestBench } from "./ingest.js";
import { runReplayBench } from "./replay.js";
import { runMigrateBench } from "./migrate.js";
import { runSweepBench } from "./sweep.js";
import { runStartupBench } from "./startup.js";

/**
 * `npm run bench [SUITE...]`: every benchmark prints its timings next to a baseline measured in the
 * same run. Without names, the suites that need nothing but Node run; `migrate` needs root and the
 * local cloud (scripts/install-local-cloud.sh), so it runs only when named (`npm run bench:migrate`).
 */
const suites = {
  ingest: { run: runIngestBench, byDefault: true },
  replay: { run: runReplayBench, byDefault: true },
  sweep: { run: runSweepBench, byDefault: true },
  startup: { run: runStartupBench, byDefault: true },
  migrate: { run: runMigrateBench, byDefault: false },
} as const;

const named = process.argv.slice(2);
const unknown = named.filter((name) => !Object.hasOwn(suites, name));
if (unknown.length > 0) {
  process.stderr.write(
    `bench: unknown suite(s) ${unknown.join(", ")}; valid: ${Object.keys(suites).join(", ")}\n`,
  );
  process.exitCode = 2;
} else {
  for (const [name, suite] of Object.entries(suites)) {
    if (named.length > 0 ? !named.includes(name) : !suite.byDefault) continue;
    process.stdout.write(`\n## ${name}\n`);
    await suite.run();
  }
}
