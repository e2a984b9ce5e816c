import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { itemDigest } from "../../src/sweep/item-digest.js";

const item = {
  index: 4,
  point: 1,
  window: 1,
  start: "2016-03-02T00:00:00.000Z",
  end: "2016-03-03T00:00:00.000Z",
  seed: 9,
  excludedZones: [],
  outcomes: [],
};

describe("itemDigest", () => {
  it("is SHA-256 of the item's index, coordinates, span, seed and outcomes as JSON, in that order", () => {
    const json =
      '{"index":4,"point":1,"window":1,"start":"2016-03-02T00:00:00.000Z","end":"2016-03-03T00:00:00.000Z","seed":9,"outcomes":[]}';
    expect(itemDigest(item)).toBe(createHash("sha256").update(json).digest("hex"));
  });

  it("changes with any of them (an edited item is recognised)", () => {
    const digest = itemDigest(item);
    expect(itemDigest({ ...item, seed: 10 })).not.toBe(digest);
    expect(itemDigest({ ...item, end: "2016-03-03T00:00:01.000Z" })).not.toBe(digest);
    expect(itemDigest({ ...item, index: 5 })).not.toBe(digest);
  });
});
