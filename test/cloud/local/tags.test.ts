import {
  CreateTagsCommand,
  CreateVolumeCommand,
  DeleteTagsCommand,
  DescribeVolumesCommand,
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

async function volume(): Promise<string> {
  return (await h.ec2.send(new CreateVolumeCommand({ AvailabilityZone: "us-east-1a", Size: 8 }))).VolumeId!;
}

async function tagsOf(id: string): Promise<Record<string, string>> {
  const out = await h.ec2.send(new DescribeVolumesCommand({ VolumeIds: [id] }));
  return Object.fromEntries((out.Volumes![0].Tags ?? []).map((t) => [t.Key!, t.Value!]));
}

describe("CreateTags and DeleteTags", () => {
  it("tag several resources at once; a tag without a value gets the empty one", async () => {
    const a = await volume();
    const b = await volume();
    await h.ec2.send(
      new CreateTagsCommand({ Resources: [a, b], Tags: [{ Key: "Name", Value: "data" }, { Key: "bare" }] }),
    );
    expect(await tagsOf(a)).toEqual({ Name: "data", bare: "" });
    expect(await tagsOf(b)).toEqual({ Name: "data", bare: "" });
  });

  it("DeleteTags removes a key, only where the value matches when one is given, and every tag when none is", async () => {
    const a = await volume();
    await h.ec2.send(
      new CreateTagsCommand({
        Resources: [a],
        Tags: [
          { Key: "k1", Value: "v1" },
          { Key: "k2", Value: "v2" },
          { Key: "k3", Value: "v3" },
        ],
      }),
    );
    await h.ec2.send(
      new DeleteTagsCommand({ Resources: [a], Tags: [{ Key: "k1", Value: "other" }, { Key: "k2" }] }),
    );
    expect(await tagsOf(a)).toEqual({ k1: "v1", k3: "v3" });
    await h.ec2.send(new DeleteTagsCommand({ Resources: [a] }));
    expect(await tagsOf(a)).toEqual({});
  });

  it("refuses a 51st tag, an unknown resource and an id of no taggable kind", async () => {
    const a = await volume();
    const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    await h.ec2.send(new CreateTagsCommand({ Resources: [a], Tags: fifty }));
    expect(
      await errorOf(
        h.ec2.send(new CreateTagsCommand({ Resources: [a], Tags: [{ Key: "one-more", Value: "v" }] })),
      ),
    ).toMatchObject({
      name: "TagLimitExceeded",
      message: "The maximum number of tags for a resource (50) has been reached.",
    });
    expect(
      (
        await errorOf(
          h.ec2.send(new CreateTagsCommand({ Resources: ["vol-0000000000000dead"], Tags: fifty })),
        )
      ).name,
    ).toBe("InvalidVolume.NotFound");
    expect(
      await errorOf(
        h.ec2.send(new CreateTagsCommand({ Resources: ["eni-attach-0123456789abcdef0"], Tags: fifty })),
      ),
    ).toMatchObject({ name: "InvalidID", message: "The ID 'eni-attach-0123456789abcdef0' is not valid" });
  });
});
