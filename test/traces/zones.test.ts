import { describe, expect, it } from "vitest";
import { regionOfZone, zoneKindOf } from "../../src/traces/zones.js";

describe("zones", () => {
  it("maps zone names and zone IDs to regions", () => {
    expect(regionOfZone("us-east-1a")).toBe("us-east-1");
    expect(regionOfZone("sa-east-1c")).toBe("sa-east-1");
    expect(regionOfZone("us-gov-west-1a")).toBe("us-gov-west-1");
    expect(regionOfZone("use1-az4")).toBe("us-east-1");
    expect(regionOfZone("apne1-az1")).toBe("ap-northeast-1");
    expect(regionOfZone("xx1-az1")).toBeUndefined();
    expect(regionOfZone("nonsense")).toBeUndefined();
  });
  it("tells names from IDs", () => {
    expect(zoneKindOf("us-east-1f")).toBe("zone-name");
    expect(zoneKindOf("use1-az6")).toBe("zone-id");
    expect(zoneKindOf("us-east-1")).toBeUndefined();
  });
});
