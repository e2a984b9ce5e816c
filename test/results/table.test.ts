import { describe, expect, it } from "vitest";
import type { ResultsDocument, RunDocument } from "../../src/results/document.js";
import { formatResultsTables, hoppingSummary } from "../../src/results/table.js";
import { handRun, zeroMetrics } from "../reports/fixtures.js";

const hotspot = handRun({
  policy: "hotspot",
  costUsd: 1.5,
  percentOfOnDemand: 37.5,
  usdPerEcuHour: 0.01,
  workEcuHours: 150,
  migrations: 3,
  revocations: 1,
  downtimeSeconds: 120,
  downtimeP95Seconds: 45,
  lostWorkEcuHours: 0.25,
  gapToOptimal: 0.1,
});
const stay = handRun({ policy: "spot-stay", costUsd: 2, usdPerEcuHour: 0.0125, workEcuHours: 160 });

/** The fields the tables read; two days of trace. */
function document(runs: readonly RunDocument[], more: Partial<ResultsDocument> = {}): ResultsDocument {
  return {
    seed: 7,
    workUnit: "ecu",
    trace: { path: "t.csv", start: "2021-03-01T00:00:00.000Z", end: "2021-03-03T00:00:00.000Z" },
    runs,
    aggregate: [],
    ...more,
  } as unknown as ResultsDocument;
}

describe("formatResultsTables", () => {
  it("one zone: the identity line, warnings, and a table right-aligned under its header", () => {
    const text = formatResultsTables(document([hotspot, stay], { warnings: ["3 bad rows skipped"] }));
    expect(text.split("\n")).toEqual([
      "trace t.csv (2021-03-01T00:00:00.000Z .. 2021-03-03T00:00:00.000Z), seed 7, work unit ECU",
      "warning: 3 bad rows skipped",
      "",
      "zone us-east-1a (on-demand baseline: m4.large)",
      "policy     cost $  % of OD  $/ECU-h  work ECU-h  migrations  revocations  downtime s  p95 s  lost ECU-h  gap to opt",
      "---------  ------  -------  -------  ----------  ----------  -----------  ----------  -----  ----------  ----------",
      "hotspot      1.50    37.5%  0.01000       150.0           3            1         120   45.0        0.25       10.0%",
      "spot-stay    2.00        -  0.01250       160.0           0            0           0    0.0        0.00           -",
      "",
      "hotspot saved 20.0% per ECU-hour against staying on one spot market (spot-stay), moving 3 time(s) in 2.0 days (1.50 per zone per day).",
      "",
    ]);
  });

  it("several zones: an all-zones table of the aggregates, naming the zones kept and those left out", () => {
    const other = { ...stay, zone: "us-east-1b", onDemandMarket: null };
    const text = formatResultsTables(
      document([stay, other], {
        workUnit: "vcpu",
        aggregate: [{ ...zeroMetrics, policy: "spot-stay", costUsd: 4, zones: ["us-east-1a", "us-east-1b"] }],
        excludedZones: [{ zone: "us-east-1c", reason: "no market there fits the container's 8 GiB" }],
      } as Partial<ResultsDocument>),
    );
    expect(text).toContain("\nzone us-east-1b\npolicy     cost $  % of OD  $/vCPU-h");
    expect(text).toContain(
      "\nall zones (us-east-1a, us-east-1b; $/vCPU-h, % of OD and gap are means over these zones)\nleft out as empty: us-east-1c: no market there fits the container's 8 GiB\n",
    );
    expect(text.trimEnd().split("\n").at(-1)).toBe(
      "spot-stay    4.00        -         -          0.0           0            0           0    0.0         0.00           -",
    );
  });

  it("prints control characters of the inputs as escapes", () => {
    const text = formatResultsTables(
      document([stay], {
        trace: { path: "t\u001b[2J.csv", start: "a", end: "b" },
      } as Partial<ResultsDocument>),
    );
    expect(text.startsWith("trace t\\u001b[2J.csv (a .. b)")).toBe(true);
  });
});

describe("hoppingSummary", () => {
  it("says what hotspot saved or cost against spot-stay, null unless both ran with a price per work-hour", () => {
    const dearer = { ...hotspot, usdPerEcuHour: 0.015 };
    expect(hoppingSummary(document([dearer, stay]))).toBe(
      "hotspot cost 20.0% more per ECU-hour against staying on one spot market (spot-stay), moving 3 time(s) in 2.0 days (1.50 per zone per day).",
    );
    expect(hoppingSummary(document([hotspot]))).toBeNull();
    expect(hoppingSummary(document([hotspot, { ...stay, usdPerEcuHour: null }]))).toBeNull();
    expect(hoppingSummary(document([hotspot, { ...stay, usdPerEcuHour: 0 }]))).toBeNull();
  });
});
