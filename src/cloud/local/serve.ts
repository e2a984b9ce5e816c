/**
 * Run the local cloud's EC2 emulator standalone:
 *   node dist/src/cloud/local/serve.js [--trace FILE] [--port N] [--metadata-port N] [--host ADDR]
 *     [--region R] [--zones a,b] [--latency-factor F] [--seed N] [--faults FILE]
 *     [--replay-from TIME] [--no-price-interruptions]
 * Prints one JSON line with the endpoints, then serves until SIGINT/SIGTERM.
 */
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { HotspotError, UsageError } from "../../errors.js";
import { parseInteger, parseList, parseNumber, parseTime } from "../../options/parse.js";
import { loadTrace } from "../../traces/load.js";
import { startEmulator, type Emulator, type EmulatorOptions } from "./emulator.js";
import { readFaultScript } from "./faults.js";

export async function serveFromArgs(argv: readonly string[]): Promise<Emulator> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      trace: { type: "string" },
      port: { type: "string", default: "0" },
      "metadata-port": { type: "string", default: "0" },
      host: { type: "string", default: "127.0.0.1" },
      region: { type: "string", default: "us-east-1" },
      zones: { type: "string" },
      "latency-factor": { type: "string", default: "0.01" },
      seed: { type: "string", default: "1" },
      faults: { type: "string" },
      "replay-from": { type: "string" },
      "no-price-interruptions": { type: "boolean", default: false },
    },
  });
  const replayFrom = parseTime("--replay-from", values["replay-from"]);
  const options: EmulatorOptions = {
    host: values.host,
    port: parseInteger("--port", values.port, 0, 65535),
    metadataPort: parseInteger("--metadata-port", values["metadata-port"], 0, 65535),
    region: values.region,
    zones: parseList("--zones", values.zones),
    latency: {
      factor: parseNumber("--latency-factor", values["latency-factor"], 0),
      seed: parseInteger("--seed", values.seed),
    },
    trace: values.trace === undefined ? undefined : await loadTrace(values.trace),
    replayFromMs: replayFrom === undefined ? undefined : replayFrom * 1000,
    priceInterruptions: !values["no-price-interruptions"],
    faults: values.faults === undefined ? [] : await readFaultScript(values.faults),
  };
  return startEmulator(options);
}

async function main(): Promise<void> {
  try {
    const emulator = await serveFromArgs(process.argv.slice(2));
    process.stdout.write(
      `${JSON.stringify({ endpoint: emulator.endpoint, metadata: `${emulator.metadataBase}/<instance-id>/latest/meta-data/` })}\n`,
    );
    const stop = (): void => void emulator.close();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  } catch (error) {
    const usage =
      error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    process.stderr.write(`hotspot local cloud: ${(error as Error).message}\n`);
    process.exitCode = usage ? 2 : error instanceof HotspotError ? 1 : 70;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
