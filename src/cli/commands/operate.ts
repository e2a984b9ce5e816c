import type { Argv, CommandModule } from "yargs";
import { wallClock, type Clock } from "../../util/clock.js";
import type { InstanceView } from "../../drivers/live/hop/ec2-compute.js";
import { TAG_STACK } from "../../drivers/live/hop/hop.js";
import {
  decodeStatus,
  OPERATOR_TAGS,
  type DesiredState,
  type PublishedStatus,
} from "../../drivers/live/operator.js";
import { HotspotError } from "../../errors.js";
import { readLiveConfig, type LiveConfig } from "../../setup/config.js";
import { terminalSafe } from "../../util/terminal.js";
import { loadComputeClient } from "../cloud-clients.js";
import { localCloudFromEnv } from "../local-env.js";
import { parseDuration, parseInteger } from "../../options/parse.js";

interface OperateArgs {
  config: string;
  json: boolean;
  "wait-hops"?: string;
  timeout: string;
  ledger: boolean;
  "delete-volume": boolean;
}

function common(yargs: Argv) {
  return yargs
    .option("config", {
      type: "string",
      default: "hotspot.json",
      describe: "Config written by hotspot setup",
    })
    .option("timeout", { type: "string", default: "5m", describe: "How long to wait (90s, 10m)" });
}

type Connection = Awaited<ReturnType<typeof connect>>;

async function connect(configPath: string) {
  const config = await readLiveConfig(configPath);
  const local = await localCloudFromEnv();
  const { connectEc2Compute } = await loadComputeClient();
  return { config, ...connectEc2Compute({ region: config.region, endpoint: local?.endpoint }) };
}

/** Everything `hotspot status` shows: the controller's own words on the volume, and EC2's view. */
interface StatusView extends PublishedStatus {
  readonly volume: { readonly id: string; readonly state: string; readonly attachedTo: string | null };
  readonly home: InstanceView | null;
  /** Instances of this setup's stack that are not terminated. */
  readonly instances: readonly InstanceView[];
}

async function readStatus(connection: Connection): Promise<StatusView> {
  const { config, compute, tags } = connection;
  const published = decodeStatus(await tags.read(config.volumeId));
  const volume = await compute.describeVolume(config.volumeId);
  const attachedTo = volume.attachment?.instanceId ?? null;
  const homeId = attachedTo ?? published.container?.home ?? null;
  return {
    ...published,
    volume: { id: config.volumeId, state: volume.state, attachedTo },
    home: homeId === null ? null : await compute.describeInstance(homeId),
    instances: await compute.findInstances({ tags: { [TAG_STACK]: config.name } }),
  };
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(".000Z", "Z");

function formatStatus(view: StatusView, config: LiveConfig): string {
  const c = view.container;
  const lines = [
    `container ${terminalSafe(config.containerName)} (setup ${terminalSafe(config.name)}, ${config.zone}); operator wants: ${view.desired ?? "nothing yet (not launched)"}`,
    view.controller === null
      ? "controller: none has reported"
      : `controller: ${view.controller.state} on ${view.controller.instance} at ${iso(view.controller.at)}${view.controller.reason === undefined ? "" : `: ${terminalSafe(view.controller.reason)}`}`,
    c === null
      ? "where: not known yet (no ledger published)"
      : `where: ${c.home} ${c.type} ${c.lifecycle} since ${iso(c.since)}${view.home === null ? "" : ` (instance ${view.home.state})`}`,
    c === null
      ? "hops: none published"
      : `hops: ${c.hops} done, ${c.aborted} aborted; downtime ${c.downtimeSeconds.toFixed(2)} s in all${view.downtimes.length === 0 ? "" : ` (per hop: ${view.downtimesTruncated ? "… " : ""}${view.downtimes.map((d) => d.toFixed(2)).join(", ")} s)`}`,
    c === null ? "cost: none published" : `cost so far: $${c.costUsd.toFixed(6)} (ledger of ${iso(c.at)})`,
    `last decision: ${view.decision === null ? "none yet" : terminalSafe(view.decision)}`,
    `volume ${view.volume.id}: ${view.volume.state}${view.volume.attachedTo === null ? "" : ` on ${view.volume.attachedTo}`}; ledger ${view.ledger === null ? "not published" : terminalSafe(view.ledger)}`,
    `instances of the stack: ${view.instances.map((i) => `${i.id} ${i.instanceType} ${i.lifecycle} ${i.state}`).join("; ") || "none"}`,
    "",
  ];
  return lines.join("\n");
}

async function runStatus(args: OperateArgs, clock: Clock): Promise<void> {
  const waitHops =
    args["wait-hops"] === undefined ? undefined : parseInteger("--wait-hops", args["wait-hops"], 1);
  const timeoutMs = parseDuration("--timeout", args.timeout)! * 1000;
  const connection = await connect(args.config);
  try {
    let view = await readStatus(connection);
    if (waitHops !== undefined) {
      const deadline = clock.now() + timeoutMs;
      let shown = -1;
      while ((view.container?.hops ?? 0) < waitHops) {
        const hops = view.container?.hops ?? 0;
        if (hops !== shown) {
          process.stderr.write(
            `hotspot status: ${hops} of ${waitHops} hop(s) so far${view.container === null ? "" : `, on ${view.container.type} ${view.container.lifecycle}`}\n`,
          );
          shown = hops;
        }
        if (
          view.controller?.state === "failed" ||
          view.controller?.state === "stopped" ||
          view.controller?.state === "down"
        ) {
          throw new HotspotError(
            "HOTSPOT_STATUS_WAIT",
            `the controller is ${view.controller.state} after ${hops} hop(s): ${waitHops} will not come`,
          );
        }
        if (clock.now() > deadline) {
          throw new HotspotError(
            "HOTSPOT_STATUS_WAIT",
            `${hops} of ${waitHops} hop(s) after ${args.timeout}`,
          );
        }
        await clock.sleep(1000);
        view = await readStatus(connection);
      }
    }
    if (args.ledger) {
      if (view.ledger === null)
        throw new HotspotError("HOTSPOT_STATUS", "no ledger published yet: has the container been launched?");
      process.stdout.write(`${view.ledger}\n`);
    } else {
      process.stdout.write(
        args.json ? `${JSON.stringify(view, null, 2)}\n` : formatStatus(view, connection.config),
      );
    }
  } finally {
    connection.close();
  }
}

/** Asks the controller for `wish` and waits until it says it is done (one of `done`), or the time is up. */
async function ask(
  connection: Connection,
  wish: DesiredState,
  done: readonly string[],
  timeoutMs: number,
  clock: Clock,
) {
  const { config, tags } = connection;
  await tags.write(config.volumeId, { [OPERATOR_TAGS.desired]: wish });
  const deadline = clock.now() + timeoutMs;
  for (;;) {
    const view = await readStatus(connection);
    const state = view.controller?.state;
    const homeRuns = view.home?.state === "running" || view.home?.state === "pending";
    if (state !== undefined && done.includes(state)) return { view, answered: true };
    if (!homeRuns || clock.now() > deadline) return { view, answered: false };
    await clock.sleep(1000);
  }
}

async function runStop(args: OperateArgs, clock: Clock): Promise<void> {
  const connection = await connect(args.config);
  try {
    const { view, answered } = await ask(
      connection,
      "stop",
      ["stopped", "down", "failed"],
      parseDuration("--timeout", args.timeout)! * 1000,
      clock,
    );
    if (!answered) {
      throw new HotspotError(
        "HOTSPOT_STOP",
        `no controller answered within ${args.timeout} (last: ${view.controller?.state ?? "none"}); it will stop when it next reads the volume's tags`,
      );
    }
    process.stdout.write(
      `stopped hopping; the container runs on${view.container === null ? "" : ` on ${view.container.home} (${view.container.type} ${view.container.lifecycle})`}\n`,
    );
  } finally {
    connection.close();
  }
}

async function runDown(args: OperateArgs, clock: Clock): Promise<void> {
  const connection = await connect(args.config);
  const { config, compute } = connection;
  const timeoutMs = parseDuration("--timeout", args.timeout)! * 1000;
  try {
    const { view, answered } = await ask(connection, "down", ["down", "stopped", "failed"], timeoutMs, clock);
    if (!answered && view.instances.length > 0) {
      process.stderr.write(
        `hotspot down: warning: no controller answered within ${args.timeout} (last: ${view.controller?.state ?? "none"}); terminating anyway\n`,
      );
    }
    for (const instance of view.instances) {
      process.stderr.write(
        `hotspot down: terminating ${instance.id} (${instance.instanceType} ${instance.lifecycle})\n`,
      );
      await compute.terminateInstance(instance.id);
    }
    const deadline = clock.now() + timeoutMs;
    const free = async () =>
      (await compute.describeVolume(config.volumeId)).attachment === null &&
      (await compute.describeInterface(config.eniId)).attachment === null;
    while (!(await free())) {
      if (clock.now() > deadline)
        throw new HotspotError(
          "HOTSPOT_DOWN",
          `volume ${config.volumeId} or interface ${config.eniId} still attached after ${args.timeout}`,
        );
      await clock.sleep(500);
    }
    if (args["delete-volume"]) {
      await connection.deleteVolume(config.volumeId);
      process.stdout.write(
        `down: ${view.instances.length} instance(s) terminated; volume ${config.volumeId} deleted (its data is gone); interface ${config.eniId} kept\n`,
      );
    } else {
      process.stdout.write(
        `down: ${view.instances.length} instance(s) terminated; volume ${config.volumeId} and interface ${config.eniId} kept (data safe): \`hotspot launch\` starts the container again, \`hotspot setup --destroy\` removes them\n`,
      );
    }
  } finally {
    connection.close();
  }
}

const statusBuilder = (yargs: Argv) =>
  common(yargs)
    .option("json", { type: "boolean", default: false, describe: "Machine-readable output" })
    .option("wait-hops", { type: "string", describe: "Wait until the container has hopped this many times" })
    .option("ledger", {
      type: "boolean",
      default: false,
      describe: "Print only the controller's ledger path (a results document)",
    })
    .example("$0 status", "where the container is and what it cost")
    .example("$0 status --wait-hops 3 --timeout 10m", "wait for three hops");

const downBuilder = (yargs: Argv) =>
  common(yargs).option("delete-volume", {
    type: "boolean",
    default: false,
    describe: "Also delete the container's volume (its data is lost)",
  });

type Builder = CommandModule<object, OperateArgs>["builder"];

export const statusCommand: CommandModule<object, OperateArgs> = {
  command: "status",
  describe:
    "Where the container runs, since when, its hops, downtimes, cost and last decision (EC2 credentials only)",
  builder: statusBuilder as unknown as Builder,
  handler: (args) => runStatus(args, wallClock),
};

export const stopCommand: CommandModule<object, OperateArgs> = {
  command: "stop",
  describe: "Stop hopping; the container keeps running where it is",
  builder: common as unknown as Builder,
  handler: (args) => runStop(args, wallClock),
};

export const downCommand: CommandModule<object, OperateArgs> = {
  command: "down",
  describe:
    "Stop the container and terminate its instances; the volume and ENI are kept unless --delete-volume",
  builder: downBuilder as unknown as Builder,
  handler: (args) => runDown(args, wallClock),
};
