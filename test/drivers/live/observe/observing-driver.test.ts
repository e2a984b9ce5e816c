import { afterEach, describe, expect, it } from "vitest";
import { createEc2Api } from "../../../../src/cloud/ec2-client.js";
import type { Command } from "../../../../src/engine/driver.js";
import { HoppingEngine } from "../../../../src/engine/engine.js";
import { defaultMigrationModel } from "../../../../src/engine/migration-model.js";
import type { Policy } from "../../../../src/engine/policy.js";
import type { Market, Observation, Placement } from "../../../../src/engine/types.js";
import { StepWorkload } from "../../../../src/engine/workload.js";
import { ObservingDriver } from "../../../../src/drivers/live/observe/observing-driver.js";
import { PricePoller } from "../../../../src/drivers/live/observe/price-poller.js";
import { harness, START_MS, type Harness } from "../../../support/emulator-harness.js";

const ZONE = "us-east-1a";
const START = START_MS / 1000;
const INTERVAL = 300;

const market = (id: number, instanceType: string, work: number): Market => ({
  id,
  zone: ZONE,
  instanceType,
  lifecycle: "spot",
  vcpu: 2,
  memoryGiB: 4,
  work,
  onDemandUsd: 0.1,
  architecture: "x86_64",
  cpuVendor: "intel",
});
const markets = [market(0, "c4.large", 8), market(1, "m4.large", 6.5)];

let h: Harness;
afterEach(async () => {
  await h.close();
});

/** Three decision times (start, +300 s, +600 s) with a policy that always wants c4.large. */
async function observe(placement: Placement | null) {
  h = await harness({
    spotPrices: [
      {
        availabilityZone: ZONE,
        instanceType: "c4.large",
        productDescription: "Linux/UNIX",
        price: 0.03,
        timeMs: START_MS - 60_000,
      },
      {
        availabilityZone: ZONE,
        instanceType: "m4.large",
        productDescription: "Linux/UNIX",
        price: 0.04,
        timeMs: START_MS - 60_000,
      },
      {
        availabilityZone: ZONE,
        instanceType: "c4.large",
        productDescription: "Linux/UNIX",
        price: 0.05,
        timeMs: START_MS + 100_000,
      },
    ],
  });
  const clock = { now: () => h.clock.now(), sleep: (ms: number) => h.clock.advance(ms) };
  const poller = new PricePoller({
    ec2: createEc2Api({ region: "us-east-1", endpoint: h.emulator.endpoint }),
    zone: ZONE,
    instanceTypes: ["c4.large", "m4.large"],
    windowSeconds: 3600,
    clock,
  });
  const firstPoll = await poller.poll();
  const commands: Command[] = [];
  const seen: Array<Pick<Observation, "now" | "trigger"> & { current: number | null; c4: number }> = [];
  const driver = new ObservingDriver({
    zone: ZONE,
    markets,
    poller,
    firstPoll,
    clock,
    historyWindowSeconds: 3600,
    memoryGiB: 2,
    demandWork: 8,
    placement,
    until: Infinity,
    onCommand: (command) => commands.push(command),
    beforeAdvance: () => undefined,
  });
  const policy: Policy = {
    decide: (o) => {
      seen.push({ now: o.now, trigger: o.trigger, current: o.current?.marketId ?? null, c4: o.prices[0] });
      return { kind: "place", marketId: 0, reason: "c4.large" };
    },
  };
  const engine = new HoppingEngine(
    {
      zone: ZONE,
      start: START,
      end: START + 2.5 * INTERVAL,
      ...(placement === null ? {} : { initial: placement }),
      intervalSeconds: INTERVAL,
      billing: "per-second",
      memoryGiB: 2,
      demandWork: 8,
      workUnit: "ecu",
      workload: StepWorkload.constant(8, 1),
      targetWork: null,
      migrationModel: defaultMigrationModel,
    },
    driver,
    policy,
  );
  const result = await engine.run(driver.stop);
  return { result, commands, seen, polls: driver.polls };
}

describe("ObservingDriver: the engine's commands recorded and answered as not done", () => {
  it("from an assumed m4.large: every hop's acquire fails at once, the container never leaves, one price poll per decision", async () => {
    const { result, commands, seen, polls } = await observe({ marketId: 1, instanceStart: START });
    // Prices as of each decision: c4.large rose to 0.05 at +100 s.
    expect(seen).toEqual([
      { now: START, trigger: "interval", current: 1, c4: 0.03 },
      { now: START + 300, trigger: "interval", current: 1, c4: 0.05 },
      { now: START + 600, trigger: "interval", current: 1, c4: 0.05 },
    ]);
    expect(commands).toEqual([1, 2, 3].map((instance) => ({ kind: "acquire", instance, marketId: 0 })));
    expect(result).toMatchObject({ hops: 0, abortedHops: 3, acquireFailures: 3, decisions: 3 });
    expect(result.timeline.map((e) => e.kind)).toEqual([
      "running",
      ...["hop", "acquire-failed", "hop", "acquire-failed", "hop", "acquire-failed"],
    ]);
    expect(polls).toMatchObject({ polls: 3 });
    expect([...h.emulator.state.requestCounts.keys()]).toEqual(["DescribeSpotPriceHistory"]);
  });

  it("with no placement: the placement's acquire fails at the next decision time, where the engine asks again (trigger start)", async () => {
    const { result, commands, seen } = await observe(null);
    expect(seen.map((o) => [o.now - START, o.trigger, o.current])).toEqual([
      [0, "start", null],
      [300, "start", null],
      [600, "start", null],
    ]);
    expect(commands).toHaveLength(3);
    // The last placement is still unanswered when the run ends.
    expect(result).toMatchObject({ acquireFailures: 2, decisions: 3, instances: [] });
    expect(result.timeline.map((e) => `${e.time - START} ${e.kind}`)).toEqual([
      "0 place",
      "300 acquire-failed",
      "300 place",
      "600 acquire-failed",
      "600 place",
    ]);
  });
});
