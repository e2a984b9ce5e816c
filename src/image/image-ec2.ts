import {
  CreateImageCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSubnetsCommand,
  EC2Client,
  GetConsoleOutputCommand,
  RegisterImageCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type _InstanceType,
  type Filter,
  type Image,
  type Tag,
} from "@aws-sdk/client-ec2";
import { sdkCaller, toCloudApiError } from "../cloud/ec2-client.js";
import { CloudApiError } from "../errors.js";

/** An image as `hotspot image` needs it. */
export interface FoundImage {
  readonly id: string;
  readonly name: string;
  readonly ownerId: string;
  readonly architecture: string;
  readonly state: string;
  /** ISO time. */
  readonly creationDate: string;
  readonly snapshotIds: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
}

export interface ImageQuery {
  readonly ids?: readonly string[];
  /** Account ids or `self`. */
  readonly owners?: readonly string[];
  /** EC2 filters, e.g. `{ name: "tag:hotspot:setup", values: ["t1"] }`. */
  readonly filters?: ReadonlyArray<{ readonly name: string; readonly values: readonly string[] }>;
}

export interface BuilderLaunch {
  readonly imageId: string;
  readonly instanceType: string;
  readonly subnetId: string;
  /** The script, as text (base64-encoded here). */
  readonly userData: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Idempotency: a retried launch with the same token returns the same builder. */
  readonly clientToken: string;
}

/** The permission check of one call: DryRun's answer. */
export type Permission = "allowed" | "denied";

/**
 * The EC2 calls `hotspot image` makes, kept narrow so tests and emulators can stand in for it.
 * Every method throws CloudApiError (with EC2's code in `apiCode`) for API failures.
 */
export interface ImageEc2 {
  readonly region: string;
  findImages(query: ImageQuery): Promise<FoundImage[]>;
  subnetZone(subnetId: string): Promise<string>;
  /** DryRun of RunInstances with exactly the builder's parameters (its tags ask for ec2:CreateTags too). */
  canLaunch(launch: BuilderLaunch): Promise<Permission>;
  /** DryRun of an action on a placeholder id: only a denial means something. */
  canCall(action: "CreateImage" | "TerminateInstances" | "GetConsoleOutput"): Promise<Permission>;
  launchBuilder(launch: BuilderLaunch): Promise<string>;
  /** The instance's state name and state reason code (if any). */
  instanceState(instanceId: string): Promise<{ state: string; reason?: string }>;
  consoleOutput(instanceId: string): Promise<string>;
  createImage(
    instanceId: string,
    name: string,
    description: string,
    tags: Readonly<Record<string, string>>,
  ): Promise<string>;
  /** RegisterImage of the local cloud's own filesystem (ImageLocation `hotspot-local:host-root`). */
  registerLocalImage(
    name: string,
    architecture: string,
    description: string,
    tags: Readonly<Record<string, string>>,
  ): Promise<string>;
  terminate(instanceId: string): Promise<void>;
  deregister(imageId: string): Promise<void>;
  deleteSnapshot(snapshotId: string): Promise<void>;
}

/** The marker RegisterImage takes for the local cloud's own filesystem (the emulator knows it). */
export const LOCAL_IMAGE_LOCATION = "hotspot-local:host-root";

// A syntactically valid id that names nothing: a DryRun on it answers the permission question.
const PLACEHOLDER_INSTANCE = "i-0000000000000000f";

const tagList = (tags: Readonly<Record<string, string>>): Tag[] =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

function toFound(image: Image): FoundImage {
  return {
    id: image.ImageId ?? "",
    name: image.Name ?? "",
    ownerId: image.OwnerId ?? "",
    architecture: image.Architecture ?? "",
    state: image.State ?? "",
    creationDate: image.CreationDate ?? "",
    snapshotIds: (image.BlockDeviceMappings ?? []).flatMap((b) =>
      b.Ebs?.SnapshotId ? [b.Ebs.SnapshotId] : [],
    ),
    tags: Object.fromEntries((image.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])),
  };
}

/** The real EC2 API; credentials come only from the SDK's default provider chain. */
export function createImageEc2(options: {
  region: string;
  endpoint?: string;
}): ImageEc2 & { destroy(): void } {
  const client = new EC2Client({ region: options.region, endpoint: options.endpoint });
  const region = options.region;
  // Every call goes through here so any failure becomes a CloudApiError with credentials scrubbed.
  const call = sdkCaller(client, region);
  // DryRunOperation means permitted; UnauthorizedOperation means the IAM permission is missing.
  async function dryRun(
    operation: string,
    run: () => Promise<unknown>,
    placeholder: boolean,
  ): Promise<Permission> {
    try {
      await run();
    } catch (error) {
      const code = (error as { name?: string }).name ?? "";
      if (code === "DryRunOperation") return "allowed";
      if (code === "UnauthorizedOperation") return "denied";
      // On a placeholder id EC2 may check the id before the permission: not an answer, so not a denial.
      if (placeholder && /^Invalid.*\.(NotFound|Malformed)$/.test(code)) return "allowed";
      throw await toCloudApiError(error, operation, region, client);
    }
    throw new CloudApiError(
      "Unknown",
      `${operation} in ${region}: a DryRun request succeeded, which EC2 never does`,
    );
  }
  const runInput = (launch: BuilderLaunch, dry: boolean) =>
    new RunInstancesCommand({
      ImageId: launch.imageId,
      InstanceType: launch.instanceType as _InstanceType,
      MinCount: 1,
      MaxCount: 1,
      SubnetId: launch.subnetId,
      UserData: Buffer.from(launch.userData, "utf8").toString("base64"),
      InstanceInitiatedShutdownBehavior: "stop",
      ClientToken: launch.clientToken,
      TagSpecifications: [{ ResourceType: "instance", Tags: tagList(launch.tags) }],
      DryRun: dry,
    });
  return {
    region,
    destroy: () => client.destroy(),
    findImages: (query) =>
      call("DescribeImages", async () => {
        const found: FoundImage[] = [];
        let token: string | undefined;
        do {
          const ids = query.ids !== undefined && query.ids.length > 0 ? [...query.ids] : undefined;
          const out = await client.send(
            new DescribeImagesCommand({
              ImageIds: ids,
              Owners: query.owners && query.owners.length > 0 ? [...query.owners] : undefined,
              Filters: query.filters?.map((f): Filter => ({ Name: f.name, Values: [...f.values] })),
              MaxResults: ids === undefined ? 1000 : undefined,
              NextToken: token,
            }),
          );
          found.push(...(out.Images ?? []).map(toFound));
          token = out.NextToken;
        } while (token !== undefined && token !== "");
        return found;
      }),
    subnetZone: (subnetId) =>
      call("DescribeSubnets", async () => {
        const out = await client.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }));
        const zone = out.Subnets?.[0]?.AvailabilityZone;
        if (zone === undefined)
          throw new CloudApiError("Unknown", `DescribeSubnets in ${region}: no zone for ${subnetId}`);
        return zone;
      }),
    canLaunch: (launch) => dryRun("RunInstances", () => client.send(runInput(launch, true)), false),
    canCall: (action) => {
      switch (action) {
        case "CreateImage":
          return dryRun(
            action,
            () =>
              client.send(
                new CreateImageCommand({
                  InstanceId: PLACEHOLDER_INSTANCE,
                  Name: "hotspot-dry-run",
                  DryRun: true,
                }),
              ),
            true,
          );
        case "TerminateInstances":
          return dryRun(
            action,
            () =>
              client.send(
                new TerminateInstancesCommand({ InstanceIds: [PLACEHOLDER_INSTANCE], DryRun: true }),
              ),
            true,
          );
        case "GetConsoleOutput":
          return dryRun(
            action,
            () =>
              client.send(new GetConsoleOutputCommand({ InstanceId: PLACEHOLDER_INSTANCE, DryRun: true })),
            true,
          );
      }
    },
    launchBuilder: (launch) =>
      call("RunInstances", async () => {
        const out = await client.send(runInput(launch, false));
        const id = out.Instances?.[0]?.InstanceId;
        if (id === undefined)
          throw new CloudApiError("Unknown", `RunInstances in ${region}: no instance id returned`);
        return id;
      }),
    instanceState: (instanceId) =>
      call("DescribeInstances", async () => {
        const out = await client.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
        const instance = out.Reservations?.[0]?.Instances?.[0];
        return { state: instance?.State?.Name ?? "unknown", reason: instance?.StateReason?.Code };
      }),
    consoleOutput: (instanceId) =>
      call("GetConsoleOutput", async () => {
        const out = await client.send(new GetConsoleOutputCommand({ InstanceId: instanceId, Latest: true }));
        return out.Output === undefined ? "" : Buffer.from(out.Output, "base64").toString("utf8");
      }),
    createImage: (instanceId, name, description, tags) =>
      call("CreateImage", async () => {
        const out = await client.send(
          new CreateImageCommand({
            InstanceId: instanceId,
            Name: name,
            Description: description,
            TagSpecifications: [
              { ResourceType: "image", Tags: tagList(tags) },
              { ResourceType: "snapshot", Tags: tagList(tags) },
            ],
          }),
        );
        if (out.ImageId === undefined)
          throw new CloudApiError("Unknown", `CreateImage in ${region}: no image id returned`);
        return out.ImageId;
      }),
    registerLocalImage: (name, architecture, description, tags) =>
      call("RegisterImage", async () => {
        const out = await client.send(
          new RegisterImageCommand({
            Name: name,
            Architecture: architecture as "x86_64" | "arm64",
            Description: description,
            ImageLocation: LOCAL_IMAGE_LOCATION,
            TagSpecifications: [{ ResourceType: "image", Tags: tagList(tags) }],
          }),
        );
        if (out.ImageId === undefined)
          throw new CloudApiError("Unknown", `RegisterImage in ${region}: no image id returned`);
        return out.ImageId;
      }),
    terminate: (instanceId) =>
      call("TerminateInstances", async () => {
        await client.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
      }),
    deregister: (imageId) =>
      call("DeregisterImage", async () => {
        await client.send(new DeregisterImageCommand({ ImageId: imageId }));
      }),
    deleteSnapshot: (snapshotId) =>
      call("DeleteSnapshot", async () => {
        await client.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
      }),
  };
}
