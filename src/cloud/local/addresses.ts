import { Ec2Error, incorrectState, invalidValue } from "./errors.js";
import type * as M from "./model.js";
import type { Params } from "./params.js";
import { returnTrue, tagSet } from "./render-common.js";
import { ACCOUNT_ID, applyFilters, lookup, selectByIds, type World } from "./world.js";
import { el, set, type XmlValue } from "./xml.js";

const findEni = (world: World, id: string): M.NetworkInterface =>
  lookup(id, world.interfaces, "InvalidNetworkInterfaceID.NotFound", "network interface");

/** Drop an address's association and tell the data plane. */
export function disassociateNow(world: World, address: M.Address): void {
  const assoc = address.association;
  if (assoc === null) return;
  address.association = null;
  void world.call("disassociateAddress", assoc.eniId, () =>
    world.config.backend.disassociateAddress(address.publicIp, assoc.eniId),
  );
}

export function allocateAddress(world: World, params: Params): XmlValue[] {
  const domain = params.string("Domain") ?? "vpc";
  if (domain !== "vpc") throw invalidValue("Domain", domain, "Only 'vpc' addresses exist in this cloud.");
  const allocationId = world.newId("eipalloc");
  const n = world.issued("eipalloc");
  if (n > 2 * 254)
    throw new Ec2Error("AddressLimitExceeded", "The maximum number of addresses has been reached.");
  // Documentation ranges (RFC 5737): never a real host, nothing is ever sent there.
  const publicIp = n <= 254 ? `203.0.113.${n}` : `198.51.100.${n - 254}`;
  world.addresses.set(allocationId, {
    allocationId,
    publicIp,
    tags: world.tagsFor(params, "elastic-ip"),
    association: null,
  });
  return [
    el("publicIp", publicIp),
    el("allocationId", allocationId),
    el("domain", "vpc"),
    el("networkBorderGroup", world.config.region),
    el("publicIpv4Pool", "amazon"),
  ];
}

function findAddress(world: World, params: Params): M.Address {
  const allocationId = params.string("AllocationId");
  if (allocationId !== undefined)
    return lookup(allocationId, world.addresses, "InvalidAllocationID.NotFound", "allocation");
  const publicIp = params.string("PublicIp");
  if (publicIp === undefined)
    throw new Ec2Error("MissingParameter", "The request must contain the parameter AllocationId");
  const found = [...world.addresses.values()].find((a) => a.publicIp === publicIp);
  if (found === undefined) throw new Ec2Error("InvalidAddress.NotFound", `Address '${publicIp}' not found.`);
  return found;
}

export function associateAddress(world: World, params: Params): XmlValue[] {
  const address = findAddress(world, params);
  let eni: M.NetworkInterface;
  const eniId = params.string("NetworkInterfaceId");
  const instanceId = params.string("InstanceId");
  if (eniId !== undefined) eni = findEni(world, eniId);
  else if (instanceId !== undefined) {
    const instance = lookup(instanceId, world.instances, "InvalidInstanceID.NotFound", "instance");
    if (instance.state !== "running")
      throw incorrectState(`The instance '${instance.id}' is not in a valid state for this operation.`);
    eni = findEni(world, instance.primaryEniId);
  } else throw new Ec2Error("MissingParameter", "Either NetworkInterfaceId or InstanceId must be given");
  const privateIp = params.string("PrivateIpAddress") ?? eni.privateIp;
  if (privateIp !== eni.privateIp)
    throw invalidValue("PrivateIpAddress", privateIp, `It is not an address of ${eni.id}.`);
  const reassociate = params.boolean("AllowReassociation") ?? false;
  if (address.association !== null && !reassociate && address.association.eniId !== eni.id) {
    throw new Ec2Error(
      "Resource.AlreadyAssociated",
      `resource ${address.allocationId} is already associated with associate-id ${address.association.id}`,
    );
  }
  disassociateNow(world, address);
  for (const other of world.addresses.values())
    if (other.association?.eniId === eni.id) disassociateNow(world, other);
  const association = { id: world.newId("eipassoc"), eniId: eni.id, privateIp };
  address.association = association;
  void world.call("associateAddress", eni.id, () =>
    world.config.backend.associateAddress(address.publicIp, eni.id, privateIp),
  );
  return [el("return", "true"), el("associationId", association.id)];
}

export function disassociateAddress(world: World, params: Params): XmlValue[] {
  const associationId = params.required("AssociationId");
  const address = [...world.addresses.values()].find((a) => a.association?.id === associationId);
  if (address === undefined)
    throw new Ec2Error(
      "InvalidAssociationID.NotFound",
      `The association ID '${associationId}' does not exist`,
    );
  disassociateNow(world, address);
  return returnTrue;
}

export function releaseAddress(world: World, params: Params): XmlValue[] {
  const address = findAddress(world, params);
  if (address.association !== null)
    throw new Ec2Error("InvalidIPAddress.InUse", `Address ${address.publicIp} is in use.`);
  world.addresses.delete(address.allocationId);
  return returnTrue;
}

export function describeAddresses(world: World, params: Params): XmlValue[] {
  const ids = params.strings("AllocationId");
  let chosen = selectByIds(ids, world.addresses, "InvalidAllocationID.NotFound", "allocation");
  const ips = params.strings("PublicIp");
  if (ips.length > 0) chosen = chosen.filter((a) => ips.includes(a.publicIp));
  const filtered = applyFilters(
    params,
    chosen,
    (a, name) => {
      const eni = a.association ? world.interfaces.get(a.association.eniId) : undefined;
      switch (name) {
        case "allocation-id":
          return [a.allocationId];
        case "public-ip":
          return [a.publicIp];
        case "domain":
          return ["vpc"];
        case "association-id":
          return a.association ? [a.association.id] : [];
        case "network-interface-id":
          return a.association ? [a.association.eniId] : [];
        case "instance-id":
          return eni?.attachment ? [eni.attachment.instanceId] : [];
        default:
          return undefined;
      }
    },
    (a) => a.tags,
  );
  return [
    set("addressesSet", filtered, (a) => {
      const eni = a.association ? world.interfaces.get(a.association.eniId) : undefined;
      return [
        el("publicIp", a.publicIp),
        el("allocationId", a.allocationId),
        el("domain", "vpc"),
        el("associationId", a.association?.id),
        el("networkInterfaceId", a.association?.eniId),
        el("networkInterfaceOwnerId", a.association ? ACCOUNT_ID : undefined),
        el("privateIpAddress", a.association?.privateIp),
        el("instanceId", eni?.attachment?.instanceId),
        el("networkBorderGroup", world.config.region),
        el("publicIpv4Pool", "amazon"),
        tagSet(a.tags),
      ];
    }),
  ];
}
