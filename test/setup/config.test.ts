import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InputFormatError, InputReadError, UsageError } from "../../src/errors.js";
import {
  imageIdFor,
  LOCAL_HOST_IMAGE,
  readLiveConfig,
  writeLiveConfig,
  type LiveConfig,
} from "../../src/setup/config.js";
import { sampleLiveConfig } from "../support/live-config.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-config-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const good: LiveConfig = {
  version: 1,
  name: "t1",
  region: "us-east-1",
  zone: "us-east-1a",
  vpcId: "vpc-00000000000000001",
  subnetId: "subnet-00000000000000002",
  securityGroupId: "sg-00000000000000003",
  eniId: "eni-00000000000000004",
  privateIp: "10.0.1.10",
  allocationId: "eipalloc-00000000000000005",
  publicIp: "203.0.113.1",
  volumeId: "vol-0123456789abcdef0",
  containerName: "web",
  instanceTypes: ["m5.large", "c5.xlarge"],
  policy: { name: "greedy", params: { minSaving: 0.1 }, inputs: {} },
};

async function errorFor(doc: unknown): Promise<string> {
  const path = join(dir, "hotspot.json");
  await writeFile(path, JSON.stringify(doc));
  try {
    await readLiveConfig(path);
  } catch (error) {
    expect(error).toBeInstanceOf(InputFormatError);
    return (error as Error).message.replace(`${path}: `, "hotspot.json: ");
  }
  throw new Error("expected the config to be rejected");
}

describe("hotspot.json", () => {
  it("round-trips through the atomic writer and the reader, leaving no temporary file", async () => {
    const path = join(dir, "hotspot.json");
    await writeLiveConfig(path, good);
    expect(await readLiveConfig(path)).toEqual(good);
    expect(await readdir(dir)).toEqual(["hotspot.json"]);
    expect((await readFile(path, "utf8")).endsWith("}\n")).toBe(true);
  });

  it("fills in the policy's default parameters and keeps given ones", async () => {
    const path = join(dir, "hotspot.json");
    await writeFile(path, JSON.stringify({ ...good, policy: { name: "hotspot" } }));
    const defaults = (await readLiveConfig(path)).policy.params;
    expect(Object.keys(defaults).length).toBeGreaterThan(0);
    const [first] = Object.keys(defaults);
    await writeFile(
      path,
      JSON.stringify({ ...good, policy: { name: "hotspot", params: { [first]: defaults[first] } } }),
    );
    expect((await readLiveConfig(path)).policy.params).toEqual(defaults);
  });

  it("keeps the optional imageId that hotspot image build records", async () => {
    const path = join(dir, "hotspot.json");
    await writeLiveConfig(path, { ...good, imageId: "ami-0123456789abcdef0" });
    expect((await readLiveConfig(path)).imageId).toBe("ami-0123456789abcdef0");
    await writeLiveConfig(path, { ...good });
    expect("imageId" in (await readLiveConfig(path))).toBe(false);
  });

  it("the writer refuses an invalid config and writes nothing", async () => {
    const path = join(dir, "hotspot.json");
    await expect(writeLiveConfig(path, { ...good, zone: "us-west-2a" })).rejects.toThrow(InputFormatError);
    expect(await readdir(dir)).toEqual([]);
  });

  it("names a missing file and bad JSON", async () => {
    const missing = join(dir, "none.json");
    await expect(readLiveConfig(missing)).rejects.toThrow(InputReadError);
    await expect(readLiveConfig(missing)).rejects.toThrow(
      `${missing}: cannot read the file (no such file or folder)`,
    );
    const path = join(dir, "bad.json");
    await writeFile(path, "{ nope");
    await expect(readLiveConfig(path)).rejects.toThrow(new RegExp(`^${path}: expected JSON, found `));
  });

  it("reads a file saved as UTF-8 with a byte-order mark as if it had none", async () => {
    const path = join(dir, "hotspot.json");
    await writeFile(
      path,
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(good))]),
    );
    expect(await readLiveConfig(path)).toEqual(good);
    // Only the leading mark is the encoding's; one inside the text is bad JSON, as any other character.
    await writeFile(path, ` \uFEFF${JSON.stringify(good)}`);
    await expect(readLiveConfig(path)).rejects.toThrow(new RegExp(`^${path}: expected JSON, found `));
  });

  it("names UTF-16 and how to convert it, instead of a JSON error about invisible characters", async () => {
    const path = join(dir, "hotspot.json");
    await writeFile(
      path,
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify(good), "utf16le")]),
    );
    await expect(readLiveConfig(path)).rejects.toThrow(
      `${path}: expected UTF-8 JSON, found UTF-16 text (byte-order mark FF FE, little-endian); convert it with iconv -f UTF-16 -t UTF-8`,
    );
  });

  const cases: Array<[string, unknown, string]> = [
    ["(top level)", [], 'hotspot.json: (top level): expected a JSON object, found "[]"'],
    ["version", { ...good, version: 2 }, 'hotspot.json: version: expected 1, found "2"'],
    [
      "unknown field",
      { ...good, subnet: "x" },
      'hotspot.json: subnet: expected no such field (fields: version, name, region, zone, vpcId, subnetId, securityGroupId, eniId, privateIp, allocationId, publicIp, volumeId, containerName, instanceTypes, policy, imageId), found "x"',
    ],
    [
      "imageId",
      { ...good, imageId: "ami-12" },
      'hotspot.json: imageId: expected an EC2 id such as ami-0123456789abcdef0, found "ami-12"',
    ],
    [
      "name",
      { ...good, name: "Bad_Name" },
      'hotspot.json: name: expected a setup name of lower-case letters, digits and inner dashes (at most 32), found "Bad_Name"',
    ],
    [
      "region",
      { ...good, region: "useast1" },
      'hotspot.json: region: expected an AWS region such as us-east-1, found "useast1"',
    ],
    [
      "zone",
      { ...good, zone: "eu-west-1b" },
      'hotspot.json: zone: expected an availability zone in region us-east-1 such as us-east-1a, found "eu-west-1b"',
    ],
    [
      "zone missing",
      { ...good, zone: undefined },
      "hotspot.json: zone: expected an availability zone in region us-east-1 such as us-east-1a, found nothing (the field is missing)",
    ],
    [
      "vpcId",
      { ...good, vpcId: "vpc-xyz" },
      'hotspot.json: vpcId: expected an EC2 id such as vpc-0123456789abcdef0, found "vpc-xyz"',
    ],
    [
      "subnetId",
      { ...good, subnetId: "vpc-00000000000000001" },
      'hotspot.json: subnetId: expected an EC2 id such as subnet-0123456789abcdef0, found "vpc-00000000000000001"',
    ],
    [
      "securityGroupId",
      { ...good, securityGroupId: 3 },
      'hotspot.json: securityGroupId: expected an EC2 id such as sg-0123456789abcdef0, found "3"',
    ],
    [
      "eniId",
      { ...good, eniId: "" },
      'hotspot.json: eniId: expected an EC2 id such as eni-0123456789abcdef0, found ""',
    ],
    [
      "privateIp",
      { ...good, privateIp: "10.0.1.256" },
      'hotspot.json: privateIp: expected an IPv4 address such as 10.0.1.10, found "10.0.1.256"',
    ],
    [
      "allocationId",
      { ...good, allocationId: "eipassoc-00000000000000005" },
      'hotspot.json: allocationId: expected an EC2 id such as eipalloc-0123456789abcdef0, found "eipassoc-00000000000000005"',
    ],
    [
      "publicIp",
      { ...good, publicIp: "203.0.113" },
      'hotspot.json: publicIp: expected an IPv4 address such as 203.0.113.7, found "203.0.113"',
    ],
    [
      "volumeId",
      { ...good, volumeId: "vol-1" },
      'hotspot.json: volumeId: expected an EC2 id such as vol-0123456789abcdef0, found "vol-1"',
    ],
    [
      "containerName",
      { ...good, containerName: "-web" },
      "hotspot.json: containerName: expected a container name of letters, digits, '_', '.', '-' (at most 64), found \"-web\"",
    ],
    [
      "instanceTypes empty",
      { ...good, instanceTypes: [] },
      'hotspot.json: instanceTypes: expected a non-empty list of distinct instance types such as ["m5.large", "c5.xlarge"], found "[]"',
    ],
    [
      "instanceTypes item",
      { ...good, instanceTypes: ["m5.large", "M5"] },
      'hotspot.json: instanceTypes[1]: expected an instance type such as m5.large, found "M5"',
    ],
    [
      "instanceTypes duplicate",
      { ...good, instanceTypes: ["m5.large", "m5.large"] },
      'hotspot.json: instanceTypes[1]: expected a type not listed before, found "m5.large"',
    ],
    [
      "policy",
      { ...good, policy: "greedy" },
      'hotspot.json: policy: expected an object such as {"name": "hotspot", "params": {}}, found "greedy"',
    ],
    [
      "policy.name",
      { ...good, policy: { name: "optimal" } },
      'hotspot.json: policy.name: expected a policy that can run live: one of on-demand, spot-stay, greedy, hotspot, hotspot-plus, found "optimal"',
    ],
    [
      "policy.params value",
      { ...good, policy: { name: "hotspot", params: { epsilon: "0.1" } } },
      'hotspot.json: policy.params.epsilon: expected a number, found "0.1"',
    ],
    [
      "policy.params unknown",
      { ...good, policy: { name: "greedy", params: { nope: 1 } } },
      'hotspot.json: policy.params: expected a parameter of policy greedy (minSaving), found "nope"',
    ],
    [
      "policy.params range",
      { ...good, policy: { name: "greedy", params: { minSaving: 2 } } },
      'hotspot.json: policy.params.minSaving: expected a number of fraction ≥ 0 ≤ 1, found "2"',
    ],
    [
      "policy extra field",
      { ...good, policy: { name: "greedy", param: {} } },
      'hotspot.json: policy.param: expected no such field (fields: name, params, inputs), found "{}"',
    ],
  ];
  it.each(cases)(
    "rejects a bad %s naming the field, the expected form and the found value",
    async (_field, doc, message) => {
      expect(await errorFor(doc)).toBe(message);
    },
  );
});

describe("imageIdFor", () => {
  const config: LiveConfig = sampleLiveConfig();
  const built: LiveConfig = { ...config, imageId: "ami-0aaaaaaaaaaaaaaaa" };

  it("takes --image-id, else the config's image, else the local cloud's host image", () => {
    expect(imageIdFor("ami-01234567", built, true)).toBe("ami-01234567");
    expect(imageIdFor(undefined, built, false)).toBe("ami-0aaaaaaaaaaaaaaaa");
    expect(imageIdFor(undefined, config, true)).toBe(LOCAL_HOST_IMAGE);
  });

  it("refuses none on EC2, and an id that is not an AMI's", () => {
    expect(() => imageIdFor(undefined, config, false)).toThrow(
      new UsageError(
        "--image-id",
        "an AMI id, or an imageId in the config (from `hotspot image build`)",
        "neither",
      ),
    );
    expect(() => imageIdFor("ami-xyz", config, true)).toThrow(
      '--image-id: expected an AMI id such as ami-0123456789abcdef0, found "ami-xyz"',
    );
  });
});
