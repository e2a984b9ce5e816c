import {
  AttachNetworkInterfaceCommand,
  AttachVolumeCommand,
  CreateTagsCommand,
  DeleteVolumeCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSubnetsCommand,
  DescribeVolumesCommand,
  DetachNetworkInterfaceCommand,
  DetachVolumeCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  EC2Client,
  type Filter,
  type Instance,
  type _InstanceType,
} from "@aws-sdk/client-ec2";
import { sdkCaller } from "../../../cloud/ec2-client.js";
import { CloudApiError } from "../../../errors.js";

export type Lifecycle = "spot" | "on-demand";

export type InstanceState = "pending" | "running" | "shutting-down" | "terminated" | "stopping" | "stopped";

/** One instance as a hop needs to see it. */
export interface InstanceView {
  readonly id: string;
  readonly state: InstanceState;
  readonly instanceType: string;
  readonly zone: string;
  readonly lifecycle: Lifecycle;
  readonly tags: Readonly<Record<string, string>>;
  /** EC2's state reason code, e.g. `Server.SpotInstanceTermination`; empty when none. */
  readonly stateReason: string;
}

export interface LaunchRequest {
  /** Idempotency: a repeat with the same token returns the instance the first request launched. */
  readonly clientToken: string;
  readonly imageId: string;
  readonly instanceType: string;
  readonly zone: string;
  readonly lifecycle: Lifecycle;
  /** Spot only: the most USD/hour to pay; absent means up to the on-demand price. */
  readonly maxPrice?: string;
  readonly subnetId?: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Base64, as RunInstances takes it. */
  readonly userData?: string;
  /** The instance profile (ARN, or name) whose role the target's software runs with. */
  readonly instanceProfile?: string;
}

export type AttachmentState = "attaching" | "attached" | "detaching" | "detached" | "busy";

export interface VolumeView {
  readonly id: string;
  readonly state: string;
  readonly attachment: { readonly instanceId: string; readonly state: AttachmentState } | null;
}

export interface InterfaceView {
  readonly id: string;
  readonly status: string;
  readonly attachment: {
    readonly attachmentId: string;
    readonly instanceId: string;
    readonly state: AttachmentState;
  } | null;
}

/** One call of a hop, as preflight tries it with DryRun. */
export type DryRunCall =
  | { readonly action: "RunInstances"; readonly request: LaunchRequest }
  | { readonly action: "TerminateInstances"; readonly instanceId: string }
  | {
      readonly action: "CreateTags";
      readonly resourceId: string;
      readonly tags: Readonly<Record<string, string>>;
    }
  | {
      readonly action: "AttachVolume";
      readonly volumeId: string;
      readonly instanceId: string;
      readonly device: string;
    }
  | { readonly action: "DetachVolume"; readonly volumeId: string; readonly instanceId: string }
  | {
      readonly action: "AttachNetworkInterface";
      readonly interfaceId: string;
      readonly instanceId: string;
      readonly deviceIndex: number;
    }
  | { readonly action: "DetachNetworkInterface"; readonly attachmentId: string };

/**
 * The EC2 calls one hop makes, kept narrow.
 *
 * Error contract (every method; checked against the SDK adapter over the local cloud's emulator and
 * the tests' fake in test/drivers/live/hop/ec2-compute-contract.test.ts): failures are CloudApiError
 * with EC2's code as `apiCode` (`code` is `HOTSPOT_CLOUD_<apiCode>`), never another class.
 * `retryable` is true exactly for what waiting can cure (withRetry, retry.ts): throttling
 * (`RequestLimitExceeded`, `Throttling`), EC2's server faults (`InternalError`, `Unavailable`), the
 * network (`Network`: the request may have been carried out) and capacity (see `runInstance`); false
 * for the rest, among them missing permissions (`UnauthorizedOperation`, `AuthFailure`: the message
 * names the action) and no credentials (`NoCredentials`). Mutations are asynchronous as in EC2: they
 * return once accepted, and the describe calls show the states they pass through. Each method below
 * names the codes it throws beyond these.
 */
export interface Ec2Compute {
  /**
   * `call` sent with DryRun: resolves when EC2 answers DryRunOperation (it would have succeeded);
   * otherwise throws its CloudApiError (UnauthorizedOperation: the permission is missing; any other
   * code: the call as given would fail, e.g. InvalidParameterValue), and `DryRunIgnored` when EC2
   * acted instead of answering DryRunOperation. Acts on nothing.
   */
  dryRun(call: DryRunCall): Promise<void>;
  /**
   * Launches one instance, or returns the one an earlier request with the same `clientToken`
   * launched. No capacity: `InsufficientInstanceCapacity` (or `InsufficientHostCapacity`,
   * `InsufficientCapacity`), retryable, which retry.ts tries only `capacityAttempts` times; spot only:
   * `SpotMaxPriceTooLow` and `MaxSpotInstanceCountExceeded`, not retryable (isCapacityError counts
   * all five). A request EC2 refuses as given: `InvalidParameterValue`, `InvalidAMIID.NotFound`,
   * `InvalidSubnetID.NotFound`, `InvalidParameterCombination`, not retryable. `Network` after the
   * launch was carried out is why the token exists: a repeat returns that instance.
   */
  runInstance(request: LaunchRequest): Promise<InstanceView>;
  /**
   * The instance, in any state (a terminated one while EC2 still lists it); null for an id EC2 does
   * not know, which right after a launch is eventual consistency (callers poll again). Throws only
   * the common errors.
   */
  describeInstance(id: string): Promise<InstanceView | null>;
  /** Instances that carry every given tag, in any state except terminated; [] when none. Throws only the common errors. */
  findInstances(filters: {
    readonly tags?: Readonly<Record<string, string>>;
    readonly clientToken?: string;
  }): Promise<InstanceView[]>;
  /**
   * Ends the instance; one already shutting down or terminated is no error (idempotent). An id EC2
   * does not know: `InvalidInstanceID.NotFound`.
   */
  terminateInstance(id: string): Promise<void>;
  /** An id EC2 does not know: `InvalidVolume.NotFound`. */
  describeVolume(id: string): Promise<VolumeView>;
  /**
   * Starts attaching (the view shows `attaching`, then `attached`). Already attached, to any instance
   * or still detaching from one: `VolumeInUse` (or `IncorrectState` while not `available`); the
   * instance not running: `IncorrectState`; unknown ids: `InvalidVolume.NotFound`,
   * `InvalidInstanceID.NotFound`; another zone: `InvalidVolume.ZoneMismatch`; `device` taken on the
   * instance: `InvalidParameterValue`. None retryable.
   */
  attachVolume(volumeId: string, instanceId: string, device: string): Promise<void>;
  /**
   * Starts detaching (`detaching`, then no attachment); again while detaching is no error (`force`
   * hurries it). Not attached at all: `IncorrectState`; attached to another instance:
   * `InvalidAttachment.NotFound`; still attaching without `force`: `IncorrectState`; unknown volume:
   * `InvalidVolume.NotFound`. None retryable; the hop treats the first two as already done
   * (attachments.ts).
   */
  detachVolume(volumeId: string, instanceId: string, force: boolean): Promise<void>;
  /** An id EC2 does not know: `InvalidNetworkInterfaceID.NotFound`. */
  describeInterface(id: string): Promise<InterfaceView>;
  /**
   * Starts attaching at `deviceIndex`. Already attached (or not yet `available`):
   * `InvalidNetworkInterface.InUse`; the instance not running: `IncorrectState`; unknown ids:
   * `InvalidNetworkInterfaceID.NotFound`, `InvalidInstanceID.NotFound`; the index taken, or another
   * zone: `InvalidParameterValue`, `InvalidParameterCombination`. None retryable.
   */
  attachInterface(interfaceId: string, instanceId: string, deviceIndex: number): Promise<void>;
  /**
   * Starts detaching; again while detaching is no error (`force` hurries it). An attachment that no
   * longer exists (detached already): `InvalidAttachmentID.NotFound`; still attaching:
   * `IncorrectState`. None retryable; the hop treats both as already done (attachments.ts).
   */
  detachInterface(attachmentId: string, force: boolean): Promise<void>;
}

/** What a host needs to bring the ENI's address up on the interface it appears as. */
export interface InterfaceNetwork {
  readonly mac: string;
  readonly privateIp: string;
  readonly subnetCidr: string;
}

/**
 * A volume's tags, read and written: how the controller publishes its status and hears the operator
 * (`hotspot status`, `stop`, `down`) through EC2 alone. Implementations throw CloudApiError.
 */
export interface VolumeTags {
  read(volumeId: string): Promise<Readonly<Record<string, string>>>;
  write(volumeId: string, tags: Readonly<Record<string, string>>): Promise<void>;
}

/** An SDK client (default credential chain) and Ec2Compute over it; the SDK does not retry, retry.ts does. */
export function connectEc2Compute(options: { readonly region: string; readonly endpoint?: string }): {
  readonly compute: Ec2Compute;
  readonly tags: VolumeTags;
  interfaceNetwork(interfaceId: string): Promise<InterfaceNetwork>;
  /** `hotspot down --delete-volume`: the container's data is gone with it. */
  deleteVolume(volumeId: string): Promise<void>;
  close(): void;
} {
  const client = new EC2Client({ region: options.region, endpoint: options.endpoint, maxAttempts: 1 });
  return {
    compute: createEc2Compute(client, options.region),
    tags: createVolumeTags(client, options.region),
    interfaceNetwork: (id) => describeInterfaceNetwork(client, options.region, id),
    deleteVolume: async (volumeId) => {
      await sdkCaller(client, options.region)("DeleteVolume", () =>
        client.send(new DeleteVolumeCommand({ VolumeId: volumeId })),
      );
    },
    close: () => client.destroy(),
  };
}

/** VolumeTags over DescribeVolumes and CreateTags. */
export function createVolumeTags(client: EC2Client, region: string): VolumeTags {
  const send = sdkCaller(client, region);
  return {
    async read(volumeId) {
      const out = await send("DescribeVolumes", () =>
        client.send(new DescribeVolumesCommand({ VolumeIds: [volumeId] })),
      );
      const volume = out.Volumes?.[0];
      if (volume === undefined)
        throw new CloudApiError("InvalidVolume.NotFound", `volume ${volumeId} not found`);
      return Object.fromEntries((volume.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
    },
    async write(volumeId, tags) {
      await send("CreateTags", () =>
        client.send(
          new CreateTagsCommand({
            Resources: [volumeId],
            Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
          }),
        ),
      );
    },
  };
}

/** The ENI's MAC and primary address and its subnet's CIDR (DescribeNetworkInterfaces, DescribeSubnets). */
export async function describeInterfaceNetwork(
  client: EC2Client,
  region: string,
  id: string,
): Promise<InterfaceNetwork> {
  const send = sdkCaller(client, region);
  const eni = (
    await send("DescribeNetworkInterfaces", () =>
      client.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [id] })),
    )
  ).NetworkInterfaces?.[0];
  if (eni?.MacAddress === undefined || eni.PrivateIpAddress === undefined || eni.SubnetId === undefined) {
    throw new CloudApiError(
      "InvalidNetworkInterfaceID.NotFound",
      `network interface ${id}: expected its MacAddress, PrivateIpAddress and SubnetId, got ${eni === undefined ? "no interface" : "an incomplete description"}`,
    );
  }
  const subnetId = eni.SubnetId;
  const subnet = (
    await send("DescribeSubnets", () => client.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] })))
  ).Subnets?.[0];
  if (subnet?.CidrBlock === undefined) {
    throw new CloudApiError("InvalidSubnetID.NotFound", `subnet ${subnetId} of ${id}: no CidrBlock`);
  }
  return { mac: eni.MacAddress, privateIp: eni.PrivateIpAddress, subnetCidr: subnet.CidrBlock };
}

/** Ec2Compute over @aws-sdk/client-ec2. Give the client `maxAttempts: 1`: retries belong to retry.ts. */
export function createEc2Compute(client: EC2Client, region: string): Ec2Compute {
  const send = sdkCaller(client, region);
  const describeAll = async (input: { InstanceIds?: string[]; Filters?: Filter[] }) => {
    const found: InstanceView[] = [];
    let token: string | undefined;
    do {
      const page = await send("DescribeInstances", () =>
        client.send(new DescribeInstancesCommand({ ...input, NextToken: token })),
      );
      for (const r of page.Reservations ?? []) for (const i of r.Instances ?? []) found.push(toView(i));
      token = page.NextToken || undefined;
    } while (token !== undefined);
    return found;
  };
  const runInput = (request: LaunchRequest, dryRun: boolean) => {
    const spot = request.lifecycle === "spot";
    return new RunInstancesCommand({
      DryRun: dryRun || undefined,
      ClientToken: request.clientToken,
      ImageId: request.imageId,
      // EC2 names new types before the SDK enum lists them, so any string is passed through.
      InstanceType: request.instanceType as _InstanceType,
      MinCount: 1,
      MaxCount: 1,
      Placement: { AvailabilityZone: request.zone },
      SubnetId: request.subnetId,
      UserData: request.userData,
      IamInstanceProfile:
        request.instanceProfile === undefined
          ? undefined
          : request.instanceProfile.startsWith("arn:")
            ? { Arn: request.instanceProfile }
            : { Name: request.instanceProfile },
      InstanceMarketOptions: spot
        ? {
            MarketType: "spot",
            SpotOptions: {
              MaxPrice: request.maxPrice,
              SpotInstanceType: "one-time",
              InstanceInterruptionBehavior: "terminate",
            },
          }
        : undefined,
      TagSpecifications: [
        {
          ResourceType: "instance",
          Tags: Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value })),
        },
      ],
    });
  };
  const dryRunCommand = (call: DryRunCall) => {
    switch (call.action) {
      case "RunInstances":
        return runInput(call.request, true);
      case "TerminateInstances":
        return new TerminateInstancesCommand({ DryRun: true, InstanceIds: [call.instanceId] });
      case "CreateTags":
        return new CreateTagsCommand({
          DryRun: true,
          Resources: [call.resourceId],
          Tags: Object.entries(call.tags).map(([Key, Value]) => ({ Key, Value })),
        });
      case "AttachVolume":
        return new AttachVolumeCommand({
          DryRun: true,
          VolumeId: call.volumeId,
          InstanceId: call.instanceId,
          Device: call.device,
        });
      case "DetachVolume":
        return new DetachVolumeCommand({
          DryRun: true,
          VolumeId: call.volumeId,
          InstanceId: call.instanceId,
        });
      case "AttachNetworkInterface":
        return new AttachNetworkInterfaceCommand({
          DryRun: true,
          NetworkInterfaceId: call.interfaceId,
          InstanceId: call.instanceId,
          DeviceIndex: call.deviceIndex,
        });
      case "DetachNetworkInterface":
        return new DetachNetworkInterfaceCommand({ DryRun: true, AttachmentId: call.attachmentId });
    }
  };
  return {
    async dryRun(call) {
      try {
        // Each command type has its own output type; only the DryRun error matters here.
        await send(call.action, () => client.send(dryRunCommand(call) as RunInstancesCommand));
      } catch (error) {
        if (error instanceof CloudApiError && error.apiCode === "DryRunOperation") return;
        throw error;
      }
      throw new CloudApiError(
        "DryRunIgnored",
        `${call.action} with DryRun succeeded instead of answering DryRunOperation`,
      );
    },
    async runInstance(request) {
      const out = await send("RunInstances", () => client.send(runInput(request, false)));
      const instance = out.Instances?.[0];
      if (instance === undefined) throw new CloudApiError("Unknown", "RunInstances returned no instance");
      return toView(instance);
    },
    async describeInstance(id) {
      try {
        return (await describeAll({ InstanceIds: [id] }))[0] ?? null;
      } catch (error) {
        // Right after launch EC2 may not know the id yet (eventual consistency); callers poll again.
        if (error instanceof CloudApiError && error.apiCode === "InvalidInstanceID.NotFound") return null;
        throw error;
      }
    },
    async findInstances({ tags = {}, clientToken }) {
      const filters: Filter[] = Object.entries(tags).map(([k, v]) => ({ Name: `tag:${k}`, Values: [v] }));
      if (clientToken !== undefined) filters.push({ Name: "client-token", Values: [clientToken] });
      filters.push({
        Name: "instance-state-name",
        Values: ["pending", "running", "shutting-down", "stopping", "stopped"],
      });
      return describeAll({ Filters: filters });
    },
    async terminateInstance(id) {
      await send("TerminateInstances", () =>
        client.send(new TerminateInstancesCommand({ InstanceIds: [id] })),
      );
    },
    async describeVolume(id) {
      const out = await send("DescribeVolumes", () =>
        client.send(new DescribeVolumesCommand({ VolumeIds: [id] })),
      );
      const v = out.Volumes?.[0];
      if (v === undefined) throw new CloudApiError("InvalidVolume.NotFound", `volume ${id} not found`);
      const a = v.Attachments?.[0];
      return {
        id,
        state: v.State ?? "unknown",
        attachment:
          a?.InstanceId === undefined
            ? null
            : { instanceId: a.InstanceId, state: (a.State ?? "attached") as AttachmentState },
      };
    },
    async attachVolume(volumeId, instanceId, device) {
      await send("AttachVolume", () =>
        client.send(new AttachVolumeCommand({ VolumeId: volumeId, InstanceId: instanceId, Device: device })),
      );
    },
    async detachVolume(volumeId, instanceId, force) {
      await send("DetachVolume", () =>
        client.send(new DetachVolumeCommand({ VolumeId: volumeId, InstanceId: instanceId, Force: force })),
      );
    },
    async describeInterface(id) {
      const out = await send("DescribeNetworkInterfaces", () =>
        client.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [id] })),
      );
      const e = out.NetworkInterfaces?.[0];
      if (e === undefined)
        throw new CloudApiError("InvalidNetworkInterfaceID.NotFound", `network interface ${id} not found`);
      const a = e.Attachment;
      return {
        id,
        status: e.Status ?? "unknown",
        attachment:
          a?.InstanceId === undefined || a.AttachmentId === undefined
            ? null
            : {
                attachmentId: a.AttachmentId,
                instanceId: a.InstanceId,
                state: (a.Status ?? "attached") as AttachmentState,
              },
      };
    },
    async attachInterface(interfaceId, instanceId, deviceIndex) {
      await send("AttachNetworkInterface", () =>
        client.send(
          new AttachNetworkInterfaceCommand({
            NetworkInterfaceId: interfaceId,
            InstanceId: instanceId,
            DeviceIndex: deviceIndex,
          }),
        ),
      );
    },
    async detachInterface(attachmentId, force) {
      await send("DetachNetworkInterface", () =>
        client.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachmentId, Force: force })),
      );
    },
  };
}

function toView(i: Instance): InstanceView {
  return {
    id: i.InstanceId ?? "",
    state: (i.State?.Name ?? "pending") as InstanceState,
    instanceType: i.InstanceType ?? "",
    zone: i.Placement?.AvailabilityZone ?? "",
    lifecycle: i.InstanceLifecycle === "spot" ? "spot" : "on-demand",
    tags: Object.fromEntries((i.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])),
    stateReason: i.StateReason?.Code ?? "",
  };
}
