import { mkdir, readdir, rename } from "node:fs/promises";
import { dirname, join } from "node:path";
import { HotspotError } from "../../errors.js";
import { fileExists } from "../../util/file-exists.js";
import { LiveCalls } from "./hop/calls.js";
import type { Clock } from "../../util/clock.js";
import type { ContainerHost } from "./host/container-host.js";
import type { Ec2Compute } from "./hop/ec2-compute.js";
import { Journal } from "./hop/journal.js";
import type { LiveResources } from "./hop/resources.js";
import { DEFAULT_RETRY } from "./retry.js";

export interface BootOptions {
  readonly compute: Ec2Compute;
  readonly host: ContainerHost;
  readonly resources: LiveResources;
  /** This controller's instance: the home `hotspot launch` started. */
  readonly self: string;
  readonly journalPath: string;
  readonly clock: Clock;
  readonly timeoutSeconds: number;
  readonly pollMs: number;
  readonly progress: (line: string) => void;
}

/** How the container came to run here, and whether the run continues a journal of this home. */
export interface BootOutcome {
  readonly container: "running" | "restored" | "started";
  readonly resume: boolean;
  /** Where an earlier launch's journal and ledgers were moved, if there was one. */
  readonly archived: string | null;
}

/**
 * A home's controller at boot (`hotspot live --boot`, from `hotspot launch`'s user data): waits until
 * launch has attached the volume and ENI here, receives them (mounts on EC2), then brings the
 * container up here: left running, restored from a complete checkpoint, or started by LXC. A journal
 * of this home (the controller restarted) is resumed; one of an earlier launch that ended cleanly is
 * archived beside it; one with a hop still open is refused, since only its own home can settle it.
 */
export async function bootHome(options: BootOptions): Promise<BootOutcome> {
  const { compute, resources, self, host, progress } = options;
  const calls = new LiveCalls(compute, options.clock, DEFAULT_RETRY, options.pollMs);
  const here = (a: { readonly instanceId: string; readonly state: string } | null) =>
    a !== null && a.instanceId === self && a.state === "attached";
  progress(`waiting for volume ${resources.volumeId} and interface ${resources.networkInterfaceId}`);
  await calls.waitFor(
    `volume ${resources.volumeId} and interface ${resources.networkInterfaceId} attached to ${self}`,
    options.timeoutSeconds * 1000,
    async () =>
      here((await calls.call(() => compute.describeVolume(resources.volumeId))).attachment) &&
      here((await calls.call(() => compute.describeInterface(resources.networkInterfaceId))).attachment),
  );
  await host.receiveVolume?.(self);

  let archived: string | null = null;
  if (await fileExists(options.journalPath)) {
    const journal = await Journal.open(options.journalPath);
    if (journal.home === self) return { container: "running", resume: true, archived: null };
    const open = journal.openHops();
    if (open.length > 0) {
      throw new HotspotError(
        "HOTSPOT_LIVE_JOURNAL",
        `${options.journalPath}: ${open[0].id} of an earlier launch (home ${journal.home}) is still open; settle it with \`hotspot live --resume\` where that home runs, or move the journal away`,
      );
    }
    archived = await archiveRun(options.journalPath, options.clock);
    progress(`journal and ledgers of the earlier launch (home ${journal.home}) moved to ${archived}`);
  }

  const state = await host.state();
  if (state.runningOn === self) return { container: "running", resume: false, archived };
  if (state.runningOn !== null) {
    throw new HotspotError(
      "HOTSPOT_HOST_STATE",
      `the container already runs on ${state.runningOn}: expected it stopped before ${self} boots it (never two copies)`,
    );
  }
  if (state.checkpointFrom !== null) {
    progress(`restoring the container from the checkpoint taken on ${state.checkpointFrom}`);
    await host.restore(self);
    return { container: "restored", resume: false, archived };
  }
  if (host.start === undefined) {
    throw new HotspotError("HOTSPOT_UNSUPPORTED", "this container host cannot start a container");
  }
  progress("starting the container (LXC runs its application as init, in its cgroups)");
  await host.start(self);
  return { container: "started", resume: false, archived };
}

/** Moves the journal and every ledger beside it into `previous/<time>/`, leaving the directory fresh. */
async function archiveRun(journalPath: string, clock: Pick<Clock, "now">): Promise<string> {
  const dir = dirname(journalPath);
  const target = join(dir, "previous", new Date(clock.now()).toISOString().replace(/[:.]/g, "-"));
  await mkdir(target, { recursive: true });
  for (const name of await readdir(dir)) {
    if (name === "journal.json" || /^results.*\.json$/.test(name))
      await rename(join(dir, name), join(target, name));
  }
  return target;
}
