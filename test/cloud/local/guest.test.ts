import { GetConsoleOutputCommand, RunInstancesCommand, type Tag } from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AMI, errorOf, harness, type Harness } from "../../support/emulator-harness.js";

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});

async function launch(tags: Tag[] = []): Promise<string> {
  const out = await h.ec2.send(
    new RunInstancesCommand({
      ImageId: AMI,
      InstanceType: "m5.large",
      MinCount: 1,
      MaxCount: 1,
      ...(tags.length > 0 ? { TagSpecifications: [{ ResourceType: "instance", Tags: tags }] } : {}),
    }),
  );
  return out.Instances![0].InstanceId!;
}

async function consoleOf(id: string): Promise<string | undefined> {
  const out = await h.ec2.send(new GetConsoleOutputCommand({ InstanceId: id }));
  return out.Output === undefined ? undefined : Buffer.from(out.Output, "base64").toString("utf8");
}

describe("guest scripts and the console", () => {
  it("runs a script on instances with its tag, as many times as given, after its (scaled) delay", async () => {
    h.emulator.guests.add({
      tag: "role=web",
      afterSeconds: 100,
      console: "booted\n",
      then: "keep-running",
      times: 1,
    });
    const first = await launch([{ Key: "role", Value: "web" }]);
    const second = await launch([{ Key: "role", Value: "web" }]);
    const other = await launch([{ Key: "role", Value: "db" }]);
    // Running within 310 ms (scaled acquire), then 100 s × 1/100 = 1 s to the console line.
    await h.clock.advance(310);
    expect(await consoleOf(first)).toBeUndefined();
    await h.clock.advance(1000);
    expect(await consoleOf(first)).toBe("booted\n");
    expect(await consoleOf(second)).toBeUndefined();
    expect(await consoleOf(other)).toBeUndefined();
    expect(h.emulator.state.instances.get(first)!.state).toBe("running");
  });

  it("a removed script no longer runs; write appends to the console", async () => {
    const remove = h.emulator.guests.add({ afterSeconds: 0, console: "x", then: "power-off" });
    remove();
    const id = await launch();
    await h.clock.advance(1000);
    expect(h.emulator.state.instances.get(id)!.state).toBe("running");
    h.emulator.guests.write(id, "a");
    h.emulator.guests.write(id, "b");
    expect(await consoleOf(id)).toBe("ab");
  });

  it("refuses a malformed script naming the field, and GetConsoleOutput of an unknown instance", async () => {
    const add = (script: object) => () =>
      h.emulator.guests.add({ afterSeconds: 0, console: "", then: "power-off", ...script });
    expect(add({ afterSeconds: -1 })).toThrow("guest script: expected afterSeconds >= 0, found -1");
    expect(add({ then: "reboot" })).toThrow(
      "guest script: expected then power-off or keep-running, found reboot",
    );
    expect(add({ times: 0 })).toThrow("guest script: expected times a whole number >= 1, found 0");
    expect(
      (await errorOf(h.ec2.send(new GetConsoleOutputCommand({ InstanceId: "i-00000000000000000" })))).name,
    ).toBe("InvalidInstanceID.NotFound");
  });
});
