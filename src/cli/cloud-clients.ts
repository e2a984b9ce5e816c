/**
 * The AWS SDK takes most of a second to load: commands that talk to EC2 load their client when they
 * run, so every other command (and `--help`) starts without it.
 */
export function loadEc2Client(): Promise<typeof import("../cloud/ec2-client.js")> {
  return import("../cloud/ec2-client.js");
}

export function loadSetupClient(): Promise<typeof import("../setup/ec2-setup-client.js")> {
  return import("../setup/ec2-setup-client.js");
}

export function loadComputeClient(): Promise<typeof import("../drivers/live/hop/ec2-compute.js")> {
  return import("../drivers/live/hop/ec2-compute.js");
}

export function loadCatalogClient(): Promise<typeof import("../cloud/pricing-client.js")> {
  return import("../cloud/pricing-client.js");
}
