import {
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  RunInstancesCommand,
  type _InstanceType,
} from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AMI, errorOf, harness, type Harness } from "../../support/emulator-harness.js";

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});

async function launch(type: string, spot = false): Promise<string> {
  const out = await h.ec2.send(
    new RunInstancesCommand({
      ImageId: AMI,
      InstanceType: type as _InstanceType,
      MinCount: 1,
      MaxCount: 1,
      ...(spot ? { InstanceMarketOptions: { MarketType: "spot" } } : {}),
    }),
  );
  return out.Instances![0].InstanceId!;
}

const ids = (out: { Reservations?: { Instances?: { InstanceId?: string }[] }[] }) =>
  (out.Reservations ?? []).flatMap((r) => (r.Instances ?? []).map((i) => i.InstanceId!));

describe("DescribeInstances and DescribeInstanceTypes views", () => {
  it("filters by type, lifecycle and state code, each reservation shown once", async () => {
    const m5 = await launch("m5.large");
    const c5 = await launch("c5.large", true);
    const filter = (Name: string, Values: string[]) =>
      h.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name, Values }] }));
    expect(ids(await filter("instance-type", ["m5.large"]))).toEqual([m5]);
    expect(ids(await filter("instance-lifecycle", ["spot"]))).toEqual([c5]);
    // Pending is state code 0.
    expect(ids(await filter("instance-state-code", ["0"])).sort()).toEqual([m5, c5].sort());
    const both = await h.ec2.send(new DescribeInstancesCommand({}));
    expect(both.Reservations).toHaveLength(2);
    expect(both.Reservations![0].Instances![0].State).toEqual({ Code: 0, Name: "pending" });
  });

  it("refuses instance ids together with MaxResults, as EC2 does", async () => {
    const id = await launch("m5.large");
    expect(
      await errorOf(h.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id], MaxResults: 5 }))),
    ).toMatchObject({
      name: "InvalidParameterCombination",
      message: "The parameter instancesSet cannot be used with the parameter maxResults",
    });
  });

  it("reports a type's vCPUs and memory, and filters types by them", async () => {
    const out = await h.ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ["m5.large"] }));
    expect(
      out.InstanceTypes!.map((t) => [t.InstanceType, t.VCpuInfo?.DefaultVCpus, t.MemoryInfo?.SizeInMiB]),
    ).toEqual([["m5.large", 2, 8192]]);
    const filtered = await h.ec2.send(
      new DescribeInstanceTypesCommand({
        Filters: [
          { Name: "vcpu-info.default-vcpus", Values: ["2"] },
          { Name: "memory-info.size-in-mib", Values: ["8192"] },
          { Name: "instance-type", Values: ["m5.*"] },
        ],
      }),
    );
    expect(filtered.InstanceTypes!.map((t) => t.InstanceType)).toEqual(["m5.large"]);
  });
});
