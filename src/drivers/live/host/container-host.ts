import { HotspotError } from "../../../errors.js";
import type { CpuVerdict } from "../../../host/criu.js";
import type { CgroupMemory } from "./cgroup-usage.js";

/** Where the container is: running on one instance, or stopped with a complete checkpoint image. */
export interface ContainerState {
  /** Instance on which the container runs now; null while it is stopped. */
  readonly runningOn: string | null;
  /** Instance the newest complete checkpoint image was taken on; null when there is none. */
  readonly checkpointFrom: string | null;
}

/** What the container used, read from its cgroup. */
export interface ContainerUsage {
  /** CPU time used by the container since it (or its restored copy) started. */
  readonly cpuSeconds: number;
  readonly memory: CgroupMemory;
  /** Identifies the process the counters belong to: a restore starts them afresh. */
  readonly pid: number;
}

/** One thing preflight checked: `ok`, or what was expected and what was found. */
export interface PreflightCheck {
  /** What was checked, e.g. "criu check", "volume writable", "DryRun RunInstances c4.large spot". */
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** A hop's checkpoint image on the volume. */
export interface CheckpointImage {
  readonly imageBytes: number;
}

/** A checkpoint that left the container running: how long it took and how big its image was. */
export interface TrialCheckpoint {
  readonly seconds: number;
  readonly imageBytes: number;
}

/** What the container host found on the instance that holds the container. */
export interface HostPreflight {
  readonly checks: readonly PreflightCheck[];
  /** Null when no trial was asked for, or when it failed (then a failed check says why). */
  readonly trial: TrialCheckpoint | null;
}

/** The CPU every target is checked against: the home's at the run's start, kept on the volume. */
export interface CpuReference {
  /** x86_64 or arm64 (never checked by CRIU itself: criu on arm64 passes any image). */
  readonly architecture: string;
  /** Base64 of `criu cpuinfo dump`'s cpuinfo.img (about 200 bytes); "" where criu writes none. */
  readonly image: string;
}

/**
 * The container's side of a hop (CRIU/LXC on real hosts). `checkpoint` stops the container and leaves
 * a complete image on the volume; `restore` starts it from that image on an instance that has the
 * volume. Both are called only after `state()` says they are needed, so implementations need not be
 * idempotent themselves.
 *
 * Error contract (each method below says when it throws what; the implementations: the local cloud's
 * host, the machine's host, the tests' fake in live-harness.ts): every method throws a HotspotError
 * (never a bare Error), not retryable, whose message says what was expected and what was found; a
 * failed `checkpoint` or `restore` ends its message with the tail of CRIU's and LXC's logs (`logTail`: error lines, else the last lines, else which log was never written), never an
 * empty reason. A failed `checkpoint` must leave the container running where it ran or stopped with
 * no complete-image marker; `state()` after it tells which, and the hop acts on that: a container
 * still running costs no downtime and the hop is rolled back (HostSideError, no market cool-down).
 */
export interface ContainerHost {
  /**
   * Where the container is now. Throws HotspotError `HOTSPOT_HOST_STATE` when it finds the
   * container in two places at once (the local cloud's host, which sees every instance), or the
   * host's own failure when it cannot look (e.g. `HOTSPOT_HOST_COMMAND`: LXC did not answer).
   */
  state(): Promise<ContainerState>;
  /**
   * Whether a hop could checkpoint the container on `instanceId` (preflight.ts): it runs there inside
   * LXC's cgroups, `criu check` passes there, the volume is mounted and writable there; with `trial`,
   * a checkpoint that leaves it running (its image measured, then removed). A failed check is
   * returned, with the tail of CRIU's or LXC's log in its detail; only a host that cannot look at all
   * throws.
   */
  preflight(instanceId: string, options: { readonly trial: boolean }): Promise<HostPreflight>;
  /**
   * Describes the CPU of `instanceId`, where the container runs, with `criu cpuinfo dump` and keeps
   * it on the volume (replacing an older one) as the reference `checkCpu` checks targets against;
   * returns it, small enough to travel in a target's user data. Called at a run's start: the CPU the
   * container runs on then offers at least every feature its processes may have chosen at their
   * start (every earlier hop was checked). Throws HotspotError with CRIU's log tail when it fails.
   */
  cpuReference?(instanceId: string): Promise<CpuReference>;
  /**
   * Whether `target`'s CPU can run the container: the reference's architecture and `criu cpuinfo
   * check --cpu-cap=fpu,ins` of it on `target` (every instruction feature and the FPU state the
   * reference offered). A mismatch is returned, with CRIU's reason; a check that could not be made
   * (no reference, criu missing, the target's verdict not published in time) throws HotspotError.
   * Called before the checkpoint: the container runs on.
   */
  checkCpu?(target: string): Promise<CpuVerdict>;
  /**
   * Stops the container on `source` into a complete image on the volume; returns the image's size
   * where the host can measure it (learned hop costs, hop-costs.ts). Not running on `source`, or the
   * volume not mounted there: `HOTSPOT_HOST_STATE`, before anything is done. CRIU or LXC failing:
   * `HOTSPOT_HOST_COMMAND` (HostCommandError) with their log tail, the container left as the
   * interface's contract says. A host that acts on its own machine only (machine/) refuses any
   * other `source` with `HOTSPOT_HOST_STATE`.
   */
  checkpoint(source: string): Promise<CheckpointImage | void>;
  /**
   * Starts the container on `on` from the volume's complete image, consuming its marker. No complete
   * image: `HOTSPOT_HOST_STATE`, before anything is done. CRIU or
   * LXC failing: `HOTSPOT_HOST_COMMAND` with their log tail (the image and its marker are kept, so a
   * restore elsewhere can follow). As `checkpoint` for an `on` that is not the host's own machine.
   */
  restore(on: string): Promise<void>;
  /**
   * Starts the stopped container, which has no checkpoint (a fresh launch), on `instanceId`, as LXC
   * starts it: in its own cgroups, which every later checkpoint needs. Throws when it cannot start.
   */
  start?(instanceId: string): Promise<void>;
  /** Stops the container running on `instanceId` (`hotspot down`): its application ends. Idempotent. */
  stop?(instanceId: string): Promise<void>;
  /** CPU and memory use now, or null while the container is not running; absent: not measurable. */
  usage?(): Promise<ContainerUsage | null>;
  /**
   * The volume is about to be detached from `instanceId`: flush and unmount it there (a no-op where
   * the host cannot act, or where attaching mounts by itself, as on the local cloud). Idempotent.
   */
  releaseVolume?(instanceId: string): Promise<void>;
  /** The volume and the ENI were attached to `instanceId`: mount it and bring the address up there. Idempotent. */
  receiveVolume?(instanceId: string): Promise<void>;
}

/**
 * A host made on first use: a target's controller boots while the source may be checkpointing, and
 * asking LXC about a container in the middle of its dump can block; by the first call the hop has
 * come here.
 */
export function lazyContainerHost(make: () => Promise<ContainerHost>): ContainerHost {
  let host: Promise<ContainerHost> | undefined;
  const get = () => (host ??= make());
  return {
    state: async () => (await get()).state(),
    preflight: async (id, options) => (await get()).preflight(id, options),
    cpuReference: async (id) => {
      const made = await get();
      if (made.cpuReference === undefined)
        throw new HotspotError("HOTSPOT_UNSUPPORTED", "this container host cannot describe its CPU");
      return made.cpuReference(id);
    },
    checkCpu: async (target) => {
      const made = await get();
      if (made.checkCpu === undefined)
        throw new HotspotError("HOTSPOT_UNSUPPORTED", "this container host cannot check a CPU");
      return made.checkCpu(target);
    },
    checkpoint: async (source) => (await get()).checkpoint(source),
    restore: async (on) => (await get()).restore(on),
    usage: async () => {
      const made = await get();
      return made.usage === undefined ? null : made.usage();
    },
    start: async (id) => (await get()).start?.(id),
    stop: async (id) => (await get()).stop?.(id),
    releaseVolume: async (id) => (await get()).releaseVolume?.(id),
    receiveVolume: async (id) => (await get()).receiveVolume?.(id),
  };
}
