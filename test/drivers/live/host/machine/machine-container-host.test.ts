import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HostCommandError } from "../../../../../src/host/run.js";
import { HotspotError, UsageError } from "../../../../../src/errors.js";
import {
  MachineContainerHost,
  type MachineContainerHostOptions,
} from "../../../../../src/drivers/live/host/machine/machine-container-host.js";
import { VolumeDeviceTimeoutError } from "../../../../../src/drivers/live/host/machine/volume-device.js";
import {
  fakeClock,
  NOT_MOUNTED,
  recordingRunner,
  type Answer,
} from "../../../../support/recording-runner.js";

const SELF = "i-0aaaaaaaaaaaaaaa1";
const OTHER = "i-0bbbbbbbbbbbbbbb2";
const NAME = "app";
const VOLUME_ID = "vol-0123456789abcdef0";
const NVME_LINK = "nvme-Amazon_Elastic_Block_Store_vol0123456789abcdef0";
const CRIU = "/opt/criu/bin/criu";

/** The machine as the fake commands see it: what is mounted, what LXC says, what the quiet runs did. */
interface Machine {
  mounted: boolean;
  lxc: "RUNNING" | "STOPPED" | "missing";
  /** dump.log a failing lxc-checkpoint leaves behind. */
  dumpFailsWith?: string;
  /** lxc-dump.log (LXC's own log) a failing lxc-checkpoint leaves behind. */
  lxcFailsWith?: string;
}

describe("MachineContainerHost (recorded commands, no host)", () => {
  let dir: string;
  let mountPoint: string;
  let devDir: string;
  let lxcPath: string;
  let machine: Machine;
  let quiet: string[][];
  let recorder: ReturnType<typeof recordingRunner>;
  const status = ["lxc-info", "-P", "", "-n", NAME, "-s", "-H"];

  const answer = (file: string, args: readonly string[]): Answer => {
    if (file === "findmnt") return machine.mounted ? "/dev/nvme1n1" : NOT_MOUNTED;
    if (file === "lxc-info" && machine.lxc === "missing") return { exit: 1, stderr: `${NAME} doesn't exist` };
    if (file === "lxc-info") return args.includes("-p") ? "4242" : machine.lxc;
    if (file === "mount") machine.mounted = true;
    if (file === "umount") machine.mounted = false;
    if (args.join(" ") === "-json link show")
      return JSON.stringify([{ ifname: "ens6", address: "0a:00:00:00:00:06" }]);
    if (args.join(" ") === "-json rule show") return "[]";
    return "";
  };

  const host = (overrides: Partial<MachineContainerHostOptions> = {}) =>
    new MachineContainerHost({
      self: SELF,
      containerName: NAME,
      lxcPath,
      volume: { volumeId: VOLUME_ID, deviceName: "/dev/sdf", mountPoint },
      devDir,
      criu: CRIU,
      run: recorder.runner,
      runQuiet: async (file, args) => {
        quiet.push([file, ...args]);
        if (machine.dumpFailsWith !== undefined || machine.lxcFailsWith !== undefined) {
          if (machine.dumpFailsWith !== undefined)
            await writeFile(join(imagesDir(), "dump.log"), machine.dumpFailsWith);
          if (machine.lxcFailsWith !== undefined)
            await writeFile(join(imagesDir(), "lxc-dump.log"), machine.lxcFailsWith);
          throw new HostCommandError([file, ...args], 1, "");
        }
        if (args.includes("-s")) machine.lxc = "STOPPED";
        if (args.includes("-r")) machine.lxc = "RUNNING";
      },
      clock: fakeClock(),
      ...overrides,
    });

  const imagesDir = () => join(mountPoint, "checkpoint");
  const marker = () => join(imagesDir(), "complete.json");
  const lxcCheckpoint = (config: string, args: string[]) => [
    "env",
    `CRIU_CONFIG_FILE=${join(imagesDir(), config)}`,
    `PATH=/opt/criu/bin:${process.env.PATH ?? ""}`,
    "lxc-checkpoint",
    "-P",
    lxcPath,
    "-n",
    NAME,
    ...args,
    "-D",
    imagesDir(),
    "-o",
    join(imagesDir(), `lxc-${config.replace(/^criu-|\.conf$/g, "")}.log`),
    "-l",
    "INFO",
  ];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "hotspot-hsmach-unit-"));
    mountPoint = join(dir, "volume");
    devDir = join(dir, "dev");
    lxcPath = join(mountPoint, "lxc");
    status[2] = lxcPath;
    machine = { mounted: true, lxc: "RUNNING" };
    quiet = [];
    recorder = recordingRunner(answer);
    await mkdir(mountPoint, { recursive: true });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("state(): running here says self; a container LXC does not know (volume elsewhere) is not running", async () => {
    expect(await host().state()).toEqual({ runningOn: SELF, checkpointFrom: null });
    machine = { mounted: false, lxc: "missing" };
    // A marker left in the bare mount point directory is not the volume's: it is not read.
    await mkdir(imagesDir(), { recursive: true });
    await writeFile(marker(), `{"from":"${OTHER}"}\n`);
    expect(await host().state()).toEqual({ runningOn: null, checkpointFrom: null });
  });

  it("state(): other lxc-info failures and a malformed marker are errors", async () => {
    recorder = recordingRunner((file, args) =>
      file === "lxc-info" ? { exit: 1, stderr: "Failed to load config" } : answer(file, args),
    );
    await expect(host().state()).rejects.toBeInstanceOf(HostCommandError);
    recorder = recordingRunner(answer);
    await mkdir(imagesDir(), { recursive: true });
    await writeFile(marker(), `{"to":"${OTHER}"}\n`);
    await expect(host().state()).rejects.toThrow(
      `checkpoint marker ${marker()}: expected {"from": "<instance id>"}, found ${JSON.stringify(`{"to":"${OTHER}"}`)}`,
    );
    await writeFile(marker(), "{");
    await expect(host().state()).rejects.toThrow(`checkpoint marker ${marker()}: expected {"from"`);
  });

  it("state(): the volume attached but not mounted: the marker is read from its device with debugfs", async () => {
    machine = { mounted: false, lxc: "missing" };
    const device = join(devDir, "xvdf");
    await mkdir(devDir, { recursive: true });
    await writeFile(device, "");
    recorder = recordingRunner((file, args) =>
      file === "debugfs" ? `{"from":"${OTHER}"}` : answer(file, args),
    );
    expect(await host().state()).toEqual({ runningOn: null, checkpointFrom: OTHER });
    expect(recorder.calls.at(-1)).toEqual(["debugfs", "-R", "cat /checkpoint/complete.json", device]);
    recorder = recordingRunner((file, args) => (file === "debugfs" ? "" : answer(file, args)));
    expect(await host().state()).toEqual({ runningOn: null, checkpointFrom: null });
  });

  it("checkpoint(self): clears old images, dumps with tcp-established, then writes the marker", async () => {
    await mkdir(imagesDir(), { recursive: true });
    await writeFile(join(imagesDir(), "pages-1.img"), "old");
    // The image's size as written: here only CRIU's options file, "tcp-established\n".
    expect(await host().checkpoint(SELF)).toEqual({ imageBytes: 16 });
    expect(recorder.calls).toEqual([
      ["findmnt", "--noheadings", "--output", "SOURCE", "--mountpoint", mountPoint],
      status,
    ]);
    expect(quiet).toEqual([lxcCheckpoint("criu-dump.conf", ["-s"])]);
    expect(await readFile(join(imagesDir(), "criu-dump.conf"), "utf8")).toBe("tcp-established\n");
    expect(JSON.parse(await readFile(marker(), "utf8"))).toEqual({ from: SELF });
    expect((await readdir(imagesDir())).sort()).toEqual(["complete.json", "criu-dump.conf"]);
    expect(await host().state()).toEqual({ runningOn: null, checkpointFrom: SELF });
  });

  it("checkCpu: another instance's verdict comes from its controller (cpuVerdict); without it, or without a reference here, it throws", async () => {
    const asked: string[] = [];
    const verdict = {
      compatible: false as const,
      detail: "cpu: CPU instruction capabilities do not match run time",
    };
    const hearing = host({
      cpuVerdict: async (target) => {
        asked.push(target);
        return verdict;
      },
    });
    expect(await hearing.checkCpu(OTHER)).toEqual(verdict);
    expect(asked).toEqual([OTHER]);
    await expect(host().checkCpu(OTHER)).rejects.toThrow(
      `cpu check on ${OTHER}: this host runs on ${SELF} and has no way to hear ${OTHER}'s verdict`,
    );
    await expect(hearing.checkCpu(SELF)).rejects.toThrow(
      `no CPU reference at ${join(mountPoint, "hotspot-cpu", "architecture")}`,
    );
    expect(asked).toEqual([OTHER]);
    await expect(host().cpuReference(OTHER)).rejects.toThrow(
      `cpu reference on ${OTHER}: this host runs on ${SELF} and acts only on its own machine`,
    );
  });

  it("checkpoint refuses another instance, an unmounted volume, a container not running here", async () => {
    await expect(host().checkpoint(OTHER)).rejects.toThrow(
      new HotspotError(
        "HOTSPOT_HOST_STATE",
        `checkpoint on ${OTHER}: this host runs on ${SELF} and acts only on its own machine`,
      ),
    );
    machine.mounted = false;
    await expect(host().checkpoint(SELF)).rejects.toThrow(
      `checkpoint on ${SELF}: volume ${VOLUME_ID} is not mounted at ${mountPoint}`,
    );
    machine = { mounted: true, lxc: "STOPPED" };
    await expect(host().checkpoint(SELF)).rejects.toThrow(
      `checkpoint on ${SELF}: container ${NAME} is not running here`,
    );
    expect(quiet).toEqual([]);
  });

  it("a failed dump reports criu's errors from dump.log and writes no marker", async () => {
    machine.dumpFailsWith = "(00.01) Error (criu/sk-inet.c:1): no repair\n(00.02) fine\n";
    const made = host();
    await expect(made.checkpoint(SELF)).rejects.toThrow(
      `lxc-checkpoint -s of ${NAME} on ${SELF} failed: dump.log: (00.01) Error (criu/sk-inet.c:1): no repair; no lxc-dump.log written in ${imagesDir()}`,
    );
    expect(await made.state()).toEqual({ runningOn: SELF, checkpointFrom: null });
  });

  it("a dump LXC refuses before CRIU runs reports LXC's own ERROR lines, never an empty reason", async () => {
    machine.lxcFailsWith = [
      "lxc-checkpoint app 20261202060000.000 INFO     confile - parsed",
      "lxc-checkpoint app 20261202060000.001 ERROR    criu - criu.c:do_dump:1087 - no cgroup of the container's own",
      "",
    ].join("\n");
    await expect(host().checkpoint(SELF)).rejects.toThrow(
      `lxc-checkpoint -s of ${NAME} on ${SELF} failed: lxc-dump.log: lxc-checkpoint app 20261202060000.001 ERROR    criu - criu.c:do_dump:1087 - no cgroup of the container's own; no dump.log written in ${imagesDir()}`,
    );
  });

  it("restore(self): restores with tcp-established and mntns-compat-mode, then consumes the marker", async () => {
    machine.lxc = "STOPPED";
    await mkdir(imagesDir(), { recursive: true });
    await writeFile(marker(), `{"from":"${OTHER}"}\n`);
    await host().restore(SELF);
    expect(quiet).toEqual([lxcCheckpoint("criu-restore.conf", ["-r"])]);
    expect(await readFile(join(imagesDir(), "criu-restore.conf"), "utf8")).toBe(
      "tcp-established\nmntns-compat-mode\n",
    );
    expect(await host().state()).toEqual({ runningOn: SELF, checkpointFrom: null });
  });

  it("restore refuses another instance and a volume without a complete checkpoint", async () => {
    await expect(host().restore(OTHER)).rejects.toThrow(`restore on ${OTHER}: this host runs on ${SELF}`);
    await expect(host().restore(SELF)).rejects.toThrow(
      `restore on ${SELF}: expected a complete checkpoint at ${marker()}, found none (volume ${VOLUME_ID} mounted here)`,
    );
    machine.mounted = false;
    await expect(host().restore(SELF)).rejects.toThrow(`(volume ${VOLUME_ID} not mounted here)`);
    expect(quiet).toEqual([]);
  });

  it("releaseVolume: another instance is a no-op; self unmounts once the container stopped", async () => {
    await host().releaseVolume(OTHER);
    expect(recorder.calls).toEqual([]);
    await expect(host().releaseVolume(SELF)).rejects.toThrow(
      `release volume ${VOLUME_ID} on ${SELF}: container ${NAME} still runs on it; checkpoint it first`,
    );
    expect(recorder.calls).toEqual([status]);
    machine.lxc = "STOPPED";
    recorder.calls.length = 0;
    await host().releaseVolume(SELF);
    await host().releaseVolume(SELF);
    const findmnt = ["findmnt", "--noheadings", "--output", "SOURCE", "--mountpoint", mountPoint];
    expect(recorder.calls).toEqual([status, findmnt, ["sync"], ["umount", mountPoint], status, findmnt]);
  });

  it("receiveVolume(self): waits for the device, mounts it, configures the ENI; again: mounts nothing", async () => {
    machine = { mounted: false, lxc: "missing" };
    await mkdir(join(devDir, "disk", "by-id"), { recursive: true });
    await writeFile(join(devDir, "disk", "by-id", NVME_LINK), "");
    const network = {
      mac: "0a:00:00:00:00:06",
      address: "172.31.16.9",
      subnetCidr: "172.31.16.0/20",
      table: 7,
    };
    const made = host({ network });
    await made.receiveVolume(OTHER);
    expect(recorder.calls).toEqual([]);
    await made.receiveVolume(SELF);
    const findmnt = ["findmnt", "--noheadings", "--output", "SOURCE", "--mountpoint", mountPoint];
    const eni = [
      ["ip", "-json", "link", "show"],
      ["ip", "addr", "replace", "172.31.16.9/20", "dev", "ens6"],
      ["ip", "link", "set", "dev", "ens6", "up"],
      ["ip", "-json", "rule", "show"],
      ["ip", "rule", "add", "from", "172.31.16.9", "lookup", "7"],
      ["ip", "route", "replace", "default", "via", "172.31.16.1", "dev", "ens6", "table", "7"],
    ];
    expect(recorder.calls).toEqual([
      findmnt,
      ["mount", "-t", "ext4", join(devDir, "disk", "by-id", NVME_LINK), mountPoint],
      ...eni,
    ]);
    recorder.calls.length = 0;
    await made.receiveVolume(SELF);
    expect(recorder.calls).toEqual([findmnt, ...eni]);
  });

  it("receiveVolume(self) without the device times out naming the volume (fake clock)", async () => {
    machine.mounted = false;
    const clock = fakeClock();
    const error = await host({ clock, timeouts: { appearMs: 2_000, pollMs: 500 } })
      .receiveVolume(SELF)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VolumeDeviceTimeoutError);
    expect((error as VolumeDeviceTimeoutError).message).toContain(
      `volume ${VOLUME_ID}: no block device after 2 s`,
    );
    expect(clock.sleeps).toEqual([500, 500, 500, 500]);
    expect(recorder.calls).toEqual([]);
  });

  it("usage(): null without asking for a pid while the container is not running here", async () => {
    machine.lxc = "STOPPED";
    expect(await host().usage()).toBeNull();
    expect(recorder.calls).toEqual([status]);
  });

  it("rejects a malformed volume id or ENI setting at construction", () => {
    expect(() =>
      host({ volume: { volumeId: "vol-xyz", deviceName: "/dev/sdf", mountPoint: "/data" } }),
    ).toThrow(UsageError);
    expect(() =>
      host({
        network: { mac: "0a:00:00:00:00:06", address: "10.0.9.9", subnetCidr: "10.0.1.0/24", table: 7 },
      }),
    ).toThrow('ENI address: expected an address inside 10.0.1.0/24, found "10.0.9.9"');
  });
});
