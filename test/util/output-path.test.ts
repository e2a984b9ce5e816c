import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { checkOutputPath } from "../../src/util/output-path.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-output-path-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const refusal = (path: string, why: string) =>
  `-o: expected a file path in an existing, writable folder, found "${path}" (${why})`;

describe("checkOutputPath", () => {
  it("accepts a new file in a writable folder and an existing writable file", async () => {
    await expect(checkOutputPath("-o", join(dir, "new.html"))).resolves.toBeUndefined();
    const existing = join(dir, "existing.html");
    await writeFile(existing, "old");
    await expect(checkOutputPath("-o", existing)).resolves.toBeUndefined();
  });

  it("refuses a directory, a read-only file, a missing folder, a file as folder, a read-only folder", async () => {
    const readOnly = join(dir, "read-only.html");
    await writeFile(readOnly, "old");
    await chmod(readOnly, 0o444);
    const plain = join(dir, "plain.txt");
    await writeFile(plain, "x");
    const locked = join(dir, "locked");
    await mkdir(locked, { mode: 0o555 });
    const cases: [string, string][] = [
      [dir, "a directory"],
      [readOnly, "a read-only file, which hotspot does not replace"],
      [join(dir, "nowhere", "r.html"), `its folder ${join(dir, "nowhere")} does not exist`],
      [join(plain, "r.html"), `${plain} is not a folder`],
      [join(locked, "r.html"), `its folder ${locked} is not writable`],
    ];
    for (const [path, why] of cases) {
      const error = await checkOutputPath("-o", path).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toBe(refusal(path, why));
    }
  });
});
