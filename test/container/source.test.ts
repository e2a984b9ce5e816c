import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSource, tarballCompression } from "../../src/container/source.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-source-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("--from", () => {
  it("knows a tarball's compression by its first bytes", () => {
    expect(tarballCompression(Uint8Array.from([0x1f, 0x8b, 8]))).toBe("gzip");
    expect(tarballCompression(Uint8Array.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))).toBe("xz");
    expect(tarballCompression(Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd]))).toBe("zstd");
    const tar = new Uint8Array(512);
    tar.set(Buffer.from("ustar", "latin1"), 257);
    expect(tarballCompression(tar)).toBe("none");
    expect(tarballCompression(Buffer.from("hello, world"))).toBeNull();
  });

  it("validates each kind where it enters, naming what was expected and what came", async () => {
    expect(await parseSource("busybox")).toEqual({ kind: "busybox" });
    expect(await parseSource("debootstrap:bookworm")).toEqual({ kind: "debootstrap", suite: "bookworm" });
    expect(await parseSource(dir)).toEqual({ kind: "dir", path: dir });
    await expect(parseSource("debootstrap:Bookworm!")).rejects.toThrow(
      '--from: expected debootstrap:SUITE with a Debian suite such as bookworm, found "debootstrap:Bookworm!"',
    );
    await expect(parseSource(join(dir, "none.tar"))).rejects.toThrow("(no such file or directory)");
    await expect(parseSource(`oci:${dir}`)).rejects.toThrow("no index.json there");
    const text = join(dir, "rootfs.tar.gz");
    await writeFile(text, "not a tarball at all");
    await expect(parseSource(text)).rejects.toThrow(
      `--from ${text}: expected a tar archive (plain, gzip, xz, zstd or bzip2), found a file that is none of them`,
    );
    await expect(parseSource(undefined)).rejects.toThrow("--from: expected one of: busybox:");
  });
});
