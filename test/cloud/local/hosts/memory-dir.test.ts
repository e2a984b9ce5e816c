import { describe, expect, it } from "vitest";
import { tmpfsMountArgs } from "../../../../src/cloud/local/hosts/memory-dir.js";

describe("the target's memory directory (a tmpfs)", () => {
  it("is private to root and capped in whole MiB, rounded up", () => {
    expect(tmpfsMountArgs("/state/xfer/m", 2112 * 2 ** 20)).toEqual([
      "-t",
      "tmpfs",
      "-o",
      "size=2112m,mode=0700",
      "tmpfs",
      "/state/xfer/m",
    ]);
    expect(tmpfsMountArgs("/m", 2 ** 20 + 1)[3]).toBe("size=2m,mode=0700");
    expect(tmpfsMountArgs("/m", 1)[3]).toBe("size=1m,mode=0700");
  });

  it.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY])("refuses a size of %d bytes", (size) => {
    expect(() => tmpfsMountArgs("/m", size)).toThrow(
      expect.objectContaining({ code: "HOTSPOT_INPUT_FORMAT" }),
    );
    expect(() => tmpfsMountArgs("/m", size)).toThrow(
      "memory directory size: expected a positive number of bytes",
    );
  });
});
