import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputFormatError, InputReadError } from "../../src/errors.js";
import { openSource, statSource } from "../../src/traces/source.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-source-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, bytes: Buffer | string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

/** Reads the stream to its end: the text, the hash and the progress reports. */
async function readAll(path: string, maxInputBytes = 1 << 20) {
  const progress: [number, number][] = [];
  const stream = openSource(path, await statSource(path), maxInputBytes, (read, total) =>
    progress.push([read, total]),
  );
  const chunks: Buffer[] = [];
  for await (const chunk of stream.chunks) chunks.push(chunk);
  return {
    text: Buffer.concat(chunks).toString("utf8"),
    sha256: stream.sha256(),
    progress,
    gzip: stream.gzip,
  };
}

const sha256 = (bytes: Buffer | string) => createHash("sha256").update(bytes).digest("hex");

describe("statSource", () => {
  it("detects gzip by its magic bytes, not the name", async () => {
    const gz = await file("plain-named.csv", gzipSync("a,b\n"));
    const plain = await file("named.gz", "a,b\n");
    expect([(await statSource(gz)).gzip, (await statSource(plain)).gzip]).toEqual([true, false]);
    expect((await statSource(plain)).size).toBe(4);
  });

  it("refuses a missing file, a folder and an empty file, naming the path", async () => {
    const missing = join(dir, "none.csv");
    await expect(statSource(missing)).rejects.toThrow(
      new InputReadError(missing, "cannot read the file (no such file or folder)").message,
    );
    await expect(statSource(dir)).rejects.toThrow(`${dir}: not a regular file`);
    const empty = await file("empty.csv", "");
    await expect(statSource(empty)).rejects.toThrow(`${empty}: expected trace data, found an empty file`);
  });
});

describe("openSource", () => {
  it("streams the text without its UTF-8 BOM, hashing the stored bytes and reporting progress", async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("x,y\n1,2\n")]);
    const path = await file("bom.csv", bytes);
    expect(await readAll(path)).toEqual({
      text: "x,y\n1,2\n",
      sha256: sha256(bytes),
      progress: [[11, 11]],
      gzip: false,
    });
  });

  it("decompresses gzip, hashing the compressed bytes", async () => {
    const stored = gzipSync("x,y\n1,2\n");
    const path = await file("t.csv.gz", stored);
    const read = await readAll(path);
    expect([read.text, read.sha256, read.gzip]).toEqual(["x,y\n1,2\n", sha256(stored), true]);
  });

  it("refuses binary data, UTF-16 text, more than the limit, and truncated gzip", async () => {
    const binary = await file("bin.csv", Buffer.from([0x61, 0x62, 0x00, 0x63]));
    await expect(readAll(binary)).rejects.toThrow(
      `${binary}: expected a text trace (csv, json, text or archive-tsv), found binary data (a NUL byte at byte 2)`,
    );
    const utf16 = await file("u16.csv", Buffer.from([0xff, 0xfe, 0x61, 0x00]));
    await expect(readAll(utf16)).rejects.toThrow(
      "found UTF-16 text (byte-order mark FF FE, little-endian); convert it with iconv -f UTF-16 -t UTF-8",
    );
    const big = await file("big.csv", "x".repeat(2000));
    const error = await readAll(big, 1000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputFormatError);
    expect((error as Error).message).toBe(
      `${big}: expected at most 1,000 bytes of trace data (raise the limit with --max-input-bytes), found more than 1,000 bytes`,
    );
    const whole = gzipSync("x,y\n".repeat(100));
    const cut = await file("cut.csv.gz", whole.subarray(0, whole.length - 8));
    const truncated = await readAll(cut).catch((e: unknown) => e);
    expect(truncated).toBeInstanceOf(InputReadError);
    expect((truncated as Error).message).toMatch(/^.*cut\.csv\.gz: truncated or corrupt gzip data \(/);
  });
});
