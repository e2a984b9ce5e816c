import { InputFormatError, shown } from "../errors.js";
import { cpuFromName } from "./cpu.js";
import type { Architecture, CpuVendor } from "./types.js";

/** One type as DescribeInstanceTypes reports it, reduced to what the catalog uses. */
export interface DescribedType {
  readonly type: string;
  readonly vcpu: number;
  readonly memoryGiB: number;
  readonly architecture: Architecture;
  readonly cpuVendor: CpuVendor;
  readonly clockGhz?: number;
  readonly hypervisor?: string;
  readonly network?: string;
}

/** The SDK's / CLI's shape of one InstanceTypeInfo (PascalCase, as `--output json` prints it). */
export interface InstanceTypeInfo {
  readonly InstanceType?: string;
  readonly VCpuInfo?: { readonly DefaultVCpus?: number };
  readonly MemoryInfo?: { readonly SizeInMiB?: number };
  readonly ProcessorInfo?: {
    readonly SupportedArchitectures?: readonly string[];
    readonly SustainedClockSpeedInGhz?: number;
    readonly Manufacturer?: string;
  };
  readonly Hypervisor?: string;
  readonly NetworkInfo?: { readonly NetworkPerformance?: string };
}

const vendors: Readonly<Record<string, CpuVendor>> = { Intel: "intel", AMD: "amd", AWS: "aws" };

/**
 * One InstanceTypeInfo into a DescribedType; `at` locates it in errors. The architecture is arm64
 * when the type supports arm64 (or arm64_mac), else x86_64; the vendor is the Manufacturer AWS gives,
 * else the one the type's name implies.
 */
export function describedType(info: InstanceTypeInfo, at: string): DescribedType {
  const type = info.InstanceType;
  if (typeof type !== "string" || !/^[a-z0-9-]+\.[a-z0-9-]+$/.test(type)) {
    throw new InputFormatError(at, "an InstanceType such as m5.large", shown(String(type)));
  }
  const vcpu = info.VCpuInfo?.DefaultVCpus;
  if (typeof vcpu !== "number" || !Number.isInteger(vcpu) || vcpu < 1) {
    throw new InputFormatError(at, `VCpuInfo.DefaultVCpus ≥ 1 for ${type}`, shown(String(vcpu)));
  }
  const mib = info.MemoryInfo?.SizeInMiB;
  if (typeof mib !== "number" || !(mib > 0)) {
    throw new InputFormatError(at, `MemoryInfo.SizeInMiB > 0 for ${type}`, shown(String(mib)));
  }
  const architectures = info.ProcessorInfo?.SupportedArchitectures ?? [];
  const named = cpuFromName(type);
  const architecture: Architecture =
    architectures.length === 0
      ? named.architecture
      : architectures.some((a) => a.startsWith("arm64"))
        ? "arm64"
        : "x86_64";
  const manufacturer = info.ProcessorInfo?.Manufacturer;
  const vendor = manufacturer === undefined ? undefined : vendors[manufacturer];
  if (manufacturer !== undefined && vendor === undefined) {
    throw new InputFormatError(
      at,
      `ProcessorInfo.Manufacturer Intel, AMD or AWS for ${type}`,
      shown(manufacturer),
    );
  }
  const cpuVendor =
    vendor ?? (architecture === "arm64" ? "aws" : named.cpuVendor === "aws" ? "intel" : named.cpuVendor);
  const clock = info.ProcessorInfo?.SustainedClockSpeedInGhz;
  return {
    type,
    vcpu,
    memoryGiB: mib / 1024,
    architecture,
    cpuVendor,
    ...(typeof clock === "number" ? { clockGhz: clock } : {}),
    ...(info.Hypervisor !== undefined ? { hypervisor: info.Hypervisor } : {}),
    ...(info.NetworkInfo?.NetworkPerformance !== undefined
      ? { network: info.NetworkInfo.NetworkPerformance }
      : {}),
  };
}

/**
 * The text of `aws ec2 describe-instance-types --output json`: `{"InstanceTypes": [...]}`, or several
 * such documents one after another (pages appended with `>>`).
 */
export function parseDescribeInstanceTypes(text: string, path: string): DescribedType[] {
  const out: DescribedType[] = [];
  let index = 0;
  for (const document of splitDocuments(text, path)) {
    const list = (document.value as { InstanceTypes?: unknown }).InstanceTypes;
    if (!Array.isArray(list)) {
      throw new InputFormatError(
        `${path}:${document.line}`,
        'an object with an "InstanceTypes" array',
        "none",
      );
    }
    for (const info of list as InstanceTypeInfo[])
      out.push(describedType(info, `${path}: record ${++index}`));
  }
  return out;
}

function splitDocuments(text: string, path: string): { value: unknown; line: number }[] {
  const documents: { value: unknown; line: number }[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let line = 1;
  let startLine = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") line++;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{") {
      if (depth === 0) {
        start = i;
        startLine = line;
      }
      depth++;
    } else if (c === "}") {
      depth--;
      if (depth === 0)
        documents.push({ value: parseDocument(text.slice(start, i + 1), path, startLine), line: startLine });
    }
  }
  if (depth !== 0 || documents.length === 0) {
    throw new InputFormatError(
      `${path}:${line}`,
      "a complete describe-instance-types JSON document",
      "the end of the file",
    );
  }
  return documents;
}

function parseDocument(text: string, path: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputFormatError(`${path}:${line}`, "well-formed JSON", (error as Error).message, {
      cause: error,
    });
  }
}
