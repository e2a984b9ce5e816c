import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createEc2Api } from "../../src/cloud/ec2-client.js";
import { fetchSpotPriceHistory } from "../../src/traces/fetch.js";
import { loadTrace } from "../../src/traces/load.js";
import type { LoadOptions, Trace } from "../../src/traces/types.js";
import { harness, type Harness } from "../support/emulator-harness.js";
import { describeWithTraces, sharedTrace } from "../support/shared-traces.js";

const real2016 = sharedTrace("spot/us-east-1_2016-03-01_2016-03-21.csv");

const start = Date.UTC(2016, 2, 10) / 1000;
const end = Date.UTC(2016, 2, 12, 0, 0, 30) / 1000;
const narrow: LoadOptions = {
  types: ["m3.medium", "d2.xlarge"],
  zones: ["us-east-1a", "us-east-1b"],
  cacheDir: false,
};

let h: Harness;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-fetch-emulator-"));
  const served = await loadTrace(real2016, narrow);
  h = await harness({ trace: served });
});
afterAll(async () => {
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

function columns(trace: Trace) {
  return {
    series: trace.series,
    time: Array.from(trace.time),
    seriesId: Array.from(trace.seriesId),
    price: Array.from(trace.price),
  };
}

describeWithTraces("trace fetch end to end against the local cloud's EC2 emulator (real SDK)", () => {
  it("writes exactly the served history of the window, with each series' opening price", async () => {
    const out = join(dir, "fetched.csv");
    const result = await fetchSpotPriceHistory({
      ec2: createEc2Api({ region: "us-east-1", endpoint: h.emulator.endpoint }),
      out,
      now: Date.UTC(2026, 0, 1) / 1000,
      start,
      end,
      instanceTypes: ["m3.medium", "d2.xlarge"],
      zones: ["us-east-1a", "us-east-1b"],
      pageSize: 100,
    });
    const window = { ...narrow, start, end };
    const fetched = await loadTrace(out, window);
    const direct = await loadTrace(real2016, window);
    expect(columns(fetched)).toEqual(columns(direct));
    // m3.medium and d2.xlarge in us-east-1a and 1b (awk over the CSV: each type is in all three zones).
    expect(fetched.series.length).toBe(4);
    // Every series' last change before the window came along and was carried in at its start.
    expect(fetched.report.carriedIn).toBe(4);
    expect(result.pages).toBeGreaterThan(1);
    expect(result.rowsWritten).toBe(fetched.report.rowsRead);
  });
});
