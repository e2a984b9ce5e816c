import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CloudApiError, HotspotError } from "../../src/errors.js";
import { applySetup, readyWait } from "../../src/setup/apply.js";
import type { SetupEc2 } from "../../src/setup/ec2-setup-client.js";
import { FakeClock } from "../support/fake-clock.js";
import { fastWait, mutating, setupHarness, spec, type SetupHarness } from "../support/setup-emulator.js";

let h: SetupHarness;
beforeEach(async () => {
  h = await setupHarness();
});
afterEach(async () => {
  await h.close();
});

const firstRunCalls = [
  "CreateVpc",
  "CreateSubnet",
  "CreateSecurityGroup",
  "AuthorizeSecurityGroupIngress",
  "CreateInternetGateway",
  "AttachInternetGateway",
  "CreateRouteTable",
  "CreateRoute",
  "AssociateRouteTable",
  "CreateNetworkInterface",
  "ModifyNetworkInterfaceAttribute",
  "AllocateAddress",
  "AssociateAddress",
  "CreateVolume",
];

describe("applySetup on the local cloud's EC2 emulator (real SDK)", () => {
  it("makes each resource once, in dependency order, wired as live mode needs it", async () => {
    const { result } = await applySetup(h.ec2, spec(), fastWait);
    expect(mutating(h.actionsSince(0))).toEqual(firstRunCalls);
    expect(h.emulator.state.requestLog.filter((e) => e.error !== null)).toEqual([]);

    const world = h.emulator.state;
    const tag = (tags: Map<string, string>) => [tags.get("hotspot:setup"), tags.get("Name")];
    const vpc = world.vpcs.get(result.vpcId)!;
    expect([vpc.cidr, ...tag(vpc.tags)]).toEqual(["10.0.0.0/16", "t1", "hotspot-t1-vpc"]);
    const subnet = world.subnets.get(result.subnetId)!;
    expect([subnet.vpcId, subnet.cidr, subnet.zone, ...tag(subnet.tags)]).toEqual([
      result.vpcId,
      "10.0.1.0/24",
      "us-east-1a",
      "t1",
      "hotspot-t1-subnet",
    ]);
    const group = world.securityGroups.get(result.securityGroupId)!;
    expect(group.ingress.map((r) => [r.protocol, r.fromPort, r.toPort, r.cidrs])).toEqual([
      ["-1", null, null, ["10.0.0.0/16"]],
      ["tcp", 22, 22, ["198.51.100.0/24"]],
    ]);
    expect(world.internetGateways.get(result.internetGatewayId)!.vpcIds).toEqual([result.vpcId]);
    const table = world.routeTables.get(result.routeTableId)!;
    expect(table.routes.map((r) => [r.destination, r.gatewayId])).toEqual([
      ["10.0.0.0/16", "local"],
      ["0.0.0.0/0", result.internetGatewayId],
    ]);
    expect(table.associations.map((a) => a.subnetId)).toEqual([result.subnetId]);
    const eni = world.interfaces.get(result.eniId)!;
    expect([eni.subnetId, eni.privateIp, eni.sourceDestCheck, eni.status, eni.groupIds]).toEqual([
      result.subnetId,
      "10.0.1.10",
      false,
      "available",
      [result.securityGroupId],
    ]);
    const address = world.addresses.get(result.allocationId)!;
    expect([address.publicIp, address.association?.eniId, tag(address.tags)[0]]).toEqual([
      result.publicIp,
      result.eniId,
      "t1",
    ]);
    const volume = world.volumes.get(result.volumeId)!;
    expect([volume.zone, volume.sizeGiB, volume.volumeType, volume.encrypted, volume.state]).toEqual([
      "us-east-1a",
      20,
      "gp3",
      true,
      "available",
    ]);
  });

  it("is idempotent: a second run finds everything by its tags and makes zero Create* (or other changing) calls", async () => {
    const first = await applySetup(h.ec2, spec(), fastWait);
    const mark = h.emulator.state.requestLog.length;
    const countsBefore = new Map(h.emulator.state.requestCounts);
    const second = await applySetup(h.ec2, spec(), fastWait);
    expect(second.result).toEqual(first.result);
    expect(mutating(h.actionsSince(mark))).toEqual([]);
    const creates = [...h.emulator.state.requestCounts].filter(([action]) =>
      /^(Create|Allocate)/.test(action),
    );
    for (const [action, count] of creates)
      expect([action, count]).toEqual([action, countsBefore.get(action)]);
    expect(second.plan.steps.every((s) => s.kind === "reuse")).toBe(true);
    expect(h.actionsSince(mark)).toEqual([
      "DescribeVpcs",
      "DescribeSubnets",
      "DescribeSecurityGroups",
      "DescribeInternetGateways",
      "DescribeRouteTables",
      "DescribeNetworkInterfaces",
      "DescribeAddresses",
      "DescribeVolumes",
    ]);
  });

  it("finishes a half-made setup: only the missing pieces are made", async () => {
    const first = await applySetup(h.ec2, spec(), fastWait);
    await h.ec2.disassociateAddress(
      h.emulator.state.addresses.get(first.result.allocationId)!.association!.id,
    );
    const mark = h.emulator.state.requestLog.length;
    await applySetup(
      h.ec2,
      spec({
        ingress: [...spec().ingress, { protocol: "udp", fromPort: 5000, toPort: 5010, cidr: "0.0.0.0/0" }],
      }),
      fastWait,
    );
    expect(mutating(h.actionsSince(mark))).toEqual(["AuthorizeSecurityGroupIngress", "AssociateAddress"]);
    expect(h.emulator.state.securityGroups.get(first.result.securityGroupId)!.ingress).toHaveLength(3);
  });

  it("after a failed call (injected IncorrectState on CreateVolume) a re-run makes only what is missing", async () => {
    const fault = h.emulator.faults.incorrectState("CreateVolume");
    const error = await applySetup(h.ec2, spec(), fastWait).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CloudApiError);
    expect((error as CloudApiError).code).toBe("HOTSPOT_CLOUD_IncorrectState");
    expect((error as Error).message).toMatch(
      /^CreateVolume in us-east-1 failed: IncorrectState \(HTTP 400, request /,
    );
    expect((error as Error).message).not.toContain("setup-test-secret");
    expect(h.emulator.state.volumes.size).toBe(0);
    fault.clear();
    const mark = h.emulator.state.requestLog.length;
    await applySetup(h.ec2, spec(), fastWait);
    expect(mutating(h.actionsSince(mark))).toEqual(["CreateVolume"]);
  });
});

describe("applySetup's wait for the volume, on an injected clock", () => {
  /** The harness's client, but the new volume reads "creating" for its first `polls` lookups. */
  const slowVolume = (polls: number): SetupEc2 => {
    let seen = 0;
    const ec2 = Object.create(h.ec2) as SetupEc2;
    ec2.findVolumes = async (name) =>
      (await h.ec2.findVolumes(name)).map((v) => (seen++ < polls ? { ...v, state: "creating" } : v));
    return ec2;
  };

  it("polls every 2 s until the volume is available, with no real waiting", async () => {
    const clock = new FakeClock();
    const { result } = await applySetup(slowVolume(3), spec(), readyWait(clock));
    expect(clock.sleeps).toEqual([2000, 2000, 2000]);
    expect(h.emulator.state.volumes.get(result.volumeId)!.state).toBe("available");
  });

  it("gives up after 90 checks 2 s apart, retryably", async () => {
    const clock = new FakeClock();
    const error = await applySetup(slowVolume(Infinity), spec(), readyWait(clock)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as HotspotError).code).toBe("HOTSPOT_SETUP_TIMEOUT");
    expect((error as Error).message).toMatch(
      /^volume vol-\w+ did not become available after 90 checks 2000 ms apart;/,
    );
    expect(clock.sleeps).toHaveLength(90);
    expect(clock.now()).toBe(180_000);
  });
});
