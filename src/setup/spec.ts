import type { IngressRule } from "./ec2-setup-client.js";

/** The tag every resource setup makes carries; its value is the setup's `--name`. */
export const SETUP_TAG = "hotspot:setup";

/** What `hotspot setup` should make, validated where it entered (flags). */
export interface SetupSpec {
  /** Value of the `hotspot:setup` tag on every resource, and part of each Name. */
  readonly name: string;
  readonly region: string;
  readonly zone: string;
  readonly vpcCidr: string;
  readonly subnetCidr: string;
  /** The ENI's fixed private address: the container's identity inside the VPC. */
  readonly privateIp: string;
  /** Inbound rules besides all traffic from within the VPC. */
  readonly ingress: readonly IngressRule[];
  readonly volumeGiB: number;
}

export type ResourceKind =
  | "vpc"
  | "subnet"
  | "security-group"
  | "internet-gateway"
  | "route-table"
  | "network-interface"
  | "elastic-ip"
  | "volume";

/** The Name tag of one of the setup's resources. */
export const resourceName = (setupName: string, kind: ResourceKind): string => `hotspot-${setupName}-${kind}`;

/** The rule every setup's group has: any traffic from inside the VPC (hosts reach the container). */
export const withinVpcRule = (vpcCidr: string): IngressRule => ({ protocol: "-1", cidr: vpcCidr });

export const sameRule = (a: IngressRule, b: IngressRule): boolean =>
  a.protocol === b.protocol && a.cidr === b.cidr && a.fromPort === b.fromPort && a.toPort === b.toPort;

export function describeRule(rule: IngressRule): string {
  if (rule.protocol === "-1") return `all traffic from ${rule.cidr}`;
  const ports = rule.fromPort === rule.toPort ? `${rule.fromPort}` : `${rule.fromPort}-${rule.toPort}`;
  return `${rule.protocol} ${ports} from ${rule.cidr}`;
}
