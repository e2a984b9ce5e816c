import { HotspotError } from "../errors.js";
import { SETUP_TAG } from "./spec.js";
import {
  type FoundAddress,
  type FoundInterface,
  type FoundInternetGateway,
  type FoundRouteTable,
  type FoundSecurityGroup,
  type FoundSubnet,
  type FoundVolume,
  type FoundVpc,
  type SetupEc2,
} from "./ec2-setup-client.js";

/** Everything in the account tagged `hotspot:setup=<name>`. */
export interface Observed {
  readonly vpcs: readonly FoundVpc[];
  readonly subnets: readonly FoundSubnet[];
  readonly securityGroups: readonly FoundSecurityGroup[];
  readonly internetGateways: readonly FoundInternetGateway[];
  readonly routeTables: readonly FoundRouteTable[];
  readonly interfaces: readonly FoundInterface[];
  readonly addresses: readonly FoundAddress[];
  readonly volumes: readonly FoundVolume[];
}

/** What is there does not fit what setup would make; nothing was changed. */
export class SetupConflictError extends HotspotError {
  constructor(message: string) {
    super("HOTSPOT_SETUP_CONFLICT", message);
  }
}

/** One Describe call per resource kind, each filtered by our tag. */
export async function observe(ec2: SetupEc2, setupName: string): Promise<Observed> {
  return {
    vpcs: await ec2.findVpcs(setupName),
    subnets: await ec2.findSubnets(setupName),
    securityGroups: await ec2.findSecurityGroups(setupName),
    internetGateways: await ec2.findInternetGateways(setupName),
    routeTables: await ec2.findRouteTables(setupName),
    interfaces: await ec2.findInterfaces(setupName),
    addresses: await ec2.findAddresses(setupName),
    // A volume being deleted still shows for a while; it is gone as far as setup is concerned.
    volumes: (await ec2.findVolumes(setupName)).filter(
      (v) => v.state !== "deleting" && v.state !== "deleted",
    ),
  };
}

/** The one resource of a kind, or none; more than one is a conflict naming them all. */
export function single<T>(found: readonly T[], idOf: (item: T) => string, what: string, setupName: string) {
  if (found.length > 1) {
    throw new SetupConflictError(
      `found ${found.length} ${what}s tagged ${SETUP_TAG}=${setupName} (${found.map(idOf).join(", ")}); setup makes one — remove the extra ones or run \`hotspot setup --destroy --name ${setupName}\``,
    );
  }
  return found[0];
}
