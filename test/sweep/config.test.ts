import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { configHash, itemCoordinates, type SweepConfig } from "../../src/sweep/config.js";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

// Only the fields these functions read; the rest of a SweepConfig is hashed the same way.
const config = (path: string, windows: number) =>
  ({
    trace: { path, sha256: "ab" },
    windows: Array.from({ length: windows }, (_, i) => ({ start: i })),
    seed: 5,
  }) as unknown as SweepConfig;

describe("configHash", () => {
  it("is SHA-256 of the config's JSON without the trace's path", () => {
    expect(configHash(config("/a/trace.csv", 1))).toBe(
      sha256('{"trace":{"sha256":"ab"},"windows":[{"start":0}],"seed":5}'),
    );
    expect(configHash(config("/elsewhere/t.csv", 1))).toBe(configHash(config("/a/trace.csv", 1)));
    expect(configHash(config("/a/trace.csv", 2))).not.toBe(configHash(config("/a/trace.csv", 1)));
  });
});

describe("itemCoordinates", () => {
  it("item k is point ⌊k / windows⌋ on window k mod windows", () => {
    const three = config("t", 3);
    expect([0, 2, 3, 7].map((k) => itemCoordinates(three, k))).toEqual([
      { point: 0, window: 0 },
      { point: 0, window: 2 },
      { point: 1, window: 0 },
      { point: 2, window: 1 },
    ]);
  });
});
