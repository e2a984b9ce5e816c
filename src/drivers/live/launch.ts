import { HotspotError } from "../../errors.js";
import type { LiveConfig } from "../../setup/config.js";
import { pollFor, type Clock } from "../../util/clock.js";
import type { Ec2Compute, InstanceView, Lifecycle, VolumeTags } from "./hop/ec2-compute.js";
import { TAG_STACK } from "./hop/hop.js";
import { decodeStatus, OPERATOR_TAGS, type ControllerStatus } from "./operator.js";

export interface LaunchOptions {
  readonly compute: Ec2Compute;
  readonly tags: VolumeTags;
  readonly config: LiveConfig;
  readonly market: { readonly instanceType: string; readonly lifecycle: Lifecycle };
  readonly imageId: string;
  /** Base64 user data that starts the home's controller (`hotspot live --boot`). */
  readonly userData: string;
  readonly instanceProfile?: string;
  readonly device: string;
  readonly deviceIndex: number;
  readonly clientToken: string;
  readonly clock: Clock;
  readonly pollMs: number;
  /** How long to wait for the instance, the attachments, and the controller's first word. */
  readonly timeoutMs: number;
  readonly progress: (line: string) => void;
}

export interface LaunchOutcome {
  readonly home: InstanceView;
  readonly controller: ControllerStatus;
}

/**
 * `hotspot launch` (the guide's step 4): the container's first home. Refuses while its volume or ENI
 * is held (never two controllers for one container); launches the home on the market given, attaches
 * the volume and ENI, and waits until the controller its user data starts says it runs. Whatever it
 * launched is terminated again when a later step fails.
 */
export async function launchHome(options: LaunchOptions): Promise<LaunchOutcome> {
  const { compute, config, progress } = options;
  const timing = { timeoutMs: options.timeoutMs, pollMs: options.pollMs };
  const volume = await compute.describeVolume(config.volumeId);
  const eni = await compute.describeInterface(config.eniId);
  const holder = volume.attachment?.instanceId ?? eni.attachment?.instanceId;
  if (holder !== undefined) {
    const view = await compute.describeInstance(holder);
    const controller = decodeStatus(await options.tags.read(config.volumeId)).controller;
    throw new HotspotError(
      "HOTSPOT_ALREADY_LAUNCHED",
      `volume ${config.volumeId} or interface ${config.eniId} is attached to ${holder}${view === null ? "" : ` (${view.instanceType} ${view.lifecycle}, ${view.state})`}${controller === null ? "" : `, whose controller is ${controller.state}`}: expected both free; one container has one controller (\`hotspot status\` shows it, \`hotspot down\` ends it)`,
    );
  }
  // A down or stop asked of an earlier launch must not end this one at once.
  await options.tags.write(config.volumeId, {
    [OPERATOR_TAGS.desired]: "run",
    [OPERATOR_TAGS.controller]: "",
  });
  progress(
    `launching the home: ${options.market.instanceType} ${options.market.lifecycle} in ${config.zone} from ${options.imageId}`,
  );
  const home = await compute.runInstance({
    clientToken: options.clientToken,
    imageId: options.imageId,
    instanceType: options.market.instanceType,
    zone: config.zone,
    lifecycle: options.market.lifecycle,
    subnetId: config.subnetId,
    tags: { [TAG_STACK]: config.name },
    userData: options.userData,
    instanceProfile: options.instanceProfile,
  });
  try {
    await pollFor(options.clock, `${home.id} running`, timing, async () => {
      const view = await compute.describeInstance(home.id);
      if (view !== null && (view.state === "terminated" || view.state === "shutting-down")) {
        throw new HotspotError(
          "HOTSPOT_LAUNCH",
          `${home.id} ended before it ran: ${view.stateReason || view.state}`,
        );
      }
      return view?.state === "running" ? true : null;
    });
    progress(
      `${home.id} runs; attaching volume ${config.volumeId} as ${options.device} and interface ${config.eniId}`,
    );
    await compute.attachVolume(config.volumeId, home.id, options.device);
    await compute.attachInterface(config.eniId, home.id, options.deviceIndex);
    await pollFor(options.clock, `volume and interface attached to ${home.id}`, timing, async () =>
      (await compute.describeVolume(config.volumeId)).attachment?.state === "attached" &&
      (await compute.describeInterface(config.eniId)).attachment?.state === "attached"
        ? true
        : null,
    );
    progress(`waiting for the controller on ${home.id} to bring the container up`);
    const controller = await pollFor(
      options.clock,
      `the controller on ${home.id} to report`,
      timing,
      async () => {
        const status = decodeStatus(await options.tags.read(config.volumeId)).controller;
        if (status?.instance !== home.id) return null;
        if (status.state === "failed") {
          throw new HotspotError(
            "HOTSPOT_LAUNCH",
            `the controller on ${home.id} failed: ${status.reason ?? "no reason given"}`,
          );
        }
        return status.state === "running" ? status : null;
      },
    );
    return { home, controller };
  } catch (error) {
    progress(`launch failed: terminating ${home.id}`);
    await compute.terminateInstance(home.id);
    throw error;
  }
}
