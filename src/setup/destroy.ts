import type { SetupEc2 } from "./ec2-setup-client.js";
import { observe, SetupConflictError, type Observed } from "./observe.js";
import { SETUP_TAG, type ResourceKind } from "./spec.js";

export type DestroyAction =
  | "DisassociateAddress"
  | "ReleaseAddress"
  | "DeleteNetworkInterface"
  | "DeleteVolume"
  | "DisassociateRouteTable"
  | "DeleteRouteTable"
  | "DetachInternetGateway"
  | "DeleteInternetGateway"
  | "DeleteSecurityGroup"
  | "DeleteSubnet"
  | "DeleteVpc";

export type DestroyStep =
  | {
      readonly resource: ResourceKind;
      readonly action: Exclude<DestroyAction, "DetachInternetGateway">;
      /** The resource, association or allocation the call names. */
      readonly id: string;
    }
  | {
      readonly resource: "internet-gateway";
      readonly action: "DetachInternetGateway";
      readonly id: string;
      /** The VPC the gateway is detached from. */
      readonly vpcId: string;
    };

/**
 * The calls that remove everything tagged `hotspot:setup=<name>`, dependents first: the address before
 * the ENI, the ENI and its group before the subnet, route table and gateway before the VPC. A volume
 * or ENI still attached to an instance is a SetupConflictError before any call: `hotspot live` owns it.
 */
export function planDestroy(setupName: string, observed: Observed): DestroyStep[] {
  const attached = [
    ...observed.interfaces.filter((e) => e.instanceId).map((e) => `${e.id} (on ${e.instanceId})`),
    ...observed.volumes
      .filter((v) => v.attachedTo.length > 0)
      .map((v) => `${v.id} (on ${v.attachedTo.join(", ")})`),
  ];
  if (attached.length > 0) {
    throw new SetupConflictError(
      `cannot destroy setup ${setupName}: still attached to an instance: ${attached.join(", ")}; stop \`hotspot live\` and let it end its instances first`,
    );
  }
  const steps: DestroyStep[] = [];
  for (const a of observed.addresses) {
    if (a.associationId)
      steps.push({ resource: "elastic-ip", action: "DisassociateAddress", id: a.associationId });
    steps.push({ resource: "elastic-ip", action: "ReleaseAddress", id: a.allocationId });
  }
  for (const e of observed.interfaces)
    steps.push({ resource: "network-interface", action: "DeleteNetworkInterface", id: e.id });
  for (const v of observed.volumes) steps.push({ resource: "volume", action: "DeleteVolume", id: v.id });
  for (const t of observed.routeTables) {
    for (const a of t.associations)
      steps.push({ resource: "route-table", action: "DisassociateRouteTable", id: a.id });
    steps.push({ resource: "route-table", action: "DeleteRouteTable", id: t.id });
  }
  for (const g of observed.internetGateways) {
    for (const vpcId of g.vpcIds) {
      steps.push({ resource: "internet-gateway", action: "DetachInternetGateway", id: g.id, vpcId });
    }
    steps.push({ resource: "internet-gateway", action: "DeleteInternetGateway", id: g.id });
  }
  for (const g of observed.securityGroups)
    steps.push({ resource: "security-group", action: "DeleteSecurityGroup", id: g.id });
  for (const s of observed.subnets) steps.push({ resource: "subnet", action: "DeleteSubnet", id: s.id });
  for (const v of observed.vpcs) steps.push({ resource: "vpc", action: "DeleteVpc", id: v.id });
  return steps;
}

/** Finds what the setup made by its tag and removes it; returns the calls made (none when nothing is left). */
export async function destroySetup(ec2: SetupEc2, setupName: string): Promise<DestroyStep[]> {
  const steps = planDestroy(setupName, await observe(ec2, setupName));
  for (const step of steps) await runDestroyStep(ec2, step);
  return steps;
}

async function runDestroyStep(ec2: SetupEc2, step: DestroyStep): Promise<void> {
  switch (step.action) {
    case "DisassociateAddress":
      return ec2.disassociateAddress(step.id);
    case "ReleaseAddress":
      return ec2.releaseAddress(step.id);
    case "DeleteNetworkInterface":
      return ec2.deleteInterface(step.id);
    case "DeleteVolume":
      return ec2.deleteVolume(step.id);
    case "DisassociateRouteTable":
      return ec2.disassociateRouteTable(step.id);
    case "DeleteRouteTable":
      return ec2.deleteRouteTable(step.id);
    case "DetachInternetGateway":
      return ec2.detachInternetGateway(step.id, step.vpcId);
    case "DeleteInternetGateway":
      return ec2.deleteInternetGateway(step.id);
    case "DeleteSecurityGroup":
      return ec2.deleteSecurityGroup(step.id);
    case "DeleteSubnet":
      return ec2.deleteSubnet(step.id);
    case "DeleteVpc":
      return ec2.deleteVpc(step.id);
  }
}

/** The destroy plan as text, one call a line. */
export function formatDestroyPlan(setupName: string, steps: readonly DestroyStep[]): string {
  const head =
    steps.length === 0
      ? `destroy ${setupName}: nothing tagged ${SETUP_TAG}=${setupName} found`
      : `destroy ${setupName}: ${steps.length} call(s)`;
  const lines = steps.map(
    (s) =>
      `  delete ${s.resource.padEnd(18)}${s.action}  ${s.id}${s.action === "DetachInternetGateway" ? ` from ${s.vpcId}` : ""}`,
  );
  return `${[head, ...lines].join("\n")}\n`;
}
