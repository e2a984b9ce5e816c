import type { HostBackend, HostInstance, HostInterface, HostVolume } from "./host-backend.js";

/** One call the emulator made on its backend, in call order. */
export type BackendCall =
  | { readonly op: "createVolume"; readonly volume: HostVolume }
  | { readonly op: "deleteVolume"; readonly volumeId: string }
  | { readonly op: "createInterface"; readonly networkInterface: HostInterface }
  | { readonly op: "deleteInterface"; readonly networkInterfaceId: string }
  | { readonly op: "startInstance"; readonly instance: HostInstance }
  | { readonly op: "stopInstance"; readonly instanceId: string }
  | { readonly op: "terminateInstance"; readonly instanceId: string }
  | {
      readonly op: "attachVolume";
      readonly volumeId: string;
      readonly instanceId: string;
      readonly device: string;
    }
  | {
      readonly op: "detachVolume";
      readonly volumeId: string;
      readonly instanceId: string;
      readonly force: boolean;
    }
  | {
      readonly op: "attachInterface";
      readonly networkInterfaceId: string;
      readonly instanceId: string;
      readonly deviceIndex: number;
    }
  | {
      readonly op: "detachInterface";
      readonly networkInterfaceId: string;
      readonly instanceId: string;
      readonly force: boolean;
    }
  | {
      readonly op: "associateAddress";
      readonly publicIp: string;
      readonly networkInterfaceId: string;
      readonly privateIpAddress: string;
    }
  | { readonly op: "disassociateAddress"; readonly publicIp: string; readonly networkInterfaceId: string }
  | { readonly op: "close" };

/**
 * The default backend: no data plane at all. Every call succeeds at once and is appended to `calls`,
 * so tests can check what a real data plane would have been asked to do.
 */
export class MemoryHostBackend implements HostBackend {
  readonly calls: BackendCall[] = [];

  async createVolume(volume: HostVolume): Promise<void> {
    this.calls.push({ op: "createVolume", volume });
  }

  async deleteVolume(volumeId: string): Promise<void> {
    this.calls.push({ op: "deleteVolume", volumeId });
  }

  async createInterface(networkInterface: HostInterface): Promise<void> {
    this.calls.push({ op: "createInterface", networkInterface });
  }

  async deleteInterface(networkInterfaceId: string): Promise<void> {
    this.calls.push({ op: "deleteInterface", networkInterfaceId });
  }

  async startInstance(instance: HostInstance): Promise<void> {
    this.calls.push({ op: "startInstance", instance });
  }

  async stopInstance(instanceId: string): Promise<void> {
    this.calls.push({ op: "stopInstance", instanceId });
  }

  async terminateInstance(instanceId: string): Promise<void> {
    this.calls.push({ op: "terminateInstance", instanceId });
  }

  async attachVolume(volumeId: string, instanceId: string, device: string): Promise<void> {
    this.calls.push({ op: "attachVolume", volumeId, instanceId, device });
  }

  async detachVolume(volumeId: string, instanceId: string, options: { force: boolean }): Promise<void> {
    this.calls.push({ op: "detachVolume", volumeId, instanceId, force: options.force });
  }

  async attachInterface(networkInterfaceId: string, instanceId: string, deviceIndex: number): Promise<void> {
    this.calls.push({ op: "attachInterface", networkInterfaceId, instanceId, deviceIndex });
  }

  async detachInterface(
    networkInterfaceId: string,
    instanceId: string,
    options: { force: boolean },
  ): Promise<void> {
    this.calls.push({ op: "detachInterface", networkInterfaceId, instanceId, force: options.force });
  }

  async associateAddress(
    publicIp: string,
    networkInterfaceId: string,
    privateIpAddress: string,
  ): Promise<void> {
    this.calls.push({ op: "associateAddress", publicIp, networkInterfaceId, privateIpAddress });
  }

  async disassociateAddress(publicIp: string, networkInterfaceId: string): Promise<void> {
    this.calls.push({ op: "disassociateAddress", publicIp, networkInterfaceId });
  }

  async close(): Promise<void> {
    this.calls.push({ op: "close" });
  }
}
