import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  awaitVerdict,
  CPU_CHECK_TAG,
  dumpReference,
  parseVerdictTag,
  publishVerdict,
  verdictTag,
} from "../../../../src/drivers/live/host/cpu-check.js";
import { Journal } from "../../../../src/drivers/live/hop/journal.js";
import { CPUINFO_IMAGE } from "../../../../src/host/criu.js";
import { runLive, type LiveLogRecord } from "../../../../src/drivers/live/run.js";
import type { ResultsDocument } from "../../../../src/results/document.js";
import {
  liveHarness,
  liveRunOptions,
  runJournalPath,
  settleAndSummarize,
  spotPrice,
  type LiveHarness,
} from "../../../support/live-harness.js";

let h: LiveHarness | undefined;
let dir: string | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("the CPU reference and verdict as they travel (user data, tags)", () => {
  it("verdicts as tag values and back; a long reason is cut to EC2's 256 characters", () => {
    expect(verdictTag({ compatible: true })).toBe("ok");
    expect(parseVerdictTag("ok", "i-1")).toEqual({ compatible: true });
    const mismatch = {
      compatible: false as const,
      detail: "cpu: CPU instruction capabilities do not match run time",
    };
    expect(parseVerdictTag(verdictTag(mismatch), "i-1")).toEqual(mismatch);
    const long = verdictTag({ compatible: false, detail: "x".repeat(400) });
    expect(long).toHaveLength(256);
    expect(parseVerdictTag(undefined, "i-1")).toBeNull();
    expect(() => parseVerdictTag("error: criu: not found", "i-1")).toThrow(
      "the CPU check on i-1 could not be made: criu: not found",
    );
    expect(() => parseVerdictTag("maybe", "i-1")).toThrow(/tag hotspot:cpu-check of i-1: expected "ok"/);
  });

  it("the home waits for the target's tag, polling, and gives up after the timeout", async () => {
    let now = 0;
    const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
    const published = new Map<string, Record<string, string>>([["i-t", {}]]);
    const reads: number[] = [];
    const tagsOf = async (id: string) => {
      reads.push(now);
      // The target's controller publishes 12 s after the home starts waiting.
      if (now >= 12_000) published.set(id, { [CPU_CHECK_TAG]: "ok" });
      return published.get(id) ?? null;
    };
    expect(await awaitVerdict("i-t", tagsOf, clock, { timeoutMs: 60_000, pollMs: 5_000 })).toEqual({
      compatible: true,
    });
    expect(reads).toEqual([0, 5_000, 10_000, 15_000]);
    now = 0;
    published.set("i-t", {});
    await expect(
      awaitVerdict("i-s", async () => ({}), clock, { timeoutMs: 10_000, pollMs: 4_000 }),
    ).rejects.toThrow(/^timed out after 10 s waiting for i-s's controller to publish tag hotspot:cpu-check/);
    expect(now).toBe(12_000);
    await expect(
      awaitVerdict("i-gone", async () => null, clock, { timeoutMs: 1, pollMs: 1 }),
    ).rejects.toThrow("i-gone is gone: no CPU verdict from it");
  });

  it("a target of another architecture is refused before criu runs; a check that cannot be made is published as an error", async () => {
    dir = await mkdtemp(join(tmpdir(), "hs-cpu-"));
    const values: string[] = [];
    const other = process.arch === "arm64" ? "x86_64" : "arm64";
    const verdict = await publishVerdict(
      { architecture: other, image: "" },
      join(dir, "a"),
      async (v) => void values.push(v),
    );
    const here = process.arch === "x64" ? "x86_64" : process.arch;
    expect(verdict).toEqual({
      compatible: false,
      detail: `architecture ${here}, the container's is ${other}`,
    });
    // criu that does not exist: the check was not made, and the home hears so.
    const none = await publishVerdict(
      { architecture: here, image: Buffer.from("not an image").toString("base64") },
      join(dir, "b"),
      async (v) => void values.push(v),
      { criu: join(dir, "no-criu") },
    );
    expect(none).toBeNull();
    expect(values[0]).toBe(`mismatch: architecture ${here}, the container's is ${other}`);
    expect(values[1]).toMatch(/^error: criu cpuinfo check of .*cpuinfo\.img failed \(exit /);
    expect(await readFile(join(dir, "b", "cpuinfo.img"), "utf8")).toBe("not an image");
  });
});

const realCriu = existsSync("/opt/hotspot/bin/criu") && existsSync("/usr/bin/crit");

describe.skipIf(!realCriu)(
  "the EC2 target's side with real CRIU (criu cpuinfo dump/check on this CPU)",
  () => {
    it("the home's reference passes here; the same with a feature this CPU lacks is a mismatch, published as such", async () => {
      dir = await mkdtemp(join(tmpdir(), "hs-cpu-real-"));
      const reference = await dumpReference(join(dir, "home"));
      expect(reference.architecture).toBe(process.arch === "x64" ? "x86_64" : process.arch);
      const image = Buffer.from(reference.image, "base64");
      // criu's cpuinfo.img: its magic, then the x86 entry (vendor, family, 19 capability words, model name).
      expect(image.length).toBeGreaterThan(100);
      expect(await readFile(join(dir, "home", CPUINFO_IMAGE))).toEqual(image);
      const values: string[] = [];
      const publish = async (value: string) => void values.push(value);
      expect(await publishVerdict(reference, join(dir, "target"), publish)).toEqual({ compatible: true });

      // AVX512PF (CPUID 7.0 EBX bit 26, Xeon Phi only): set in a copy of the image.
      const decoded = JSON.parse(
        execFileSync("crit", ["decode", "-i", join(dir, "home", CPUINFO_IMAGE)], { encoding: "utf8" }),
      ) as { entries: { x86_entry: { capability: number[] }[] }[] };
      const words = decoded.entries[0].x86_entry[0].capability;
      expect((words[9] >>> 26) & 1).toBe(0);
      words[9] = (words[9] | (1 << 26)) >>> 0;
      const doctored = execFileSync("crit", ["encode"], { input: JSON.stringify(decoded) });
      const verdict = await publishVerdict(
        { architecture: reference.architecture, image: doctored.toString("base64") },
        join(dir, "target"),
        publish,
      );
      expect(verdict).toEqual({
        compatible: false,
        detail: expect.stringMatching(
          /^Error \(criu\/arch\/x86\/cpu\.c:\d+\): cpu: CPU instruction capabilities do not match run time$/,
        ),
      });
      expect(values).toEqual(["ok", `mismatch: ${(verdict as { detail: string }).detail}`]);
    });
  },
);

describe("runLive when a target's CPU cannot run the container (real SDK, emulator in real time, fake container host)", () => {
  it("c4.large mismatches: its hop is undone before the checkpoint, its type left out for the run, greedy takes m4.large spot; a resumed run keeps it out", async () => {
    const t0 = Date.now();
    h = await liveHarness({
      realTime: true,
      spotPrices: [spotPrice("m4.large", t0 - 60_000, 0.03), spotPrice("c4.large", t0 - 60_000, 0.02)],
    });
    h.host.cpuMismatchTypes.add("c4.large");
    const log: LiveLogRecord[] = [];
    const ledgers: ResultsDocument[] = [];
    await runLive({
      ...(await liveRunOptions(h, log)),
      durationSeconds: 8,
      onLedger: async (document) => void ledgers.push(document),
    });

    const journal = await Journal.open(runJournalPath(h));
    expect(journal.hops.map((hop) => [hop.target.instanceType, hop.target.lifecycle, hop.outcome])).toEqual([
      ["c4.large", "spot", "rolled-back"],
      ["m4.large", "spot", "done"],
    ]);
    const [refused, taken] = journal.hops;
    expect(refused.cpuMismatch).toBe(true);
    // Undone before the container stopped: no checkpoint began.
    expect(refused.entries.map((e) => `${e.step} ${e.event}`)).toEqual([
      "acquire begin",
      "acquire end",
      "wait-running begin",
      "wait-running end",
      "cpu-check begin",
      "cpu-check error",
      "terminate-target begin",
      "terminate-target end",
    ]);
    expect(h.host.history).toEqual([`checkpoint ${h.source}`, `restore ${taken.targetInstanceId}`]);
    expect(h.host.cpuChecks).toEqual([refused.targetInstanceId, taken.targetInstanceId]);
    const events = log.filter((r) => r.kind === "event");
    expect(events.filter((r) => r.event === "cpu-excluded").map((r) => r.market)).toEqual([
      "c4.large spot",
      "c4.large on-demand",
    ]);
    // Not the market's fault: no cool-down; and no second target of the type.
    expect(events.filter((r) => r.event === "excluded")).toEqual([]);
    expect(events.find((r) => r.event === "cpu-reference")?.reason).toBe(
      `x86_64 CPU of ${h.source} described (criu cpuinfo dump, 0 B): every target is checked against it before the checkpoint`,
    );
    const run = ledgers[ledgers.length - 1].runs[0];
    const failed = run.timeline.filter((e) => e.kind === "acquire-failed");
    expect(failed).toHaveLength(1);
    expect(failed[0].reason).toContain("c4.large is left out for the rest of the run");
    // One outage: the m4.large hop's; the refused hop stopped nothing.
    expect(run.outageDowntimesSeconds).toHaveLength(1);
    const world = await settleAndSummarize(h);
    expect(world.oursRunning).toEqual([taken.targetInstanceId]);

    // Resumed: the journal keeps c4.large out, though it is still the cheapest.
    const resumedLog: LiveLogRecord[] = [];
    await runLive({ ...(await liveRunOptions(h, resumedLog)), resume: true, durationSeconds: 3 });
    const again = resumedLog.filter((r) => r.kind === "event" && r.event === "cpu-excluded");
    expect(again.map((r) => r.market)).toEqual(["c4.large spot", "c4.large on-demand"]);
    expect(again[0].kind === "event" && again[0].reason).toContain(`${refused.id} (journal)`);
    expect((await Journal.open(runJournalPath(h))).hops).toHaveLength(2);
  }, 90_000);
});
