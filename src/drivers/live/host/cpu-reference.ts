import { UsageError, shown } from "../../../errors.js";
import type { CpuReference } from "./container-host.js";

/** The home's CPU reference as it travels in a target's command line (`--cpu-reference`). */

/** A reference as one command-line word: `<architecture>:<base64 image>`. */
export function encodeReference(reference: CpuReference): string {
  return `${reference.architecture}:${reference.image}`;
}

/** `encodeReference`'s word back; `flag` names where it came from. */
export function decodeReference(text: string, flag: string): CpuReference {
  const match = /^([a-z0-9_]+):([A-Za-z0-9+/]*={0,2})$/.exec(text);
  if (match === null) throw new UsageError(flag, "<architecture>:<base64 of cpuinfo.img>", shown(text));
  return { architecture: match[1], image: match[2] };
}
