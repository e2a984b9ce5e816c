import { HotspotError } from "../../errors.js";

/** An instance a hop relies on is gone or going (spot interruption, termination). */
export class InstanceLostError extends HotspotError {
  constructor(
    readonly instanceId: string,
    readonly state: string,
    readonly stateReason: string,
  ) {
    super(
      "HOTSPOT_LIVE_INSTANCE_LOST",
      `instance ${instanceId} is ${state}${stateReason ? ` (${stateReason})` : ""}, expected running`,
    );
  }
}

/** A state transition did not finish in time. */
export class StepTimeoutError extends HotspotError {
  constructor(what: string, waitedMs: number) {
    super("HOTSPOT_LIVE_TIMEOUT", `timed out after ${waitedMs / 1000} s waiting for ${what}`, {
      retryable: true,
    });
  }
}

/** Neither a running container nor a checkpoint image: nothing a controller may safely do alone. */
export class ContainerLostError extends HotspotError {
  constructor(detail: string) {
    super("HOTSPOT_LIVE_CONTAINER_LOST", `the container is neither running nor checkpointed: ${detail}`);
  }
}
