import { mkdir, mkdtemp, open, readFile, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LxcContainer } from "../../../../../src/cloud/local/hosts/lxc-container.js";
import { countBreaks, longestGapMs, ProbeClient } from "../../../../../src/cloud/local/hosts/probe-client.js";
import { run } from "../../../../../src/host/run.js";
import { buildCounter } from "../../../../../src/cloud/local/hosts/workload.js";
import { wallClock } from "../../../../../src/util/clock.js";
import {
  hostRunQuiet,
  MachineContainerHost,
} from "../../../../../src/drivers/live/host/machine/machine-container-host.js";
import { mountedSource } from "../../../../../src/drivers/live/host/machine/volume-device.js";
import { criuSkipReason } from "../../../../support/host-env.js";

const skip = criuSkipReason();
const NS = `hsmach-${process.pid}`;
const PEER_NS = `hsmach-${process.pid}-peer`;
const SELF = "i-0123456789abcdef0";
const VOLUME_ID = "vol-0feedbeef12345678";
const MAC = "02:5e:00:00:0a:39";
const ADDRESS = "10.213.7.57";
const ROUTER = "10.213.7.1";
const PORT = 7070;

const inNs = (file: string, args: readonly string[]) => [`--net=/run/netns/${NS}`, file, ...args];

/** The ENI arriving: an interface with its MAC (a veth whose peer plays the VPC router), no address yet. */
async function attachEni(): Promise<void> {
  await run("ip", [
    "-n",
    NS,
    "link",
    "add",
    "eni0",
    "address",
    MAC,
    "type",
    "veth",
    "peer",
    "name",
    "vpc0",
    "netns",
    PEER_NS,
  ]);
  await run("ip", ["-n", PEER_NS, "addr", "add", `${ROUTER}/24`, "dev", "vpc0"]);
  await run("ip", ["-n", PEER_NS, "link", "set", "dev", "vpc0", "up"]);
}

describe.skipIf(skip !== undefined)(
  `MachineContainerHost on this machine playing source and target: real LXC, CRIU, loop device, veth ENI${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    let stateDir: string;
    let mountPoint: string;
    let image: string;
    let byId: string;
    let host: MachineContainerHost;
    let client: ProbeClient | undefined;
    const containerName = `hsmach-${process.pid}`;
    const commands: string[][] = [];

    const attachVolume = async () => {
      const loop = await run("losetup", ["--find", "--show", image]);
      await rm(byId, { force: true });
      await symlink(loop, byId);
      return loop;
    };

    beforeAll(async () => {
      stateDir = await mkdtemp(join(tmpdir(), "hotspot-hsmach-"));
      mountPoint = join(stateDir, "mnt", "volume");
      image = join(stateDir, "volume.img");
      const devDir = join(stateDir, "dev");
      byId = join(devDir, "disk", "by-id", `nvme-Amazon_Elastic_Block_Store_${VOLUME_ID.replace("-", "")}`);
      await mkdir(join(devDir, "disk", "by-id"), { recursive: true });
      const handle = await open(image, "w");
      await handle.truncate(512 * 1024 ** 2);
      await handle.close();
      await run("mkfs.ext4", ["-q", "-F", image]);
      await run("ip", ["netns", "add", NS]);
      await run("ip", ["netns", "add", PEER_NS]);
      // CRIU probes TCP repair on loopback before dumping.
      await run("ip", ["-n", NS, "link", "set", "dev", "lo", "up"]);
      await attachEni();
      await attachVolume();
      host = new MachineContainerHost({
        self: SELF,
        containerName,
        lxcPath: join(mountPoint, "lxc"),
        volume: { volumeId: VOLUME_ID, deviceName: "/dev/sdf", mountPoint },
        network: { mac: MAC, address: ADDRESS, subnetCidr: "10.213.7.0/24", table: 100 },
        devDir,
        run: (file, args) => {
          commands.push([file, ...args]);
          return run("nsenter", inNs(file, args));
        },
        runQuiet: (file, args) => hostRunQuiet("nsenter", inNs(file, args)),
        clock: wallClock,
        timeouts: { appearMs: 10_000, pollMs: 20 },
      });
      // The container's first instance: volume and ENI arrive, then the container starts there.
      await host.receiveVolume(SELF);
      await LxcContainer.start(mountPoint, containerName, await buildCounter(stateDir), {
        netns: NS,
        address: ADDRESS,
        port: PORT,
        memoryMiB: 16,
        logFile: join(mountPoint, "count.log"),
      });
      client = new ProbeClient(PEER_NS, ADDRESS, PORT, { intervalMs: 20, maxSeconds: 300 });
      await client.waitReplies(10);
    }, 120_000);

    afterAll(async () => {
      client?.kill();
      const quiet = <T>(p: Promise<T>) => p.catch(() => undefined);
      await quiet(
        run("nsenter", inNs("lxc-stop", ["-P", join(mountPoint, "lxc"), "-n", containerName, "-k"])),
      );
      if ((await quiet(mountedSource(run, mountPoint))) != null) await quiet(run("umount", [mountPoint]));
      const loops = await quiet(run("losetup", ["--associated", image, "--noheadings", "--output", "NAME"]));
      for (const loop of (loops ?? "").split("\n").filter((l) => l !== ""))
        await quiet(run("losetup", ["-d", loop]));
      await quiet(run("ip", ["netns", "del", NS]));
      await quiet(run("ip", ["netns", "del", PEER_NS]));
      if (stateDir !== undefined) await rm(stateDir, { recursive: true, force: true });
    }, 60_000);

    it("checkpoint → release → (volume and ENI detached and re-attached) → receive → restore: the count goes on", async () => {
      expect(await host.state()).toEqual({ runningOn: SELF, checkpointFrom: null });
      expect(await run("ip", ["-n", NS, "route", "show", "table", "100"])).toBe(
        `default via ${ROUTER} dev eni0`,
      );
      const before = client!.replies().length;
      const took: string[] = [];
      let hostMs = 0;
      const timed = async (label: string, action: () => Promise<void>) => {
        const start = process.hrtime.bigint();
        await action();
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        hostMs += ms;
        took.push(`${label} ${ms.toFixed(0)} ms`);
      };

      let imageBytes = 0;
      await timed("checkpoint", async () => void ({ imageBytes } = await host.checkpoint(SELF)));
      // The image of a 16 MiB-class container: its pages and CRIU's other images, at least a page.
      expect(imageBytes).toBeGreaterThan(4096);
      expect(await host.state()).toEqual({ runningOn: null, checkpointFrom: SELF });
      await timed("release", () => host.releaseVolume(SELF));
      expect(await mountedSource(run, mountPoint)).toBeNull();
      // Unmounted but still attached: the marker is read from the device.
      expect(await host.state()).toEqual({ runningOn: null, checkpointFrom: SELF });

      const oldLoop = await run("losetup", ["--associated", image, "--noheadings", "--output", "NAME"]);
      await run("losetup", ["-d", oldLoop]);
      await run("ip", ["-n", NS, "link", "del", "eni0"]);
      await rm(byId);
      // Between instances the checkpoint is out of this host's sight.
      expect(await host.state()).toEqual({ runningOn: null, checkpointFrom: null });
      await attachEni();
      await attachVolume();

      await timed("receive", () => host.receiveVolume(SELF));
      expect(await mountedSource(run, mountPoint)).not.toBeNull();
      expect(await run("ip", ["-n", NS, "-4", "-o", "addr", "show", "dev", "eni0"])).toContain(
        `inet ${ADDRESS}/24`,
      );
      expect(await host.state()).toEqual({ runningOn: null, checkpointFrom: SELF });
      await timed("restore", () => host.restore(SELF));
      expect(await host.state()).toEqual({ runningOn: SELF, checkpointFrom: null });

      await client!.waitReplies(before + 20);
      const gap = longestGapMs(client!.replies().slice(Math.max(0, before - 1)));
      expect((await host.usage())?.pid).toBeGreaterThan(0);
      const probe = await client!.stop();
      client = undefined;
      const counts = probe.replies.map((r) => r.count);
      expect(counts[0]).toBe(1);
      expect(countBreaks(probe.replies)).toBe(0);
      expect(counts.length).toBe(counts[counts.length - 1]);
      expect(probe.verify).toBe(`ok ${counts.length}`);
      const log = (await readFile(join(mountPoint, "count.log"), "utf8")).trim().split("\n");
      expect(log.slice(1)).toEqual(counts.map(String));
      const umounts = commands.filter((c) => c[0] === "umount").length;
      console.log(
        `machine host cycle (16 MiB LXC, one machine): ${took.join(", ")}; host steps ${hostMs.toFixed(0)} ms ` +
          `(umount attempts ${umounts}); longest client gap ${gap} ms (includes the simulated detach/attach)`,
      );
    }, 120_000);
  },
);
