import { paginateDescribeSpotPriceHistory, type _InstanceType } from "@aws-sdk/client-ec2";
import { afterEach, expect, it } from "vitest";
import { loadTrace } from "../../../src/traces/load.js";
import { describeWithTraces, sharedTrace } from "../../support/shared-traces.js";
import { harness, type Harness } from "../../support/emulator-harness.js";

const TRACE = sharedTrace("spot/us-east-1_2016-03-01_2016-03-21.csv");

let h: Harness;
afterEach(async () => {
  await h.close();
});

describeWithTraces("serving a real trace (2016, us-east-1) through the real SDK", () => {
  it("pages through every record of two markets, newest first, matching the loaded columns", async () => {
    const trace = await loadTrace(TRACE);
    h = await harness({ trace });
    const zone = "us-east-1a";
    const types: string[] = ["m3.large", "m3.medium"];
    const expected: Array<[number, number]> = [];
    for (let i = 0; i < trace.time.length; i++) {
      const key = trace.series[trace.seriesId[i]];
      if (key.zone === zone && types.includes(key.instanceType)) {
        expected.push([Math.round(trace.time[i] * 1000), trace.price[i]]);
      }
    }
    const seen: Array<[number, number]> = [];
    let pages = 0;
    const query = { AvailabilityZone: zone, InstanceTypes: types as _InstanceType[] };
    for await (const page of paginateDescribeSpotPriceHistory({ client: h.ec2, pageSize: 1000 }, query)) {
      pages += 1;
      for (const p of page.SpotPriceHistory!) seen.push([p.Timestamp!.getTime(), Number(p.SpotPrice)]);
    }
    expect(expected.length).toBeGreaterThan(5000);
    expect(seen).toHaveLength(expected.length);
    expect(pages).toBe(Math.ceil(expected.length / 1000));
    expect(seen.every((r, i) => i === 0 || r[0] <= seen[i - 1][0])).toBe(true);
    const key = (r: [number, number]) => `${r[0]}:${r[1]}`;
    expect(seen.map(key).sort()).toEqual(expected.map(key).sort());
  });
});
