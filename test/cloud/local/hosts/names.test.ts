import { describe, expect, it } from "vitest";
import { UsageError } from "../../../../src/errors.js";
import { hostNames, validatePrefix } from "../../../../src/cloud/local/hosts/names.js";

describe("host resource names", () => {
  it("accepts 2-4 lowercase letters as the tag prefix and names the flag otherwise", () => {
    expect(validatePrefix("hs")).toBe("hs");
    expect(validatePrefix("hsbx")).toBe("hsbx");
    for (const bad of ["h", "HS", "hs-", "hosts", "h1"]) {
      expect(() => validatePrefix(bad)).toThrow(UsageError);
    }
    expect(() => validatePrefix("HS")).toThrow('host prefix: expected 2-4 lowercase letters, found "HS"');
  });

  it("keeps interface names within Linux's 15 bytes, tagged, distinct per ENI and stable", () => {
    const eni = "eni-0123456789abcdef0";
    const names = [
      hostNames.eniInner("hsbx", eni),
      hostNames.eniOuter("hsbx", eni),
      hostNames.subnetBridge("hsbx", "subnet-0123456789abcdef0"),
    ];
    for (const n of names) {
      expect(n.length).toBe(13);
      expect(n.startsWith("hsbx")).toBe(true);
    }
    expect(new Set(names).size).toBe(3);
    expect(hostNames.eniInner("hsbx", eni)).toBe(names[0]);
    expect(hostNames.eniInner("hsbx", "eni-0123456789abcdef1")).not.toBe(names[0]);
    expect(hostNames.instanceNetns("hs", "i-0abc")).toBe("hs-i-0abc");
    expect(hostNames.fabricNetns("hs")).toBe("hs-vpc");
  });
});
