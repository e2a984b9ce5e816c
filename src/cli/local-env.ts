import { HotspotError } from "../errors.js";

/** Set by `eval "$(hotspot local env)"`: the local cloud's state directory, so commands find it without flags. */
export const LOCAL_CLOUD_ENV = "HOTSPOT_LOCAL_CLOUD";

export const DEFAULT_LOCAL_STATE_DIR = "/var/lib/hotspot-local";

/** What a command needs to act on the local cloud named by the environment. */
export interface LocalCloudFacts {
  readonly stateDir: string;
  readonly endpoint: string;
  readonly metadata: string;
  readonly prefix: string;
  readonly hostsDir: string;
}

/**
 * The local cloud `HOTSPOT_LOCAL_CLOUD` names, or undefined when it is unset (the commands then act on
 * EC2). Set but not running is an error: acting on EC2 by surprise would be worse.
 */
export async function localCloudFromEnv(): Promise<LocalCloudFacts | undefined> {
  const stateDir = process.env[LOCAL_CLOUD_ENV];
  if (stateDir === undefined || stateDir === "") return undefined;
  // The api loads only here: the prebuilt help reads this module's constant at every start.
  const info = await (await import("../api.js")).localCloudInfo(stateDir);
  if (info === null) {
    throw new HotspotError(
      "HOTSPOT_LOCAL_NOT_RUNNING",
      `${LOCAL_CLOUD_ENV}=${stateDir} names no running local cloud (no ${stateDir}/local.json): start it with \`sudo hotspot local up\`, or unset ${LOCAL_CLOUD_ENV} to act on EC2`,
    );
  }
  return {
    stateDir,
    endpoint: info.endpoint,
    metadata: info.metadata,
    prefix: info.prefix,
    hostsDir: info.hostsDir,
  };
}
