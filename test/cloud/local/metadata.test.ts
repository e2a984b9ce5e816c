import { RunInstancesCommand } from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { INSTANCE_HEADER } from "../../../src/cloud/local/metadata.js";
import { AMI, harness, type Harness } from "../../support/emulator-harness.js";

let h: Harness;
let id: string;
beforeEach(async () => {
  h = await harness();
  const out = await h.ec2.send(
    new RunInstancesCommand({
      ImageId: AMI,
      InstanceType: "m5.large",
      MinCount: 1,
      MaxCount: 1,
      Placement: { AvailabilityZone: "us-east-1b" },
      UserData: Buffer.from("#!/bin/sh\necho hi\n").toString("base64"),
    }),
  );
  id = out.Instances![0].InstanceId!;
  await h.clock.advance(310);
});
afterEach(async () => {
  await h.close();
});

async function get(
  path: string,
  headers: Record<string, string> = {},
  base = h.emulator.metadataEndpoint(id),
) {
  const res = await fetch(`${base}${path}`, { headers });
  return { status: res.status, body: await res.text() };
}

describe("instance metadata (IMDS) of the emulator", () => {
  it("serves the instance's facts and its user data, decoded", async () => {
    const instance = h.emulator.state.instances.get(id)!;
    expect(await get("/latest/meta-data/instance-id")).toEqual({ status: 200, body: id });
    expect((await get("/latest/meta-data/instance-type")).body).toBe("m5.large");
    expect((await get("/latest/meta-data/placement/availability-zone")).body).toBe("us-east-1b");
    expect((await get("/latest/meta-data/placement/region")).body).toBe("us-east-1");
    expect((await get("/latest/meta-data/instance-life-cycle")).body).toBe("on-demand");
    expect((await get("/latest/meta-data/local-ipv4")).body).toBe(instance.privateIp);
    expect((await get("/latest/user-data")).body).toBe("#!/bin/sh\necho hi\n");
  });

  it("lists only the keys it has: no spot notice, rebalance or IAM info here", async () => {
    expect((await get("/latest/meta-data/")).body.split("\n")).toEqual([
      "instance-id",
      "instance-type",
      "ami-id",
      "local-ipv4",
      "mac",
      "instance-life-cycle",
      "placement/availability-zone",
      "placement/region",
    ]);
    expect(await get("/latest/meta-data/spot/instance-action")).toEqual({ status: 404, body: "Not Found" });
  });

  it("finds the instance by the X-Hotspot-Instance-Id header without the path prefix; an unknown one is 404", async () => {
    expect(
      await get("/latest/meta-data/instance-id", { [INSTANCE_HEADER]: id }, h.emulator.metadataBase),
    ).toEqual({
      status: 200,
      body: id,
    });
    expect((await get("/latest/meta-data/instance-id", {}, h.emulator.metadataBase)).status).toBe(404);
    expect(
      (await get("/latest/meta-data/instance-id", {}, h.emulator.metadataEndpoint("i-00000000000000000")))
        .status,
    ).toBe(404);
  });

  it("issues IMDSv2 tokens per instance, valid for their TTL on the emulator's clock", async () => {
    const put = await fetch(`${h.emulator.metadataEndpoint(id)}/latest/api/token`, {
      method: "PUT",
      headers: { "x-aws-ec2-metadata-token-ttl-seconds": "60" },
    });
    expect(put.status).toBe(200);
    expect(put.headers.get("x-aws-ec2-metadata-token-ttl-seconds")).toBe("60");
    const token = await put.text();
    const withToken = { "x-aws-ec2-metadata-token": token };
    expect((await get("/latest/meta-data/instance-id", withToken)).status).toBe(200);
    expect(
      (await get("/latest/meta-data/instance-id", { "x-aws-ec2-metadata-token": "forged" })).status,
    ).toBe(401);
    await h.clock.advance(60_000);
    expect(await get("/latest/meta-data/instance-id", withToken)).toEqual({
      status: 401,
      body: "Unauthorized",
    });
    const tooLong = await fetch(`${h.emulator.metadataEndpoint(id)}/latest/api/token`, {
      method: "PUT",
      headers: { "x-aws-ec2-metadata-token-ttl-seconds": "21601" },
    });
    expect(tooLong.status).toBe(400);
    const post = await fetch(`${h.emulator.metadataEndpoint(id)}/latest/meta-data/instance-id`, {
      method: "POST",
    });
    expect(post.status).toBe(405);
  });
});
