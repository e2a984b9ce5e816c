import { fileExists } from "../../util/file-exists.js";
import { Attachments } from "./hop/attachments.js";
import { LiveCalls } from "./hop/calls.js";
import { nowSeconds } from "../../util/clock.js";
import type { HopExecutor } from "./hop/hop.js";
import { DEFAULT_TIMEOUTS } from "./hop/resources.js";
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from "./retry.js";
import type { HandOffSummary, LiveRunOptions, LiveRunSummary } from "./run.js";

/**
 * A self-migrating source after its hand-off: waits until its own instance ends (the target's
 * controller terminates it; the run is over), or takes the container back (claims volume and ENI,
 * resumes, which falls back: the container restored here) when the target is lost, or when no
 * controller there claimed the volume within the takeover timeout (the target is ended first). The
 * duration does not end the watch: the hop is in flight until one side finishes it.
 */
export async function watchOver(
  options: LiveRunOptions,
  executor: HopExecutor,
  target: string,
  summary: Omit<HandOffSummary, "handedOffTo">,
  /** Run on here after taking the container back (a resume, which falls back). */
  resumeHere: () => Promise<LiveRunSummary | HandOffSummary>,
): Promise<LiveRunSummary | HandOffSummary> {
  const { clock, compute, resources } = options;
  const self = options.self!.instanceId;
  const giveUpAt = nowSeconds(clock) + options.self!.takeoverTimeoutSeconds;
  const call = <T>(f: () => Promise<T>) => withRetry(f, clock, options.retry ?? DEFAULT_RETRY);
  for (;;) {
    if (!(await executor.isRunning(self)) || options.stop?.aborted)
      return { ...summary, handedOffTo: target };
    let lost = !(await executor.isRunning(target));
    if (!lost && nowSeconds(clock) >= giveUpAt) {
      const volume = await call(() => compute.describeVolume(resources.volumeId));
      if (volume.attachment?.instanceId !== target) {
        options.onWarning?.(
          `no controller on ${target} took the volume over within ${options.self!.takeoverTimeoutSeconds} s: ending it, taking the container back`,
        );
        await call(() => compute.terminateInstance(target));
        lost = true;
      }
    }
    if (lost) {
      await executor.claim(self);
      await journalMounted(options, options.retry ?? DEFAULT_RETRY);
      return resumeHere();
    }
    await clock.sleep(1_000, options.stop);
  }
}

/** A target's controller at boot: wait until the volume and ENI are here, claiming them once free. */
export async function awaitTakeover(
  options: LiveRunOptions,
  self: string,
  timeoutSeconds: number,
  retry: RetryPolicy,
): Promise<void> {
  const { compute, resources } = options;
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const calls = new LiveCalls(compute, options.clock, retry, timeouts.poll);
  const attachments = new Attachments(calls, resources, timeouts);
  const free = (a: { readonly instanceId: string } | null) => a === null || a.instanceId === self;
  await calls.waitFor(
    `volume ${resources.volumeId} and interface ${resources.networkInterfaceId} to come to ${self}`,
    timeoutSeconds * 1000,
    async () =>
      free((await calls.call(() => compute.describeVolume(resources.volumeId))).attachment) &&
      free((await calls.call(() => compute.describeInterface(resources.networkInterfaceId))).attachment),
  );
  await attachments.moveTo(self);
  await options.host.receiveVolume?.(self);
  await journalMounted(options, retry);
}

/** A self-migrating controller started where the volume is: mounted (by its host) before the journal is read. */
export async function receiveIfHere(
  options: LiveRunOptions,
  self: string,
  call: <T>(f: () => Promise<T>) => Promise<T>,
): Promise<void> {
  if (options.host.receiveVolume === undefined) return;
  const volume = await call(() => options.compute.describeVolume(options.config.volumeId));
  if (volume.attachment?.instanceId === self && volume.attachment.state === "attached") {
    await options.host.receiveVolume(self);
  }
}

/** The journal appears when the volume that holds it is mounted here. */
export async function journalMounted(options: LiveRunOptions, retry: RetryPolicy): Promise<void> {
  const calls = new LiveCalls(options.compute, options.clock, retry, 100);
  await calls.waitFor(`${options.journalPath} to appear`, 60_000, () => fileExists(options.journalPath));
}
