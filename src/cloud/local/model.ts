/** The resources of the emulated account, as plain mutable records owned by the World. */

export type Tags = Map<string, string>;

export type InstanceStateName =
  "pending" | "running" | "shutting-down" | "terminated" | "stopping" | "stopped";

export const INSTANCE_STATE_CODES: Readonly<Record<InstanceStateName, number>> = {
  pending: 0,
  running: 16,
  "shutting-down": 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export interface Instance {
  readonly id: string;
  readonly reservationId: string;
  readonly imageId: string;
  readonly instanceType: string;
  readonly zone: string;
  readonly vpcId: string;
  readonly subnetId: string;
  readonly privateIp: string;
  readonly launchIndex: number;
  readonly launchTimeMs: number;
  readonly lifecycle: "spot" | "on-demand";
  readonly spotRequestId: string | null;
  /** USD/hour from SpotOptions.MaxPrice, or null (capped at on-demand by AWS; never price-interrupted here). */
  readonly maxPrice: number | null;
  readonly keyName: string | null;
  readonly userData: string | null;
  /** From IamInstanceProfile (an ARN, or a name made into one): the role the instance's software runs with. */
  readonly instanceProfileArn: string | null;
  readonly clientToken: string | null;
  /** What a shutdown from inside the instance does (InstanceInitiatedShutdownBehavior; default stop). */
  readonly shutdownBehavior: "stop" | "terminate";
  readonly groupIds: readonly string[];
  readonly primaryEniId: string;
  readonly tags: Tags;
  state: InstanceStateName;
  stateReason: { code: string; message: string } | null;
  stateTransitionReason: string;
  /** Set once a spot interruption notice is given: the action and when it happens. */
  interruption: { action: "terminate"; timeMs: number } | null;
  rebalanceNoticeMs: number | null;
  /** The launch or termination in flight. */
  pending: Pending | null;
  /** Cancel the scheduled interruptions (price crossing, fault rules). */
  cancels: Array<() => void>;
}

export interface Reservation {
  readonly id: string;
  readonly instanceIds: string[];
  readonly groupIds: readonly string[];
}

export type AttachmentStatus = "attaching" | "attached" | "detaching";

export interface Pending {
  /** Complete the transition now, as if its modelled time had elapsed (used by Force). */
  hurry(): void;
  cancel(): void;
}

export interface VolumeAttachment {
  readonly instanceId: string;
  readonly device: string;
  readonly attachTimeMs: number;
  status: AttachmentStatus;
  deleteOnTermination: boolean;
  pending: Pending | null;
}

export interface Volume {
  readonly id: string;
  readonly zone: string;
  readonly sizeGiB: number;
  readonly volumeType: string;
  readonly iops: number | null;
  readonly throughput: number | null;
  readonly encrypted: boolean;
  readonly createTimeMs: number;
  readonly tags: Tags;
  state: "creating" | "available" | "in-use" | "deleting" | "deleted" | "error";
  attachment: VolumeAttachment | null;
}

export interface EniAttachment {
  readonly id: string;
  readonly instanceId: string;
  readonly deviceIndex: number;
  readonly attachTimeMs: number;
  status: AttachmentStatus;
  deleteOnTermination: boolean;
  pending: Pending | null;
}

export interface NetworkInterface {
  readonly id: string;
  readonly subnetId: string;
  readonly vpcId: string;
  readonly zone: string;
  readonly privateIp: string;
  readonly mac: string;
  readonly tags: Tags;
  description: string;
  groupIds: string[];
  sourceDestCheck: boolean;
  status: "pending" | "available" | "in-use";
  attachment: EniAttachment | null;
}

export interface Address {
  readonly allocationId: string;
  readonly publicIp: string;
  readonly tags: Tags;
  association: { id: string; eniId: string; privateIp: string } | null;
}

export interface Vpc {
  readonly id: string;
  readonly cidr: string;
  readonly isDefault: boolean;
  readonly tags: Tags;
}

export interface Subnet {
  readonly id: string;
  readonly vpcId: string;
  readonly cidr: string;
  readonly zone: string;
  readonly defaultForAz: boolean;
  readonly tags: Tags;
  /** Next host offset to hand out; AWS reserves the first four addresses of a subnet. */
  nextHost: number;
}

export interface IpPermission {
  readonly protocol: string;
  readonly fromPort: number | null;
  readonly toPort: number | null;
  readonly cidrs: readonly string[];
  readonly ruleIds: readonly string[];
}

export interface SecurityGroup {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly vpcId: string;
  readonly tags: Tags;
  ingress: IpPermission[];
  egress: IpPermission[];
}

export interface InternetGateway {
  readonly id: string;
  readonly tags: Tags;
  vpcIds: string[];
}

export interface Route {
  readonly destination: string;
  readonly gatewayId: string | null;
  readonly networkInterfaceId: string | null;
  readonly instanceId: string | null;
  readonly origin: "CreateRouteTable" | "CreateRoute";
}

export interface RouteTable {
  readonly id: string;
  readonly vpcId: string;
  readonly main: boolean;
  readonly tags: Tags;
  routes: Route[];
  associations: Array<{ id: string; subnetId: string }>;
}
