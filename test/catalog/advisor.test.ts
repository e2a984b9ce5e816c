import { describe, expect, it } from "vitest";
import { parseAdvisor, readAdvisorFile } from "../../src/catalog/advisor.js";
import { InputFormatError } from "../../src/errors.js";
import { itWithTraces, sharedTrace } from "../support/shared-traces.js";

const sharedAdvisor = sharedTrace("interruptions/spot-advisor-data.json");

describe("the Spot Advisor feed", () => {
  it("reads the buckets of one region and OS", () => {
    const text = JSON.stringify({
      spot_advisor: { "us-east-1": { Linux: { "a.large": { s: 70, r: 0 }, "b.large": { s: 60, r: 4 } } } },
    });
    const advisor = parseAdvisor(text, "feed.json", "us-east-1");
    expect([...advisor.bucketOfType]).toEqual([
      ["a.large", 0],
      ["b.large", 4],
    ]);
    expect(() => parseAdvisor(text, "feed.json", "eu-west-9")).toThrow(InputFormatError);
    const bad = JSON.stringify({ spot_advisor: { "us-east-1": { Linux: { "a.large": { r: 7 } } } } });
    expect(() => parseAdvisor(bad, "feed.json", "us-east-1")).toThrow(
      /feed.json: spot_advisor.us-east-1.Linux.a.large/,
    );
  });

  itWithTraces("reads the real feed", async () => {
    const advisor = await readAdvisorFile(sharedAdvisor, "us-east-1");
    expect(advisor.bucketOfType.size).toBeGreaterThan(100);
    expect(advisor.bucketOfType.get("m5.large")).toBeTypeOf("number");
  });
});
