import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { HotspotError, shown } from "../../../errors.js";
import {
  CPUINFO_IMAGE,
  cpuinfoCheck,
  cpuinfoDump,
  hostArchitecture,
  type CpuVerdict,
  type CriuPlace,
} from "../../../host/criu.js";
import type { Clock } from "../../../util/clock.js";
import type { CpuReference } from "./container-host.js";

/**
 * The CPU check of a hop, shared by both container hosts: the home's CPU described on the volume at
 * the run's start, checked on each target before the checkpoint. On EC2, where a host acts on its own
 * machine only, the reference travels in the target's user data (`--cpu-reference`), the target's
 * controller checks it at boot and publishes the verdict as a tag on its own instance
 * (CPU_CHECK_TAG), and the home waits for that tag.
 */

/** Directory on the volume that holds the reference (cpuinfo.img and its architecture). */
export const CPU_DIR = "hotspot-cpu";
const ARCHITECTURE_FILE = "architecture";

/** The tag a target's controller publishes its verdict in: "ok", or "mismatch: <CRIU's reason>". */
export const CPU_CHECK_TAG = "hotspot:cpu-check";
/** EC2 tag values hold at most 256 characters. */
const TAG_VALUE_MAX = 256;

/** Describes this CPU (or `place`'s) into `dir`, replacing what was there; returns the reference. */
export async function dumpReference(dir: string, place: CriuPlace = {}): Promise<CpuReference> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await cpuinfoDump(dir, place);
  const architecture = hostArchitecture();
  await writeFile(join(dir, ARCHITECTURE_FILE), `${architecture}\n`);
  // criu writes no image where it has no CPU description (arm64): the architecture alone is compared.
  const image = await readFile(join(dir, CPUINFO_IMAGE)).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return Buffer.alloc(0);
    throw error;
  });
  return { architecture, image: image.toString("base64") };
}

/** Writes a carried reference into `dir` (a target's own scratch directory), as `dumpReference` left it. */
export async function writeReference(dir: string, reference: CpuReference): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, ARCHITECTURE_FILE), `${reference.architecture}\n`);
  if (reference.image !== "")
    await writeFile(join(dir, CPUINFO_IMAGE), Buffer.from(reference.image, "base64"));
}

/**
 * The verdict on the reference in `dir` for the CPU `place` runs on, of architecture `architecture`.
 * Throws (HotspotError) when there is no reference or criu cannot make the check.
 */
export async function checkReference(
  dir: string,
  place: CriuPlace = {},
  architecture: string = hostArchitecture(),
): Promise<CpuVerdict> {
  const stored = await readFile(join(dir, ARCHITECTURE_FILE), "utf8").catch(() => null);
  if (stored === null) {
    throw new HotspotError(
      "HOTSPOT_HOST_STATE",
      `no CPU reference at ${join(dir, ARCHITECTURE_FILE)}: expected one written at the run's start (criu cpuinfo dump)`,
    );
  }
  const reference = stored.trim();
  if (reference !== architecture) {
    return { compatible: false, detail: `architecture ${architecture}, the container's is ${reference}` };
  }
  const hasImage = await readFile(join(dir, CPUINFO_IMAGE)).then(
    () => true,
    () => false,
  );
  return hasImage ? cpuinfoCheck(dir, place) : { compatible: true };
}

/** A verdict as the value of CPU_CHECK_TAG. */
export function verdictTag(verdict: CpuVerdict): string {
  if (verdict.compatible) return "ok";
  const text = `mismatch: ${verdict.detail}`;
  return text.length <= TAG_VALUE_MAX ? text : `${text.slice(0, TAG_VALUE_MAX - 1)}…`;
}

/** CPU_CHECK_TAG's value back as a verdict; null while none is published. */
export function parseVerdictTag(value: string | undefined, instanceId: string): CpuVerdict | null {
  if (value === undefined || value === "") return null;
  if (value === "ok") return { compatible: true };
  if (value.startsWith("mismatch: ")) return { compatible: false, detail: value.slice("mismatch: ".length) };
  if (value.startsWith("error: ")) {
    throw new HotspotError(
      "HOTSPOT_CRIU",
      `the CPU check on ${instanceId} could not be made: ${value.slice(7)}`,
    );
  }
  throw new HotspotError(
    "HOTSPOT_LIVE_CPU_CHECK",
    `tag ${CPU_CHECK_TAG} of ${instanceId}: expected "ok", "mismatch: …" or "error: …", found ${shown(value)}`,
  );
}

/** A check that could not be made, as the tag's value (the home throws it as such). */
export function errorTag(error: unknown): string {
  const text = `error: ${error instanceof Error ? error.message : String(error)}`;
  return text.length <= TAG_VALUE_MAX ? text : `${text.slice(0, TAG_VALUE_MAX - 1)}…`;
}

/**
 * The home's side on EC2: waits until `target`'s controller published its verdict (reading its tags
 * every `pollMs`), at most `timeoutMs`; then throws HotspotError HOTSPOT_LIVE_TIMEOUT.
 */
export async function awaitVerdict(
  target: string,
  tagsOf: (instanceId: string) => Promise<Readonly<Record<string, string>> | null>,
  clock: Pick<Clock, "now" | "sleep">,
  options: { readonly timeoutMs: number; readonly pollMs: number },
): Promise<CpuVerdict> {
  const giveUpAt = clock.now() + options.timeoutMs;
  for (;;) {
    const tags = await tagsOf(target);
    if (tags === null)
      throw new HotspotError("HOTSPOT_LIVE_CPU_CHECK", `${target} is gone: no CPU verdict from it`);
    const verdict = parseVerdictTag(tags[CPU_CHECK_TAG], target);
    if (verdict !== null) return verdict;
    if (clock.now() >= giveUpAt) {
      throw new HotspotError(
        "HOTSPOT_LIVE_TIMEOUT",
        `timed out after ${options.timeoutMs / 1000} s waiting for ${target}'s controller to publish tag ${CPU_CHECK_TAG} (its CPU check of the home's reference)`,
        { retryable: true },
      );
    }
    await clock.sleep(options.pollMs);
  }
}

/**
 * The target's side on EC2, at its controller's boot (`--takeover --cpu-reference`): checks the carried
 * reference on this CPU and publishes the verdict (or why no check could be made) on its own instance.
 */
export async function publishVerdict(
  reference: CpuReference,
  scratchDir: string,
  publish: (value: string) => Promise<void>,
  place: CriuPlace = {},
): Promise<CpuVerdict | null> {
  let value: string;
  let verdict: CpuVerdict | null = null;
  try {
    await writeReference(scratchDir, reference);
    verdict = await checkReference(scratchDir, place);
    value = verdictTag(verdict);
  } catch (error) {
    value = errorTag(error);
  }
  await publish(value);
  return verdict;
}
