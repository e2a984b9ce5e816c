import { describe, expect, it } from "vitest";
import { groupSet, returnTrue, tagSet } from "../../../src/cloud/local/render-common.js";
import type { SecurityGroup } from "../../../src/cloud/local/model.js";
import { el } from "../../../src/cloud/local/xml.js";

describe("XML pieces several responses share", () => {
  it("a tag set, left out entirely when there are no tags", () => {
    expect(tagSet(new Map())).toBeUndefined();
    expect(el("x", tagSet(new Map())).xml).toBe("");
    expect((tagSet(new Map([["Name", "a&b"]])) as { xml: string }).xml).toBe(
      "<tagSet><item><key>Name</key><value>a&amp;b</value></item></tagSet>",
    );
  });

  it("a group set naming each group, the name left out for a group that is gone", () => {
    const securityGroups = new Map([["sg-1", { name: "hotspot" } as SecurityGroup]]);
    expect(groupSet({ securityGroups }, ["sg-1", "sg-2"]).xml).toBe(
      "<groupSet><item><groupId>sg-1</groupId><groupName>hotspot</groupName></item><item><groupId>sg-2</groupId></item></groupSet>",
    );
  });

  it("the <return>true</return> of actions that answer only success", () => {
    expect(el("r", returnTrue).xml).toBe("<r><return>true</return></r>");
  });
});
