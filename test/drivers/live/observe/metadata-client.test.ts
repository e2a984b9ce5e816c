import { RunInstancesCommand } from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it } from "vitest";
import { ACCOUNT_ID } from "../../../../src/cloud/local/world.js";
import { createEc2Compute } from "../../../../src/drivers/live/hop/ec2-compute.js";
import { MetadataClient } from "../../../../src/drivers/live/observe/metadata-client.js";
import { CloudApiError } from "../../../../src/errors.js";
import { AMI, harness, type Harness } from "../../../support/emulator-harness.js";

describe("MetadataClient (EC2 emulator's instance metadata)", () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it("reads the instance's own id with an IMDSv2 token, and 404 as null", async () => {
    h = await harness({ latency: { factor: 1 } });
    const launched = await h.ec2.send(
      new RunInstancesCommand({ ImageId: AMI, InstanceType: "m4.large", MinCount: 1, MaxCount: 1 }),
    );
    const id = launched.Instances![0].InstanceId!;
    const metadata = new MetadataClient({
      baseUrl: h.emulator.metadataEndpoint(id),
      clock: { now: () => h.clock.now() },
    });
    expect(await metadata.instanceId()).toBe(id);
    expect(await metadata.read("/latest/meta-data/instance-type")).toBe("m4.large");
    expect(await metadata.read("/latest/meta-data/spot/instance-action")).toBeNull();
  });
});

describe("a target's instance profile (real SDK, EC2 emulator, its metadata)", () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it("RunInstances with a profile name: the instance's metadata names its ARN; without one: null", async () => {
    h = await harness({ latency: { factor: 1 } });
    const compute = createEc2Compute(h.ec2, "us-east-1");
    const launch = (instanceProfile?: string) =>
      compute.runInstance({
        clientToken: `token-${instanceProfile ?? "none"}`,
        imageId: AMI,
        instanceType: "m4.large",
        zone: "us-east-1a",
        lifecycle: "on-demand",
        tags: {},
        instanceProfile,
      });
    const withProfile = await launch("hotspot-controller");
    const withArn = await launch("arn:aws:iam::123456789012:instance-profile/other");
    const without = await launch();
    const profileOf = (id: string) =>
      new MetadataClient({
        baseUrl: h.emulator.metadataEndpoint(id),
        clock: { now: () => h.clock.now() },
      }).instanceProfileArn();
    expect(await profileOf(withProfile.id)).toBe(
      `arn:aws:iam::${ACCOUNT_ID}:instance-profile/hotspot-controller`,
    );
    expect(await profileOf(withArn.id)).toBe("arn:aws:iam::123456789012:instance-profile/other");
    expect(await profileOf(without.id)).toBeNull();
  });
});

describe("MetadataClient (fake fetch)", () => {
  const answering = (id: string) =>
    (async (input: string | URL | Request, init?: RequestInit) => {
      const path = new URL(String(input)).pathname;
      if (init?.method === "PUT") return new Response("token-1", { status: 200 });
      return new Response(path === "/latest/meta-data/instance-id" ? id : "", { status: 200 });
    }) as typeof fetch;

  it("refuses an instance id that is not one, saying what came", async () => {
    const metadata = new MetadataClient({
      baseUrl: "http://imds",
      fetch: answering("<html>"),
      clock: { now: () => 0 },
    });
    const error = await metadata.instanceId().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudApiError);
    expect((error as Error).message).toBe(
      'instance metadata http://imds/latest/meta-data/instance-id: expected an instance id such as i-0123456789abcdef0, got "<html>"',
    );
  });
});
