import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collectOrphans } from "../../../../src/drivers/live/hop/gc.js";
import { TAG_HOP, TAG_STACK } from "../../../../src/drivers/live/hop/hop.js";
import { AMI, liveHarness, STACK, ZONE, type LiveHarness } from "../../../support/live-harness.js";

let h: LiveHarness;
beforeEach(async () => {
  h = await liveHarness();
});
afterEach(async () => {
  await h.close();
});

async function launch(token: string, tags: Record<string, string>): Promise<string> {
  const i = await h.compute.runInstance({
    clientToken: token,
    imageId: AMI,
    instanceType: "m4.large",
    zone: ZONE,
    lifecycle: "on-demand",
    tags,
  });
  return i.id;
}

describe("hotspot live gc (real SDK against the emulator)", () => {
  it("terminates an orphan tagged as ours and leaves untagged and other stacks' instances alone", async () => {
    const orphan = await launch("orphan", { [TAG_STACK]: STACK, [TAG_HOP]: "hop-000009" });
    const untagged = await launch("untagged", {});
    const other = await launch("other", { [TAG_STACK]: "someone-else" });
    await h.scheduler.advance(2_000);

    const dry = await collectOrphans(h.compute, h.journal, h.clock, { dryRun: true });
    expect(dry).toEqual({ orphans: [orphan], kept: [h.source] });
    expect(h.emulator.state.instances.get(orphan)!.state).toBe("running");

    expect(await collectOrphans(h.compute, h.journal, h.clock)).toEqual({
      orphans: [orphan],
      kept: [h.source],
    });
    await h.scheduler.advance(2_000);
    const state = (id: string) => h.emulator.state.instances.get(id)!.state;
    expect([state(orphan), state(untagged), state(other), state(h.source)]).toEqual([
      "terminated",
      "running",
      "running",
      "running",
    ]);
    expect(await collectOrphans(h.compute, h.journal, h.clock)).toEqual({ orphans: [], kept: [h.source] });
  });

  it("keeps both ends of an open hop, even a target whose id was never journaled", async () => {
    const hop = await h.journal.beginHop({ instanceType: "m4.large", zone: ZONE, lifecycle: "on-demand" });
    const target = await launch(hop.clientToken, { [TAG_STACK]: STACK, [TAG_HOP]: hop.id });
    await h.scheduler.advance(2_000);
    expect(await collectOrphans(h.compute, h.journal, h.clock)).toEqual({
      orphans: [],
      kept: [h.source, target].sort(),
    });
  });
});
