import type {
  DryRunCall,
  Ec2Compute,
  InstanceState,
  InstanceView,
  InterfaceView,
  LaunchRequest,
  VolumeView,
} from "../../src/drivers/live/hop/ec2-compute.js";
import { CloudApiError } from "../../src/errors.js";

interface FakeInstance {
  id: string;
  state: InstanceState;
  request: LaunchRequest;
  /** DescribeInstances calls that still answer "not found" (eventual consistency). */
  invisibleFor: number;
}

/**
 * An Ec2Compute that is a fake: state changes at once, ClientToken idempotency as EC2 has it, and
 * switches for what the emulator cannot do: a launch whose response is lost, ids not yet visible.
 * It keeps the interface's error contract (ec2-compute-contract.test.ts); it holds one volume and one
 * ENI, whatever their ids, unless `ids` names them.
 */
export class FakeEc2Compute implements Ec2Compute {
  readonly instances = new Map<string, FakeInstance>();
  readonly calls: string[] = [];
  volume: { instanceId: string } | null = null;
  eni: { instanceId: string; attachmentId: string } | null = null;
  /** The next N launches happen but their response is lost (a network error reaches the caller). */
  loseLaunchResponses = 0;
  /** New instances stay invisible to this many DescribeInstances calls. */
  invisibleFor = 0;
  /** Actions whose permission is missing: tried with DryRun they answer UnauthorizedOperation. */
  readonly denied = new Set<DryRunCall["action"]>();
  private readonly tokens = new Map<string, string>();
  private next = 1;

  constructor(private readonly ids: { readonly volumeId?: string; readonly interfaceId?: string } = {}) {}

  add(id: string, tags: Record<string, string>): void {
    const request = {
      clientToken: id,
      imageId: "ami-0",
      instanceType: "m4.large",
      zone: "z",
      lifecycle: "on-demand",
      tags,
    } as const;
    this.instances.set(id, { id, state: "running", request, invisibleFor: 0 });
  }

  async dryRun(call: DryRunCall): Promise<void> {
    this.calls.push(`DryRun ${call.action}`);
    if (this.denied.has(call.action)) {
      throw new CloudApiError(
        "UnauthorizedOperation",
        `${call.action}: You are not authorized to perform this operation.`,
      );
    }
  }

  async runInstance(request: LaunchRequest): Promise<InstanceView> {
    this.calls.push("RunInstances");
    let id = this.tokens.get(request.clientToken);
    if (id === undefined) {
      id = `i-fake${this.next++}`;
      this.tokens.set(request.clientToken, id);
      this.instances.set(id, { id, state: "running", request, invisibleFor: this.invisibleFor });
    }
    if (this.loseLaunchResponses > 0) {
      this.loseLaunchResponses -= 1;
      throw new CloudApiError("Network", "RunInstances: could not reach EC2 (ECONNRESET)", {
        retryable: true,
      });
    }
    return this.view(this.instances.get(id)!);
  }

  async describeInstance(id: string): Promise<InstanceView | null> {
    this.calls.push("DescribeInstances");
    const i = this.instances.get(id);
    if (i === undefined) return null;
    if (i.invisibleFor > 0) {
      i.invisibleFor -= 1;
      return null;
    }
    return this.view(i);
  }

  async findInstances(filters: {
    tags?: Record<string, string>;
    clientToken?: string;
  }): Promise<InstanceView[]> {
    this.calls.push("DescribeInstances");
    return [...this.instances.values()]
      .filter((i) => i.state !== "terminated")
      .filter((i) => filters.clientToken === undefined || i.request.clientToken === filters.clientToken)
      .filter((i) => Object.entries(filters.tags ?? {}).every(([k, v]) => i.request.tags[k] === v))
      .map((i) => this.view(i));
  }

  async terminateInstance(id: string): Promise<void> {
    this.calls.push("TerminateInstances");
    this.instance(id).state = "terminated";
    if (this.volume?.instanceId === id) this.volume = null;
    if (this.eni?.instanceId === id) this.eni = null;
  }

  async describeVolume(id: string): Promise<VolumeView> {
    this.known("volume", id);
    return {
      id,
      state: this.volume ? "in-use" : "available",
      attachment: this.volume && { instanceId: this.volume.instanceId, state: "attached" },
    };
  }

  async attachVolume(volumeId: string, instanceId: string, _device: string): Promise<void> {
    this.calls.push("AttachVolume");
    this.known("volume", volumeId);
    this.running(instanceId);
    if (this.volume !== null)
      throw new CloudApiError("VolumeInUse", `${volumeId} is already attached to an instance`);
    this.volume = { instanceId };
  }

  async detachVolume(volumeId: string, instanceId: string, _force: boolean): Promise<void> {
    this.calls.push("DetachVolume");
    this.known("volume", volumeId);
    if (this.volume === null)
      throw new CloudApiError("IncorrectState", `Volume '${volumeId}' is in the 'available' state.`);
    if (this.volume.instanceId !== instanceId) {
      throw new CloudApiError(
        "InvalidAttachment.NotFound",
        `Volume '${volumeId}' can not be detached from '${instanceId}' because it is not attached there`,
      );
    }
    this.volume = null;
  }

  async describeInterface(id: string): Promise<InterfaceView> {
    this.known("interface", id);
    return {
      id,
      status: this.eni ? "in-use" : "available",
      attachment: this.eni && { ...this.eni, state: "attached" },
    };
  }

  async attachInterface(interfaceId: string, instanceId: string, _deviceIndex: number): Promise<void> {
    this.calls.push("AttachNetworkInterface");
    this.known("interface", interfaceId);
    this.running(instanceId);
    if (this.eni !== null)
      throw new CloudApiError("InvalidNetworkInterface.InUse", `Interface: [${interfaceId}] in use.`);
    this.eni = { instanceId, attachmentId: `eni-attach-${this.next++}` };
  }

  async detachInterface(attachmentId: string): Promise<void> {
    this.calls.push("DetachNetworkInterface");
    if (this.eni?.attachmentId !== attachmentId) {
      throw new CloudApiError(
        "InvalidAttachmentID.NotFound",
        `The attachment ID '${attachmentId}' does not exist`,
      );
    }
    this.eni = null;
  }

  private instance(id: string): FakeInstance {
    const found = this.instances.get(id);
    if (found === undefined)
      throw new CloudApiError("InvalidInstanceID.NotFound", `The instance ID '${id}' does not exist`);
    return found;
  }

  /** Attachments need a running instance, as EC2's do. */
  private running(id: string): void {
    const { state } = this.instance(id);
    if (state !== "running")
      throw new CloudApiError("IncorrectState", `Instance '${id}' is not 'running' (${state}).`);
  }

  private known(kind: "volume" | "interface", id: string): void {
    const expected = kind === "volume" ? this.ids.volumeId : this.ids.interfaceId;
    if (expected === undefined || expected === id) return;
    throw kind === "volume"
      ? new CloudApiError("InvalidVolume.NotFound", `The volume '${id}' does not exist.`)
      : new CloudApiError(
          "InvalidNetworkInterfaceID.NotFound",
          `The networkInterface ID '${id}' does not exist`,
        );
  }

  private view(i: FakeInstance): InstanceView {
    return {
      id: i.id,
      state: i.state,
      instanceType: i.request.instanceType,
      zone: i.request.zone,
      lifecycle: i.request.lifecycle,
      tags: i.request.tags,
      stateReason: "",
    };
  }
}
