import { CloudApiError, HotspotError } from "../../../errors.js";
import type { LiveCalls } from "./calls.js";
import { StepTimeoutError } from "../errors.js";
import type { HopTimeouts, LiveResources } from "./resources.js";

/** Moves the container's volume and ENI between instances, each move checked against the current state. */
export class Attachments {
  constructor(
    private readonly calls: LiveCalls,
    private readonly resources: LiveResources,
    private readonly timeouts: HopTimeouts,
  ) {}

  /** Free the volume and the ENI from every instance except `keep`. */
  async release(keep: string): Promise<string> {
    const { compute } = this.calls;
    const resources = this.resources;
    const volume = await this.detachUntilFree(
      `volume ${resources.volumeId}`,
      async () => {
        const a = (await compute.describeVolume(resources.volumeId)).attachment;
        return a === null || a.instanceId === keep ? null : a;
      },
      (a, force) => compute.detachVolume(resources.volumeId, a.instanceId, force),
    );
    const eni = await this.detachUntilFree(
      `network interface ${resources.networkInterfaceId}`,
      async () => {
        const a = (await compute.describeInterface(resources.networkInterfaceId)).attachment;
        return a === null || a.instanceId === keep ? null : a;
      },
      (a, force) => compute.detachInterface(a.attachmentId, force),
    );
    return `volume ${volume}, interface ${eni}`;
  }

  private async detachUntilFree<A extends { readonly state: string }>(
    what: string,
    attached: () => Promise<A | null>,
    detach: (a: A, force: boolean) => Promise<void>,
  ): Promise<"free" | "detached" | "forced"> {
    const first = await this.calls.call(attached);
    if (first === null) return "free";
    if (first.state !== "detaching") await this.tolerant(() => detach(first, false));
    const free = async () => (await this.calls.call(attached)) === null;
    try {
      await this.calls.waitFor(`${what} to detach`, this.timeouts.detach, free);
      return "detached";
    } catch (error) {
      if (!(error instanceof StepTimeoutError)) throw error;
    }
    const stuck = await this.calls.call(attached);
    if (stuck === null) return "detached";
    await this.tolerant(() => detach(stuck, true));
    await this.calls.waitFor(`${what} to detach (forced)`, this.timeouts.forcedDetach, free);
    return "forced";
  }

  /** Attach the volume and the ENI to `instanceId` (freeing them elsewhere first) and wait until attached. */
  async moveTo(instanceId: string): Promise<string> {
    const { compute } = this.calls;
    const resources = this.resources;
    const released = await this.release(instanceId);
    const volume = await this.calls.call(() => compute.describeVolume(resources.volumeId));
    if (volume.attachment === null) {
      await this.attaching(instanceId, () =>
        compute.attachVolume(resources.volumeId, instanceId, resources.volumeDevice),
      );
    }
    const eni = await this.calls.call(() => compute.describeInterface(resources.networkInterfaceId));
    if (eni.attachment === null) {
      await this.attaching(instanceId, () =>
        compute.attachInterface(resources.networkInterfaceId, instanceId, resources.deviceIndex),
      );
    }
    await this.calls.waitFor(
      `volume and interface to attach to ${instanceId}`,
      this.timeouts.attach,
      async () => {
        const v = (await this.calls.call(() => compute.describeVolume(resources.volumeId))).attachment;
        const e = (await this.calls.call(() => compute.describeInterface(resources.networkInterfaceId)))
          .attachment;
        if (v?.instanceId !== instanceId || e?.instanceId !== instanceId) {
          // EC2 drops the attachments of an instance that is going away; say so when that is the cause.
          await this.calls.requireRunning(instanceId);
          throw new HotspotError(
            "HOTSPOT_LIVE_ATTACHMENT_LOST",
            `the volume or the interface left ${instanceId} while attaching to it`,
            { retryable: true },
          );
        }
        return v.state === "attached" && e.state === "attached";
      },
    );
    const already = volume.attachment !== null && eni.attachment !== null;
    return already ? `already attached (${released})` : `attached (${released})`;
  }

  /** An attach refused because the instance went away is reported as that loss, so the hop can fall back. */
  private async attaching(instanceId: string, attach: () => Promise<void>): Promise<void> {
    try {
      await this.calls.call(attach);
    } catch (error) {
      await this.calls.requireRunning(instanceId);
      throw error;
    }
  }

  /** A detach that raced with the attachment ending is fine: the caller polls the state next. */
  private async tolerant(call: () => Promise<void>): Promise<void> {
    try {
      await this.calls.call(call);
    } catch (error) {
      const benign = ["IncorrectState", "InvalidAttachment.NotFound", "InvalidAttachmentID.NotFound"];
      if (!(error instanceof CloudApiError && benign.includes(error.apiCode))) throw error;
    }
  }
}
