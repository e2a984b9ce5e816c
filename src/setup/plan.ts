import type { IngressRule } from "./ec2-setup-client.js";
import { SetupConflictError, single, type Observed } from "./observe.js";
import {
  SETUP_TAG,
  describeRule,
  sameRule,
  withinVpcRule,
  type ResourceKind,
  type SetupSpec,
} from "./spec.js";

/** The calls that change the account, in the order setup makes them. */
export type SetupAction =
  | "CreateVpc"
  | "CreateSubnet"
  | "CreateSecurityGroup"
  | "AuthorizeSecurityGroupIngress"
  | "CreateInternetGateway"
  | "AttachInternetGateway"
  | "CreateRouteTable"
  | "CreateRoute"
  | "AssociateRouteTable"
  | "CreateNetworkInterface"
  | "ModifyNetworkInterfaceAttribute"
  | "AllocateAddress"
  | "AssociateAddress"
  | "CreateVolume";

export type SetupStep =
  | { readonly kind: "reuse"; readonly resource: ResourceKind; readonly id: string; readonly detail: string }
  | {
      readonly kind: "call";
      readonly resource: ResourceKind;
      readonly action: SetupAction;
      readonly detail: string;
      /** Only for AuthorizeSecurityGroupIngress: the missing rules. */
      readonly rules?: readonly IngressRule[];
    };

export interface SetupPlan {
  readonly spec: SetupSpec;
  readonly steps: readonly SetupStep[];
  /** Ids of the resources that already exist (the rest are created by the plan's steps). */
  readonly existing: Readonly<Partial<Record<ResourceKind, string>>>;
  /** The Elastic IP's address when it already exists. */
  readonly existingPublicIp?: string;
}

/**
 * The calls that bring the account from `observed` to what `spec` asks for: each resource is reused
 * when one tagged with our name exists and fits, created otherwise. A tagged resource that does not fit
 * (another zone, address or size, or a duplicate) is a SetupConflictError before any call.
 */
export function planSetup(spec: SetupSpec, observed: Observed): SetupPlan {
  const steps: SetupStep[] = [];
  const existing: Partial<Record<ResourceKind, string>> = {};
  const conflict = (what: string) =>
    new SetupConflictError(
      `${what}; setup does not change existing resources — run \`hotspot setup --destroy --name ${spec.name}\` first or pick another --name`,
    );
  const reuse = (resource: ResourceKind, id: string, detail: string) => {
    existing[resource] = id;
    steps.push({ kind: "reuse", resource, id, detail });
  };
  const call = (resource: ResourceKind, action: SetupAction, detail: string, rules?: IngressRule[]) =>
    steps.push({ kind: "call", resource, action, detail, ...(rules ? { rules } : {}) });
  const name = spec.name;

  const vpc = single(observed.vpcs, (v) => v.id, "VPC", name);
  if (vpc && vpc.cidr !== spec.vpcCidr)
    throw conflict(`VPC ${vpc.id} has CIDR ${vpc.cidr}, not ${spec.vpcCidr}`);
  if (vpc) reuse("vpc", vpc.id, spec.vpcCidr);
  else call("vpc", "CreateVpc", spec.vpcCidr);
  const inOurVpc = <T extends { id: string; vpcId: string }>(items: readonly T[], what: string): T[] => {
    const stray = items.find((item) => item.vpcId !== vpc?.id);
    if (stray)
      throw conflict(
        `${what} ${stray.id} tagged ${SETUP_TAG}=${name} is in ${stray.vpcId}, not in the setup's VPC`,
      );
    return [...items];
  };

  const subnet = single(inOurVpc(observed.subnets, "subnet"), (s) => s.id, "subnet", name);
  if (subnet && (subnet.zone !== spec.zone || subnet.cidr !== spec.subnetCidr)) {
    throw conflict(
      `subnet ${subnet.id} is ${subnet.cidr} in ${subnet.zone}, not ${spec.subnetCidr} in ${spec.zone}`,
    );
  }
  if (subnet) reuse("subnet", subnet.id, `${spec.subnetCidr} in ${spec.zone}`);
  else call("subnet", "CreateSubnet", `${spec.subnetCidr} in ${spec.zone}`);

  const group = single(
    inOurVpc(observed.securityGroups, "security group"),
    (g) => g.id,
    "security group",
    name,
  );
  if (group) reuse("security-group", group.id, `${group.ingress.length} inbound rule(s)`);
  else call("security-group", "CreateSecurityGroup", `hotspot-${name}-security-group`);
  const wanted = [withinVpcRule(spec.vpcCidr), ...spec.ingress];
  const missing = wanted.filter((rule) => !(group?.ingress ?? []).some((have) => sameRule(have, rule)));
  if (missing.length > 0) {
    call("security-group", "AuthorizeSecurityGroupIngress", missing.map(describeRule).join("; "), missing);
  }

  const gateway = single(observed.internetGateways, (g) => g.id, "internet gateway", name);
  const attachedElsewhere = gateway?.vpcIds.find((id) => id !== vpc?.id);
  if (gateway && attachedElsewhere) {
    throw conflict(
      `internet gateway ${gateway.id} is attached to ${attachedElsewhere}, not to the setup's VPC`,
    );
  }
  if (gateway) reuse("internet-gateway", gateway.id, gateway.vpcIds.length > 0 ? "attached" : "detached");
  else call("internet-gateway", "CreateInternetGateway", `hotspot-${name}-internet-gateway`);
  if (!gateway || gateway.vpcIds.length === 0)
    call("internet-gateway", "AttachInternetGateway", "to the VPC");

  const table = single(inOurVpc(observed.routeTables, "route table"), (t) => t.id, "route table", name);
  const defaultRoute = table?.routes.find((r) => r.destination === "0.0.0.0/0");
  if (table && defaultRoute && defaultRoute.gatewayId !== gateway?.id) {
    throw conflict(
      `route table ${table.id} sends 0.0.0.0/0 to ${defaultRoute.gatewayId ?? "a non-gateway target"}`,
    );
  }
  const strayAssociation = table?.associations.find((a) => a.subnetId !== subnet?.id);
  if (table && strayAssociation) {
    throw conflict(
      `route table ${table.id} is associated with ${strayAssociation.subnetId}, not the setup's subnet`,
    );
  }
  if (table) reuse("route-table", table.id, `${table.routes.length} route(s)`);
  else call("route-table", "CreateRouteTable", `hotspot-${name}-route-table`);
  if (!defaultRoute) call("route-table", "CreateRoute", "0.0.0.0/0 via the internet gateway");
  if (!table || table.associations.length === 0)
    call("route-table", "AssociateRouteTable", "with the subnet");

  const eni = single(observed.interfaces, (e) => e.id, "network interface", name);
  if (eni && (eni.subnetId !== subnet?.id || eni.privateIp !== spec.privateIp)) {
    throw conflict(
      `network interface ${eni.id} has ${eni.privateIp} in ${eni.subnetId}, not ${spec.privateIp} in the setup's subnet`,
    );
  }
  if (eni) reuse("network-interface", eni.id, spec.privateIp);
  else call("network-interface", "CreateNetworkInterface", `${spec.privateIp} in the subnet`);
  if (!eni || eni.sourceDestCheck) {
    call("network-interface", "ModifyNetworkInterfaceAttribute", "source/destination check off");
  }

  const address = single(observed.addresses, (a) => a.allocationId, "Elastic IP", name);
  if (address?.networkInterfaceId !== undefined && address.networkInterfaceId !== eni?.id) {
    throw conflict(
      `Elastic IP ${address.publicIp} is associated with ${address.networkInterfaceId}, not the setup's ENI`,
    );
  }
  if (address) reuse("elastic-ip", address.allocationId, address.publicIp);
  else call("elastic-ip", "AllocateAddress", "in the VPC domain");
  if (!address?.networkInterfaceId) call("elastic-ip", "AssociateAddress", "with the ENI");

  const volume = single(observed.volumes, (v) => v.id, "volume", name);
  if (
    volume &&
    (volume.zone !== spec.zone ||
      volume.sizeGiB !== spec.volumeGiB ||
      volume.volumeType !== "gp3" ||
      !volume.encrypted)
  ) {
    throw conflict(
      `volume ${volume.id} is ${volume.sizeGiB} GiB ${volume.volumeType}${volume.encrypted ? " encrypted" : " unencrypted"} in ${volume.zone}, not ${spec.volumeGiB} GiB gp3 encrypted in ${spec.zone}`,
    );
  }
  const volumeDetail = `${spec.volumeGiB} GiB gp3 encrypted in ${spec.zone}`;
  if (volume) reuse("volume", volume.id, volumeDetail);
  else call("volume", "CreateVolume", volumeDetail);

  return { spec, steps, existing, ...(address ? { existingPublicIp: address.publicIp } : {}) };
}

/** The plan as text: one line per step, `create`/`change` for calls, `reuse` for what exists. */
export function formatSetupPlan(plan: SetupPlan): string {
  const calls = plan.steps.filter((s) => s.kind === "call").length;
  const lines = [
    `setup ${plan.spec.name} in ${plan.spec.zone}: ${calls} call(s) to make, ${plan.steps.length - calls} resource(s) to reuse`,
  ];
  for (const step of plan.steps) {
    const verb =
      step.kind === "reuse"
        ? "reuse"
        : step.action.startsWith("Create") || step.action === "AllocateAddress"
          ? "create"
          : "change";
    const what = step.kind === "reuse" ? step.id : step.action;
    lines.push(`  ${verb.padEnd(7)}${step.resource.padEnd(18)}${what}  ${step.detail}`);
  }
  return `${lines.join("\n")}\n`;
}
