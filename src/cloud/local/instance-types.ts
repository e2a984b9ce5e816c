import { builtinSpecs } from "../../catalog/builtin.js";

/** What DescribeInstanceTypes reports and RunInstances accepts: vCPUs and memory of a type. */
export interface EmulatedInstanceType {
  readonly type: string;
  readonly vcpus: number;
  readonly memoryMiB: number;
  /** ProcessorInfo, Hypervisor and NetworkInfo, reported when set. */
  readonly architectures?: readonly string[];
  readonly manufacturer?: string;
  readonly clockGhz?: number;
  readonly hypervisor?: string;
  readonly network?: string;
}

const manufacturers = { intel: "Intel", amd: "AMD", aws: "AWS" } as const;

/** From catalog specs (`src/catalog` InstanceSpec: vcpu, memoryGiB, architecture, cpuVendor). */
export function fromSpecs(
  specs: ReadonlyArray<{
    readonly type: string;
    readonly vcpu: number;
    readonly memoryGiB: number;
    readonly architecture?: string;
    readonly cpuVendor?: keyof typeof manufacturers;
  }>,
): EmulatedInstanceType[] {
  return specs.map((s) => ({
    type: s.type,
    vcpus: s.vcpu,
    memoryMiB: Math.round(s.memoryGiB * 1024),
    ...(s.architecture === undefined ? {} : { architectures: [s.architecture] }),
    ...(s.cpuVendor === undefined ? {} : { manufacturer: manufacturers[s.cpuVendor] }),
  }));
}

/** The default: every type of the project's built-in catalog. */
export const BUILT_IN_INSTANCE_TYPES: readonly EmulatedInstanceType[] = fromSpecs(builtinSpecs);
