import { describe, expect, it } from "vitest";
import { planDestroy } from "../../src/setup/destroy.js";
import { SetupConflictError, type Observed } from "../../src/setup/observe.js";
import { formatSetupPlan, planSetup } from "../../src/setup/plan.js";
import { spec } from "../support/setup-emulator.js";

const empty: Observed = {
  vpcs: [],
  subnets: [],
  securityGroups: [],
  internetGateways: [],
  routeTables: [],
  interfaces: [],
  addresses: [],
  volumes: [],
};

/** A complete, fitting setup as the Describe calls would report it (hand-made, no cloud). */
const complete: Observed = {
  vpcs: [{ id: "vpc-1", cidr: "10.0.0.0/16" }],
  subnets: [{ id: "subnet-1", vpcId: "vpc-1", cidr: "10.0.1.0/24", zone: "us-east-1a" }],
  securityGroups: [
    {
      id: "sg-1",
      vpcId: "vpc-1",
      ingress: [
        { protocol: "-1", cidr: "10.0.0.0/16" },
        { protocol: "tcp", fromPort: 22, toPort: 22, cidr: "198.51.100.0/24" },
      ],
    },
  ],
  internetGateways: [{ id: "igw-1", vpcIds: ["vpc-1"] }],
  routeTables: [
    {
      id: "rtb-1",
      vpcId: "vpc-1",
      routes: [
        { destination: "10.0.0.0/16", gatewayId: "local" },
        { destination: "0.0.0.0/0", gatewayId: "igw-1" },
      ],
      associations: [{ id: "rtbassoc-1", subnetId: "subnet-1" }],
    },
  ],
  interfaces: [
    {
      id: "eni-1",
      subnetId: "subnet-1",
      privateIp: "10.0.1.10",
      sourceDestCheck: false,
      status: "available",
    },
  ],
  addresses: [
    {
      allocationId: "eipalloc-1",
      publicIp: "203.0.113.1",
      associationId: "eipassoc-1",
      networkInterfaceId: "eni-1",
    },
  ],
  volumes: [
    {
      id: "vol-1",
      zone: "us-east-1a",
      sizeGiB: 20,
      volumeType: "gp3",
      encrypted: true,
      state: "available",
      attachedTo: [],
    },
  ],
};

const conflictOf = (observed: Observed) => {
  try {
    planSetup(spec(), observed);
  } catch (error) {
    expect(error).toBeInstanceOf(SetupConflictError);
    return (error as Error).message;
  }
  throw new Error("expected a conflict");
};

describe("planSetup (hand-made observations, no cloud)", () => {
  it("prints the dry-run plan for an empty account: 14 calls, nothing reused", () => {
    expect(formatSetupPlan(planSetup(spec(), empty))).toBe(
      [
        "setup t1 in us-east-1a: 14 call(s) to make, 0 resource(s) to reuse",
        "  create vpc               CreateVpc  10.0.0.0/16",
        "  create subnet            CreateSubnet  10.0.1.0/24 in us-east-1a",
        "  create security-group    CreateSecurityGroup  hotspot-t1-security-group",
        "  change security-group    AuthorizeSecurityGroupIngress  all traffic from 10.0.0.0/16; tcp 22 from 198.51.100.0/24",
        "  create internet-gateway  CreateInternetGateway  hotspot-t1-internet-gateway",
        "  change internet-gateway  AttachInternetGateway  to the VPC",
        "  create route-table       CreateRouteTable  hotspot-t1-route-table",
        "  create route-table       CreateRoute  0.0.0.0/0 via the internet gateway",
        "  change route-table       AssociateRouteTable  with the subnet",
        "  create network-interface CreateNetworkInterface  10.0.1.10 in the subnet",
        "  change network-interface ModifyNetworkInterfaceAttribute  source/destination check off",
        "  create elastic-ip        AllocateAddress  in the VPC domain",
        "  change elastic-ip        AssociateAddress  with the ENI",
        "  create volume            CreateVolume  20 GiB gp3 encrypted in us-east-1a",
        "",
      ].join("\n"),
    );
  });

  it("reuses every resource of a complete setup and plans no call", () => {
    const plan = planSetup(spec(), complete);
    expect(plan.steps.map((s) => s.kind)).toEqual(Array(8).fill("reuse"));
    expect(plan.existing).toEqual({
      vpc: "vpc-1",
      subnet: "subnet-1",
      "security-group": "sg-1",
      "internet-gateway": "igw-1",
      "route-table": "rtb-1",
      "network-interface": "eni-1",
      "elastic-ip": "eipalloc-1",
      volume: "vol-1",
    });
    expect(plan.existingPublicIp).toBe("203.0.113.1");
  });

  it("turns the source/destination check off again when someone turned it on", () => {
    const plan = planSetup(spec(), {
      ...complete,
      interfaces: [{ ...complete.interfaces[0], sourceDestCheck: true }],
    });
    expect(plan.steps.flatMap((s) => (s.kind === "call" ? [s.action] : []))).toEqual([
      "ModifyNetworkInterfaceAttribute",
    ]);
  });

  it("refuses duplicates and resources that do not fit, naming them", () => {
    expect(
      conflictOf({ ...complete, vpcs: [...complete.vpcs, { id: "vpc-2", cidr: "10.0.0.0/16" }] }),
    ).toMatch(/^found 2 VPCs tagged hotspot:setup=t1 \(vpc-1, vpc-2\)/);
    expect(conflictOf({ ...complete, subnets: [{ ...complete.subnets[0], zone: "us-east-1b" }] })).toMatch(
      /^subnet subnet-1 is 10.0.1.0\/24 in us-east-1b, not 10.0.1.0\/24 in us-east-1a;/,
    );
    expect(
      conflictOf({ ...complete, interfaces: [{ ...complete.interfaces[0], privateIp: "10.0.1.11" }] }),
    ).toMatch(/^network interface eni-1 has 10.0.1.11 in subnet-1, not 10.0.1.10/);
    expect(conflictOf({ ...complete, internetGateways: [{ id: "igw-1", vpcIds: ["vpc-9"] }] })).toMatch(
      /^internet gateway igw-1 is attached to vpc-9/,
    );
    expect(conflictOf({ ...complete, volumes: [{ ...complete.volumes[0], sizeGiB: 30 }] })).toMatch(
      /^volume vol-1 is 30 GiB gp3 encrypted in us-east-1a, not 20 GiB gp3 encrypted in us-east-1a/,
    );
    expect(conflictOf({ ...empty, subnets: complete.subnets })).toMatch(
      /^subnet subnet-1 tagged hotspot:setup=t1 is in vpc-1, not in the setup's VPC/,
    );
  });
});

describe("planDestroy (hand-made observations, no cloud)", () => {
  it("refuses while the ENI or volume is attached to an instance, before any call", () => {
    const attached: Observed = {
      ...complete,
      interfaces: [{ ...complete.interfaces[0], status: "in-use", instanceId: "i-1" }],
      volumes: [{ ...complete.volumes[0], attachedTo: ["i-1"] }],
    };
    expect(() => planDestroy("t1", attached)).toThrow(
      "cannot destroy setup t1: still attached to an instance: eni-1 (on i-1), vol-1 (on i-1);",
    );
  });

  it("orders the calls: address, ENI, volume, route table, gateway, group, subnet, VPC", () => {
    expect(planDestroy("t1", complete).map((s) => `${s.action} ${s.id}`)).toEqual([
      "DisassociateAddress eipassoc-1",
      "ReleaseAddress eipalloc-1",
      "DeleteNetworkInterface eni-1",
      "DeleteVolume vol-1",
      "DisassociateRouteTable rtbassoc-1",
      "DeleteRouteTable rtb-1",
      "DetachInternetGateway igw-1",
      "DeleteInternetGateway igw-1",
      "DeleteSecurityGroup sg-1",
      "DeleteSubnet subnet-1",
      "DeleteVpc vpc-1",
    ]);
  });
});
