import { Ec2Error, missingParameter } from "./errors.js";
import type * as M from "./model.js";
import type { Params } from "./params.js";
import { returnTrue } from "./render-common.js";
import { lookup, type World } from "./world.js";
import type { XmlValue } from "./xml.js";

/** The tags of any taggable resource, found by its id prefix. */
function tagsOf(world: World, id: string): M.Tags {
  const kinds: Array<[string, ReadonlyMap<string, { tags: M.Tags }>, string, string]> = [
    ["i-", world.instances, "InvalidInstanceID.NotFound", "instance"],
    ["vol-", world.volumes, "InvalidVolume.NotFound", "volume"],
    ["eni-", world.interfaces, "InvalidNetworkInterfaceID.NotFound", "network interface"],
    ["eipalloc-", world.addresses, "InvalidAllocationID.NotFound", "allocation"],
    ["vpc-", world.vpcs, "InvalidVpcID.NotFound", "vpc"],
    ["subnet-", world.subnets, "InvalidSubnetID.NotFound", "subnet"],
    ["sg-", world.securityGroups, "InvalidGroup.NotFound", "security group"],
    ["igw-", world.internetGateways, "InvalidInternetGatewayID.NotFound", "internet gateway"],
    ["rtb-", world.routeTables, "InvalidRouteTableID.NotFound", "route table"],
    ["ami-", world.images, "InvalidAMIID.NotFound", "image"],
    ["snap-", world.snapshots, "InvalidSnapshot.NotFound", "snapshot"],
  ];
  for (const [prefix, store, code, kind] of kinds) {
    if (id.startsWith(prefix) && !(prefix === "eni-" && id.startsWith("eni-attach-")))
      return lookup(id, store, code, kind).tags;
  }
  throw new Ec2Error("InvalidID", `The ID '${id}' is not valid`);
}

export function createTags(world: World, params: Params): XmlValue[] {
  const ids = params.strings("ResourceId");
  if (ids.length === 0) throw missingParameter("ResourceId");
  const tags = params.members("Tag").map((t) => [t.required("Key"), t.string("Value") ?? ""] as const);
  if (tags.length === 0) throw missingParameter("Tag");
  const targets = ids.map((id) => tagsOf(world, id));
  for (const target of targets) {
    for (const [k, v] of tags) target.set(k, v);
    if (target.size > 50)
      throw new Ec2Error(
        "TagLimitExceeded",
        "The maximum number of tags for a resource (50) has been reached.",
      );
  }
  return returnTrue;
}

/** Removes each given key, or only where the value matches when a value is given. */
export function deleteTags(world: World, params: Params): XmlValue[] {
  const ids = params.strings("ResourceId");
  if (ids.length === 0) throw missingParameter("ResourceId");
  const targets = ids.map((id) => tagsOf(world, id));
  const tags = params.members("Tag").map((t) => ({ key: t.required("Key"), value: t.string("Value") }));
  for (const target of targets) {
    if (tags.length === 0) target.clear();
    for (const { key, value } of tags) {
      if (value === undefined || target.get(key) === value) target.delete(key);
    }
  }
  return returnTrue;
}
