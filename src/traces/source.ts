import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { Readable, pipeline } from "node:stream";
import { createGunzip } from "node:zlib";
import { InputFormatError, InputReadError } from "../errors.js";
import { fsReason } from "../util/fs-errors.js";

const chunkSize = 1 << 20;

/** A trace file opened for streaming: its decompressed bytes, and facts known once they are read. */
export interface TraceSourceStream {
  readonly gzip: boolean;
  readonly size: number;
  readonly mtimeMs: number;
  /** Decompressed bytes, UTF-8 BOM removed; throws on NUL bytes (binary) or truncated gzip. */
  readonly chunks: AsyncIterable<Buffer>;
  /** Hex SHA-256 of the stored bytes, hashed as they stream; call once `chunks` is exhausted. */
  sha256(): string;
}

export interface SourceFacts {
  readonly size: number;
  readonly mtimeMs: number;
  /** Inode and change time: an edit that restores size and mtime still moves ctime. */
  readonly ino: number;
  readonly ctimeMs: number;
  /** Detected by the magic bytes 1f 8b, not the name. */
  readonly gzip: boolean;
}

/** File facts for the cache key and for reading; empty files and non-files are refused here. */
export async function statSource(path: string): Promise<SourceFacts> {
  const unreadable = (error: unknown) =>
    new InputReadError(path, `cannot read the file (${fsReason(error)})`, { cause: error });
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw unreadable(error);
  }
  if (!info.isFile()) throw new InputReadError(path, "not a regular file");
  if (info.size === 0) throw new InputFormatError(path, "trace data", "an empty file");
  let handle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    throw unreadable(error);
  }
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return {
      size: info.size,
      mtimeMs: info.mtimeMs,
      ino: info.ino,
      ctimeMs: info.ctimeMs,
      gzip: bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b,
    };
  } finally {
    await handle.close();
  }
}

/** Streams a file whose `facts` came from `statSource`. */
export function openSource(
  path: string,
  facts: SourceFacts,
  maxInputBytes: number,
  onProgress?: (bytesRead: number, totalBytes: number) => void,
): TraceSourceStream {
  const hash = createHash("sha256");
  async function* raw(): AsyncGenerator<Buffer> {
    let read = 0;
    for await (const chunk of createReadStream(path, { highWaterMark: chunkSize }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      read += chunk.length;
      onProgress?.(read, facts.size);
      yield chunk;
    }
  }
  async function* decompressed(): AsyncGenerator<Buffer> {
    if (!facts.gzip) {
      yield* raw();
      return;
    }
    const gunzip = pipeline(Readable.from(raw()), createGunzip({ chunkSize }), () => undefined);
    try {
      for await (const chunk of gunzip as AsyncIterable<Buffer>) yield chunk;
    } catch (error) {
      if (error instanceof InputReadError || error instanceof InputFormatError) throw error;
      throw new InputReadError(path, `truncated or corrupt gzip data (${(error as Error).message})`, {
        cause: error,
      });
    }
  }
  async function* text(): AsyncGenerator<Buffer> {
    let offset = 0;
    for await (let chunk of decompressed()) {
      if (offset === 0 && chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
        chunk = chunk.subarray(3);
        offset = 3;
      }
      if (
        offset === 0 &&
        chunk.length >= 2 &&
        ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff))
      ) {
        throw new InputFormatError(
          path,
          "a UTF-8 text trace",
          `UTF-16 text (byte-order mark ${chunk[0] === 0xff ? "FF FE, little-endian" : "FE FF, big-endian"}); convert it with iconv -f UTF-16 -t UTF-8`,
        );
      }
      const nul = chunk.indexOf(0);
      if (nul >= 0) {
        throw new InputFormatError(
          path,
          "a text trace (csv, json, text or archive-tsv)",
          `binary data (a NUL byte at byte ${offset + nul}${facts.gzip ? " after decompression" : ""})`,
        );
      }
      offset += chunk.length;
      if (offset > maxInputBytes) {
        const most = maxInputBytes.toLocaleString("en-US");
        throw new InputFormatError(
          path,
          `at most ${most} bytes of trace data${facts.gzip ? " after decompression" : ""} (raise the limit with --max-input-bytes)`,
          `more than ${most} bytes`,
        );
      }
      yield chunk;
    }
  }
  return { ...facts, chunks: text(), sha256: () => hash.digest("hex") };
}
