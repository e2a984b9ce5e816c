import { readFile } from "node:fs/promises";
import { InputFormatError, InputReadError, UsageError, shown } from "../errors.js";
import { policies, policyByName, policyNames, resolveParams } from "../policies/index.js";
import { inputsFromJson, inputsToJson } from "../policies/inputs.js";
import type { PolicyInputs } from "../engine/policy.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { fsReason } from "../util/fs-errors.js";
import {
  CONTAINER_NAME_RE,
  INSTANCE_TYPE_RE,
  REGION_RE,
  SETUP_NAME_RE,
  ipv4,
  isResourceId,
  isZoneOf,
} from "./validate.js";

/** hotspot.json: what `hotspot setup` made and what `hotspot live` runs with. */
export interface LiveConfig {
  readonly version: 1;
  /** The setup's name: the value of the `hotspot:setup` tag on every resource. */
  readonly name: string;
  readonly region: string;
  readonly zone: string;
  readonly vpcId: string;
  readonly subnetId: string;
  readonly securityGroupId: string;
  readonly eniId: string;
  readonly privateIp: string;
  readonly allocationId: string;
  readonly publicIp: string;
  readonly volumeId: string;
  readonly containerName: string;
  /** Candidate instance types for the container, in the setup's zone. */
  readonly instanceTypes: readonly string[];
  readonly policy: {
    readonly name: string;
    readonly params: Readonly<Record<string, number>>;
    /** What the policy needs beyond prices (`setup --advisor`), carried to every controller. */
    readonly inputs: PolicyInputs;
  };
  /** The image every instance boots, recorded by `hotspot image build`; absent until then. */
  readonly imageId?: string;
}

const livePolicyNames = policyNames.filter((name) => !policies[name].simulationOnly);

/** The found value as an error shows it: strings quoted, anything else as JSON. */
function found(value: unknown): string {
  if (value === undefined) return "nothing (the field is missing)";
  return typeof value === "string" ? shown(value) : shown(JSON.stringify(value));
}

/**
 * Checks a parsed hotspot.json. Every error names the file and field, the form expected and the value
 * found, e.g. `hotspot.json: zone: expected an availability zone in region us-east-1 such as us-east-1a, found "eu-west-1b"`.
 */
export function validateLiveConfig(value: unknown, file: string): LiveConfig {
  const fail = (field: string, expected: string, got: unknown): never => {
    throw new InputFormatError(`${file}: ${field}`, expected, found(got));
  };
  if (typeof value !== "object" || value === null || Array.isArray(value))
    fail("(top level)", "a JSON object", value);
  const doc = value as Record<string, unknown>;
  const known = new Set([
    "version",
    "name",
    "region",
    "zone",
    "vpcId",
    "subnetId",
    "securityGroupId",
    "eniId",
    "privateIp",
    "allocationId",
    "publicIp",
    "volumeId",
    "containerName",
    "instanceTypes",
    "policy",
    "imageId",
  ]);
  const unknown = Object.keys(doc).find((key) => !known.has(key));
  if (unknown !== undefined) fail(unknown, `no such field (fields: ${[...known].join(", ")})`, doc[unknown]);

  const text = (field: string, expected: string, ok: (s: string) => boolean): string => {
    const v = doc[field];
    if (typeof v !== "string" || !ok(v)) fail(field, expected, v);
    return v as string;
  };
  const id = (field: string, prefix: string) =>
    text(field, `an EC2 id such as ${prefix}-0123456789abcdef0`, (s) => isResourceId(s, prefix));

  if (doc.version !== 1) fail("version", "1", doc.version);
  const name = text("name", "a setup name of lower-case letters, digits and inner dashes (at most 32)", (s) =>
    SETUP_NAME_RE.test(s),
  );
  const region = text("region", "an AWS region such as us-east-1", (s) => REGION_RE.test(s));
  const zone = text("zone", `an availability zone in region ${region} such as ${region}a`, (s) =>
    isZoneOf(s, region),
  );
  const config: LiveConfig = {
    version: 1,
    name,
    region,
    zone,
    vpcId: id("vpcId", "vpc"),
    subnetId: id("subnetId", "subnet"),
    securityGroupId: id("securityGroupId", "sg"),
    eniId: id("eniId", "eni"),
    privateIp: text("privateIp", "an IPv4 address such as 10.0.1.10", (s) => ipv4(s) !== undefined),
    allocationId: id("allocationId", "eipalloc"),
    publicIp: text("publicIp", "an IPv4 address such as 203.0.113.7", (s) => ipv4(s) !== undefined),
    volumeId: id("volumeId", "vol"),
    containerName: text(
      "containerName",
      "a container name of letters, digits, '_', '.', '-' (at most 64)",
      (s) => CONTAINER_NAME_RE.test(s),
    ),
    instanceTypes: instanceTypes(doc.instanceTypes, fail),
    policy: policy(doc.policy, file, fail),
    ...(doc.imageId === undefined ? {} : { imageId: id("imageId", "ami") }),
  };
  return config;
}

function instanceTypes(
  value: unknown,
  fail: (field: string, expected: string, got: unknown) => never,
): string[] {
  const expected = 'a non-empty list of distinct instance types such as ["m5.large", "c5.xlarge"]';
  if (!Array.isArray(value) || value.length === 0) return fail("instanceTypes", expected, value);
  value.forEach((item, index) => {
    if (typeof item !== "string" || !INSTANCE_TYPE_RE.test(item)) {
      fail(`instanceTypes[${index}]`, "an instance type such as m5.large", item);
    }
    if (value.indexOf(item) !== index) fail(`instanceTypes[${index}]`, "a type not listed before", item);
  });
  return value as string[];
}

function policy(
  value: unknown,
  file: string,
  fail: (field: string, expected: string, got: unknown) => never,
): LiveConfig["policy"] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail("policy", 'an object such as {"name": "hotspot", "params": {}}', value);
  }
  const { name, params, inputs, ...rest } = value as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined)
    fail(`policy.${extra}`, "no such field (fields: name, params, inputs)", rest[extra]);
  if (typeof name !== "string" || !livePolicyNames.includes(name as never)) {
    fail("policy.name", `a policy that can run live: one of ${livePolicyNames.join(", ")}`, name);
  }
  const given = params ?? {};
  if (typeof given !== "object" || given === null || Array.isArray(given)) {
    return fail("policy.params", "an object of parameter name to number", params);
  }
  for (const [key, v] of Object.entries(given)) {
    if (typeof v !== "number") fail(`policy.params.${key}`, "a number", v);
  }
  try {
    return {
      name: name as string,
      params: resolveParams(policyByName(name as string), given as Record<string, number>, ""),
      inputs: inputsFromJson(inputs, (field, expected, got) => fail(`policy.${field}`, expected, got)),
    };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const where = error.flag.trim();
    throw new InputFormatError(
      `${file}: policy.params${where ? `.${where}` : ""}`,
      error.expected,
      error.found,
      {
        cause: error,
      },
    );
  }
}

/** Reads and checks hotspot.json; errors name the file, the field, the expected form and the found value. */
export async function readLiveConfig(path: string): Promise<LiveConfig> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new InputReadError(path, `cannot read the file (${fsReason(error)})`, { cause: error });
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new InputFormatError(
      path,
      "UTF-8 JSON",
      `UTF-16 text (byte-order mark ${bytes[0] === 0xff ? "FF FE, little-endian" : "FE FF, big-endian"}); convert it with iconv -f UTF-16 -t UTF-8`,
    );
  }
  // Editors that save "UTF-8 with BOM" put EF BB BF first; JSON allows a parser to ignore it.
  const text = bytes.toString("utf8").replace(/^\uFEFF/, "");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InputFormatError(path, "JSON", (error as Error).message, { cause: error });
  }
  return validateLiveConfig(parsed, path);
}

/** Checks `config` and writes it atomically (readers see the old file or the whole new one). */
export async function writeLiveConfig(path: string, config: LiveConfig): Promise<void> {
  const { inputs, ...policy } = config.policy;
  const json = inputsToJson(inputs, config.instanceTypes);
  // Only when some: a config without inputs reads as it did before the field.
  const written = {
    ...config,
    policy: { ...policy, ...(Object.keys(json).length > 0 ? { inputs: json } : {}) },
  };
  validateLiveConfig(written, path);
  await writeFileAtomic(path, [`${JSON.stringify(written, null, 2)}\n`]);
}

/** The policy a live command runs: `override` (`--policy NAME`, default parameters) or the config's; inputs are the config's. */
export function livePolicy(
  override: { readonly name: string; readonly params: Readonly<Record<string, number>> } | undefined,
  config: LiveConfig,
): LiveConfig["policy"] {
  return override === undefined ? config.policy : { ...override, inputs: config.policy.inputs };
}

/**
 * The local cloud's instances run this machine's own filesystem, whatever AMI they name: this id
 * stands for it where no image was built or given.
 */
export const LOCAL_HOST_IMAGE = "ami-00000000000000000";

/** The AMI to launch: `--image-id`, else the config's (from `hotspot image build`), else the local cloud's host. */
export function imageIdFor(flag: string | undefined, config: LiveConfig, local: boolean): string {
  const id = flag ?? config.imageId ?? (local ? LOCAL_HOST_IMAGE : undefined);
  if (id === undefined) {
    throw new UsageError(
      "--image-id",
      "an AMI id, or an imageId in the config (from `hotspot image build`)",
      "neither",
    );
  }
  if (!/^ami-[0-9a-f]{8,17}$/.test(id))
    throw new UsageError("--image-id", "an AMI id such as ami-0123456789abcdef0", JSON.stringify(id));
  return id;
}
