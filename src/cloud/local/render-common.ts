import type * as M from "./model.js";
import { el, set, type XmlValue } from "./xml.js";

export function tagSet(tags: M.Tags): XmlValue {
  if (tags.size === 0) return undefined;
  return set("tagSet", [...tags], ([k, v]) => [el("key", k), el("value", v)]);
}

export function groupSet(
  world: { securityGroups: ReadonlyMap<string, M.SecurityGroup> },
  ids: readonly string[],
) {
  return set("groupSet", ids, (id) => [
    el("groupId", id),
    el("groupName", world.securityGroups.get(id)?.name),
  ]);
}

export const returnTrue: XmlValue[] = [el("return", "true")];
