import { afterAll, describe, expect, it } from "vitest";
import { TAG_HOP } from "../../../../src/drivers/live/hop/hop.js";
import { HOP_STEPS, type HopStep, type StepName } from "../../../../src/drivers/live/hop/journal.js";
import { resumeOpenHops } from "../../../../src/drivers/live/hop/resume.js";
import { liveHarness, settleAndSummarize, SPOT_TARGET } from "../../../support/live-harness.js";

class Crash extends Error {}

type Point = "begin" | "acted" | "end";
const POINTS: readonly Point[] = ["begin", "acted", "end"];

/** The container is stopped once the checkpoint acted; before that the hop must roll back. */
function expectedOutcome(step: HopStep, point: Point): "rolled-back" | "done" {
  const index = HOP_STEPS.indexOf(step);
  const checkpoint = HOP_STEPS.indexOf("checkpoint");
  return index < checkpoint || (index === checkpoint && point === "begin") ? "rolled-back" : "done";
}

const rows: string[] = [];
afterAll(() => {
  console.log(
    [
      "crash point (controller stops)             | resume outcome | container on | ours running | volume on | untagged",
      ...rows,
    ].join("\n"),
  );
});

describe("a controller crash at every point of a hop, then resume from the journal on disk", () => {
  for (const step of HOP_STEPS) {
    for (const point of POINTS) {
      it(`crash at ${point} of ${step}: resume ends with exactly one copy and nothing leaked`, async () => {
        const h = await liveHarness();
        try {
          const hook = (p: Point, s: StepName) => {
            if (p === point && s === step) throw new Crash(`crash at ${p} of ${s}`);
          };
          await expect(h.executor(hook).hop(SPOT_TARGET)).rejects.toBeInstanceOf(Crash);
          const crashed = await h.reopen();
          expect(crashed.openHops().map((hop) => hop.id)).toEqual(["hop-000001"]);

          const reports = await resumeOpenHops(h.executor());
          const want = expectedOutcome(step, point);
          expect(reports.map((r) => r.outcome)).toEqual([want]);
          expect(await resumeOpenHops(h.executor())).toEqual([]);

          const journal = await h.reopen();
          const hop = journal.hops[0];
          const target = hop.targetInstanceId;
          const home = want === "done" ? target! : h.source;
          expect(journal.openHops()).toEqual([]);
          expect(journal.home).toBe(home);
          const summary = await settleAndSummarize(h);
          expect(summary).toEqual({ oursRunning: [home], untagged: [], volumeOn: [home], eniOn: home });
          expect(h.host.runningOn).toBe(home);
          // Only the step the crash cut short has a begin without an end; every other is paired.
          const unpaired = [...new Set(hop.entries.map((e) => e.step))].filter(
            (name) =>
              hop.entries.filter((e) => e.step === name && e.event === "begin").length !==
              hop.entries.filter((e) => e.step === name && e.event === "end").length,
          );
          expect(unpaired).toEqual(point === "end" ? [] : [step]);
          // A crash between launch and journal still finds the target by its ClientToken.
          const launches = h.emulator.state.requestLog.filter((r) => r.action === "RunInstances").length;
          expect(launches).toBe(step === "acquire" && point === "begin" ? 1 : 2);
          const ours = [...h.emulator.state.instances.values()].filter(
            (i) => i.clientToken === hop.clientToken,
          );
          expect(ours.length).toBe(step === "acquire" && point === "begin" ? 0 : 1);
          rows.push(
            `${`${point} of ${step}`.padEnd(42)} | ${want.padEnd(14)} | ${home === h.source ? "source" : "target"}       | ${summary.oursRunning.length}            | ${summary.volumeOn.length === 1 && summary.volumeOn[0] === home ? "home" : "?"}      | ${summary.untagged.length}`,
          );
        } finally {
          await h.close();
        }
      });
    }
  }
});

describe("a controller crash while a failed hop is being undone, then resume", () => {
  const undo: Array<["fell-back" | "rolled-back", StepName]> = [
    ["fell-back", "reattach-source"],
    ["fell-back", "restore-source"],
    ["fell-back", "terminate-target"],
    ["rolled-back", "terminate-target"],
  ];
  for (const [outcome, step] of undo) {
    for (const point of POINTS) {
      it(`${outcome} hop, crash at ${point} of ${step}: resume finishes the undo`, async () => {
        const h = await liveHarness();
        try {
          if (outcome === "fell-back") {
            // The target is reclaimed while the volume attaches to it, after the checkpoint.
            h.emulator.faults.interruptMatching({ tag: `${TAG_HOP}=hop-000001`, afterSeconds: 0 });
            h.emulator.faults.slow("attach", 300, h.resources.volumeId, 1);
          } else {
            h.emulator.faults.insufficientCapacity({ instanceType: SPOT_TARGET.instanceType });
          }
          const hook = (p: Point, s: StepName) => {
            if (p === point && s === step) throw new Crash(`crash at ${p} of ${s}`);
          };
          await expect(h.executor(hook).hop(SPOT_TARGET)).rejects.toBeInstanceOf(Crash);
          await h.reopen();
          const launches = h.emulator.state.requestLog.filter((r) => r.action === "RunInstances").length;
          expect((await resumeOpenHops(h.executor())).map((r) => r.outcome)).toEqual([outcome]);
          expect(await resumeOpenHops(h.executor())).toEqual([]);
          const journal = await h.reopen();
          expect([journal.home, journal.openHops().length]).toEqual([h.source, 0]);
          expect(await settleAndSummarize(h)).toEqual({
            oursRunning: [h.source],
            untagged: [],
            volumeOn: [h.source],
            eniOn: h.source,
          });
          expect(h.host.runningOn).toBe(h.source);
          expect(h.emulator.state.requestLog.filter((r) => r.action === "RunInstances").length).toBe(
            launches,
          );
          rows.push(
            `${`${point} of ${step} (${outcome === "fell-back" ? "target lost" : "no capacity"})`.padEnd(42)} | ${outcome.padEnd(14)} | source       | 1            | home      | 0`,
          );
        } finally {
          await h.close();
        }
      });
    }
  }
});
