import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/cloud/local/index.js";
import { CloudApiError } from "../../src/errors.js";
import { createImageEc2, LOCAL_IMAGE_LOCATION, type ImageEc2 } from "../../src/image/image-ec2.js";

let emulator: Emulator;
let ec2: ImageEc2 & { destroy(): void };
beforeEach(async () => {
  process.env.AWS_ACCESS_KEY_ID = "AKIDIMAGEEC2TEST";
  process.env.AWS_SECRET_ACCESS_KEY = "image-ec2-test-secret";
  emulator = await startEmulator({ latency: { factor: 0 } });
  ec2 = createImageEc2({ region: "us-east-1", endpoint: emulator.endpoint });
});
afterEach(async () => {
  ec2.destroy();
  await emulator.close();
});

const subnetIn = (zone: string) => [...emulator.state.subnets.values()].find((s) => s.zone === zone)!.id;

describe("createImageEc2 against the EC2 emulator (real SDK)", () => {
  it("answers permission checks by DryRun: allowed, or denied when IAM lacks the action", async () => {
    const launch = {
      imageId: "ami-0d12a0000000000a2",
      instanceType: "m5.large",
      subnetId: subnetIn("us-east-1a"),
      userData: "#!/bin/sh\n",
      tags: { "hotspot:setup": "t1" },
      clientToken: "build-1",
    };
    expect(await ec2.canLaunch(launch)).toBe("allowed");
    expect(await ec2.canCall("CreateImage")).toBe("allowed");
    expect(await ec2.canCall("TerminateInstances")).toBe("allowed");
    expect(await ec2.canCall("GetConsoleOutput")).toBe("allowed");
    emulator.faults.deny("RunInstances");
    emulator.faults.deny("CreateImage");
    expect(await ec2.canLaunch(launch)).toBe("denied");
    expect(await ec2.canCall("CreateImage")).toBe("denied");
    expect(await ec2.canCall("TerminateInstances")).toBe("allowed");
    expect(emulator.state.instances.size).toBe(0);
  });

  it("launches a builder with its tags and user data, reads its state and terminates it; a token makes it idempotent", async () => {
    const launch = {
      imageId: "ami-0d12a0000000000a2",
      instanceType: "m5.large",
      subnetId: subnetIn("us-east-1b"),
      userData: "#!/bin/sh\necho provision\n",
      tags: { "hotspot:setup": "t1", Name: "builder" },
      clientToken: "build-2",
    };
    const id = await ec2.launchBuilder(launch);
    expect(await ec2.launchBuilder(launch)).toBe(id);
    const instance = emulator.state.instances.get(id)!;
    expect([
      instance.zone,
      instance.tags.get("Name"),
      Buffer.from(instance.userData!, "base64").toString(),
    ]).toEqual(["us-east-1b", "builder", "#!/bin/sh\necho provision\n"]);
    expect((await ec2.instanceState(id)).state).toMatch(/^(pending|running)$/);
    expect(await ec2.subnetZone(launch.subnetId)).toBe("us-east-1b");
    expect(await ec2.consoleOutput(id)).toBe("");
    emulator.guests.write(id, "provisioned\n");
    expect(await ec2.consoleOutput(id)).toBe("provisioned\n");
    await ec2.terminate(id);
    expect((await ec2.instanceState(id)).state).toMatch(/^(shutting-down|terminated)$/);
  });

  it("registers the local cloud's own filesystem as an image, finds it by tag, and deregisters it", async () => {
    const id = await ec2.registerLocalImage("hotspot-t1-local", "x86_64", "host root", {
      "hotspot:setup": "t1",
    });
    expect(emulator.state.images.get(id)!.imageLocation).toBe(LOCAL_IMAGE_LOCATION);
    const [found] = await ec2.findImages({
      owners: ["self"],
      filters: [{ name: "tag:hotspot:setup", values: ["t1"] }],
    });
    expect(found).toMatchObject({
      id,
      name: "hotspot-t1-local",
      architecture: "x86_64",
      state: "available",
      snapshotIds: [],
      tags: { "hotspot:setup": "t1" },
    });
    await ec2.deregister(id);
    expect(await ec2.findImages({ owners: ["self"] })).toEqual([]);
  });

  it("turns EC2's errors into CloudApiError with the code", async () => {
    const error = await ec2.subnetZone("subnet-0000000000000dead").then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CloudApiError);
    expect(error).toMatchObject({ apiCode: "InvalidSubnetID.NotFound" });
    expect((error as Error).message).toMatch(
      /^DescribeSubnets in us-east-1 failed: InvalidSubnetID\.NotFound/,
    );
  });
});
