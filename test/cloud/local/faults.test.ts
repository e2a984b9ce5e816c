import {
  AttachVolumeCommand,
  CreateVolumeCommand,
  DescribeInstancesCommand,
  DescribeVolumesCommand,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it } from "vitest";
import { parseFaultScript } from "../../../src/cloud/local/faults.js";
import type { SpotPriceRecord } from "../../../src/cloud/local/spot-prices.js";
import { InputFormatError } from "../../../src/errors.js";
import { AMI, errorOf, harness, START_MS, type Harness } from "../../support/emulator-harness.js";

let h: Harness;

const HOUR = 3_600_000;
const run = (extra: Partial<ConstructorParameters<typeof RunInstancesCommand>[0]> = {}) =>
  new RunInstancesCommand({ ImageId: AMI, InstanceType: "m4.large", MinCount: 1, MaxCount: 1, ...extra });

async function state(id: string): Promise<{ name?: string; reason?: string }> {
  const out = await h.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  const i = out.Reservations![0].Instances![0];
  return { name: i.State?.Name, reason: i.StateReason?.Code };
}

async function metadata(id: string, path: string): Promise<{ status: number; body: string }> {
  const base = h.emulator.metadataEndpoint(id);
  const token = await fetch(`${base}/latest/api/token`, {
    method: "PUT",
    headers: { "X-aws-ec2-metadata-token-ttl-seconds": "21600" },
  });
  expect(token.status).toBe(200);
  const res = await fetch(`${base}${path}`, { headers: { "X-aws-ec2-metadata-token": await token.text() } });
  return { status: res.status, body: await res.text() };
}

describe("injected faults, seen through the real SDK", () => {
  afterEach(async () => {
    await h.close();
  });

  it("InsufficientInstanceCapacity once is retried away by the SDK (HTTP 500); until cleared it surfaces after 3 attempts", async () => {
    h = await harness();
    h.emulator.faults.insufficientCapacity({ instanceType: "m4.large", zone: "us-east-1a", times: 1 });
    const ok = await h.ec2.send(run({ Placement: { AvailabilityZone: "us-east-1a" } }));
    expect(ok.Instances).toHaveLength(1);
    expect(h.emulator.state.requestCounts.get("RunInstances")).toBe(2);
    const fault = h.emulator.faults.insufficientCapacity({ instanceType: "m4.large", zone: "us-east-1a" });
    const err = await errorOf(h.ec2.send(run({ Placement: { AvailabilityZone: "us-east-1a" } })));
    expect(err).toMatchObject({ name: "InsufficientInstanceCapacity", status: 500 });
    expect(err.message).toContain("us-east-1a");
    expect(h.emulator.state.requestCounts.get("RunInstances")).toBe(2 + 3);
    const otherZone = await h.ec2.send(run({ Placement: { AvailabilityZone: "us-east-1b" } }));
    expect(otherZone.Instances![0].Placement?.AvailabilityZone).toBe("us-east-1b");
    fault.clear();
    await h.ec2.send(run({ Placement: { AvailabilityZone: "us-east-1a" } }));
    expect(h.emulator.state.instances.size).toBe(3);
  });

  it("RequestLimitExceeded: the SDK retries throttling (counted server-side); persistent throttling surfaces (HTTP 503)", async () => {
    h = await harness();
    h.emulator.faults.throttle({ action: "DescribeVolumes", times: 2 });
    await h.ec2.send(new DescribeVolumesCommand({}));
    expect(h.emulator.state.requestCounts.get("DescribeVolumes")).toBe(3);
    expect(h.emulator.state.requestLog.map((r) => r.error)).toEqual([
      "RequestLimitExceeded",
      "RequestLimitExceeded",
      null,
    ]);
    h.emulator.faults.throttle({ action: "DescribeVolumes" });
    const err = await errorOf(h.ec2.send(new DescribeVolumesCommand({})));
    expect(err).toMatchObject({ name: "RequestLimitExceeded", status: 503 });
    expect(h.emulator.state.requestCounts.get("DescribeVolumes")).toBe(3 + 3);
    expect(h.emulator.state.requestCounts.get("RunInstances")).toBeUndefined();
  });

  it("IncorrectState injected on an action fails it n times, then the action works", async () => {
    h = await harness();
    const instanceId = (await h.ec2.send(run())).Instances![0].InstanceId!;
    const volumeId = (await h.ec2.send(new CreateVolumeCommand({ AvailabilityZone: "us-east-1a", Size: 8 })))
      .VolumeId!;
    await h.clock.advance(1000);
    h.emulator.faults.incorrectState("AttachVolume", 1);
    const attach = new AttachVolumeCommand({
      VolumeId: volumeId,
      InstanceId: instanceId,
      Device: "/dev/sdf",
    });
    expect((await errorOf(h.ec2.send(attach))).name).toBe("IncorrectState");
    expect((await h.ec2.send(attach)).State).toBe("attaching");
  });

  it("an injected spot interruption: 2-minute notice (scaled) in metadata, rebalance recommendation, then termination", async () => {
    h = await harness();
    const id = (await h.ec2.send(run({ InstanceMarketOptions: { MarketType: "spot" } }))).Instances![0]
      .InstanceId!;
    await h.clock.advance(2000);
    expect(await metadata(id, "/latest/meta-data/instance-id")).toEqual({ status: 200, body: id });
    expect(await metadata(id, "/latest/meta-data/placement/availability-zone")).toEqual({
      status: 200,
      body: "us-east-1a",
    });
    expect((await metadata(id, "/latest/meta-data/spot/instance-action")).status).toBe(404);
    h.emulator.faults.interrupt(id, { afterSeconds: 60 });
    await h.clock.advance(599);
    expect((await metadata(id, "/latest/meta-data/spot/instance-action")).status).toBe(404);
    await h.clock.advance(1);
    const noticeAt = START_MS + 2000 + 600;
    const action = await metadata(id, "/latest/meta-data/spot/instance-action");
    expect(action.status).toBe(200);
    expect(JSON.parse(action.body)).toEqual({
      action: "terminate",
      time: new Date(noticeAt + 1200).toISOString().replace(/\.\d{3}Z$/, "Z"),
    });
    expect(
      JSON.parse((await metadata(id, "/latest/meta-data/events/recommendations/rebalance")).body),
    ).toEqual({
      noticeTime: new Date(noticeAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
    });
    expect((await state(id)).name).toBe("running");
    await h.clock.advance(1200);
    expect(await state(id)).toEqual({ name: "shutting-down", reason: "Server.SpotInstanceTermination" });
    await h.clock.advance(460);
    expect((await state(id)).name).toBe("terminated");
    expect((await fetch(`${h.emulator.metadataEndpoint(id)}/latest/meta-data/instance-id`)).status).toBe(404);
  });

  it("metadata rejects a bad IMDSv2 token (401) and a token PUT without TTL (400)", async () => {
    h = await harness();
    const id = (await h.ec2.send(run())).Instances![0].InstanceId!;
    const base = h.emulator.metadataEndpoint(id);
    expect((await fetch(`${base}/latest/api/token`, { method: "PUT" })).status).toBe(400);
    const bad = await fetch(`${base}/latest/meta-data/instance-id`, {
      headers: { "X-aws-ec2-metadata-token": "forged" },
    });
    expect(bad.status).toBe(401);
    const byHeader = await fetch(`${h.emulator.metadataBase}/latest/meta-data/instance-id`, {
      headers: { "X-Hotspot-Instance-Id": id },
    });
    expect(await byHeader.text()).toBe(id);
  });

  it("interrupts a spot instance when the served price rises above its MaxPrice; refuses a MaxPrice below the price", async () => {
    const prices: SpotPriceRecord[] = [
      {
        availabilityZone: "us-east-1a",
        instanceType: "m4.large",
        productDescription: "Linux/UNIX",
        price: 0.03,
        timeMs: START_MS - HOUR,
      },
      {
        availabilityZone: "us-east-1a",
        instanceType: "m4.large",
        productDescription: "Linux/UNIX",
        price: 0.08,
        timeMs: START_MS + 5_000,
      },
      {
        availabilityZone: "us-east-1a",
        instanceType: "m4.large",
        productDescription: "Linux/UNIX",
        price: 0.2,
        timeMs: START_MS + 10_000,
      },
    ];
    h = await harness({ spotPrices: prices });
    const tooLow = await errorOf(
      h.ec2.send(run({ InstanceMarketOptions: { MarketType: "spot", SpotOptions: { MaxPrice: "0.02" } } })),
    );
    expect(tooLow).toMatchObject({ name: "SpotMaxPriceTooLow", status: 400 });
    const id = (
      await h.ec2.send(
        run({ InstanceMarketOptions: { MarketType: "spot", SpotOptions: { MaxPrice: "0.1" } } }),
      )
    ).Instances![0].InstanceId!;
    await h.clock.advance(9_999);
    expect((await metadata(id, "/latest/meta-data/spot/instance-action")).status).toBe(404);
    await h.clock.advance(1);
    expect((await metadata(id, "/latest/meta-data/spot/instance-action")).status).toBe(200);
    expect((await metadata(id, "/latest/meta-data/events/recommendations/rebalance")).status).toBe(404);
    await h.clock.advance(1200);
    expect(await state(id)).toEqual({ name: "shutting-down", reason: "Server.SpotInstanceTermination" });
  });

  it("a fault script's interruption rule hits the matching spot instance after it runs", async () => {
    const faults = parseFaultScript(
      JSON.stringify({
        faults: [
          { kind: "SpotInterruption", tag: "Role=victim", afterSeconds: 300, rebalance: false },
          { kind: "RequestLimitExceeded", action: "CreateVolume", times: 1 },
        ],
      }),
      "faults.json",
    );
    h = await harness({ faults });
    const tags = (v: string) => [{ ResourceType: "instance" as const, Tags: [{ Key: "Role", Value: v }] }];
    const spot = { InstanceMarketOptions: { MarketType: "spot" as const } };
    const victim = (await h.ec2.send(run({ ...spot, TagSpecifications: tags("victim") }))).Instances![0]
      .InstanceId!;
    const bystander = (await h.ec2.send(run({ ...spot, TagSpecifications: tags("bystander") }))).Instances![0]
      .InstanceId!;
    await h.clock.advance(1670 + 3000 + 1200 + 460);
    expect((await state(victim)).name).toBe("terminated");
    expect((await state(bystander)).name).toBe("running");
    await h.ec2.send(new CreateVolumeCommand({ AvailabilityZone: "us-east-1a", Size: 1 }));
    expect(h.emulator.state.requestCounts.get("CreateVolume")).toBe(2);
  });
});

describe("fault script parsing", () => {
  it("names the file and the entry of a bad fault", () => {
    expect(() => parseFaultScript('{"faults":[{"kind":"StuckDetach"},{"kind":"Meteor"}]}', "f.json")).toThrow(
      /f\.json: faults\[1\]: expected kind one of InsufficientInstanceCapacity, .*found "Meteor"/,
    );
    expect(() =>
      parseFaultScript(
        '{"faults":[{"kind":"SlowAttachment","operation":"attach","extraSeconds":-1}]}',
        "f.json",
      ),
    ).toThrow(InputFormatError);
    expect(() =>
      parseFaultScript('{"faults":[{"kind":"RequestLimitExceeded","times":0}]}', "f.json"),
    ).toThrow(/times a whole number/);
    expect(() => parseFaultScript("[]", "f.json")).toThrow(/expected an object \{"faults": \[\.\.\.\]\}/);
    expect(() => parseFaultScript("{", "f.json")).toThrow(/f\.json: expected a JSON document/);
  });
});
