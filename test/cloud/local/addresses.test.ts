import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  CreateNetworkInterfaceCommand,
  DescribeAddressesCommand,
  DisassociateAddressCommand,
  ReleaseAddressCommand,
} from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { errorOf, harness, type Harness } from "../../support/emulator-harness.js";

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});

async function eni(): Promise<{ id: string; ip: string }> {
  const subnet = [...h.emulator.state.subnets.values()].find((s) => s.zone === "us-east-1a")!;
  const out = await h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnet.id }));
  return { id: out.NetworkInterface!.NetworkInterfaceId!, ip: out.NetworkInterface!.PrivateIpAddress! };
}

describe("Elastic IPs", () => {
  it("allocates addresses from the documentation range 203.0.113.0/24, in order", async () => {
    const first = await h.ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
    const second = await h.ec2.send(new AllocateAddressCommand({}));
    expect([first.PublicIp, second.PublicIp]).toEqual(["203.0.113.1", "203.0.113.2"]);
    expect(first.AllocationId).toMatch(/^eipalloc-[0-9a-f]{17}$/);
    expect(await errorOf(h.ec2.send(new AllocateAddressCommand({ Domain: "standard" })))).toMatchObject({
      name: "InvalidParameterValue",
      message: "Invalid value 'standard' for Domain. Only 'vpc' addresses exist in this cloud.",
    });
  });

  it("associates with an ENI, tells the data plane, and moves only with AllowReassociation", async () => {
    const { AllocationId, PublicIp } = await h.ec2.send(new AllocateAddressCommand({}));
    const a = await eni();
    const b = await eni();
    const assoc = await h.ec2.send(new AssociateAddressCommand({ AllocationId, NetworkInterfaceId: a.id }));
    await h.emulator.state.idle();
    expect(h.backend.calls.filter((c) => c.op === "associateAddress")).toEqual([
      { op: "associateAddress", publicIp: PublicIp, networkInterfaceId: a.id, privateIpAddress: a.ip },
    ]);
    expect(
      await errorOf(h.ec2.send(new AssociateAddressCommand({ AllocationId, NetworkInterfaceId: b.id }))),
    ).toMatchObject({
      name: "Resource.AlreadyAssociated",
      message: `resource ${AllocationId} is already associated with associate-id ${assoc.AssociationId}`,
    });
    expect(
      await errorOf(
        h.ec2.send(
          new AssociateAddressCommand({
            AllocationId,
            NetworkInterfaceId: b.id,
            PrivateIpAddress: "10.9.9.9",
          }),
        ),
      ),
    ).toMatchObject({
      name: "InvalidParameterValue",
      message: `Invalid value '10.9.9.9' for PrivateIpAddress. It is not an address of ${b.id}.`,
    });
    await h.ec2.send(
      new AssociateAddressCommand({ AllocationId, NetworkInterfaceId: b.id, AllowReassociation: true }),
    );
    const [address] = (await h.ec2.send(new DescribeAddressesCommand({ AllocationIds: [AllocationId!] })))
      .Addresses!;
    expect([address.NetworkInterfaceId, address.PrivateIpAddress]).toEqual([b.id, b.ip]);
  });

  it("refuses to release an address in use; releases it once disassociated", async () => {
    const { AllocationId, PublicIp } = await h.ec2.send(new AllocateAddressCommand({}));
    const a = await eni();
    const { AssociationId } = await h.ec2.send(
      new AssociateAddressCommand({ AllocationId, NetworkInterfaceId: a.id }),
    );
    expect(await errorOf(h.ec2.send(new ReleaseAddressCommand({ AllocationId })))).toMatchObject({
      name: "InvalidIPAddress.InUse",
      message: `Address ${PublicIp} is in use.`,
    });
    await h.ec2.send(new DisassociateAddressCommand({ AssociationId }));
    await h.ec2.send(new ReleaseAddressCommand({ AllocationId }));
    expect((await h.ec2.send(new DescribeAddressesCommand({}))).Addresses).toEqual([]);
  });
});
