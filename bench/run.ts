import { runIngestBench } from "./ingest.js";
import { runReplayBench } from "./replay.js";

/** `npm run bench`: every benchmark prints its timings next to a baseline measured in the same run. */
const suites = { ingest: runIngestBench, replay: runReplayBench } as const;

const only = process.argv.slice(2);
for (const [name, suite] of Object.entries(suites)) {
  if (only.length > 0 && !only.includes(name)) continue;
  process.stdout.write(`\n## ${name}\n`);
  await suite();
}
