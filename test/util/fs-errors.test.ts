import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { fsReason, isFsError } from "../../src/util/fs-errors.js";

const errno = (code: string) => Object.assign(new Error(`${code}: x`), { code, syscall: "open" });

describe("fsReason", () => {
  it("words the common codes, passes an unknown code through, and falls back to the message", () => {
    expect(fsReason(errno("ENOENT"))).toBe("no such file or folder");
    expect(fsReason(errno("EACCES"))).toBe("permission denied");
    expect(fsReason(errno("EROFS"))).toBe("read-only file system");
    expect(fsReason(errno("ENOSPC"))).toBe("no space left on the device");
    expect(fsReason(errno("EMFILE"))).toBe("EMFILE");
    expect(fsReason(new Error("boom"))).toBe("boom");
    expect(fsReason("text")).toBe("text");
  });
});

describe("isFsError", () => {
  it("is true for a file-system call's error (code and syscall), false otherwise", async () => {
    const error = await readFile("/nonexistent/hotspot-test").catch((e: unknown) => e);
    expect(isFsError(error)).toBe(true);
    expect(fsReason(error)).toBe("no such file or folder");
    expect(isFsError(Object.assign(new Error("x"), { code: "E" }))).toBe(false);
    expect(isFsError({ code: "ENOENT", syscall: "open" })).toBe(false);
  });
});
