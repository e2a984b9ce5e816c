/** The SDK's own variable for the instance metadata endpoint; `hotspot local env` sets it too. */
export const METADATA_ENV = "AWS_EC2_METADATA_SERVICE_ENDPOINT";

/** `--metadata`, else the SDK's environment variable, else EC2's link-local address. */
export function metadataBaseFromEnv(flag: string | undefined): string {
  const env = process.env[METADATA_ENV];
  return (flag ?? (env === undefined || env === "" ? "http://169.254.169.254" : env)).replace(/\/+$/, "");
}
