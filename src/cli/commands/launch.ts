import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { createCatalog } from "../../catalog/catalog.js";
import { defaultDemandWork } from "../../catalog/work-unit.js";
import { nowSeconds, wallClock, type Clock } from "../../util/clock.js";
import {
  controllerArgv,
  ec2UserData,
  localUserData,
  TARGET_CONFIG_PATH,
  type ControllerOptions,
} from "../../drivers/live/host/controller.js";
import { dryRun } from "../../api.js";
import type { Lifecycle } from "../../engine/types.js";
import { UsageError } from "../../errors.js";
import { readLiveConfig, type LiveConfig } from "../../setup/config.js";
import { INSTANCE_TYPE_RE } from "../../setup/validate.js";
import { loadComputeClient, loadEc2Client } from "../cloud-clients.js";
import { imageIdFor } from "../live-env.js";
import { parseDuration } from "../../options/parse.js";
import {
  actOptionsFromArgs,
  DRY_RUN_MEMORY_GIB,
  liveBuilder,
  withLocalDefaults,
  type LiveArgs,
} from "../live-options.js";

type LaunchArgs = LiveArgs & { market?: string; timeout?: string };

function builder(yargs: Argv) {
  return liveBuilder(yargs)
    .option("market", {
      type: "string",
      describe:
        "TYPE:spot or TYPE:on-demand for the first home (default: the policy's first decision on current prices)",
    })
    .option("timeout", {
      type: "string",
      default: "10m",
      describe: "How long to wait for the home to run and its controller to bring the container up",
    })
    .example(
      "$0 launch",
      'on the local cloud (after eval "$(hotspot local env)"): start the container\'s first home',
    )
    .example(
      "$0 launch --image-id ami-0123456789abcdef0 --instance-profile hotspot-controller --interval 5m",
      "on EC2: the home's controller gets its credentials from the instance profile",
    );
}

const lifecycles = { spot: true, "on-demand": true } as const satisfies Record<Lifecycle, true>;

function parseMarket(raw: string): { instanceType: string; lifecycle: Lifecycle } {
  const [type, lifecycle] = raw.split(":");
  if (
    !INSTANCE_TYPE_RE.test(type ?? "") ||
    lifecycle === undefined ||
    !Object.hasOwn(lifecycles, lifecycle)
  ) {
    throw new UsageError("--market", "TYPE:spot or TYPE:on-demand, e.g. c5.large:spot", JSON.stringify(raw));
  }
  return { instanceType: type, lifecycle: lifecycle as Lifecycle };
}

/** The market the policy places the container on first, asked once on current prices (a dry run's first decision). */
async function firstDecision(options: ControllerOptions, config: LiveConfig, clock: Clock) {
  const catalog = await createCatalog({ specsFile: options.catalog.specsFile });
  let chosen: { instanceType: string; lifecycle: Lifecycle } | null = null;
  let reason = "";
  await dryRun({
    config,
    ec2: (await loadEc2Client()).createEc2Api({ region: config.region, endpoint: options.endpoint }),
    catalog,
    workUnit: options.catalog.workUnit,
    policy: options.policy,
    workload: {
      // Nothing runs yet to measure: the first placement assumes the dry run's default.
      memoryGiB: options.memoryGiB === "measured" ? DRY_RUN_MEMORY_GIB : options.memoryGiB,
      demandWork: options.demand ?? defaultDemandWork(catalog, options.catalog.workUnit),
      utilisation: typeof options.utilisation === "number" ? options.utilisation : 1,
    },
    current: null,
    billing: options.billing,
    intervalSeconds: options.intervalSeconds,
    historyWindowSeconds: options.historyWindowSeconds,
    skipUnknownTypes: options.catalog.skipUnknownTypes,
    clock,
    rounds: 1,
    onDecision: (record) => {
      if (record.chosen !== null)
        chosen = { instanceType: record.chosen.instanceType, lifecycle: record.chosen.lifecycle };
      reason = record.reason;
    },
  });
  if (chosen === null) {
    throw new UsageError(
      "--market",
      "a market the policy can choose (none fits the container now)",
      reason || "no decision",
    );
  }
  return { market: chosen as { instanceType: string; lifecycle: Lifecycle }, reason };
}

export async function runLaunchCommand(given: LaunchArgs, clock: Clock = wallClock): Promise<void> {
  const args = await withLocalDefaults(given);
  const timeout = parseDuration("--timeout", args.timeout ?? "10m")!;
  const market = args.market === undefined ? undefined : parseMarket(args.market);
  if (args["instance-id"] !== undefined || args.takeover === true || args.resume === true) {
    throw new UsageError("--instance-id/--takeover/--resume", "none with launch (the home is new)", "given");
  }
  const local = args.cloud === "local";
  const configPath = args.config ?? "hotspot.json";
  const config = await readLiveConfig(configPath);
  const configText = await readFile(configPath, "utf8");
  // The home's controller: this very live command line, as --boot on the new instance.
  const lxcPath = local
    ? (args["lxc-path"] ?? join(args["local-hosts"] ?? "", "mnt", config.volumeId, "lxc"))
    : args["lxc-path"];
  // Validated as the self-migrating controller it becomes (any instance id: the home's is not known yet).
  const options = actOptionsFromArgs({
    ...args,
    "lxc-path": lxcPath,
    "instance-id": local ? "i-00000000" : undefined,
  });
  if (!local && args["instance-profile"] === undefined) {
    throw new UsageError(
      "--instance-profile",
      "the instance profile the home's controller gets its credentials from",
      "none",
    );
  }
  const imageId = imageIdFor(options.imageId, config, local);
  const first = market === undefined ? await firstDecision(options, config, clock) : null;
  const chosen = market ?? first!.market;
  if (first !== null)
    process.stderr.write(
      `hotspot launch: the policy places the container on ${chosen.instanceType} ${chosen.lifecycle} first: ${first.reason}\n`,
    );
  const start = nowSeconds(clock);
  const until = options.untilSeconds ?? start + options.durationSeconds;
  const words = controllerArgv(
    { ...options, self: { instanceId: null, takeover: false, boot: true, takeoverTimeoutSeconds: timeout } },
    "boot",
    { node: process.execPath, script: process.argv[1] },
    { configPath: local ? resolve(configPath) : TARGET_CONFIG_PATH, stateDir: options.stateDir, until },
  );
  const { connectEc2Compute } = await loadComputeClient();
  const { launchHome } = await import("../../drivers/live/launch.js");
  const connection = connectEc2Compute({ region: config.region, endpoint: options.endpoint });
  try {
    const outcome = await launchHome({
      compute: connection.compute,
      tags: connection.tags,
      config,
      market: chosen,
      imageId,
      userData: local ? localUserData(words) : ec2UserData(words, configText),
      instanceProfile: options.instanceProfile,
      device: options.device,
      deviceIndex: options.deviceIndex,
      clientToken: `hotspot-launch-${config.volumeId}-${clock.now()}`,
      clock,
      pollMs: local ? 200 : 2000,
      timeoutMs: timeout * 1000,
      progress: (line) => process.stderr.write(`hotspot launch: ${line}\n`),
    });
    process.stdout.write(
      `launched ${outcome.home.id} (${chosen.instanceType} ${chosen.lifecycle}); its controller runs the container and hops it by itself; \`hotspot status\` shows where it is\n`,
    );
  } finally {
    connection.close();
  }
}

export const launchCommand: CommandModule<object, LaunchArgs> = {
  command: "launch",
  describe:
    "Start the container's first home: an instance whose controller mounts the volume, starts the container and hops it",
  builder: builder as unknown as CommandModule<object, LaunchArgs>["builder"],
  handler: (args) => runLaunchCommand(args),
};
