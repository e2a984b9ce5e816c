import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";

import { builderUserData, provisioningFiles, USER_DATA_LIMIT } from "../../src/image/user-data.js";

describe("the builder's user data", () => {
  it("carries the shipped provisioning scripts byte for byte, within EC2's 16 KiB", () => {
    const text = builderUserData("https://example.test/h.tgz", 26);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(USER_DATA_LIMIT);
    for (const file of provisioningFiles()) {
      const line = text.split("\n").find((l) => l.endsWith(`>"$dir/${file.path}"`));
      const b64 = /^echo (\S+) \| base64 -d/.exec(line ?? "")?.[1] ?? "";
      expect(gunzipSync(Buffer.from(b64, "base64")).toString("utf8")).toBe(file.text);
    }
    expect(text).toContain(
      "HOTSPOT_NODE_MAJOR=26 bash \"$dir/provision-host.sh\" 'https://example.test/h.tgz'",
    );
  });

  it("refuses a package spec with a space", () => {
    expect(() => builderUserData("a b", 26)).toThrow(
      '--package: expected an npm pack spec without spaces or control characters, found "a b"',
    );
  });
});
