import {
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  paginateDescribeInstances,
  RunInstancesCommand,
  TerminateInstancesCommand,
  waitUntilInstanceRunning,
  waitUntilInstanceTerminated,
  type Instance,
} from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AMI, errorOf, harness, START_MS, until, type Harness } from "../../support/emulator-harness.js";

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});

async function describeOne(id: string): Promise<Instance> {
  const out = await h.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  expect(out.Reservations).toHaveLength(1);
  return out.Reservations![0].Instances![0];
}

describe("RunInstances / DescribeInstances / TerminateInstances through the real SDK", () => {
  it("launches on-demand: pending, then running within Table 2's 16-31 s (scaled 1/100)", async () => {
    const run = await h.ec2.send(
      new RunInstancesCommand({
        ImageId: AMI,
        InstanceType: "m4.large",
        MinCount: 1,
        MaxCount: 1,
        Placement: { AvailabilityZone: "us-east-1b" },
        UserData: Buffer.from("#!/bin/sh\necho hi\n").toString("base64"),
        TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: "hop-a" }] }],
      }),
    );
    const instance = run.Instances![0];
    expect(instance.State).toEqual({ Code: 0, Name: "pending" });
    expect(instance.InstanceType).toBe("m4.large");
    expect(instance.Placement?.AvailabilityZone).toBe("us-east-1b");
    expect(instance.InstanceLifecycle).toBeUndefined();
    expect(instance.LaunchTime?.getTime()).toBe(START_MS);
    expect(instance.Tags).toEqual([{ Key: "Name", Value: "hop-a" }]);
    // Default subnet of us-east-1b is 172.31.16.0/20; AWS keeps the first four addresses.
    expect(instance.PrivateIpAddress).toBe("172.31.16.4");
    expect(instance.NetworkInterfaces).toHaveLength(1);
    expect(instance.NetworkInterfaces![0].Attachment?.DeviceIndex).toBe(0);

    await h.clock.advance(159);
    expect((await describeOne(instance.InstanceId!)).State?.Name).toBe("pending");
    await h.clock.advance(310 - 159);
    const running = await describeOne(instance.InstanceId!);
    expect(running.State).toEqual({ Code: 16, Name: "running" });
    expect(running.NetworkInterfaces![0].Attachment?.Status).toBe("attached");
    const started = h.backend.calls.find((c) => c.op === "startInstance");
    expect(started?.op === "startInstance" && Buffer.from(started.instance.userData!).toString()).toBe(
      "#!/bin/sh\necho hi\n",
    );
  });

  it("launches spot through InstanceMarketOptions, still pending before Table 2's 31 s minimum", async () => {
    const run = await h.ec2.send(
      new RunInstancesCommand({
        ImageId: AMI,
        InstanceType: "c4.large",
        MinCount: 1,
        MaxCount: 1,
        InstanceMarketOptions: { MarketType: "spot", SpotOptions: { SpotInstanceType: "one-time" } },
      }),
    );
    const id = run.Instances![0].InstanceId!;
    expect(run.Instances![0].InstanceLifecycle).toBe("spot");
    expect(run.Instances![0].SpotInstanceRequestId).toMatch(/^sir-/);
    await h.clock.advance(309);
    expect((await describeOne(id)).State?.Name).toBe("pending");
    await h.clock.advance(1670 - 309);
    expect((await describeOne(id)).State?.Name).toBe("running");
  });

  it("waitUntilInstanceRunning polls until the instance runs", async () => {
    const run = await h.ec2.send(
      new RunInstancesCommand({ ImageId: AMI, InstanceType: "m3.medium", MinCount: 1, MaxCount: 1 }),
    );
    const id = run.Instances![0].InstanceId!;
    const waiting = waitUntilInstanceRunning(
      { client: h.ec2, maxWaitTime: 20, minDelay: 0.01, maxDelay: 0.02 },
      { InstanceIds: [id] },
    );
    await until(() => (h.emulator.state.requestCounts.get("DescribeInstances") ?? 0) >= 1, "the first poll");
    await h.clock.advance(1000);
    expect((await waiting).state).toBe("SUCCESS");
    expect(h.emulator.state.requestCounts.get("DescribeInstances")).toBeGreaterThanOrEqual(2);
  });

  it("ClientToken: the same request returns the same reservation; other parameters are IdempotentParameterMismatch", async () => {
    const input = {
      ImageId: AMI,
      InstanceType: "m4.large" as const,
      MinCount: 1,
      MaxCount: 1,
      ClientToken: "hop-42-acquire",
    };
    const first = await h.ec2.send(new RunInstancesCommand(input));
    await h.clock.advance(1000);
    const again = await h.ec2.send(new RunInstancesCommand(input));
    expect(again.ReservationId).toBe(first.ReservationId);
    expect(again.Instances![0].InstanceId).toBe(first.Instances![0].InstanceId);
    expect(again.Instances![0].State?.Name).toBe("running");
    expect(h.emulator.state.instances.size).toBe(1);
    const mismatch = await errorOf(
      h.ec2.send(new RunInstancesCommand({ ...input, InstanceType: "m4.xlarge" })),
    );
    expect(mismatch.name).toBe("IdempotentParameterMismatch");
    expect(mismatch.status).toBe(400);
    expect(h.emulator.state.instances.size).toBe(1);
  });

  it("filters by tag, state and id; an unknown id is InvalidInstanceID.NotFound", async () => {
    for (const name of ["a", "b", "b"]) {
      await h.ec2.send(
        new RunInstancesCommand({
          ImageId: AMI,
          InstanceType: "m4.large",
          MinCount: 1,
          MaxCount: 1,
          TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Role", Value: name }] }],
        }),
      );
    }
    const ids = [...h.emulator.state.instances.keys()];
    await h.clock.advance(1000);
    await h.ec2.send(new TerminateInstancesCommand({ InstanceIds: [ids[2]] }));
    const byTag = await h.ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: "tag:Role", Values: ["b"] }] }),
    );
    expect(byTag.Reservations!.flatMap((r) => r.Instances!.map((i) => i.InstanceId))).toEqual([
      ids[1],
      ids[2],
    ]);
    const running = await h.ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: "tag:Role", Values: ["b"] },
          { Name: "instance-state-name", Values: ["running", "pending"] },
        ],
      }),
    );
    expect(running.Reservations!.flatMap((r) => r.Instances!.map((i) => i.InstanceId))).toEqual([ids[1]]);
    const byId = await h.ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: "instance-id", Values: [ids[0]] }] }),
    );
    expect(byId.Reservations![0].Instances![0].Tags).toEqual([{ Key: "Role", Value: "a" }]);
    const missing = await errorOf(
      h.ec2.send(new DescribeInstancesCommand({ InstanceIds: [ids[0], "i-0000000000000dead"] })),
    );
    expect(missing).toMatchObject({ name: "InvalidInstanceID.NotFound", status: 400 });
    expect(missing.message).toContain("i-0000000000000dead");
    const badFilter = await errorOf(
      h.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: "no-such-filter", Values: ["x"] }] })),
    );
    expect(badFilter.name).toBe("InvalidParameterValue");
  });

  it("terminates: shutting-down, then terminated within 31-46 s scaled; the primary ENI is deleted", async () => {
    const run = await h.ec2.send(
      new RunInstancesCommand({ ImageId: AMI, InstanceType: "m4.large", MinCount: 1, MaxCount: 1 }),
    );
    const id = run.Instances![0].InstanceId!;
    const eniId = run.Instances![0].NetworkInterfaces![0].NetworkInterfaceId!;
    await h.clock.advance(1000);
    const term = await h.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(term.TerminatingInstances).toEqual([
      {
        InstanceId: id,
        CurrentState: { Code: 32, Name: "shutting-down" },
        PreviousState: { Code: 16, Name: "running" },
      },
    ]);
    await h.clock.advance(309);
    expect((await describeOne(id)).State?.Name).toBe("shutting-down");
    const waiting = waitUntilInstanceTerminated(
      { client: h.ec2, maxWaitTime: 20, minDelay: 0.01, maxDelay: 0.02 },
      { InstanceIds: [id] },
    );
    await h.clock.advance(460 - 309);
    expect((await waiting).state).toBe("SUCCESS");
    const gone = await describeOne(id);
    expect(gone.StateReason?.Code).toBe("Client.UserInitiatedShutdown");
    expect(gone.NetworkInterfaces).toEqual([]);
    expect(h.emulator.state.interfaces.has(eniId)).toBe(false);
    const ops = h.backend.calls.map((c) => c.op);
    expect(ops.slice(ops.indexOf("terminateInstance") - 1)).toEqual([
      "detachInterface",
      "terminateInstance",
      "deleteInterface",
    ]);
    const again = await h.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(again.TerminatingInstances![0].PreviousState?.Name).toBe("terminated");
  });

  it("paginates DescribeInstances with MaxResults/NextToken and rejects MaxResults out of 5..1000", async () => {
    await h.ec2.send(
      new RunInstancesCommand({ ImageId: AMI, InstanceType: "m4.large", MinCount: 7, MaxCount: 7 }),
    );
    const first = await h.ec2.send(new DescribeInstancesCommand({ MaxResults: 5 }));
    expect(first.Reservations!.flatMap((r) => r.Instances!)).toHaveLength(5);
    expect(first.NextToken).toBeDefined();
    const second = await h.ec2.send(
      new DescribeInstancesCommand({ MaxResults: 5, NextToken: first.NextToken }),
    );
    expect(second.Reservations!.flatMap((r) => r.Instances!)).toHaveLength(2);
    expect(second.NextToken).toBeUndefined();
    const seen: string[] = [];
    for await (const page of paginateDescribeInstances({ client: h.ec2, pageSize: 5 }, {})) {
      seen.push(...page.Reservations!.flatMap((r) => r.Instances!.map((i) => i.InstanceId!)));
    }
    expect(seen).toEqual([...h.emulator.state.instances.keys()]);
    expect(seen.map((id) => id)).toHaveLength(7);
    const tooSmall = await errorOf(h.ec2.send(new DescribeInstancesCommand({ MaxResults: 4 })));
    expect(tooSmall.name).toBe("InvalidParameterValue");
    const combo = await errorOf(
      h.ec2.send(new DescribeInstancesCommand({ MaxResults: 5, InstanceIds: [seen[0]] })),
    );
    expect(combo.name).toBe("InvalidParameterCombination");
  });

  it("rejects bad launches: no ImageId (MissingParameter), unknown type, unknown zone", async () => {
    const noImage = await errorOf(
      h.ec2.send(new RunInstancesCommand({ InstanceType: "m4.large", MinCount: 1, MaxCount: 1 })),
    );
    expect(noImage).toMatchObject({ name: "MissingParameter", status: 400 });
    const badType = await errorOf(
      h.ec2.send(
        new RunInstancesCommand({ ImageId: AMI, InstanceType: "m9.huge" as never, MinCount: 1, MaxCount: 1 }),
      ),
    );
    expect(badType.name).toBe("InvalidParameterValue");
    const badZone = await errorOf(
      h.ec2.send(
        new RunInstancesCommand({
          ImageId: AMI,
          InstanceType: "m4.large",
          MinCount: 1,
          MaxCount: 1,
          Placement: { AvailabilityZone: "us-east-1z" },
        }),
      ),
    );
    expect(badZone.name).toBe("InvalidParameterValue");
    expect(h.emulator.state.instances.size).toBe(0);
  });

  it("DescribeInstanceTypes reports vCPUs and memory; an unknown type is InvalidInstanceType", async () => {
    const out = await h.ec2.send(
      new DescribeInstanceTypesCommand({ InstanceTypes: ["m4.large", "c4.xlarge"] }),
    );
    expect(
      out.InstanceTypes!.map((t) => [t.InstanceType, t.VCpuInfo?.DefaultVCpus, t.MemoryInfo?.SizeInMiB]),
    ).toEqual([
      ["c4.xlarge", 4, 7680],
      ["m4.large", 2, 8192],
    ]);
    const bad = await errorOf(
      h.ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ["m9.huge" as never] })),
    );
    expect(bad.name).toBe("InvalidInstanceType");
  });
});
