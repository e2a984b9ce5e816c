import { UsageError } from "../errors.js";

export type Architecture = "x86_64" | "arm64";

/** Debian's name for an architecture in its image names (`debian-12-amd64-…`). */
export const DEBIAN_ARCH: Readonly<Record<Architecture, string>> = { x86_64: "amd64", arm64: "arm64" };

/**
 * The CPU architecture of an EC2 instance type, from its family name: Graviton (arm64) families are
 * `a1` and those whose generation digit is followed by `g` (m6g, c7gn, t4g, x2gd, im4gn, is4gen,
 * g5g); every other family is x86_64. A stand-in for the catalog's own architecture column (being
 * added on issue 17), which agrees on every family the catalog lists.
 */
export function architectureOfType(type: string): Architecture {
  const family = type.split(".")[0];
  return family === "a1" || /^[a-z]+\d+g/.test(family) ? "arm64" : "x86_64";
}

/** The one architecture every type shares; mixed types are refused, naming each type's. */
export function architectureOfTypes(types: readonly string[], flag: string): Architecture {
  const archs = types.map(architectureOfType);
  if (types.length === 0 || archs.some((a) => a !== archs[0])) {
    throw new UsageError(
      flag,
      "instance types of one architecture (an image runs on x86_64 or on arm64 (Graviton), not both)",
      types.map((t, i) => `${t} (${archs[i]})`).join(", ") || "nothing",
    );
  }
  return archs[0];
}
