import { HotspotError } from "../errors.js";
import type { Clock } from "../util/clock.js";
import type { SetupEc2 } from "./ec2-setup-client.js";
import { observe } from "./observe.js";
import { planSetup, type SetupPlan, type SetupStep } from "./plan.js";
import { resourceName, type ResourceKind, type SetupSpec } from "./spec.js";

/** The ids of everything setup made or found, for hotspot.json. */
export interface SetupResult {
  readonly vpcId: string;
  readonly subnetId: string;
  readonly securityGroupId: string;
  readonly internetGatewayId: string;
  readonly routeTableId: string;
  readonly eniId: string;
  readonly privateIp: string;
  readonly allocationId: string;
  readonly publicIp: string;
  readonly volumeId: string;
}

export interface ReadyWait {
  /** What the pauses sleep on: the wall clock from the CLI, a fake one in tests. */
  readonly clock: Pick<Clock, "sleep">;
  /** Pause between Describe calls while the ENI or volume is still being made. */
  readonly pollMs: number;
  readonly attempts: number;
}

/** Every 2 s for 3 minutes: EC2 makes an ENI or a volume in seconds. */
export function readyWait(clock: Pick<Clock, "sleep">): ReadyWait {
  return { clock, pollMs: 2000, attempts: 90 };
}

/** Observe, plan, and make the plan's calls in order; a second run finds everything and makes none. */
export async function applySetup(
  ec2: SetupEc2,
  spec: SetupSpec,
  wait: ReadyWait,
): Promise<{ plan: SetupPlan; result: SetupResult }> {
  const plan = planSetup(spec, await observe(ec2, spec.name));
  const ids: Partial<Record<ResourceKind, string>> = { ...plan.existing };
  let publicIp = plan.existingPublicIp;
  const id = (kind: ResourceKind): string => {
    const value = ids[kind];
    // The plan creates each resource before any step that uses it, so this is a bug if it fires.
    if (value === undefined) throw new Error(`setup plan used the ${kind} before making it`);
    return value;
  };
  const tags = (kind: ResourceKind) => ({ setupName: spec.name, name: resourceName(spec.name, kind) });

  for (const step of plan.steps) {
    if (step.kind === "reuse") continue;
    switch (step.action) {
      case "CreateVpc":
        ids.vpc = await ec2.createVpc(spec.vpcCidr, tags("vpc"));
        break;
      case "CreateSubnet":
        ids.subnet = await ec2.createSubnet(id("vpc"), spec.subnetCidr, spec.zone, tags("subnet"));
        break;
      case "CreateSecurityGroup":
        ids["security-group"] = await ec2.createSecurityGroup(id("vpc"), tags("security-group"));
        break;
      case "AuthorizeSecurityGroupIngress":
        await ec2.authorizeIngress(id("security-group"), rulesOf(step));
        break;
      case "CreateInternetGateway":
        ids["internet-gateway"] = await ec2.createInternetGateway(tags("internet-gateway"));
        break;
      case "AttachInternetGateway":
        await ec2.attachInternetGateway(id("internet-gateway"), id("vpc"));
        break;
      case "CreateRouteTable":
        ids["route-table"] = await ec2.createRouteTable(id("vpc"), tags("route-table"));
        break;
      case "CreateRoute":
        await ec2.createDefaultRoute(id("route-table"), id("internet-gateway"));
        break;
      case "AssociateRouteTable":
        await ec2.associateRouteTable(id("route-table"), id("subnet"));
        break;
      case "CreateNetworkInterface":
        ids["network-interface"] = await ec2.createInterface(
          id("subnet"),
          spec.privateIp,
          id("security-group"),
          tags("network-interface"),
        );
        await waitReady(wait, `network interface ${id("network-interface")}`, async () =>
          (await ec2.findInterfaces(spec.name)).some(
            (e) => e.id === ids["network-interface"] && e.status === "available",
          ),
        );
        break;
      case "ModifyNetworkInterfaceAttribute":
        await ec2.disableSourceDestCheck(id("network-interface"));
        break;
      case "AllocateAddress": {
        const allocated = await ec2.allocateAddress(tags("elastic-ip"));
        ids["elastic-ip"] = allocated.allocationId;
        publicIp = allocated.publicIp;
        break;
      }
      case "AssociateAddress":
        await ec2.associateAddress(id("elastic-ip"), id("network-interface"));
        break;
      case "CreateVolume":
        ids.volume = await ec2.createVolume(spec.zone, spec.volumeGiB, tags("volume"));
        await waitReady(wait, `volume ${id("volume")}`, async () =>
          (await ec2.findVolumes(spec.name)).some((v) => v.id === ids.volume && v.state === "available"),
        );
        break;
    }
  }
  if (publicIp === undefined) throw new Error("setup plan finished without an Elastic IP");
  return {
    plan,
    result: {
      vpcId: id("vpc"),
      subnetId: id("subnet"),
      securityGroupId: id("security-group"),
      internetGatewayId: id("internet-gateway"),
      routeTableId: id("route-table"),
      eniId: id("network-interface"),
      privateIp: spec.privateIp,
      allocationId: id("elastic-ip"),
      publicIp,
      volumeId: id("volume"),
    },
  };
}

function rulesOf(step: SetupStep) {
  if (step.kind !== "call" || step.rules === undefined) throw new Error("ingress step without rules");
  return step.rules;
}

async function waitReady(wait: ReadyWait, what: string, ready: () => Promise<boolean>): Promise<void> {
  for (let attempt = 1; attempt <= wait.attempts; attempt++) {
    if (await ready()) return;
    await wait.clock.sleep(wait.pollMs);
  }
  throw new HotspotError(
    "HOTSPOT_SETUP_TIMEOUT",
    `${what} did not become available after ${wait.attempts} checks ${wait.pollMs} ms apart; run setup again to continue`,
    { retryable: true },
  );
}
