/**
 * The data plane of the local cloud, as the EC2 emulator (the control plane) sees it.
 *
 * The emulator calls these methods on the state transitions of its resources; an implementation
 * makes them real (network namespaces as instances, veth pairs as ENIs, loop-device images as
 * volumes). Contract shared by every method:
 *
 * - A call is made at the START of the transition. The emulator moves the resource to its final
 *   state (`running`, `available`, `in-use`, `attached`, `terminated` ...) only once BOTH the
 *   modelled latency has elapsed AND the returned promise has resolved, so a slow data plane shows as
 *   a slow cloud, never as a cloud that lies.
 * - Calls concerning one resource are never concurrent and follow its life: `createVolume` resolves
 *   before any `attachVolume` of that volume; `startInstance` resolves before any attach to that
 *   instance; every attachment of an instance is released (`detachVolume`/`detachInterface`, with
 *   `force: true`) before its `terminateInstance`; `deleteVolume`/`deleteInterface` only when detached.
 * - Address calls (`associateAddress`/`disassociateAddress`) are ordered with the calls about their
 *   interface, after its `createInterface`.
 * - A rejected promise fails the transition, and the emulator records the error (`state.backendErrors`):
 *   a failed `startInstance` (or a failed attach of one of its interfaces at launch) terminates the
 *   instance the usual way (`detachInterface` with `force: true` for each of its interfaces, then
 *   `terminateInstance`), ending in `terminated` with state reason `Server.InternalError`, so those
 *   calls must tolerate an instance or attachment that was only partly set up; a failed attach removes
 *   the attachment (the resource is `available` again); a failed detach leaves the resource attached;
 *   a failed terminate or delete still completes in the API (the cloud forgets the resource) and
 *   only the error is recorded.
 * - Methods are never called after `close()` began.
 */
export interface HostBackend {
  /** A volume was created: provide storage of `sizeGiB` for it (e.g. an ext4 image on a loop device). */
  createVolume(volume: HostVolume): Promise<void>;

  /** A detached volume was deleted: release its storage. */
  deleteVolume(volumeId: string): Promise<void>;

  /** A network interface was created (by CreateNetworkInterface, or as an instance's primary ENI). */
  createInterface(networkInterface: HostInterface): Promise<void>;

  /** A detached network interface was deleted. */
  deleteInterface(networkInterfaceId: string): Promise<void>;

  /**
   * An instance entered `pending`: boot it (e.g. create its network namespace). Its interfaces are
   * attached afterwards with `attachInterface`, the primary one at device index 0.
   */
  startInstance(instance: HostInstance): Promise<void>;

  /**
   * An instance entered `stopping`: stop its software, keeping its attachments. Optional: without it
   * StopInstances answers UnsupportedOperation and a guest's power-off terminates the instance.
   */
  stopInstance?(instanceId: string): Promise<void>;

  /** An instance entered `shutting-down`, all its attachments already released: destroy it. */
  terminateInstance(instanceId: string): Promise<void>;

  /** A volume entered `attaching`: make it visible inside the instance as `device` (e.g. `/dev/sdf`). */
  attachVolume(volumeId: string, instanceId: string, device: string): Promise<void>;

  /**
   * A volume entered `detaching`: take it away from the instance. `force` is set for DetachVolume
   * with Force=true and for detaches done by termination; the backend must then not wait for the
   * guest (e.g. unmount lazily or kill users of the device).
   */
  detachVolume(volumeId: string, instanceId: string, options: { force: boolean }): Promise<void>;

  /** An interface entered `attaching`: move it into the instance at `deviceIndex` (0 is primary). */
  attachInterface(networkInterfaceId: string, instanceId: string, deviceIndex: number): Promise<void>;

  /** An interface entered `detaching`: move it out of the instance (`force` as for `detachVolume`). */
  detachInterface(networkInterfaceId: string, instanceId: string, options: { force: boolean }): Promise<void>;

  /** An Elastic IP now maps to `privateIpAddress` of the interface (AssociateAddress). */
  associateAddress(publicIp: string, networkInterfaceId: string, privateIpAddress: string): Promise<void>;

  /** An Elastic IP no longer maps to the interface (DisassociateAddress, re-association, release). */
  disassociateAddress(publicIp: string, networkInterfaceId: string): Promise<void>;

  /** The emulator is shutting down; resources it still holds are listed in its state. */
  close(): Promise<void>;
}

export interface HostInstance {
  readonly instanceId: string;
  readonly instanceType: string;
  readonly availabilityZone: string;
  readonly vpcId: string;
  readonly subnetId: string;
  readonly vcpus: number;
  readonly memoryMiB: number;
  readonly lifecycle: "spot" | "on-demand";
  /** UserData as given to RunInstances, base64-decoded; null when none. */
  readonly userData: Uint8Array | null;
  readonly tags: Readonly<Record<string, string>>;
}

export interface HostVolume {
  readonly volumeId: string;
  readonly availabilityZone: string;
  readonly sizeGiB: number;
  readonly volumeType: string;
  readonly encrypted: boolean;
}

export interface HostInterface {
  readonly networkInterfaceId: string;
  readonly availabilityZone: string;
  readonly vpcId: string;
  readonly subnetId: string;
  /** The subnet's IPv4 CIDR, e.g. `10.0.1.0/24`. */
  readonly subnetCidr: string;
  readonly privateIpAddress: string;
  readonly macAddress: string;
}
