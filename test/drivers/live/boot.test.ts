import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bootHome, type BootOptions } from "../../../src/drivers/live/boot.js";
import type { Clock } from "../../../src/util/clock.js";
import { Journal } from "../../../src/drivers/live/hop/journal.js";
import { FakeContainerHost, fakeComputeWorld } from "../../support/fake-container-host.js";
import { FakeEc2Compute } from "../../support/fake-ec2-compute.js";

const SELF = "i-new";
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-boot-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A new home with the volume and the ENI attached (unless `attachAfterMs`), the container stopped. */
function world(attachAfterMs = 0) {
  const compute = new FakeEc2Compute();
  compute.add(SELF, {});
  let now = Date.UTC(2026, 0, 1);
  const start = now;
  const attach = () => {
    compute.volume = { instanceId: SELF };
    compute.eni = { instanceId: SELF, attachmentId: "eni-attach-1" };
  };
  if (attachAfterMs === 0) attach();
  const clock: Clock = {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
      if (now - start >= attachAfterMs) attach();
    },
  };
  const host = new FakeContainerHost(fakeComputeWorld(compute), SELF);
  host.runningOn = null;
  const progress: string[] = [];
  const options: BootOptions = {
    compute,
    host,
    resources: {
      imageId: "ami-0",
      volumeId: "vol-1",
      volumeDevice: "/dev/sdf",
      networkInterfaceId: "eni-1",
      deviceIndex: 1,
    },
    self: SELF,
    journalPath: join(dir, "journal.json"),
    clock,
    timeoutSeconds: 10,
    pollMs: 1000,
    progress: (line) => progress.push(line),
  };
  return { compute, host, options, progress };
}

describe("bootHome", () => {
  it("a fresh launch: waits for the volume and the ENI, then starts the container here", async () => {
    const { host, options, progress } = world(3000);
    expect(await bootHome(options)).toEqual({ container: "started", resume: false, archived: null });
    expect(host.history).toEqual([`start ${SELF}`]);
    expect(progress).toEqual([
      "waiting for volume vol-1 and interface eni-1",
      "starting the container (LXC runs its application as init, in its cgroups)",
    ]);
  });

  it("gives up when they never arrive, naming what it waited for", async () => {
    const { options } = world(60_000);
    await expect(bootHome(options)).rejects.toThrow(
      `timed out after 10 s waiting for volume vol-1 and interface eni-1 attached to ${SELF}`,
    );
  });

  it("restores from a complete checkpoint; leaves a container already running here alone", async () => {
    const restoring = world();
    restoring.host.checkpointFrom = "i-old";
    expect(await bootHome(restoring.options)).toMatchObject({ container: "restored", resume: false });
    expect(restoring.host.history).toEqual([`restore ${SELF}`]);
    const running = world();
    running.host.runningOn = SELF;
    expect(await bootHome(running.options)).toEqual({ container: "running", resume: false, archived: null });
    expect(running.host.history).toEqual([]);
  });

  it("never starts a second copy: a container running elsewhere is an error", async () => {
    const { host, options } = world();
    host.runningOn = "i-old";
    await expect(bootHome(options)).rejects.toMatchObject({
      code: "HOTSPOT_HOST_STATE",
      message: `the container already runs on i-old: expected it stopped before ${SELF} boots it (never two copies)`,
    });
  });

  it("a journal of this home is resumed as it is", async () => {
    const { host, options } = world();
    await Journal.create(options.journalPath, "s", SELF);
    expect(await bootHome(options)).toEqual({ container: "running", resume: true, archived: null });
    expect(host.history).toEqual([]);
  });

  it("an earlier launch's closed journal and ledgers move to previous/<time>/; one with an open hop is refused", async () => {
    const { options, progress } = world();
    await Journal.create(options.journalPath, "s", "i-old");
    await writeFile(join(dir, "results.json"), "{}");
    await writeFile(join(dir, "results-2.json"), "{}");
    await writeFile(join(dir, "hotspot.json"), "{}");
    const outcome = await bootHome(options);
    const archived = join(dir, "previous", "2026-01-01T00-00-00-000Z");
    expect(outcome).toEqual({ container: "started", resume: false, archived });
    expect((await readdir(archived)).sort()).toEqual(["journal.json", "results-2.json", "results.json"]);
    expect((await readdir(dir)).sort()).toEqual(["hotspot.json", "previous"]);
    expect(progress[1]).toBe(`journal and ledgers of the earlier launch (home i-old) moved to ${archived}`);

    const open = world();
    const journal = await Journal.create(open.options.journalPath, "s", "i-old");
    await journal.beginHop({ instanceType: "c4.large", zone: "z", lifecycle: "spot" });
    await expect(bootHome(open.options)).rejects.toMatchObject({
      code: "HOTSPOT_LIVE_JOURNAL",
      message: `${open.options.journalPath}: hop-000001 of an earlier launch (home i-old) is still open; settle it with \`hotspot live --resume\` where that home runs, or move the journal away`,
    });
  });
});
