import { RunInstancesCommand } from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it } from "vitest";
import { builtinCatalog } from "../../../src/catalog/catalog.js";
import { createEc2Api } from "../../../src/cloud/ec2-client.js";
import type { SpotPriceRecord } from "../../../src/cloud/local/spot-prices.js";
import { runDryRun, type DecisionRecord, type DryRunOptions } from "../../../src/drivers/live/dry-run.js";
import { NoticePoller } from "../../../src/drivers/live/observe/notice-poller.js";
import type { Clock } from "../../../src/util/clock.js";
import { UsageError } from "../../../src/errors.js";
import type { LiveConfig } from "../../../src/setup/config.js";
import { AMI, harness, START_MS, type Harness } from "../../support/emulator-harness.js";
import { sampleLiveConfig } from "../../support/live-config.js";

const liveConfig: LiveConfig = sampleLiveConfig();

const at = (seconds: number, type: string, price: number): SpotPriceRecord => ({
  availabilityZone: "us-east-1a",
  instanceType: type,
  productDescription: "Linux/UNIX",
  price,
  timeMs: START_MS + seconds * 1000,
});

/**
 * Per ECU (built-in catalog, 2025-06-01 on-demand prices; demand 16 ECU, so every type is used whole):
 * spot c4.large 0.032/8 = 0.004, m4.large 0.03/6.5 = 0.004615, m4.xlarge 0.07/13 = 0.005385;
 * on-demand c4.large 0.1/8, c4.xlarge 0.199/16, m4.large 0.1/6.5, m4.xlarge 0.2/13 (all > 0.012).
 * c4.xlarge has no spot price in the zone. At +200 s c4.large spot rises to 0.06 (0.0075 per ECU).
 */
const dryRunPrices: SpotPriceRecord[] = [
  at(-3600, "c4.large", 0.032),
  at(-3600, "m4.large", 0.03),
  at(-3600, "m4.xlarge", 0.07),
  at(200, "c4.large", 0.06),
];

/** The emulator's virtual clock as the dry run's. */
function virtualClock(h: Harness): Clock {
  return { now: () => h.clock.now(), sleep: (ms) => h.clock.advance(ms) };
}

const iso = (seconds: number) => new Date(START_MS + seconds * 1000).toISOString();
const memoryGiB = 2;
/** The default migration model's hop to a spot market with 2 GiB: checkpoint 2 + 2 GiB at 10 Gbit/s + move 28 + restore 2. */
const spotHop = {
  acquireSeconds: 67,
  downtimeSeconds: 2 + (2 * 8 * 1024 ** 3) / 1e10 + 28 + 2,
  terminateSeconds: 38.5,
};

let h: Harness;
afterEach(async () => {
  await h.close();
});

function options(overrides: Partial<DryRunOptions>, records: DecisionRecord[]): DryRunOptions {
  return {
    config: liveConfig,
    ec2: createEc2Api({ region: "us-east-1", endpoint: h.emulator.endpoint }),
    catalog: builtinCatalog(),
    workUnit: "ecu",
    workload: { memoryGiB, demandWork: 16, utilisation: 1 },
    current: null,
    billing: "per-second",
    intervalSeconds: 300,
    historyWindowSeconds: 86400,
    clock: virtualClock(h),
    onDecision: (record) => records.push(record),
    ...overrides,
  };
}

describe("runDryRun (EC2 emulator through the real SDK)", () => {
  it("with no placement, greedy places the container on the market cheapest per ECU", async () => {
    h = await harness({ spotPrices: dryRunPrices });
    const records: DecisionRecord[] = [];
    const summary = await runDryRun(options({ rounds: 1 }, records));
    expect(summary.markets.map((m) => `${m.id} ${m.instanceType} ${m.lifecycle}`)).toEqual([
      "0 c4.large spot",
      "1 m4.large spot",
      "2 m4.xlarge spot",
      "3 c4.large on-demand",
      "4 c4.xlarge on-demand",
      "5 m4.large on-demand",
      "6 m4.xlarge on-demand",
    ]);
    expect(summary).toMatchObject({
      noSpotPrice: ["c4.xlarge"],
      skipped: [],
      decisions: 1,
      polls: 1,
      records: 3,
    });
    expect(records).toEqual([
      {
        time: iso(0),
        trigger: "start",
        action: "place",
        current: null,
        chosen: { instanceType: "c4.large", lifecycle: "spot" },
        price: 0.032,
        reason: "cheapest per unit of work",
        migration: null,
        interruptionAt: null,
        rebalanceAt: null,
      },
    ]);
    // Nothing but price history was asked of EC2.
    expect([...h.emulator.state.requestCounts.keys()]).toEqual(["DescribeSpotPriceHistory"]);
  });

  it("from an assumed m4.large spot server: hop, stay after the price change, emergency hop on a notice from metadata", async () => {
    h = await harness({ spotPrices: dryRunPrices, latency: { factor: 1 }, priceInterruptions: false });
    // The server the dry run watches: a spot instance whose notice comes at +400 s (interruption +520 s).
    const launched = await h.ec2.send(
      new RunInstancesCommand({
        ImageId: AMI,
        InstanceType: "m4.large",
        MinCount: 1,
        MaxCount: 1,
        InstanceMarketOptions: { MarketType: "spot" },
      }),
    );
    const id = launched.Instances![0].InstanceId!;
    h.emulator.faults.interrupt(id, { atMs: START_MS + 400_000 });
    const clock = virtualClock(h);
    const records: DecisionRecord[] = [];
    const summary = await runDryRun(
      options(
        {
          current: { instanceType: "m4.large", lifecycle: "spot" },
          metadata: new NoticePoller({ baseUrl: h.emulator.metadataEndpoint(id), clock }),
          until: START_MS / 1000 + 450,
        },
        records,
      ),
    );
    const m4Spot = { instanceType: "m4.large", lifecycle: "spot" };
    expect(records).toEqual([
      {
        time: iso(0),
        trigger: "interval",
        action: "hop",
        current: m4Spot,
        chosen: { instanceType: "c4.large", lifecycle: "spot" },
        price: 0.032,
        reason: "cheaper per unit of work",
        migration: spotHop,
        interruptionAt: null,
        rebalanceAt: null,
      },
      {
        time: iso(300),
        trigger: "interval",
        action: "stay",
        current: m4Spot,
        chosen: m4Spot,
        price: 0.03,
        reason: "already on the cheapest",
        migration: null,
        interruptionAt: null,
        rebalanceAt: null,
      },
      {
        time: iso(400),
        trigger: "notice",
        action: "hop",
        current: m4Spot,
        chosen: m4Spot,
        price: 0.03,
        reason: "interruption notice",
        migration: spotHop,
        interruptionAt: iso(520),
        rebalanceAt: iso(400),
      },
    ]);
    expect(summary).toMatchObject({ decisions: 3, polls: 3 });
    // Acting on nothing: the only instance is the one the test launched, and it was not touched.
    expect(h.emulator.state.requestCounts.get("RunInstances")).toBe(1);
    expect([...h.emulator.state.requestCounts.keys()].sort()).toEqual([
      "DescribeSpotPriceHistory",
      "RunInstances",
    ]);
  });

  it("hotspot, unchanged, weighs savings over the horizon its look-back view of the polled history gives", async () => {
    // The cheapest per ECU changes three times in the day before: m4.large (-2 h), c4.large (-1.5 h),
    // m4.xlarge (-1 h), c4.large (-0.5 h); so T = 86400 / 3 = 28800 s.
    const history = [
      at(-7200, "c4.large", 0.032),
      at(-7200, "m4.large", 0.02),
      at(-7200, "m4.xlarge", 0.07),
      at(-5400, "m4.large", 0.05),
      at(-3600, "c4.large", 0.06),
      at(-1800, "c4.large", 0.032),
      at(-1800, "m4.large", 0.03),
    ];
    h = await harness({ spotPrices: history });
    const records: DecisionRecord[] = [];
    await runDryRun(
      options(
        {
          policy: { name: "hotspot", params: { epsilon: 0.05, minHopIntervalSeconds: 0 } },
          current: { instanceType: "m4.large", lifecycle: "spot" },
          rounds: 1,
        },
        records,
      ),
    );
    // Saturated (u = 1): every server used up to the 16 ECU demand, so e = p / W. From m4.large spot
    // (e_c = 0.03 / 6.5) to c4.large spot (e = 0.004, 8 ECU used): S = (e_c - 0.004) × 8 × 28800 / 3600;
    // C = (0.032 × T_d + 0.03 × (67 + T_d + 38.5)) / 3600 with T_d the spot hop's downtime.
    const saving = ((0.03 / 6.5 - 0.004) * 8 * 28800) / 3600;
    const cost = (0.032 * spotHop.downtimeSeconds + 0.03 * (67 + spotHop.downtimeSeconds + 38.5)) / 3600;
    expect(saving - cost).toBeCloseTo(0.03792, 5);
    expect(records).toEqual([
      {
        time: iso(0),
        trigger: "interval",
        action: "hop",
        current: { instanceType: "m4.large", lifecycle: "spot" },
        chosen: { instanceType: "c4.large", lifecycle: "spot" },
        price: 0.032,
        reason: "N = $0.0379 > 0 (e $0.0046 -> $0.0040, C $0.0015, unrecouped $0.0000)",
        migration: spotHop,
        interruptionAt: null,
        rebalanceAt: null,
      },
    ]);
  });

  it("applies --cpu-compat from the assumed home's CPU, as live mode does", async () => {
    // c5a.large (AMD) and c6g.large (Graviton, arm64) are cheaper than the Intel m4.large home.
    h = await harness({
      spotPrices: [at(-3600, "m4.large", 0.03), at(-3600, "c5a.large", 0.02), at(-3600, "c6g.large", 0.01)],
    });
    const config = { ...liveConfig, instanceTypes: ["m4.large", "c5a.large", "c6g.large"] };
    const current = { instanceType: "m4.large", lifecycle: "spot" as const };
    const chosen = async (cpuCompat?: "same-vendor" | "same-arch" | "any-x86") => {
      const records: DecisionRecord[] = [];
      // The catalog has no ECU for the newer types: work in vCPUs (2 each, so price alone decides).
      const workload = { memoryGiB, demandWork: 2, utilisation: 1 };
      const summary = await runDryRun(
        options({ config, current, rounds: 1, cpuCompat, workUnit: "vcpu", workload }, records),
      );
      return { summary, chosen: records[0].chosen?.instanceType };
    };
    const vendor = await chosen();
    expect(vendor.summary.cpu).toEqual({
      rule: "same-vendor",
      origin: "m4.large",
      excluded: ["c5a.large", "c6g.large"],
    });
    expect(vendor.summary.markets.map((m) => m.instanceType)).toEqual(["m4.large", "m4.large"]);
    expect(vendor.chosen).toBe("m4.large");
    const arch = await chosen("same-arch");
    expect(arch.summary.cpu.excluded).toEqual(["c6g.large"]);
    expect(arch.chosen).toBe("c5a.large");
    expect((await chosen("any-x86")).summary.cpu.excluded).toEqual(["c6g.large"]);
    await expect(
      runDryRun(options({ config, current, rounds: 1, cpuCompat: "none", workUnit: "vcpu" }, [])),
    ).rejects.toThrow(
      "--cpu-compat: expected same-vendor, same-arch or any-x86 (none is for simulation only), found none",
    );
  });

  it("refuses the simulation-only optimum and an assumed market the zone lacks", async () => {
    h = await harness({ spotPrices: dryRunPrices });
    const records: DecisionRecord[] = [];
    await expect(
      runDryRun(options({ policy: { name: "optimal", params: {} }, rounds: 1 }, records)),
    ).rejects.toThrow(
      new UsageError("policy", "a policy that can run live (not simulation-only)", "optimal").message,
    );
    expect(h.emulator.state.requestCounts.size).toBe(0);
    await expect(
      runDryRun(options({ current: { instanceType: "c4.xlarge", lifecycle: "spot" }, rounds: 1 }, records)),
    ).rejects.toThrow(
      '--current-type/--current-lifecycle: expected a market of the zone with a known price (c4.large spot, m4.large spot, m4.xlarge spot, c4.large on-demand, c4.xlarge on-demand, m4.large on-demand, m4.xlarge on-demand), found "c4.xlarge spot"',
    );
    expect(records).toEqual([]);
  });
});
