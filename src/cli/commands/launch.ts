import { join } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { wallClock, type Clock } from "../../util/clock.js";
import { launch, readLiveConfig, type Lifecycle } from "../../api.js";
import { UsageError } from "../../errors.js";
import { INSTANCE_TYPE_RE } from "../../setup/validate.js";
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
  const launched = await launch({
    config,
    configPath,
    options,
    market,
    assumedMemoryGiB: DRY_RUN_MEMORY_GIB,
    timeoutSeconds: timeout,
    entry: { node: process.execPath, script: process.argv[1] },
    clock,
    note: (line) => process.stderr.write(`hotspot launch: ${line}\n`),
  });
  process.stdout.write(
    `launched ${launched.homeId} (${launched.market.instanceType} ${launched.market.lifecycle}); its controller runs the container and hops it by itself; \`hotspot status\` shows where it is\n`,
  );
}

export const launchCommand: CommandModule<object, LaunchArgs> = {
  command: "launch",
  describe:
    "Start the container's first home: an instance whose controller mounts the volume, starts the container and hops it",
  builder: builder as unknown as CommandModule<object, LaunchArgs>["builder"],
  handler: (args) => runLaunchCommand(args),
};
