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
    this.instances.get(id)!.state = "terminated";
    if (this.volume?.instanceId === id) this.volume = null;
    if (this.eni?.instanceId === id) this.eni = null;
  }

  async describeVolume(id: string): Promise<VolumeView> {
    return {
      id,
      state: this.volume ? "in-use" : "available",
      attachment: this.volume && { instanceId: this.volume.instanceId, state: "attached" },
    };
  }

  async attachVolume(_volumeId: string, instanceId: string): Promise<void> {
    this.calls.push("AttachVolume");
    this.volume = { instanceId };
  }

  async detachVolume(_volumeId: string, _instanceId: string, _force: boolean): Promise<void> {
    this.calls.push("DetachVolume");
    this.volume = null;
  }

  async describeInterface(id: string): Promise<InterfaceView> {
    return {
      id,
      status: this.eni ? "in-use" : "available",
      attachment: this.eni && { ...this.eni, state: "attached" },
    };
  }

  async attachInterface(_interfaceId: string, instanceId: string): Promise<void> {
    this.calls.push("AttachNetworkInterface");
    this.eni = { instanceId, attachmentId: `eni-attach-${this.next++}` };
  }

  async detachInterface(): Promise<void> {
    this.calls.push("DetachNetworkInterface");
    this.eni = null;
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
