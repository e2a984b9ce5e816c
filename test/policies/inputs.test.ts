import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instantiatePolicy, type PolicyContext } from "../../src/engine/policy.js";
import { UsageError } from "../../src/errors.js";
import {
  checkPolicyInputs,
  inputsFromJson,
  inputsToJson,
  loadPolicyInputs,
} from "../../src/policies/inputs.js";
import { readLiveConfig, writeLiveConfig } from "../../src/setup/config.js";
import { sampleLiveConfig } from "../support/live-config.js";
import { calmGreedyPolicy } from "../support/calm-greedy-policy.js";
import { greedyPolicy } from "../../src/policies/greedy.js";

let dir: string;
let feed: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-inputs-"));
  feed = join(dir, "feed.json");
  await writeFile(
    feed,
    JSON.stringify({
      spot_advisor: {
        "us-east-1": {
          Linux: { "m5.large": { s: 70, r: 0 }, "c5.large": { s: 60, r: 3 }, "x1.32xlarge": { s: 1, r: 4 } },
        },
      },
    }),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fail = (field: string, expected: string, found: unknown): never => {
  throw new Error(`${field}: expected ${expected}, found ${JSON.stringify(found)}`);
};

describe("policy inputs: one loader, one JSON form", () => {
  it("loads what a policy needs, refuses what is missing, and loads nothing when nothing is asked", async () => {
    expect(() => checkPolicyInputs([greedyPolicy, calmGreedyPolicy], {})).toThrow(
      "--advisor: expected a file: policy calm-greedy needs it, found none",
    );
    expect(await loadPolicyInputs([greedyPolicy], { advisorOs: "Linux", region: "us-east-1" })).toEqual({});
    const loaded = await loadPolicyInputs([calmGreedyPolicy], {
      advisor: feed,
      advisorOs: "Linux",
      region: "us-east-1",
    });
    expect(loaded.advisor?.bucketOfType.get("c5.large")).toBe(3);
  });

  it("keeps only the given types in JSON and reads it back; a wrong field is named", async () => {
    const loaded = await loadPolicyInputs([calmGreedyPolicy], {
      advisor: feed,
      advisorOs: "Linux",
      region: "us-east-1",
    });
    const json = inputsToJson(loaded, ["m5.large", "c5.large", "t3.nano"]);
    expect(json).toEqual({
      advisor: { source: feed, region: "us-east-1", os: "Linux", buckets: { "c5.large": 3, "m5.large": 0 } },
    });
    expect([...inputsFromJson(JSON.parse(JSON.stringify(json)), fail).advisor!.bucketOfType]).toEqual([
      ["c5.large", 3],
      ["m5.large", 0],
    ]);
    expect(() =>
      inputsFromJson({ advisor: { ...(json.advisor as object), buckets: { "m5.large": 5 } } }, fail),
    ).toThrow("inputs.advisor.buckets.m5.large: expected a bucket 0..4, found 5");
    expect(() => inputsFromJson({ weather: {} }, fail)).toThrow(
      "inputs.weather: expected no such input (inputs: advisor)",
    );
  });

  it("travel in hotspot.json to every controller, and a policy without its input is refused by name", async () => {
    const loaded = await loadPolicyInputs([calmGreedyPolicy], {
      advisor: feed,
      advisorOs: "Linux",
      region: "us-east-1",
    });
    const config = sampleLiveConfig({
      instanceTypes: ["m5.large", "c5.large"],
      policy: { name: "greedy", params: { minSaving: 0 }, inputs: loaded },
    });
    const path = join(dir, "hotspot.json");
    await writeLiveConfig(path, config);
    expect(JSON.parse(await readFile(path, "utf8")).policy.inputs.advisor.buckets).toEqual({
      "c5.large": 3,
      "m5.large": 0,
    });
    const read = await readLiveConfig(path);
    expect(read.policy.inputs.advisor?.bucketOfType.get("c5.large")).toBe(3);

    const context = { markets: [], inputs: {} } as unknown as PolicyContext;
    expect(() => instantiatePolicy(calmGreedyPolicy, { maxBucket: 1 }, context)).toThrow(UsageError);
    expect(() => instantiatePolicy(calmGreedyPolicy, { maxBucket: 1 }, context)).toThrow(
      "--advisor: expected the input policy calm-greedy needs, found none given",
    );
    expect(
      instantiatePolicy(calmGreedyPolicy, { maxBucket: 1 }, { ...context, inputs: read.policy.inputs }),
    ).toBeDefined();
  });
});
