import type { Argv, CommandModule } from "yargs";
import { wallClock, type Clock } from "../../util/clock.js";
import {
  liveStatus,
  stopHopping,
  takeDown,
  type LiveConfig,
  type OperateRequest,
  type StatusView,
} from "../../api.js";
import { HotspotError } from "../../errors.js";
import { terminalSafe } from "../../util/terminal.js";
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

/** What status, stop and down share: the config, the local cloud's endpoint when one is named, --timeout. */
function operateRequest(args: OperateArgs, clock: Clock): OperateRequest {
  return {
    configPath: args.config,
    endpoint: async () => (await localCloudFromEnv())?.endpoint,
    timeout: { ms: parseDuration("--timeout", args.timeout)! * 1000, said: args.timeout },
    clock,
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
  const { view, config } = await liveStatus({
    ...operateRequest(args, clock),
    waitHops,
    onWaiting: (hops, seen) =>
      process.stderr.write(
        `hotspot status: ${hops} of ${waitHops} hop(s) so far${seen.container === null ? "" : `, on ${seen.container.type} ${seen.container.lifecycle}`}\n`,
      ),
  });
  if (args.ledger) {
    if (view.ledger === null)
      throw new HotspotError("HOTSPOT_STATUS", "no ledger published yet: has the container been launched?");
    process.stdout.write(`${view.ledger}\n`);
  } else {
    process.stdout.write(args.json ? `${JSON.stringify(view, null, 2)}\n` : formatStatus(view, config));
  }
}

async function runStop(args: OperateArgs, clock: Clock): Promise<void> {
  const view = await stopHopping(operateRequest(args, clock));
  process.stdout.write(
    `stopped hopping; the container runs on${view.container === null ? "" : ` on ${view.container.home} (${view.container.type} ${view.container.lifecycle})`}\n`,
  );
}

async function runDown(args: OperateArgs, clock: Clock): Promise<void> {
  const down = await takeDown({
    ...operateRequest(args, clock),
    deleteVolume: args["delete-volume"],
    onUnanswered: (view) =>
      process.stderr.write(
        `hotspot down: warning: no controller answered within ${args.timeout} (last: ${view.controller?.state ?? "none"}); terminating anyway\n`,
      ),
    onTerminate: (instance) =>
      process.stderr.write(
        `hotspot down: terminating ${instance.id} (${instance.instanceType} ${instance.lifecycle})\n`,
      ),
  });
  const { config } = down;
  if (down.volumeDeleted) {
    process.stdout.write(
      `down: ${down.terminated} instance(s) terminated; volume ${config.volumeId} deleted (its data is gone); interface ${config.eniId} kept\n`,
    );
  } else {
    process.stdout.write(
      `down: ${down.terminated} instance(s) terminated; volume ${config.volumeId} and interface ${config.eniId} kept (data safe): \`hotspot launch\` starts the container again, \`hotspot setup --destroy\` removes them\n`,
    );
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
