import { join, resolve } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { wallClock, type Clock } from "../../util/clock.js";
import { HotspotError } from "../../errors.js";
import {
  loadTrace,
  localCloudEnv,
  localCloudStatus,
  readFaultScript,
  runningLocalCloud,
  serveLocalCloud,
  startEmulator,
  startLocalCloudService,
  stopLocalCloudService,
  type EmulatorOptions,
} from "../../api.js";
import { parseChoice, parseInteger, parseList, parseNumber, parseTime } from "../../options/parse.js";
import { shellCommandLine } from "../../util/shell.js";
import { LOCAL_CLOUD_ENV, DEFAULT_LOCAL_STATE_DIR } from "../local-env.js";

const actions = {
  up: "start the local cloud in the background (needs root)",
  serve: "run the local cloud in the foreground (what `up` starts; for a service manager)",
  emulator:
    "run only its EC2 emulator in the foreground, without hosts or root: prints its endpoints as one JSON line",
  env: 'print the shell exports that point every command at it: eval "$(hotspot local env)"',
  status: "what runs: instances, volumes, ENIs, addresses, and what holds what (--json)",
  down: "stop it and remove everything it made (also after a crash or SIGKILL)",
} as const;

interface LocalArgs {
  action?: string;
  faults?: string;
  zones?: string;
  "replay-from"?: string;
  "price-interruptions": boolean;
  "state-dir": string;
  trace?: string;
  speed: string;
  port: string;
  "metadata-port": string;
  "latency-factor": string;
  prefix: string;
  region: string;
  seed: string;
  json: boolean;
}

function builder(yargs: Argv) {
  return yargs
    .positional("action", {
      type: "string",
      describe: Object.entries(actions)
        .map(([name, text]) => `${name}: ${text}`)
        .join("; "),
    })
    .option("state-dir", {
      type: "string",
      default: process.env[LOCAL_CLOUD_ENV] ?? DEFAULT_LOCAL_STATE_DIR,
      describe: `Where the service keeps its pid, log, volume images and mounts (env ${LOCAL_CLOUD_ENV})`,
    })
    .option("trace", {
      type: "string",
      describe:
        "Spot price history to serve, replayed against the wall clock from its first price (up, serve)",
    })
    .option("speed", {
      type: "string",
      default: "1",
      describe: "Trace seconds per real second: 720 plays a month in an hour (up, serve)",
    })
    .option("port", { type: "string", default: "0", describe: "EC2 API port on 127.0.0.1 (0: a free one)" })
    .option("metadata-port", {
      type: "string",
      default: "0",
      describe: "Instance metadata port on 127.0.0.1 (0: a free one)",
    })
    .option("latency-factor", {
      type: "string",
      default: "0.01",
      describe: "EC2's latencies (from the paper) scaled by this: 0.01 launches a spot instance in ~0.7 s",
    })
    .option("prefix", {
      type: "string",
      default: "hsc",
      describe: "Tag prefix of its namespaces, veths and iptables chains (2-4 lowercase letters)",
    })
    .option("region", { type: "string", default: "us-east-1", describe: "The emulated region" })
    .option("seed", { type: "string", default: "1", describe: "Seed of the emulated latencies" })
    .option("json", { type: "boolean", default: false, describe: "Machine-readable output (status)" })
    .option("faults", { type: "string", describe: "A fault script to hold from the start (emulator)" })
    .option("zones", {
      type: "string",
      describe: "Zone names, comma-separated; default <region>a..f (emulator)",
    })
    .option("replay-from", {
      type: "string",
      describe: "Trace time that the emulator's start stands for; default the trace's first price (emulator)",
    })
    .option("price-interruptions", {
      type: "boolean",
      default: true,
      describe: "Interrupt spot instances whose price rises above their MaxPrice (emulator)",
    })
    .example("sudo $0 local up --trace traces/demo-volatile.csv --speed 600", "start it, prices moving 600x")
    .example('eval "$($0 local env)"', "point the SDK, the AWS CLI and hotspot at it")
    .example("$0 local status --json", "what it holds")
    .example("$0 local emulator --trace trace.csv --faults faults.json", "the EC2 API alone, for SDK tests")
    .example("sudo $0 local down", "stop it and remove everything it made");
}

function requireRoot(what: string): void {
  const uid = process.getuid?.();
  if (uid !== 0) {
    throw new HotspotError(
      "HOTSPOT_NEEDS_ROOT",
      `hotspot local ${what} needs root (it makes network namespaces, veths, loop devices, mounts and iptables rules): found uid ${uid ?? "unknown"}; run it with sudo`,
    );
  }
}

async function runUp(args: LocalArgs, clock: Clock): Promise<void> {
  requireRoot("up");
  const stateDir = resolve(args["state-dir"]);
  const running = await runningLocalCloud(stateDir);
  if (running !== null) {
    process.stdout.write(
      `hotspot local: already running (pid ${running.pid}, EC2 ${running.endpoint}, state ${stateDir})\n`,
    );
    return;
  }
  serveOptions(args);
  const words = [
    "local",
    "serve",
    "--state-dir",
    stateDir,
    ...(args.trace === undefined ? [] : ["--trace", resolve(args.trace)]),
    "--speed",
    args.speed,
    "--port",
    args.port,
    "--metadata-port",
    args["metadata-port"],
    "--latency-factor",
    args["latency-factor"],
    "--prefix",
    args.prefix,
    "--region",
    args.region,
    "--seed",
    args.seed,
  ];
  const { info, logPath } = await startLocalCloudService({
    stateDir,
    tracePath: args.trace,
    entry: { node: process.execPath, script: process.argv[1] },
    serveWords: words,
    clock,
  });
  process.stdout.write(
    `hotspot local: up (pid ${info.pid}): EC2 ${info.endpoint}, metadata ${info.metadata}, state ${stateDir}, log ${logPath}\n` +
      `  next: eval "$(hotspot local env${stateDir === DEFAULT_LOCAL_STATE_DIR ? "" : ` --state-dir ${shellCommandLine([stateDir])}`})"\n`,
  );
}

function serveOptions(args: LocalArgs) {
  return {
    port: parseInteger("--port", args.port, 0, 65535),
    metadataPort: parseInteger("--metadata-port", args["metadata-port"], 0, 65535),
    latencyFactor: parseNumber("--latency-factor", args["latency-factor"], 0, 100),
    speed: parseNumber("--speed", args.speed, 1e-3, 1e7),
    seed: parseInteger("--seed", args.seed),
  };
}

async function runServe(args: LocalArgs, clock: Clock): Promise<void> {
  requireRoot("serve");
  const parsed = serveOptions(args);
  const cloud = await serveLocalCloud({
    stateDir: resolve(args["state-dir"]),
    prefix: args.prefix,
    region: args.region,
    port: parsed.port,
    metadataPort: parsed.metadataPort,
    latencyFactor: parsed.latencyFactor,
    seed: parsed.seed,
    trace: args.trace === undefined ? undefined : { path: resolve(args.trace), speed: parsed.speed },
    clock,
  });
  process.stdout.write(`${JSON.stringify(cloud.info)}\n`);
  await new Promise<void>((done) => {
    const stop = (signal: NodeJS.Signals) => {
      process.stdout.write(`hotspot local: ${signal}: removing everything the local cloud made\n`);
      done();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await cloud.close();
}

/** The standalone emulator's options from the command line, checked before anything starts. */
export async function emulatorOptions(args: LocalArgs): Promise<EmulatorOptions> {
  const replayFrom = parseTime("--replay-from", args["replay-from"]);
  return {
    port: parseInteger("--port", args.port, 0, 65535),
    metadataPort: parseInteger("--metadata-port", args["metadata-port"], 0, 65535),
    region: args.region,
    zones: parseList("--zones", args.zones),
    latency: {
      factor: parseNumber("--latency-factor", args["latency-factor"], 0, 100),
      seed: parseInteger("--seed", args.seed),
    },
    trace: args.trace === undefined ? undefined : await loadTrace(args.trace),
    replayFromMs: replayFrom === undefined ? undefined : replayFrom * 1000,
    priceInterruptions: args["price-interruptions"],
    faults: args.faults === undefined ? [] : await readFaultScript(args.faults),
  };
}

async function runEmulator(args: LocalArgs): Promise<void> {
  const options = await emulatorOptions(args);
  const emulator = await startEmulator(options);
  process.stdout.write(
    `${JSON.stringify({ endpoint: emulator.endpoint, metadata: `${emulator.metadataBase}/<instance-id>/latest/meta-data/` })}\n`,
  );
  await new Promise<void>((done) => {
    process.once("SIGINT", () => done());
    process.once("SIGTERM", () => done());
  });
  await emulator.close();
}

async function runEnv(args: LocalArgs): Promise<void> {
  const stateDir = resolve(args["state-dir"]);
  const { info, credentials } = await localCloudEnv(stateDir);
  const q = (value: string) => shellCommandLine([value]);
  process.stdout.write(
    [
      `export AWS_ENDPOINT_URL_EC2=${q(info.endpoint)}`,
      `export AWS_EC2_METADATA_SERVICE_ENDPOINT=${q(info.metadata)}`,
      `export AWS_REGION=${q(info.region)}`,
      `export AWS_ACCESS_KEY_ID=${q(credentials.accessKeyId)}`,
      `export AWS_SECRET_ACCESS_KEY=${q(credentials.secretAccessKey)}`,
      "unset AWS_PROFILE AWS_SESSION_TOKEN",
      `export ${LOCAL_CLOUD_ENV}=${q(stateDir)}`,
      "",
    ].join("\n"),
  );
}

async function runStatus(args: LocalArgs): Promise<void> {
  const { info, inventory, text } = await localCloudStatus(resolve(args["state-dir"]));
  process.stdout.write(args.json ? `${JSON.stringify({ ...info, ...inventory }, null, 2)}\n` : text);
}

async function runDown(args: LocalArgs, clock: Clock): Promise<void> {
  requireRoot("down");
  const stateDir = resolve(args["state-dir"]);
  const down = await stopLocalCloudService({
    stateDir,
    clock,
    onKill: (pid) =>
      process.stderr.write(`hotspot local: pid ${pid} still runs 60 s after SIGTERM: SIGKILL\n`),
    onGone: (pid) =>
      process.stdout.write(`hotspot local: pid ${pid} is gone (crashed or killed): removing what it left\n`),
  });
  if (down === null) {
    process.stdout.write(`hotspot local: nothing to stop under ${stateDir}\n`);
    return;
  }
  const { info, report } = down;
  process.stdout.write(
    `hotspot local: down; removed ${report.namespaces} namespace(s), ${report.processes} process(es), ${report.mounts} mount(s), ${report.loopDevices} loop device(s) left behind; logs kept in ${join(info.hostsDir, "user-data")} and ${join(stateDir, "local.log")}\n`,
  );
}

export async function runLocalCommand(args: LocalArgs, clock: Clock = wallClock): Promise<void> {
  const action = parseChoice("action", args.action, actions);
  if (action === "up") return runUp(args, clock);
  if (action === "serve") return runServe(args, clock);
  if (action === "emulator") return runEmulator(args);
  if (action === "env") return runEnv(args);
  if (action === "status") return runStatus(args);
  return runDown(args, clock);
}

export const localCommand: CommandModule<object, LocalArgs> = {
  command: "local <action>",
  describe:
    "The local cloud: an EC2 emulator on network-namespace hosts, to rehearse live mode on one machine",
  builder: builder as unknown as CommandModule<object, LocalArgs>["builder"],
  handler: (args) => runLocalCommand(args),
};
