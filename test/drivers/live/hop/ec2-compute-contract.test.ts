import { afterEach, describe, expect, it } from "vitest";
import type { Ec2Compute } from "../../../../src/drivers/live/hop/ec2-compute.js";
import { CloudApiError } from "../../../../src/errors.js";
import { FakeEc2Compute } from "../../../support/fake-ec2-compute.js";
import { AMI, liveHarness, ZONE, type LiveHarness } from "../../../support/live-harness.js";

/** A home holding the volume and the ENI, and a second running instance holding neither. */
interface ContractWorld {
  readonly compute: Ec2Compute;
  readonly home: string;
  readonly other: string;
  readonly volumeId: string;
  readonly interfaceId: string;
  /** Lets EC2's asynchronous transitions (detaching, shutting down) finish. */
  settle(): Promise<void>;
}

/** Well-formed ids no world knows. */
const UNKNOWN = {
  instance: "i-0fffffffffffffff0",
  volume: "vol-0fffffffffffffff0",
  interface: "eni-0fffffffffffffff0",
  attachment: "eni-attach-0fffffffffffffff0",
};

let harness: LiveHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** createEc2Compute over the SDK against the in-process emulator (virtual time, no namespaces). */
async function emulatorWorld(): Promise<ContractWorld> {
  const h = await liveHarness();
  harness = h;
  const other = await h.compute.runInstance({
    clientToken: "other",
    imageId: AMI,
    instanceType: "m4.large",
    zone: ZONE,
    lifecycle: "on-demand",
    tags: {},
  });
  for (let i = 0; (await h.compute.describeInstance(other.id))?.state !== "running"; i++) {
    if (i === 100) throw new Error(`${other.id} never ran`);
    await h.wait(500);
  }
  return {
    compute: h.compute,
    home: h.source,
    other: other.id,
    volumeId: h.resources.volumeId,
    interfaceId: h.resources.networkInterfaceId,
    settle: () => h.wait(60_000),
  };
}

/** The tests' fake, set up alike. */
async function fakeWorld(): Promise<ContractWorld> {
  const volumeId = "vol-0123456789abcdef0";
  const interfaceId = "eni-0123456789abcdef0";
  const compute = new FakeEc2Compute({ volumeId, interfaceId });
  compute.add("i-home", {});
  compute.add("i-other", {});
  await compute.attachVolume(volumeId, "i-home", "/dev/sdf");
  await compute.attachInterface(interfaceId, "i-home", 1);
  return { compute, home: "i-home", other: "i-other", volumeId, interfaceId, settle: async () => undefined };
}

/** The failure as the contract describes it: class, EC2's code, whether waiting could cure it. */
async function failure(
  call: Promise<unknown>,
): Promise<{ apiCode: string; code: string; retryable: boolean }> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CloudApiError);
  const { apiCode, code, retryable } = error as CloudApiError;
  return { apiCode, code, retryable };
}

const refused = (apiCode: string) => ({ apiCode, code: `HOTSPOT_CLOUD_${apiCode}`, retryable: false });

describe.each([
  ["the SDK adapter over the local cloud's emulator", emulatorWorld],
  ["the tests' fake", fakeWorld],
])("Ec2Compute's error contract: %s", (_name, makeWorld) => {
  it("ids EC2 does not know: null from describeInstance, NotFound from the rest, none retryable", async () => {
    const { compute, volumeId, interfaceId, home } = await makeWorld();
    expect(await compute.describeInstance(UNKNOWN.instance)).toBeNull();
    expect(await failure(compute.terminateInstance(UNKNOWN.instance))).toEqual(
      refused("InvalidInstanceID.NotFound"),
    );
    expect(await failure(compute.describeVolume(UNKNOWN.volume))).toEqual(refused("InvalidVolume.NotFound"));
    expect(await failure(compute.describeInterface(UNKNOWN.interface))).toEqual(
      refused("InvalidNetworkInterfaceID.NotFound"),
    );
    expect(await failure(compute.attachVolume(volumeId, UNKNOWN.instance, "/dev/sdg"))).toEqual(
      refused("InvalidInstanceID.NotFound"),
    );
    expect(await failure(compute.detachInterface(UNKNOWN.attachment, false))).toEqual(
      refused("InvalidAttachmentID.NotFound"),
    );
    // Nothing moved.
    expect((await compute.describeVolume(volumeId)).attachment?.instanceId).toBe(home);
    expect((await compute.describeInterface(interfaceId)).attachment?.instanceId).toBe(home);
  });

  it("attachments already held elsewhere: VolumeInUse, InvalidAttachment.NotFound, InvalidNetworkInterface.InUse", async () => {
    const { compute, volumeId, interfaceId, home, other } = await makeWorld();
    expect(await failure(compute.attachVolume(volumeId, other, "/dev/sdg"))).toEqual(refused("VolumeInUse"));
    expect(await failure(compute.detachVolume(volumeId, other, false))).toEqual(
      refused("InvalidAttachment.NotFound"),
    );
    expect(await failure(compute.attachInterface(interfaceId, other, 1))).toEqual(
      refused("InvalidNetworkInterface.InUse"),
    );
    expect((await compute.describeVolume(volumeId)).attachment?.instanceId).toBe(home);
  });

  it("a volume already detached: IncorrectState; a terminated instance: terminate is idempotent, attach is IncorrectState", async () => {
    const world = await makeWorld();
    const { compute, volumeId, home, other } = world;
    await compute.detachVolume(volumeId, home, false);
    await world.settle();
    expect((await compute.describeVolume(volumeId)).attachment).toBeNull();
    expect(await failure(compute.detachVolume(volumeId, home, false))).toEqual(refused("IncorrectState"));
    await compute.terminateInstance(other);
    await compute.terminateInstance(other);
    await world.settle();
    await compute.terminateInstance(other);
    expect(await failure(compute.attachVolume(volumeId, other, "/dev/sdf"))).toEqual(
      refused("IncorrectState"),
    );
    expect((await compute.describeVolume(volumeId)).attachment).toBeNull();
  });
});
