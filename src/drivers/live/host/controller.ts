import { resolve } from "node:path";
import type { BillingModelName } from "../../../engine/billing.js";
import type { WorkUnit } from "../../../catalog/types.js";
import type { LiveConfig } from "../../../setup/config.js";
import { shellCommandLine } from "../../../util/shell.js";
import { isoSeconds } from "../../../util/iso-seconds.js";
import type { CpuReference } from "./container-host.js";
import type { CpuCompat } from "../../../policies/cpu-compat.js";
import { encodeReference } from "./cpu-reference.js";

/**
 * The self-migration protocol's command lines: how a controller starts the controller of the next
 * instance. A target's user data runs `hotspot live --takeover` with the source's own flags; a home's,
 * from `hotspot launch`, runs `hotspot live --boot`. The instance's id comes from its metadata on
 * EC2, from HOTSPOT_INSTANCE_ID on the local cloud.
 */

/** Where `hotspot live` acts: the local cloud's namespace hosts, or the EC2 instance it runs on. */
export type ActCloud =
  | {
      readonly kind: "local";
      readonly hostsDir: string;
      readonly prefix: string;
      /** LXC's container directory; undefined: under `hostsDir` (on the volume for `hotspot container create`'s). */
      readonly lxcPath?: string;
    }
  | {
      readonly kind: "aws";
      /** Where every instance mounts the container's volume. */
      readonly mountPoint: string;
      /** LXC's container directory (`-P`), on the volume so the root filesystem travels with it. */
      readonly lxcPath: string;
    };

/** The catalog a run prices and sizes with (see the CLI's catalog flags). */
export interface ControllerCatalog {
  readonly specsFile?: string;
  readonly workUnit: WorkUnit;
  readonly skipUnknownTypes: boolean;
}

/** Options of a controller (`hotspot live` acting), validated from flags by the CLI. */
export interface ControllerOptions {
  readonly configPath: string;
  readonly endpoint?: string;
  readonly metadata?: string;
  readonly policy?: Omit<LiveConfig["policy"], "inputs">;
  readonly intervalSeconds: number;
  readonly durationSeconds: number;
  /** Stop at this time (epoch seconds) instead of after `durationSeconds`. */
  readonly untilSeconds?: number;
  readonly resume: boolean;
  /** null: on the container's volume (self-migrating). */
  readonly stateDir: string | null;
  /** null: `results.json` in the state directory (`results-<instance>.json` when self-migrating). */
  readonly resultsPath: string | null;
  readonly self?: {
    /** null: this instance's id from the instance metadata (EC2). */
    readonly instanceId: string | null;
    readonly takeover: boolean;
    readonly takeoverTimeoutSeconds: number;
    /** Started on a home by `hotspot launch`: wait for volume and ENI, bring the container up here, run. */
    readonly boot?: boolean;
  };
  /** undefined: the config's image (from `hotspot image build`). */
  readonly imageId?: string;
  /** Targets' instance profile; undefined on EC2: this instance's own (from its metadata). */
  readonly instanceProfile?: string;
  readonly device: string;
  readonly deviceIndex: number;
  readonly pricePollSeconds: number;
  readonly cooldownSeconds: number;
  /** Where to act: the local cloud's namespace hosts, or the EC2 instance this runs on. */
  readonly cloud: ActCloud;
  readonly utilisation: number | "measured";
  /** "measured": from the container's cgroup (run.ts). */
  readonly memoryGiB: number | "measured";
  readonly memoryHeadroom?: number;
  readonly demand?: number;
  readonly billing: BillingModelName;
  readonly historyWindowSeconds: number;
  readonly catalog: ControllerCatalog;
  /** Candidate types from the home's CPU; undefined: the default (same-vendor). */
  readonly cpuCompat?: CpuCompat;
  /**
   * EC2, a target's controller (`--cpu-reference`): the home's CPU reference its source carried in its
   * user data, checked here at boot (verdict published in CPU_CHECK_TAG) and carried on to its targets.
   */
  readonly cpuReference?: CpuReference;
}

/** The config file a target's user data writes before it starts the controller (the volume is not there yet). */
export const TARGET_CONFIG_PATH = "/run/hotspot/hotspot.json";

/** The program a controller runs as: node and hotspot's entry, at the same paths on every instance. */
export interface ControllerEntry {
  readonly node: string;
  readonly script: string;
}

/**
 * The next controller's command line: these options as `--takeover` (a hop's target) or `--boot` (a
 * launched home), with the config at `configPath` and the run ending at `until` like this one.
 */
export function controllerArgv(
  options: ControllerOptions,
  role: "takeover" | "boot",
  entry: ControllerEntry,
  where: { readonly configPath: string; readonly stateDir: string | null; readonly until: number },
): string[] {
  const flag = (name: string, value: string | number | undefined) =>
    value === undefined ? [] : [`--${name}`, String(value)];
  const { cloud } = options;
  return [
    entry.node,
    entry.script,
    "live",
    ...flag("config", where.configPath),
    ...flag("cloud", cloud.kind),
    ...flag("endpoint", options.endpoint),
    ...flag("metadata", options.metadata),
    ...(cloud.kind === "local"
      ? [
          ...flag("local-hosts", resolve(cloud.hostsDir)),
          ...flag("local-prefix", cloud.prefix),
          ...flag("lxc-path", cloud.lxcPath),
        ]
      : [...flag("mount", cloud.mountPoint), ...flag("lxc-path", cloud.lxcPath)]),
    ...flag("image-id", options.imageId),
    ...flag("instance-profile", options.instanceProfile),
    ...flag("state-dir", where.stateDir === null ? undefined : resolve(where.stateDir)),
    ...flag("results", options.resultsPath === null ? undefined : resolve(options.resultsPath)),
    ...flag("device", options.device),
    ...flag("device-index", options.deviceIndex),
    ...flag("interval", options.intervalSeconds),
    ...flag("price-poll", options.pricePollSeconds),
    ...flag("cooldown", options.cooldownSeconds),
    ...flag("memory", options.memoryGiB),
    ...flag("memory-headroom", options.memoryHeadroom),
    ...flag("demand", options.demand),
    ...flag("utilisation", options.utilisation),
    ...flag("billing", options.billing),
    ...flag("history-window", options.historyWindowSeconds),
    ...flag("policy", options.policy?.name),
    ...flag(
      "specs",
      options.catalog.specsFile === undefined ? undefined : resolve(options.catalog.specsFile),
    ),
    ...flag("work-unit", options.catalog.workUnit),
    ...flag("cpu-compat", options.cpuCompat),
    ...(options.catalog.skipUnknownTypes ? ["--skip-unknown-types"] : []),
    ...(Number.isFinite(where.until) ? flag("until", isoSeconds(where.until)) : []),
    ...flag("takeover-timeout", options.self?.takeoverTimeoutSeconds),
    ...flag(
      "cpu-reference",
      options.cpuReference === undefined ? undefined : encodeReference(options.cpuReference),
    ),
    `--${role}`,
  ];
}

/**
 * EC2 user data: writes the config byte for byte, then starts the controller as a systemd service, so
 * it outlives cloud-init's final stage and is restarted after a crash (a restarted controller finds
 * the volume here and resumes from the journal). Base64, as RunInstances takes it.
 */
export function ec2UserData(words: readonly string[], configText: string): string {
  const service = [
    "systemd-run",
    "--unit=hotspot-live",
    "--property=Restart=on-failure",
    "--property=RestartSec=10",
    ...words,
  ];
  const script = [
    "#!/bin/sh",
    "set -eu",
    `mkdir -p ${shellCommandLine([resolve(TARGET_CONFIG_PATH, "..")])}`,
    `printf '%s' ${shellCommandLine([Buffer.from(configText, "utf8").toString("base64")])} | base64 -d > ${shellCommandLine([TARGET_CONFIG_PATH])}`,
    `exec ${shellCommandLine(service)}`,
    "",
  ].join("\n");
  return Buffer.from(script, "utf8").toString("base64");
}

/** Local-cloud user data: the namespace host names the instance in HOTSPOT_INSTANCE_ID (no link-local metadata). */
export function localUserData(words: readonly string[]): string {
  const script = `#!/bin/sh\nexec ${shellCommandLine(words)} --instance-id "$HOTSPOT_INSTANCE_ID"\n`;
  return Buffer.from(script, "utf8").toString("base64");
}
