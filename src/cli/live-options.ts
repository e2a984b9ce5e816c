import { isAbsolute, join, normalize } from "node:path";
import type { Argv } from "yargs";
import { decodeReference } from "../drivers/live/host/cpu-reference.js";
import { DEFAULT_CPU_COMPAT, liveCpuCompatRules } from "../policies/cpu-compat.js";
import type { ActCloud, AssumedPlacement, ControllerOptions, Lifecycle } from "../api.js";
import { metadataBaseFromEnv } from "./live-env.js";
import { localCloudFromEnv } from "./local-env.js";
import { billingModels } from "../engine/billing.js";
import { UsageError } from "../errors.js";
import { policyByName, resolveParams } from "../policies/index.js";
import { INSTANCE_TYPE_RE } from "../setup/validate.js";
import { catalogOptionsFromArgs, withCatalogOptions, type CatalogArgs } from "./catalog-options.js";
import { parseChoice, parseDuration, parseInteger, parseNumber, parseTime } from "../options/parse.js";

/** The flags of `hotspot live`, which `hotspot launch` shares, and their validation into typed options. */
const clouds = {
  aws: "EC2 through the SDK's default credential chain; acting runs on the instance that holds the container",
  local: "the local cloud: its EC2 emulator and namespace hosts",
};
const lifecycles = { spot: true, "on-demand": true } as const satisfies Record<Lifecycle, true>;

export function liveBuilder(yargs: Argv) {
  return withCatalogOptions(yargs)
    .positional("action", {
      type: "string",
      describe: "gc: terminate instances of ours the journal does not account for (--dry-run: list them)",
    })
    .option("dry-run", {
      type: "boolean",
      default: false,
      describe: "Run the policy on live prices and print what it would do and why; act on nothing",
    })
    .option("resume", {
      type: "boolean",
      default: false,
      describe: "Continue the journal in --state-dir: settle an open hop (finish or roll back), then run on",
    })
    .option("state-dir", {
      type: "string",
      describe:
        "Where the journal (journal.json) and the ledger (results.json) live (default /var/lib/hotspot; self-migrating, always so on EC2: <mount>/hotspot on the container's volume)",
    })
    .option("instance-id", {
      type: "string",
      describe:
        "Self-migrating: this controller runs on that instance, keeps its journal on the volume, hands each hop off to the target's controller (started by user data) and ends with its instance",
    })
    .option("takeover", {
      type: "boolean",
      default: false,
      describe:
        "With --instance-id, in a target's user data: wait for the volume and ENI, finish the hop, run on",
    })
    .option("boot", {
      type: "boolean",
      default: false,
      describe:
        "With --instance-id, in a home's user data (hotspot launch): wait for the volume and ENI, start (or restore) the container here, run",
    })
    .option("takeover-timeout", {
      type: "string",
      default: "30m",
      describe:
        "How long a target's controller (--takeover) waits for the volume and ENI, and a source for its target's controller to claim them (then it takes the container back)",
    })
    .option("cpu-reference", {
      type: "string",
      describe:
        "With --takeover on EC2, set by the source in a target's user data: the home's CPU (<architecture>:<base64 of criu's cpuinfo.img>), checked here before the hop's checkpoint",
    })
    .option("cpu-compat", {
      type: "string",
      describe: `Candidate types, from the CPU of the container's home: same-vendor (architecture and vendor; default), same-arch, any-x86; each target's CPU is also checked with criu cpuinfo check before the checkpoint`,
    })
    .option("until", { type: "string", describe: "Stop at this time (ISO), instead of --duration" })
    .option("results", {
      type: "string",
      describe:
        "Ledger written after every event, in hotspot sim --json's format (default <state-dir>/results.json)",
    })
    .option("duration", {
      type: "string",
      describe: "Stop after this long (90s, 2h); default: run until SIGINT or SIGTERM",
    })
    .option("image-id", { type: "string", describe: "AMI the targets are launched from (required to act)" })
    .option("device", { type: "string", default: "/dev/sdf", describe: "Device name of the volume" })
    .option("device-index", { type: "string", default: "1", describe: "Device index of the moved ENI" })
    .option("price-poll", {
      type: "string",
      default: "60",
      describe: "Seconds between spot price polls (besides one before every decision)",
    })
    .option("cooldown", {
      type: "string",
      default: "30m",
      describe: "How long a market that failed (no capacity, target lost) is kept from the policy",
    })
    .option("local-hosts", {
      type: "string",
      describe: "State directory of the local cloud's namespace hosts (acting with --cloud local)",
    })
    .option("local-prefix", {
      type: "string",
      describe: "Prefix of the local cloud's namespace hosts (acting with --cloud local)",
    })
    .option("instance-profile", {
      type: "string",
      describe:
        "Instance profile (name or ARN) targets launch with: their controllers' credentials (acting; with --cloud aws default: this instance's own)",
    })
    .option("mount", {
      type: "string",
      describe:
        "Where every instance mounts the container's volume (acting with --cloud aws; default /mnt/hotspot)",
    })
    .option("lxc-path", {
      type: "string",
      describe:
        "LXC's container directory, -P (acting with --cloud aws; default <mount>/lxc, on the volume so the root filesystem travels)",
    })
    .option("config", {
      type: "string",
      default: "hotspot.json",
      describe: "Config written by hotspot setup",
    })
    .option("cloud", {
      type: "string",
      describe: `The cloud: ${Object.entries(clouds)
        .map(([name, text]) => `${name} (${text})`)
        .join("; ")}; default local when HOTSPOT_LOCAL_CLOUD names a running local cloud, else aws`,
    })
    .option("endpoint", { type: "string", describe: "EC2 endpoint URL (required with --cloud local)" })
    .option("metadata", {
      type: "string",
      describe:
        "Instance metadata base URL: interruption notices watched every 5 s, and the instance's id (acting with --cloud aws: default http://169.254.169.254; local cloud: the emulator's, each instance's under its id)",
    })
    .option("policy", {
      type: "string",
      describe: "Ask this policy (default parameters) instead of the config's",
    })
    .option("rounds", {
      type: "string",
      describe: "Stop after this many interval decisions (default: run on)",
    })
    .option("interval", { type: "string", default: "300", describe: "Seconds between decisions (300, 5m)" })
    .option("current-type", { type: "string", describe: "Instance type the container runs on now" })
    .option("current-lifecycle", {
      type: "string",
      default: "spot",
      describe: "Lifecycle of the current server: spot or on-demand",
    })
    .option("current-since", { type: "string", describe: "When the current server started (ISO time)" })
    .option("utilisation", {
      type: "string",
      describe:
        "Utilisation in [0, 1] of the current server; acting defaults to measured (the container's cgroup CPU), --dry-run to 1",
    })
    .option("memory", {
      type: "string",
      describe:
        "GiB a server must hold for the container; acting defaults to measured (its cgroup's limit, else peak × --memory-headroom, + 0.5 GiB for the host), --dry-run and launch's first placement to 8",
    })
    .option("memory-headroom", {
      type: "string",
      describe: "Measured --memory: peak use × this when the container has no memory limit (default 1.5)",
    })
    .option("demand", {
      type: "string",
      describe: "Work units the application can use (default: half of an m4.4xlarge)",
    })
    .option("billing", {
      type: "string",
      default: "per-second",
      describe: "Billing model: per-second, hourly",
    })
    .option("history-window", { type: "string", default: "1d", describe: "Look-back window policies see" })
    .option("json", {
      type: "boolean",
      default: false,
      describe: "--dry-run: one JSON decision record per line (acting always logs JSON lines)",
    })
    .example("$0 live --dry-run --rounds 1", "One decision on current prices with the config's policy")
    .example(
      "$0 live --image-id ami-0123456789abcdef0 --interval 5m",
      "On the EC2 instance that holds the container: hop it as the policy decides (self-migrating)",
    )
    .example(
      "$0 live --cloud local --endpoint http://127.0.0.1:4566 --metadata http://127.0.0.1:4567 --local-hosts /tmp/hosts --local-prefix hs --image-id ami-0123456789abcdef0 --state-dir /tmp/state",
      "Hop the local cloud's container as the policy decides; structured log on stdout",
    )
    .example(
      "$0 live --resume --cloud local ...",
      "After a crash: settle the open hop from the journal, run on",
    )
    .example("$0 live gc --dry-run --cloud local --endpoint http://127.0.0.1:4566", "List orphans of ours")
    .example(
      "$0 live --dry-run --cloud local --endpoint http://127.0.0.1:4566 --current-type m4.large --json",
      "Decisions against the local cloud, from an assumed m4.large spot server, as JSON lines",
    );
}

export type LiveArgs = CatalogArgs & {
  action?: string;
  "instance-id"?: string;
  takeover?: boolean;
  boot?: boolean;
  "takeover-timeout"?: string;
  "cpu-reference"?: string;
  "cpu-compat"?: string;
  until?: string;
  "dry-run"?: boolean;
  resume?: boolean;
  "state-dir"?: string;
  results?: string;
  duration?: string;
  "image-id"?: string;
  device?: string;
  "device-index"?: string;
  "price-poll"?: string;
  cooldown?: string;
  "local-hosts"?: string;
  "local-prefix"?: string;
  mount?: string;
  "lxc-path"?: string;
  "instance-profile"?: string;
  config?: string;
  cloud?: string;
  endpoint?: string;
  metadata?: string;
  policy?: string;
  rounds?: string;
  interval?: string;
  "current-type"?: string;
  "current-lifecycle"?: string;
  "current-since"?: string;
  utilisation?: string;
  memory?: string;
  "memory-headroom"?: string;
  demand?: string;
  billing?: string;
  "history-window"?: string;
  json?: boolean;
};

function url(flag: string, raw: string): string {
  if (!/^https?:\/\/[^\s/]+/.test(raw)) throw new UsageError(flag, "an http(s) URL", JSON.stringify(raw));
  return raw;
}

export const actions = { gc: "terminate orphans of ours" };
/** A dry run's --memory when none is given: it cannot measure the container (the paper's prototype's 8 GiB). */
export const DRY_RUN_MEMORY_GIB = 8;
export const DRY_RUN_ONLY = ["rounds", "current-type", "current-since", "json"] as const;
export const ACT_ONLY = [
  "resume",
  "results",
  "duration",
  "until",
  "image-id",
  "local-hosts",
  "local-prefix",
  "mount",
  "lxc-path",
  "instance-profile",
  "instance-id",
  "takeover",
  "boot",
  "memory-headroom",
] as const;
const LOCAL_ONLY = ["local-hosts", "local-prefix"] as const;
const AWS_ONLY = ["mount"] as const;

/** Flags that mean nothing in this mode, named so a typo'd intent fails before anything runs. */
export function refuse(args: LiveArgs, flags: readonly (keyof LiveArgs)[], why: string): void {
  const given = flags.find((flag) => args[flag] !== undefined && args[flag] !== false);
  if (given !== undefined) throw new UsageError(`--${given}`, why, JSON.stringify(String(args[given])));
}

export function cloudOf(args: LiveArgs) {
  const cloud = parseChoice("--cloud", args.cloud ?? "aws", clouds);
  if (cloud === "local" && args.endpoint === undefined) {
    throw new UsageError("--endpoint", "the emulator's URL with --cloud local", "none");
  }
  const endpoint = args.endpoint === undefined ? undefined : url("--endpoint", args.endpoint);
  return { cloud, endpoint };
}

export function stateDirOf(args: LiveArgs): string {
  const dir = args["state-dir"] ?? "/var/lib/hotspot";
  if (dir.trim() === "") throw new UsageError("--state-dir", "a directory", '""');
  return dir;
}

/** `hotspot live` acting: every flag checked before any file, request or container is touched. */
export function actOptionsFromArgs(args: LiveArgs): ControllerOptions {
  refuse(args, DRY_RUN_ONLY, "only with --dry-run (acting runs for --duration)");
  const { cloud, endpoint } = cloudOf(args);
  const imageId = args["image-id"];
  if (imageId !== undefined && !/^ami-[0-9a-f]{8,17}$/.test(imageId)) {
    throw new UsageError(
      "--image-id",
      "the AMI targets launch from, such as ami-0123456789abcdef0",
      JSON.stringify(imageId),
    );
  }
  const place = cloud === "local" ? localCloud(args) : awsCloud(args);
  const common = sharedOptions(args);
  const self = args["instance-id"];
  if (self !== undefined && !/^i-[0-9a-f]{8,17}$/.test(self)) {
    throw new UsageError("--instance-id", "an instance id such as i-0123456789abcdef0", JSON.stringify(self));
  }
  const roles = { takeover: "the target it runs on", boot: "the home it runs on" } as const;
  for (const role of ["takeover", "boot"] as const) {
    if (args[role] === true && self === undefined && cloud === "local") {
      throw new UsageError(`--${role}`, `to come with --instance-id (${roles[role]})`, "no --instance-id");
    }
  }
  if (args.takeover === true && args.boot === true) {
    throw new UsageError("--boot", "either --boot (a launched home) or --takeover (a hop's target)", "both");
  }
  if (args.until !== undefined && args.duration !== undefined) {
    throw new UsageError("--until", "either --until or --duration", JSON.stringify(args.until));
  }
  const until = parseTime("--until", args.until);
  // On EC2 the controller always runs on the container's instance (its id from the metadata by default).
  const selfMigrating = self !== undefined || cloud === "aws";
  const stateDir = args["state-dir"] === undefined && selfMigrating ? null : stateDirOf(args);
  const device = args.device ?? "/dev/sdf";
  if (!/^\/dev\/(sd[f-p]|xvd[f-p])$/.test(device)) {
    throw new UsageError(
      "--device",
      "a device name for an EBS volume, /dev/sdf to /dev/sdp",
      JSON.stringify(device),
    );
  }
  return {
    configPath: common.configPath,
    endpoint,
    metadata: common.metadata ?? (cloud === "aws" ? metadataBaseFromEnv(undefined) : undefined),
    policy: common.policy,
    intervalSeconds: common.intervalSeconds,
    durationSeconds: parseDuration("--duration", args.duration) ?? Infinity,
    untilSeconds: until,
    resume: args.resume ?? false,
    stateDir,
    resultsPath: args.results ?? null,
    self: !selfMigrating
      ? undefined
      : {
          instanceId: self ?? null,
          takeover: args.takeover === true,
          boot: args.boot === true,
          takeoverTimeoutSeconds: parseDuration("--takeover-timeout", args["takeover-timeout"] ?? "30m")!,
        },
    imageId,
    ...(args["cpu-reference"] === undefined
      ? {}
      : { cpuReference: decodeReference(args["cpu-reference"], "--cpu-reference") }),
    instanceProfile: instanceProfileOf(args["instance-profile"]),
    device,
    deviceIndex: parseInteger("--device-index", args["device-index"] ?? "1", 1, 31),
    pricePollSeconds: parseDuration("--price-poll", args["price-poll"] ?? "60")!,
    cooldownSeconds: parseDuration("--cooldown", args.cooldown ?? "30m")!,
    cloud: place,
    utilisation: measuredOrNumber(args.utilisation),
    memoryGiB: common.memoryGiB,
    memoryHeadroom:
      args["memory-headroom"] === undefined
        ? undefined
        : parseNumber("--memory-headroom", args["memory-headroom"], 1),
    demand: common.demand,
    billing: common.billing,
    historyWindowSeconds: common.historyWindowSeconds,
    catalog: common.catalog,
    cpuCompat: common.cpuCompat,
  };
}

function instanceProfileOf(raw: string | undefined): string | undefined {
  const arn = /^arn:aws[a-z-]*:iam::\d{12}:instance-profile\/[\w+=,.@/-]{1,128}$/;
  if (raw !== undefined && !arn.test(raw) && !/^[\w+=,.@-]{1,128}$/.test(raw)) {
    throw new UsageError(
      "--instance-profile",
      "an instance profile name, or its ARN (arn:aws:iam::123456789012:instance-profile/NAME)",
      JSON.stringify(raw),
    );
  }
  return raw;
}

function localCloud(args: LiveArgs): ActCloud {
  refuse(args, AWS_ONLY, "only with --cloud aws");
  const hostsDir = args["local-hosts"];
  if (hostsDir === undefined)
    throw new UsageError("--local-hosts", "the namespace hosts' state directory", "none");
  const prefix = args["local-prefix"];
  if (prefix === undefined || !/^[a-z]{2,4}$/.test(prefix)) {
    throw new UsageError(
      "--local-prefix",
      "the namespace hosts' prefix (2-4 lower-case letters)",
      prefix === undefined ? "none" : JSON.stringify(prefix),
    );
  }
  const lxcPath = args["lxc-path"] === undefined ? undefined : absoluteDir("--lxc-path", args["lxc-path"]);
  return { kind: "local", hostsDir, prefix, ...(lxcPath === undefined ? {} : { lxcPath }) };
}

function absoluteDir(flag: string, raw: string): string {
  if (!isAbsolute(raw) || normalize(raw) === "/") {
    throw new UsageError(flag, "an absolute directory other than /", JSON.stringify(raw));
  }
  return normalize(raw);
}

/** Where EC2 instances mount the container's volume. */
export function mountOf(args: LiveArgs): string {
  return absoluteDir("--mount", args.mount ?? "/mnt/hotspot");
}

function awsCloud(args: LiveArgs): ActCloud {
  refuse(args, LOCAL_ONLY, "only with --cloud local");
  const mountPoint = mountOf(args);
  const lxcPath = absoluteDir("--lxc-path", args["lxc-path"] ?? join(mountPoint, "lxc"));
  return { kind: "aws", mountPoint, lxcPath };
}

function measuredOrNumber(raw: string | undefined): number | "measured" {
  if (raw === undefined || raw === "measured") return "measured";
  const value = Number(raw);
  if (raw.trim() === "" || !(value >= 0 && value <= 1)) {
    throw new UsageError("--utilisation", "measured, or a number in [0, 1]", JSON.stringify(raw));
  }
  return value;
}

/** Flags both the dry run and acting read. */
export function sharedOptions(args: LiveArgs) {
  const policy = args.policy === undefined ? undefined : policyByName(args.policy);
  if (policy?.simulationOnly) {
    throw new UsageError(
      "--policy",
      "a policy that can run live (not simulation-only)",
      JSON.stringify(args.policy),
    );
  }
  return {
    configPath: args.config ?? "hotspot.json",
    metadata: args.metadata === undefined ? undefined : url("--metadata", args.metadata),
    policy: policy === undefined ? undefined : { name: policy.name, params: resolveParams(policy, {}) },
    intervalSeconds: parseDuration("--interval", args.interval ?? "300")!,
    memoryGiB:
      args.memory === undefined || args.memory === "measured"
        ? ("measured" as const)
        : parseNumber("--memory", args.memory, 0),
    demand: args.demand === undefined ? undefined : parseNumber("--demand", args.demand, 1e-9),
    billing: parseChoice("--billing", args.billing ?? "per-second", billingModels),
    historyWindowSeconds: parseDuration("--history-window", args["history-window"] ?? "1d")!,
    catalog: catalogOptionsFromArgs(args),
    cpuCompat: parseChoice("--cpu-compat", args["cpu-compat"] ?? DEFAULT_CPU_COMPAT, liveCpuCompatRules),
  };
}

/** `hotspot live --dry-run`: every flag checked once, before any file or request. */
export function optionsFromArgs(args: LiveArgs) {
  refuse(args, ACT_ONLY, "only when acting (without --dry-run)");
  const { endpoint } = cloudOf(args);
  const type = args["current-type"];
  if (type !== undefined && !INSTANCE_TYPE_RE.test(type)) {
    throw new UsageError("--current-type", "an instance type such as m5.large", JSON.stringify(type));
  }
  const lifecycle = parseChoice("--current-lifecycle", args["current-lifecycle"] ?? "spot", lifecycles);
  const since = parseTime("--current-since", args["current-since"]);
  if (type === undefined && since !== undefined) {
    throw new UsageError(
      "--current-since",
      "to come with --current-type",
      JSON.stringify(args["current-since"]),
    );
  }
  const shared = sharedOptions(args);
  if (args.memory === "measured") {
    throw new UsageError("--memory", "GiB: a dry run does not measure the container", '"measured"');
  }
  return {
    ...shared,
    memoryGiB: shared.memoryGiB === "measured" ? DRY_RUN_MEMORY_GIB : shared.memoryGiB,
    utilisation: parseNumber("--utilisation", args.utilisation ?? "1", 0, 1),
    endpoint,
    rounds: args.rounds === undefined ? undefined : parseInteger("--rounds", args.rounds, 1),
    current:
      type === undefined ? null : ({ instanceType: type, lifecycle, since } satisfies AssumedPlacement),
    json: args.json ?? false,
  };
}

/**
 * With `eval "$(hotspot local env)"` in force, the local cloud's endpoint, metadata and hosts fill the
 * flags not given, so every command reaches it without them.
 */
export async function withLocalDefaults<A extends LiveArgs>(args: A): Promise<A> {
  const local = args.cloud === "aws" ? undefined : await localCloudFromEnv();
  if (local === undefined) return args;
  return {
    ...args,
    cloud: args.cloud ?? "local",
    endpoint: args.endpoint ?? local.endpoint,
    metadata: args.metadata ?? local.metadata,
    "local-hosts": args["local-hosts"] ?? local.hostsDir,
    "local-prefix": args["local-prefix"] ?? local.prefix,
  };
}
