import { mkdir, readFile, writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { withPipeMaxSize } from "../../../../src/cloud/local/hosts/pipe-size.js";
import { hostSkipReason } from "../../../support/host-env.js";

const skip = hostSkipReason();
const SYSCTL = "/proc/sys/fs/pipe-max-size";
const LOCK = "/run/hotspot-pipe-max-size.lock";
const read = async () => Number((await readFile(SYSCTL, "utf8")).trim());

describe.skipIf(skip !== undefined)(
  `fs.pipe-max-size for post-copy${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    it("is raised while the work runs and restored after it, also when the work fails", async () => {
      const before = await withPipeMaxSize(4096, read);
      const wanted = Math.max(before, 256 * 2 ** 20);
      expect(await withPipeMaxSize(256 * 2 ** 20, read)).toBe(wanted);
      await expect(
        withPipeMaxSize(256 * 2 ** 20, async () => {
          throw new Error("dump failed");
        }),
      ).rejects.toThrow("dump failed");
      expect(await withPipeMaxSize(4096, read)).toBe(before);
    });

    it("takes over the lock of a holder that died, restoring the value it saved", async () => {
      const before = await withPipeMaxSize(4096, read);
      // A crashed holder: its lock names a PID that no longer exists and the value it raised from.
      await mkdir(LOCK);
      await writeFile(`${LOCK}/pid`, "2147483646");
      await writeFile(`${LOCK}/original`, String(before));
      await writeFile(SYSCTL, String(before * 2));
      expect(await withPipeMaxSize(4096, read)).toBe(before);
      expect(await read()).toBe(before);
    });
  },
);
