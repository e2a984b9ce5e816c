import { createHash } from "node:crypto";
import { UsageError, shown } from "../../../errors.js";

/**
 * Every host resource this code creates carries the tag prefix, so `cleanupAll` can find leftovers of
 * a crashed run. Linux limits interface names to 15 bytes, so interfaces use the prefix plus a hash.
 */
export interface HostNaming {
  /** 2–4 lowercase letters, e.g. `hs`. */
  readonly prefix: string;
}

export function validatePrefix(prefix: string): string {
  if (!/^[a-z]{2,4}$/.test(prefix))
    throw new UsageError("host prefix", "2-4 lowercase letters", shown(prefix));
  return prefix;
}

function hash8(id: string): string {
  return createHash("sha256").update(id).digest("hex").slice(0, 8);
}

export const hostNames = {
  /** The namespace standing for an instance. */
  instanceNetns: (prefix: string, instanceId: string) => `${prefix}-${instanceId}`,
  /** The namespace holding the VPC's subnet bridges (and the clients that stand for the internet). */
  fabricNetns: (prefix: string) => `${prefix}-vpc`,
  subnetBridge: (prefix: string, subnetId: string) => `${prefix}b${hash8(subnetId)}`,
  /** The ENI's own end of the veth pair: it moves between namespaces. */
  eniInner: (prefix: string, eniId: string) => `${prefix}e${hash8(eniId)}`,
  /** The end that stays plugged into the subnet bridge. */
  eniOuter: (prefix: string, eniId: string) => `${prefix}o${hash8(eniId)}`,
} as const;
