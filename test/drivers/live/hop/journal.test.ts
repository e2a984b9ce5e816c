import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hasEntry, Journal, lastEntry } from "../../../../src/drivers/live/hop/journal.js";
import { InputFormatError, InputReadError } from "../../../../src/errors.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-journal-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const target = { instanceType: "c4.xlarge", zone: "us-east-1c", lifecycle: "spot" as const };

describe("the live journal", () => {
  it("is on disk after every change and reads back the same", async () => {
    const path = join(dir, "journal.json");
    const journal = await Journal.create(path, "stack-a", "i-home");
    const hop = await journal.beginHop(target);
    expect(hop.id).toBe("hop-000001");
    expect(hop.clientToken).toMatch(/^hotspot-[0-9a-f]{8}-hop-000001$/);
    expect((await Journal.open(path)).openHops().map((h) => h.id)).toEqual(["hop-000001"]);

    await journal.record(hop, { step: "acquire", event: "begin", at: 1000 });
    await journal.record(hop, { step: "acquire", event: "end", at: 2000, note: "i-new" }, "i-new");
    const mid = await Journal.open(path);
    expect(mid.hops[0].targetInstanceId).toBe("i-new");
    expect(hasEntry(mid.hops[0], "acquire", "end")).toBe(true);
    expect(hasEntry(mid.hops[0], "checkpoint", "begin")).toBe(false);

    await journal.finish(hop, "done");
    const done = await Journal.open(path);
    expect([done.home, done.openHops().length, done.hops[0].outcome]).toEqual(["i-new", 0, "done"]);
    const second = await done.beginHop(target);
    expect(second.id).toBe("hop-000002");
    expect(second.source).toBe("i-new");
    // No temporary files are left next to it.
    expect(await readdir(dir)).toEqual(["journal.json"]);
  });

  it("a rolled-back hop leaves the home where it was", async () => {
    const journal = await Journal.create(join(dir, "j.json"), "s", "i-home");
    const hop = await journal.beginHop(target);
    await journal.record(hop, { step: "acquire", event: "end", at: 1 }, "i-t");
    await journal.finish(hop, "rolled-back", "no capacity");
    const again = await Journal.open(join(dir, "j.json"));
    expect([again.home, again.hops[0].reason]).toEqual(["i-home", "no capacity"]);
  });

  it("rejects a damaged journal naming the field, the expected form and what was found", async () => {
    const path = join(dir, "journal.json");
    const journal = await Journal.create(path, "stack-a", "i-home");
    const hop = await journal.beginHop(target);
    await journal.record(hop, { step: "acquire", event: "begin", at: 1 });
    const doc = JSON.parse(await readFile(path, "utf8"));
    doc.hops[0].entries[0].step = "launch";
    await writeFile(path, JSON.stringify(doc));
    const error = await Journal.open(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputFormatError);
    expect((error as InputFormatError).location).toBe(`${path}: hops[0].entries[0]`);
    expect((error as Error).message).toContain('"launch"');

    await writeFile(path, '{"format": "hotspot-live-journal", "version": 2}');
    await expect(Journal.open(path)).rejects.toThrow(`${path}: version: expected 1, found 2`);
    await writeFile(path, '{"format": ');
    await expect(Journal.open(path)).rejects.toBeInstanceOf(InputFormatError);
    await expect(Journal.open(join(dir, "missing.json"))).rejects.toBeInstanceOf(InputReadError);
  });
});

describe("lastEntry", () => {
  it("finds the latest entry of a step and event (a step run again after a crash), or none", () => {
    const hop = {
      id: "hop-000001",
      clientToken: "t",
      source: "i-00000000000000001",
      target: { instanceType: "c4.large", zone: "us-east-1c", lifecycle: "spot" as const },
      targetInstanceId: null,
      entries: [
        { step: "checkpoint" as const, event: "begin" as const, at: 1000 },
        { step: "checkpoint" as const, event: "begin" as const, at: 5000 },
        { step: "checkpoint" as const, event: "end" as const, at: 6000 },
      ],
      outcome: null,
    };
    expect(lastEntry(hop, "checkpoint", "begin")?.at).toBe(5000);
    expect(lastEntry(hop, "checkpoint", "end")?.at).toBe(6000);
    expect(lastEntry(hop, "restore", "end")).toBeUndefined();
  });
});
