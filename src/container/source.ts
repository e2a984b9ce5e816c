import { open, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { HotspotError, UsageError } from "../errors.js";

/** Where a container's root filesystem comes from (`hotspot container create --from`). */
export const sourceKinds = {
  busybox: "busybox: LXC's busybox template, nothing downloaded (needs Debian's busybox-static)",
  tarball: "FILE.tar[.gz|.tgz|.xz|.zst]: a root filesystem tarball, unpacked as it is",
  dir: "DIR: a directory holding a root filesystem, copied",
  debootstrap: "debootstrap:SUITE, e.g. debootstrap:bookworm: a minimal Debian from its mirror",
  oci: "oci:DIR[:TAG]: an OCI image layout, through LXC's oci template (needs umoci)",
} as const;

export type SourceKind = keyof typeof sourceKinds;

export type ContainerSource =
  | { readonly kind: "busybox" }
  | { readonly kind: "tarball"; readonly path: string; readonly compression: Compression }
  | { readonly kind: "dir"; readonly path: string }
  | { readonly kind: "debootstrap"; readonly suite: string }
  | { readonly kind: "oci"; readonly path: string; readonly tag: string };

export type Compression = "none" | "gzip" | "xz" | "zstd" | "bzip2";

const expectedFrom = `one of: ${Object.values(sourceKinds).join("; ")}`;

/** The compression a tarball's first bytes show, or null when they are no tarball's. */
export function tarballCompression(head: Uint8Array): Compression | null {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (starts(0x1f, 0x8b)) return "gzip";
  if (starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return "xz";
  if (starts(0x28, 0xb5, 0x2f, 0xfd)) return "zstd";
  if (starts(0x42, 0x5a, 0x68)) return "bzip2";
  // A POSIX tar header carries "ustar" at offset 257.
  if (head.length >= 262 && Buffer.from(head.subarray(257, 262)).toString("latin1") === "ustar")
    return "none";
  return null;
}

async function readHead(path: string): Promise<Uint8Array> {
  const handle = await open(path, "r");
  try {
    const buffer = new Uint8Array(512);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** `--from` validated into a source: the kind known, its file or directory there and of the right shape. */
export async function parseSource(raw: string | undefined): Promise<ContainerSource> {
  if (raw === undefined || raw === "") throw new UsageError("--from", expectedFrom, "nothing");
  if (raw === "busybox") return { kind: "busybox" };
  const deboot = /^debootstrap:(.*)$/.exec(raw);
  if (deboot) {
    if (!/^[a-z][a-z0-9-]{1,30}$/.test(deboot[1])) {
      throw new UsageError(
        "--from",
        "debootstrap:SUITE with a Debian suite such as bookworm",
        JSON.stringify(raw),
      );
    }
    return { kind: "debootstrap", suite: deboot[1] };
  }
  const oci = /^oci:([^:]+)(?::([A-Za-z0-9_.-]+))?$/.exec(raw);
  if (raw.startsWith("oci:")) {
    if (!oci) throw new UsageError("--from", "oci:DIR[:TAG]", JSON.stringify(raw));
    const path = resolve(oci[1]);
    const index = await stat(resolve(path, "index.json")).catch(() => null);
    if (index === null || !index.isFile()) {
      throw new UsageError(
        "--from",
        `an OCI image layout (a directory with index.json) at ${path}`,
        "no index.json there",
      );
    }
    return { kind: "oci", path, tag: oci[2] ?? "latest" };
  }
  const path = resolve(raw);
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => error);
  if (info instanceof Error) {
    throw new UsageError(
      "--from",
      expectedFrom,
      `${JSON.stringify(raw)} (${info.code === "ENOENT" ? "no such file or directory" : info.code})`,
    );
  }
  if (info.isDirectory()) return { kind: "dir", path };
  if (!info.isFile())
    throw new UsageError("--from", expectedFrom, `${JSON.stringify(raw)} (neither a file nor a directory)`);
  const compression = tarballCompression(await readHead(path));
  if (compression === null) {
    throw new HotspotError(
      "HOTSPOT_INPUT_FORMAT",
      `--from ${path}: expected a tar archive (plain, gzip, xz, zstd or bzip2), found a file that is none of them`,
    );
  }
  return { kind: "tarball", path, compression };
}

/** How a source reads in messages. */
export function describeSource(source: ContainerSource): string {
  if (source.kind === "busybox") return "busybox";
  if (source.kind === "debootstrap") return `debootstrap:${source.suite}`;
  if (source.kind === "oci") return `oci:${source.path}:${source.tag}`;
  return source.path;
}
