import type { Architecture, CpuVendor } from "./types.js";

export interface CpuOfType {
  readonly architecture: Architecture;
  readonly cpuVendor: CpuVendor;
  /** The oldest CPU generation AWS may place the family on (its feature floor); null where unknown. */
  readonly cpuClass: string | null;
}

type Entry = readonly [Architecture, CpuVendor, string | null];

/**
 * The CPU of each family the built-in table has, from AWS's instance-type pages (processor column).
 * Where AWS places a family on two generations (m3: Sandy or Ivy Bridge; c5, m5, r5, t3: Skylake or
 * Cascade Lake; m4: Haswell or Broadwell) the class is the older one, which every host of the
 * family supports. Families AWS lists only as "Intel Xeon Family" have no class.
 */
export const familyCpus = {
  a1: ["arm64", "aws", "graviton1"],
  c1: ["x86_64", "intel", null],
  c3: ["x86_64", "intel", "intel-ivybridge"],
  c4: ["x86_64", "intel", "intel-haswell"],
  c5: ["x86_64", "intel", "intel-skylake"],
  c5a: ["x86_64", "amd", "amd-zen2"],
  c6a: ["x86_64", "amd", "amd-zen3"],
  c6g: ["arm64", "aws", "graviton2"],
  c6i: ["x86_64", "intel", "intel-icelake"],
  c7a: ["x86_64", "amd", "amd-zen4"],
  c7g: ["arm64", "aws", "graviton3"],
  c7i: ["x86_64", "intel", "intel-sapphirerapids"],
  cc2: ["x86_64", "intel", "intel-sandybridge"],
  cg1: ["x86_64", "intel", "intel-nehalem"],
  cr1: ["x86_64", "intel", "intel-sandybridge"],
  d2: ["x86_64", "intel", "intel-haswell"],
  f1: ["x86_64", "intel", "intel-broadwell"],
  g2: ["x86_64", "intel", "intel-sandybridge"],
  g3: ["x86_64", "intel", "intel-broadwell"],
  g4dn: ["x86_64", "intel", "intel-cascadelake"],
  hi1: ["x86_64", "intel", "intel-westmere"],
  hs1: ["x86_64", "intel", "intel-sandybridge"],
  i2: ["x86_64", "intel", "intel-ivybridge"],
  i3: ["x86_64", "intel", "intel-broadwell"],
  m1: ["x86_64", "intel", null],
  m2: ["x86_64", "intel", null],
  m3: ["x86_64", "intel", "intel-sandybridge"],
  m4: ["x86_64", "intel", "intel-haswell"],
  m5: ["x86_64", "intel", "intel-skylake"],
  m5a: ["x86_64", "amd", "amd-zen1"],
  m6a: ["x86_64", "amd", "amd-zen3"],
  m6g: ["arm64", "aws", "graviton2"],
  m6i: ["x86_64", "intel", "intel-icelake"],
  m7a: ["x86_64", "amd", "amd-zen4"],
  m7g: ["arm64", "aws", "graviton3"],
  m7i: ["x86_64", "intel", "intel-sapphirerapids"],
  p2: ["x86_64", "intel", "intel-broadwell"],
  p3: ["x86_64", "intel", "intel-broadwell"],
  r3: ["x86_64", "intel", "intel-ivybridge"],
  r4: ["x86_64", "intel", "intel-broadwell"],
  r5: ["x86_64", "intel", "intel-skylake"],
  r5a: ["x86_64", "amd", "amd-zen1"],
  r6a: ["x86_64", "amd", "amd-zen3"],
  r6g: ["arm64", "aws", "graviton2"],
  r6i: ["x86_64", "intel", "intel-icelake"],
  r7a: ["x86_64", "amd", "amd-zen4"],
  r7g: ["arm64", "aws", "graviton3"],
  r7i: ["x86_64", "intel", "intel-sapphirerapids"],
  t1: ["x86_64", "intel", null],
  t2: ["x86_64", "intel", null],
  t3: ["x86_64", "intel", "intel-skylake"],
  t3a: ["x86_64", "amd", "amd-zen1"],
  t4g: ["arm64", "aws", "graviton2"],
  x1: ["x86_64", "intel", "intel-haswell"],
  x1e: ["x86_64", "intel", "intel-haswell"],
} as const satisfies Record<string, Entry>;

/** The family of a type: `m5a` of `m5a.large`. */
export function familyOf(type: string): string {
  const dot = type.indexOf(".");
  return dot < 0 ? type : type.slice(0, dot);
}

/** The CPU of a family the built-in table knows, or undefined. */
export function knownCpu(type: string): CpuOfType | undefined {
  const entry: Entry | undefined = (familyCpus as Record<string, Entry>)[familyOf(type)];
  return entry === undefined
    ? undefined
    : { architecture: entry[0], cpuVendor: entry[1], cpuClass: entry[2] };
}

/**
 * The CPU AWS's naming scheme implies for a family no table knows: after the generation digit, `g`
 * marks Graviton and `a` AMD (m6gd, c5ad, g4ad, hpc7g); `a1` is Graviton; the rest are Intel. The
 * class is unknown. Used only when neither the table nor the user's data says.
 */
export function cpuFromName(type: string): CpuOfType {
  const family = familyOf(type);
  if (family === "a1") return { architecture: "arm64", cpuVendor: "aws", cpuClass: null };
  const match = /^[a-z-]+?\d+([a-z-]*)$/.exec(family);
  const attributes = match?.[1] ?? "";
  if (attributes.includes("g")) return { architecture: "arm64", cpuVendor: "aws", cpuClass: null };
  if (attributes.includes("a")) return { architecture: "x86_64", cpuVendor: "amd", cpuClass: null };
  return { architecture: "x86_64", cpuVendor: "intel", cpuClass: null };
}
