import { builtinSpecs } from "../../catalog/builtin.js";

/** What DescribeInstanceTypes reports and RunInstances accepts: vCPUs and memory of a type. */
export interface EmulatedInstanceType {
  readonly type: string;
  readonly vcpus: number;
  readonly memoryMiB: number;
}

/** From catalog specs (`src/catalog` InstanceSpec: vcpu, memoryGiB). */
export function fromSpecs(
  specs: ReadonlyArray<{ readonly type: string; readonly vcpu: number; readonly memoryGiB: number }>,
): EmulatedInstanceType[] {
  return specs.map((s) => ({ type: s.type, vcpus: s.vcpu, memoryMiB: Math.round(s.memoryGiB * 1024) }));
}

/** The default: every type of the project's built-in catalog. */
export const BUILT_IN_INSTANCE_TYPES: readonly EmulatedInstanceType[] = fromSpecs(builtinSpecs);
