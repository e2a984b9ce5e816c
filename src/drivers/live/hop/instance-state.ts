import type { InstanceState } from "./ec2-compute.js";

const GONE: ReadonlySet<InstanceState> = new Set(["shutting-down", "terminated", "stopping", "stopped"]);

/** Whether an instance (null: not found) is gone or going: nothing of ours may rely on it. */
export function isGone(instance: { readonly state: InstanceState } | null): boolean {
  return instance === null || GONE.has(instance.state);
}
