import { UsageError } from "../errors.js";
import type { LiveConfig } from "../setup/config.js";

/** The SDK's own variable for the instance metadata endpoint; `hotspot local env` sets it too. */
export const METADATA_ENV = "AWS_EC2_METADATA_SERVICE_ENDPOINT";

/** `--metadata`, else the SDK's environment variable, else EC2's link-local address. */
export function metadataBaseFromEnv(flag: string | undefined): string {
  const env = process.env[METADATA_ENV];
  return (flag ?? (env === undefined || env === "" ? "http://169.254.169.254" : env)).replace(/\/+$/, "");
}

/**
 * The local cloud's instances run this machine's own filesystem, whatever AMI they name: this id
 * stands for it where no image was built or given.
 */
export const LOCAL_HOST_IMAGE = "ami-00000000000000000";

/** The AMI to launch: `--image-id`, else the config's (from `hotspot image build`), else the local cloud's host. */
export function imageIdFor(flag: string | undefined, config: LiveConfig, local: boolean): string {
  const id = flag ?? config.imageId ?? (local ? LOCAL_HOST_IMAGE : undefined);
  if (id === undefined) {
    throw new UsageError(
      "--image-id",
      "an AMI id, or an imageId in the config (from `hotspot image build`)",
      "neither",
    );
  }
  if (!/^ami-[0-9a-f]{8,17}$/.test(id))
    throw new UsageError("--image-id", "an AMI id such as ami-0123456789abcdef0", JSON.stringify(id));
  return id;
}
