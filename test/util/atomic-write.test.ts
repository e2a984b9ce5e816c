import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "../../src/util/atomic-write.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-atomic-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("writeFileAtomic", () => {
  it("writes all chunks and leaves no temporary file", async () => {
    const target = join(dir, "sub", "out.csv");
    await writeFileAtomic(target, ["a,b\n", new TextEncoder().encode("1,2\n")]);
    expect(await readFile(target, "utf8")).toBe("a,b\n1,2\n");
    expect(await readdir(join(dir, "sub"))).toEqual(["out.csv"]);
  });
  it("keeps the old file whole when the producer fails midway", async () => {
    const target = join(dir, "out.csv");
    await writeFile(target, "old\n");
    async function* failing() {
      yield "new partial\n";
      throw new Error("producer died");
    }
    await expect(writeFileAtomic(target, failing())).rejects.toThrow("producer died");
    expect(await readFile(target, "utf8")).toBe("old\n");
    expect(await readdir(dir)).toEqual(["out.csv"]);
  });
});
