import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, open, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { HotspotError } from "../../../errors.js";
import type { HostBackend, HostInstance, HostInterface, HostVolume } from "../host-backend.js";
import { cleanupAll, pidsInNetns, USER_DATA_PID } from "./cleanup.js";
import { killProcess } from "./workload.js";
import { hostNames, validatePrefix } from "./names.js";
import {
  associatePublicIp,
  attachEni,
  createEni,
  deleteEni,
  deleteNetns,
  detachEni,
  disassociatePublicIp,
  ensureNetns,
} from "./network.js";
import { VolumeStore } from "./volumes.js";

export interface NamespaceBackendOptions {
  /** Tag prefix of everything created (2–4 lowercase letters). */
  readonly prefix: string;
  /** Where volume images, mount points and per-instance device links live. */
  readonly stateDir: string;
  /** Added to the environment of what user data starts, as an instance profile gives an instance credentials. */
  readonly userDataEnv?: Readonly<Record<string, string>>;
}

/**
 * The real data plane: an instance is a network namespace, an ENI a veth pair whose inner end moves
 * into the instance, a volume an ext4 image on a loop device, mounted while attached, with a device
 * link `<stateDir>/hosts/<instance>/dev/<sdX>` standing for the block device the guest sees.
 */
export class NamespaceHostBackend implements HostBackend {
  readonly prefix: string;
  readonly volumes: VolumeStore;
  private readonly interfaces = new Map<string, HostInterface>();
  private readonly deviceLinks = new Map<string, string>();
  private readonly eips = new Map<string, { eniId: string; privateIp: string }>();
  /** What each instance's user data started. */
  private readonly programs = new Map<string, ChildProcess>();

  constructor(readonly options: NamespaceBackendOptions) {
    this.prefix = validatePrefix(options.prefix);
    this.volumes = new VolumeStore(options.stateDir);
  }

  /** Removes leftovers of an earlier run with the same prefix (e.g. after a crash). */
  async init(): Promise<void> {
    await cleanupAll(this.prefix, this.options.stateDir);
    await ensureNetns(hostNames.fabricNetns(this.prefix));
  }

  instanceNetns(instanceId: string): string {
    return hostNames.instanceNetns(this.prefix, instanceId);
  }

  fabricNetns(): string {
    return hostNames.fabricNetns(this.prefix);
  }

  private deviceLink(instanceId: string, device: string): string {
    return join(this.options.stateDir, "hosts", instanceId, "dev", device.replace(/^\/dev\//, ""));
  }

  async createVolume(volume: HostVolume): Promise<void> {
    await this.volumes.create(volume.volumeId, volume.sizeGiB);
  }

  async deleteVolume(volumeId: string): Promise<void> {
    await this.volumes.delete(volumeId);
  }

  async createInterface(networkInterface: HostInterface): Promise<void> {
    this.interfaces.set(networkInterface.networkInterfaceId, networkInterface);
    await createEni(this.prefix, networkInterface);
  }

  async deleteInterface(networkInterfaceId: string): Promise<void> {
    await deleteEni(this.prefix, networkInterfaceId);
    this.interfaces.delete(networkInterfaceId);
  }

  async startInstance(instance: HostInstance): Promise<void> {
    await ensureNetns(this.instanceNetns(instance.instanceId));
    if (instance.userData !== null) await this.runUserData(instance.instanceId, instance.userData);
  }

  /**
   * As cloud-init does with a user-data script (`#!` first): runs it once at boot, as a process "on"
   * the instance (told its id in HOTSPOT_INSTANCE_ID, output in `user-data/<id>.log`, kept after
   * the instance) that ends with the instance. Other user data is left as data.
   */
  private async runUserData(instanceId: string, userData: Uint8Array): Promise<void> {
    const script = Buffer.from(userData).toString("utf8");
    if (!script.startsWith("#!")) return;
    const dir = join(this.options.stateDir, "hosts", instanceId);
    await mkdir(dir, { recursive: true });
    const file = join(dir, "user-data");
    await writeFile(file, script, { mode: 0o755 });
    await mkdir(join(this.options.stateDir, "user-data"), { recursive: true });
    const log = await open(join(this.options.stateDir, "user-data", `${instanceId}.log`), "a");
    try {
      const child = spawn(file, [], {
        detached: true,
        stdio: ["ignore", log.fd, log.fd],
        env: { ...process.env, ...this.options.userDataEnv, HOTSPOT_INSTANCE_ID: instanceId },
      });
      child.on("error", () => undefined);
      child.unref();
      this.programs.set(instanceId, child);
      // Found by cleanupAll should this process die without closing (SIGKILL): the program outlives it.
      if (child.pid !== undefined) await writeFile(join(dir, USER_DATA_PID), `${child.pid}\n`);
    } finally {
      await log.close();
    }
  }

  /** Ends what the instance's user data started, with its whole process group. */
  private stopUserData(instanceId: string): void {
    const child = this.programs.get(instanceId);
    this.programs.delete(instanceId);
    if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
    }
  }

  async terminateInstance(instanceId: string): Promise<void> {
    this.stopUserData(instanceId);
    // A terminated instance powers off: nothing that ran on it (a container, its LXC monitor) survives.
    for (const pid of await pidsInNetns(this.instanceNetns(instanceId))) killProcess(pid);
    await deleteNetns(this.instanceNetns(instanceId));
    await rm(join(this.options.stateDir, "hosts", instanceId), { recursive: true, force: true });
  }

  async attachVolume(volumeId: string, instanceId: string, device: string): Promise<void> {
    const loop = await this.volumes.attach(volumeId);
    const link = this.deviceLink(instanceId, device);
    await mkdir(join(link, ".."), { recursive: true });
    await rm(link, { force: true });
    await symlink(loop, link);
    this.deviceLinks.set(volumeId, link);
  }

  async detachVolume(volumeId: string, _instanceId: string, options: { force: boolean }): Promise<void> {
    await this.volumes.detach(volumeId, options.force);
    const link = this.deviceLinks.get(volumeId);
    if (link !== undefined) await rm(link, { force: true });
    this.deviceLinks.delete(volumeId);
  }

  private eni(networkInterfaceId: string): HostInterface {
    const eni = this.interfaces.get(networkInterfaceId);
    if (!eni)
      throw new HotspotError(
        "HOTSPOT_HOST_STATE",
        `unknown network interface ${networkInterfaceId} (never created on this backend)`,
      );
    return eni;
  }

  async attachInterface(networkInterfaceId: string, instanceId: string, deviceIndex: number): Promise<void> {
    await attachEni(this.prefix, this.eni(networkInterfaceId), this.instanceNetns(instanceId), deviceIndex);
  }

  /** Moving a veth never waits for the guest, so `force` changes nothing here. */
  async detachInterface(
    networkInterfaceId: string,
    instanceId: string,
    _options?: { force: boolean },
  ): Promise<void> {
    await detachEni(this.prefix, this.eni(networkInterfaceId), this.instanceNetns(instanceId));
  }

  async associateAddress(
    publicIp: string,
    networkInterfaceId: string,
    privateIpAddress: string,
  ): Promise<void> {
    await associatePublicIp(this.prefix, this.eni(networkInterfaceId), publicIp, privateIpAddress);
    this.eips.set(publicIp, { eniId: networkInterfaceId, privateIp: privateIpAddress });
  }

  async disassociateAddress(publicIp: string): Promise<void> {
    const eip = this.eips.get(publicIp);
    if (!eip) return;
    await disassociatePublicIp(this.prefix, publicIp, eip.privateIp);
    this.eips.delete(publicIp);
  }

  async close(): Promise<void> {
    for (const instanceId of [...this.programs.keys()]) this.stopUserData(instanceId);
    await cleanupAll(this.prefix, this.options.stateDir);
  }
}
