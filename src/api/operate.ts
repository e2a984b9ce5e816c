import type { Clock } from "../util/clock.js";
import { connectEc2Compute, type InstanceView } from "../drivers/live/hop/ec2-compute.js";
import { TAG_STACK } from "../drivers/live/hop/hop.js";
import {
  decodeStatus,
  OPERATOR_TAGS,
  type DesiredState,
  type PublishedStatus,
} from "../drivers/live/operator.js";
import { HotspotError } from "../errors.js";
import { readLiveConfig, type LiveConfig } from "../setup/config.js";

/**
 * The operator's side of a launched container (`hotspot status`, `stop`, `down`): it reads what the
 * controller publishes on the volume's tags and EC2's view, and asks through the same tags.
 */

/** Everything `hotspot status` shows: the controller's own words on the volume, and EC2's view. */
export interface StatusView extends PublishedStatus {
  readonly volume: { readonly id: string; readonly state: string; readonly attachedTo: string | null };
  readonly home: InstanceView | null;
  /** Instances of this setup's stack that are not terminated. */
  readonly instances: readonly InstanceView[];
}

/** How long an operation may wait: in milliseconds, and as the user said it (for the error). */
export interface Timeout {
  readonly ms: number;
  readonly said: string;
}

export interface OperateRequest {
  readonly configPath: string;
  /** The EC2 endpoint (the local cloud's), asked once the config is read; undefined: EC2's. */
  readonly endpoint: () => Promise<string | undefined>;
  readonly timeout: Timeout;
  readonly clock: Clock;
}

type Connection = Awaited<ReturnType<typeof connect>>;

async function connect(request: OperateRequest) {
  const config = await readLiveConfig(request.configPath);
  const endpoint = await request.endpoint();
  return { config, ...connectEc2Compute({ region: config.region, endpoint }) };
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

export interface StatusRequest extends OperateRequest {
  /** Wait until the container has hopped this many times (undefined: read once). */
  readonly waitHops?: number;
  /** Called while waiting, each time the number of hops changes. */
  readonly onWaiting?: (hops: number, view: StatusView) => void;
}

/** `hotspot status`: where the container runs and what it cost, optionally after `waitHops` hops. */
export async function liveStatus(
  request: StatusRequest,
): Promise<{ readonly view: StatusView; readonly config: LiveConfig }> {
  const { waitHops, clock } = request;
  const connection = await connect(request);
  try {
    let view = await readStatus(connection);
    if (waitHops !== undefined) {
      const deadline = clock.now() + request.timeout.ms;
      let shown = -1;
      while ((view.container?.hops ?? 0) < waitHops) {
        const hops = view.container?.hops ?? 0;
        if (hops !== shown) {
          request.onWaiting?.(hops, view);
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
            `${hops} of ${waitHops} hop(s) after ${request.timeout.said}`,
          );
        }
        await clock.sleep(1000);
        view = await readStatus(connection);
      }
    }
    return { view, config: connection.config };
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

/** `hotspot stop`: asks the controller to stop hopping and waits for its answer; the container runs on. */
export async function stopHopping(request: OperateRequest): Promise<StatusView> {
  const connection = await connect(request);
  try {
    const { view, answered } = await ask(
      connection,
      "stop",
      ["stopped", "down", "failed"],
      request.timeout.ms,
      request.clock,
    );
    if (!answered) {
      throw new HotspotError(
        "HOTSPOT_STOP",
        `no controller answered within ${request.timeout.said} (last: ${view.controller?.state ?? "none"}); it will stop when it next reads the volume's tags`,
      );
    }
    return view;
  } finally {
    connection.close();
  }
}

export interface DownRequest extends OperateRequest {
  /** Also delete the container's volume (its data is lost). */
  readonly deleteVolume: boolean;
  /** No controller answered in time: its instances are terminated anyway. */
  readonly onUnanswered: (view: StatusView) => void;
  /** Called before each instance is terminated. */
  readonly onTerminate: (instance: InstanceView) => void;
}

export interface DownResult {
  readonly config: LiveConfig;
  readonly terminated: number;
  readonly volumeDeleted: boolean;
}

/** `hotspot down`: asks the controller to stop the container, terminates the stack's instances, waits for the volume and ENI. */
export async function takeDown(request: DownRequest): Promise<DownResult> {
  const { clock } = request;
  const connection = await connect(request);
  const { config, compute } = connection;
  try {
    const { view, answered } = await ask(
      connection,
      "down",
      ["down", "stopped", "failed"],
      request.timeout.ms,
      clock,
    );
    if (!answered && view.instances.length > 0) request.onUnanswered(view);
    for (const instance of view.instances) {
      request.onTerminate(instance);
      await compute.terminateInstance(instance.id);
    }
    const deadline = clock.now() + request.timeout.ms;
    const free = async () =>
      (await compute.describeVolume(config.volumeId)).attachment === null &&
      (await compute.describeInterface(config.eniId)).attachment === null;
    while (!(await free())) {
      if (clock.now() > deadline)
        throw new HotspotError(
          "HOTSPOT_DOWN",
          `volume ${config.volumeId} or interface ${config.eniId} still attached after ${request.timeout.said}`,
        );
      await clock.sleep(500);
    }
    if (request.deleteVolume) await connection.deleteVolume(config.volumeId);
    return { config, terminated: view.instances.length, volumeDeleted: request.deleteVolume };
  } finally {
    connection.close();
  }
}
