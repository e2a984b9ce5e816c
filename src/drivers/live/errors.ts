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

/**
 * The container host failed to checkpoint or restore (CRIU, LXC, the volume on the host): the
 * market is not at fault, so the hop is undone without cooling it down. The message carries the
 * host's own error, which by the ContainerHost contract ends with the tail of CRIU's or LXC's log.
 */
export class HostSideError extends HotspotError {
  constructor(
    readonly action: "checkpoint" | "restore" | "restore-source" | "cpu-check",
    readonly instanceId: string,
    cause: unknown,
  ) {
    super(
      "HOTSPOT_LIVE_HOST_FAILED",
      `${action} on ${instanceId} failed on the container host: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

/**
 * The target's CPU cannot run the container (`criu cpuinfo check` of the home's CPU description on
 * it failed): the hop is undone before the container stopped, neither the market nor the container
 * host is at fault, and no instance of this type can take the container for the rest of the run.
 */
export class CpuMismatchError extends HotspotError {
  constructor(
    readonly instanceId: string,
    readonly instanceType: string,
    readonly detail: string,
  ) {
    super(
      "HOTSPOT_LIVE_CPU_MISMATCH",
      `${instanceType} ${instanceId} cannot run the container (its CPU lacks what the home's CPU offered it): ${detail}; ${instanceType} is left out for the rest of the run`,
    );
  }
}

/** A hop undone for a reason that is not the market's: no cool-down of it follows. */
export function notTheMarket(error: unknown): boolean {
  return error instanceof HostSideError || error instanceof CpuMismatchError;
}
