import {
  DescribeInstancesCommand,
  GetConsoleOutputCommand,
  RunInstancesCommand,
  StopInstancesCommand,
  type RunInstancesCommandInput,
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

async function launch(overrides: Partial<RunInstancesCommandInput> = {}): Promise<string> {
  const out = await h.ec2.send(
    new RunInstancesCommand({
      ImageId: AMI,
      InstanceType: "m5.large",
      MinCount: 1,
      MaxCount: 1,
      ...overrides,
    }),
  );
  return out.Instances![0].InstanceId!;
}

async function state(id: string): Promise<{ name?: string; reason?: string }> {
  const out = await h.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  const i = out.Reservations![0].Instances![0];
  return { name: i.State?.Name, reason: i.StateReason?.Code };
}

// Latency factor 1/100: on-demand acquire 16-31 s → ≤ 310 ms; stop 31-46 s → 310-460 ms.

describe("instances that stop: StopInstances, a guest's power-off, GetConsoleOutput", () => {
  it("a guest script writes the console and powers off: running → stopping → stopped, attachments kept", async () => {
    h.emulator.guests.add({
      tag: "role=builder",
      afterSeconds: 600,
      console: "provision-host: ok\n",
      then: "power-off",
    });
    const id = await launch({
      TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "role", Value: "builder" }] }],
    });
    await h.clock.advance(310);
    expect(await state(id)).toEqual({ name: "running", reason: undefined });
    const before = await h.ec2.send(new GetConsoleOutputCommand({ InstanceId: id }));
    expect(before.Output).toBeUndefined();
    await h.clock.advance(6000);
    expect(await state(id)).toEqual({ name: "stopping", reason: "Client.InstanceInitiatedShutdown" });
    await h.clock.advance(460);
    expect(await state(id)).toEqual({ name: "stopped", reason: "Client.InstanceInitiatedShutdown" });
    const out = await h.ec2.send(new GetConsoleOutputCommand({ InstanceId: id }));
    expect(Buffer.from(out.Output!, "base64").toString("utf8")).toBe("provision-host: ok\n");
    const stopped = await h.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    expect(
      stopped.Reservations![0].Instances![0].NetworkInterfaces!.map((e) => e.Attachment?.Status),
    ).toEqual(["attached"]);
    expect(h.backend.calls.filter((c) => c.op === "stopInstance")).toEqual([
      { op: "stopInstance", instanceId: id },
    ]);
    expect(h.backend.calls.some((c) => c.op === "terminateInstance")).toBe(false);
  });

  it("an instance without a script keeps running; one launched with shutdown behaviour terminate terminates", async () => {
    const plain = await launch();
    const ending = await launch({ InstanceInitiatedShutdownBehavior: "terminate" });
    await h.clock.advance(310);
    h.emulator.guests.powerOff(ending);
    expect(await state(plain)).toEqual({ name: "running", reason: undefined });
    expect(await state(ending)).toEqual({
      name: "shutting-down",
      reason: "Client.InstanceInitiatedShutdown",
    });
  });

  it("StopInstances: running on-demand stops; pending and spot instances are refused as EC2 refuses them", async () => {
    const id = await launch();
    const early = await errorOf(h.ec2.send(new StopInstancesCommand({ InstanceIds: [id] })));
    expect(early.name).toBe("IncorrectInstanceState");
    await h.clock.advance(310);
    const out = await h.ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
    expect(out.StoppingInstances).toEqual([
      {
        InstanceId: id,
        CurrentState: { Code: 64, Name: "stopping" },
        PreviousState: { Code: 16, Name: "running" },
      },
    ]);
    await h.clock.advance(460);
    expect(await state(id)).toEqual({ name: "stopped", reason: "Client.UserInitiatedShutdown" });
    const spot = await launch({ InstanceMarketOptions: { MarketType: "spot" } });
    await h.clock.advance(1670);
    const refused = await errorOf(h.ec2.send(new StopInstancesCommand({ InstanceIds: [spot] })));
    expect(refused.name).toBe("UnsupportedOperation");
    expect(refused.message).toContain(`You can't stop the Spot Instance '${spot}'`);
  });
});
