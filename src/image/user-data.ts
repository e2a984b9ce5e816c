import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { UsageError } from "../errors.js";

// Compiled code lives in dist/src/image/, tests run src/image/ directly.
const scriptsDir = ["../../scripts/", "../../../scripts/"]
  .map((relative) => new URL(relative, import.meta.url))
  .find((url) => existsSync(new URL("provision-host.sh", url)));

/** EC2's limit on user data, before base64. */
export const USER_DATA_LIMIT = 16 * 1024;

/** The line the builder writes to its console when provisioning passed its readiness check. */
export const READY_MARKER = "hotspot-image: ready";
export const FAILED_MARKER = "hotspot-image: FAILED";

/** The provisioning scripts as shipped: provision-host.sh, build-criu.sh and the CRIU patches. */
export function provisioningFiles(): Array<{ readonly path: string; readonly text: string }> {
  if (scriptsDir === undefined) throw new Error("the package has no scripts/provision-host.sh");
  const patches = readdirSync(new URL("criu-patches/", scriptsDir))
    .filter((name) => name.endsWith(".patch"))
    .sort()
    .map((name) => `criu-patches/${name}`);
  return ["provision-host.sh", "build-criu.sh", ...patches].map((path) => ({
    path,
    text: readFileSync(new URL(path, scriptsDir), "utf8"),
  }));
}

/** The hash that names what an image was provisioned with: 16 hex digits of SHA-256. */
export function scriptHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/**
 * The builder's user data: a bash script that unpacks the provisioning scripts, runs
 * provision-host.sh with `packageSpec` (what `npm pack` fetches on the builder), writes the ready or
 * failed marker to the console and powers the instance off either way, so a failure is seen at once.
 */
export function builderUserData(packageSpec: string, nodeMajor: number): string {
  if (!/^[\x21-\x7e]+$/.test(packageSpec)) {
    throw new UsageError(
      "--package",
      "an npm pack spec without spaces or control characters",
      JSON.stringify(packageSpec),
    );
  }
  const unpack = provisioningFiles().map(
    ({ path, text }) =>
      `echo ${gzipSync(Buffer.from(text, "utf8"), { level: 9 }).toString("base64")} | base64 -d | gunzip >"$dir/${path}"`,
  );
  const text = [
    "#!/bin/bash",
    "# hotspot image builder: provisions this Debian 12 instance, then powers it off for CreateImage.",
    "set -u",
    "dir=$(mktemp -d /root/hotspot-provision.XXXXXX)",
    'mkdir -p "$dir/criu-patches"',
    ...unpack,
    `if HOTSPOT_NODE_MAJOR=${nodeMajor} bash "$dir/provision-host.sh" ${shellQuote(packageSpec)}; then`,
    `  echo "${READY_MARKER}" | tee /dev/console`,
    "else",
    `  echo "${FAILED_MARKER} (provision-host.sh exit $?)" | tee /dev/console`,
    "fi",
    'rm -rf "$dir"',
    "sync",
    "poweroff",
    "",
  ].join("\n");
  const size = Buffer.byteLength(text, "utf8");
  if (size > USER_DATA_LIMIT) {
    throw new UsageError("--package", `user data within EC2's ${USER_DATA_LIMIT} bytes`, `${size} bytes`);
  }
  return text;
}
