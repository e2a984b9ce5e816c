import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fileExists } from "../../src/util/file-exists.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hs-exists-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("fileExists", () => {
  it("is true for a file and a directory, false for a missing path and one under a file", async () => {
    await writeFile(join(dir, "a"), "x");
    expect(await fileExists(join(dir, "a"))).toBe(true);
    expect(await fileExists(dir)).toBe(true);
    expect(await fileExists(join(dir, "missing"))).toBe(false);
    expect(await fileExists(join(dir, "a", "below"))).toBe(false);
  });
});
