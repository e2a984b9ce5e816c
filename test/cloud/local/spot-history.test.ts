import {
  DescribeSpotPriceHistoryCommand,
  paginateDescribeSpotPriceHistory,
  type SpotPrice,
} from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it } from "vitest";
import { recordsFromTrace, type SpotPriceRecord } from "../../../src/cloud/local/spot-prices.js";
import type { Trace } from "../../../src/traces/types.js";
import { errorOf, harness, START_MS, type Harness } from "../../support/emulator-harness.js";

const MIN = 60_000;
const rec = (zone: string, type: string, price: number, minutes: number): SpotPriceRecord => ({
  availabilityZone: `us-east-1${zone}`,
  instanceType: type,
  productDescription: "Linux/UNIX",
  price,
  timeMs: START_MS + minutes * MIN,
});

/** Three series; the last record of `a m4.large` is in the future at the emulator's start. */
const RECORDS = [
  rec("a", "m4.large", 0.05, -180),
  rec("a", "m4.large", 0.06, -120),
  rec("a", "m4.large", 0.07, -60),
  rec("b", "m4.large", 0.04, -150),
  rec("b", "m4.large", 0.045, -30),
  rec("a", "c4.large", 0.03, -100),
  rec("a", "m4.large", 0.5, 60),
];

const row = (p: SpotPrice) => [
  p.AvailabilityZone,
  p.InstanceType,
  p.SpotPrice,
  (p.Timestamp!.getTime() - START_MS) / MIN,
];

let h: Harness;
afterEach(async () => {
  await h.close();
});

describe("DescribeSpotPriceHistory through the real SDK", () => {
  it("serves a window newest first, with each series' last change before StartTime, nothing from the future", async () => {
    h = await harness({ spotPrices: RECORDS });
    const out = await h.ec2.send(
      new DescribeSpotPriceHistoryCommand({
        StartTime: new Date(START_MS - 90 * MIN),
        EndTime: new Date(START_MS + 120 * MIN),
      }),
    );
    expect(out.SpotPriceHistory!.map(row)).toEqual([
      ["us-east-1b", "m4.large", "0.045000", -30],
      ["us-east-1a", "m4.large", "0.070000", -60],
      ["us-east-1a", "c4.large", "0.030000", -100],
      ["us-east-1a", "m4.large", "0.060000", -120],
      ["us-east-1b", "m4.large", "0.040000", -150],
    ]);
    expect(out.SpotPriceHistory![0].ProductDescription).toBe("Linux/UNIX");
    expect(out.NextToken).toBeUndefined();
  });

  it("honours InstanceType.N, AvailabilityZone, ProductDescription.N and Filter.N", async () => {
    h = await harness({ spotPrices: RECORDS });
    const byType = await h.ec2.send(new DescribeSpotPriceHistoryCommand({ InstanceTypes: ["c4.large"] }));
    expect(byType.SpotPriceHistory!.map(row)).toEqual([["us-east-1a", "c4.large", "0.030000", -100]]);
    const byZone = await h.ec2.send(new DescribeSpotPriceHistoryCommand({ AvailabilityZone: "us-east-1b" }));
    expect(byZone.SpotPriceHistory!.map((p) => p.SpotPrice)).toEqual(["0.045000", "0.040000"]);
    const windows = await h.ec2.send(
      new DescribeSpotPriceHistoryCommand({ ProductDescriptions: ["Windows"] }),
    );
    expect(windows.SpotPriceHistory).toEqual([]);
    const filtered = await h.ec2.send(
      new DescribeSpotPriceHistoryCommand({
        Filters: [
          { Name: "availability-zone", Values: ["us-east-1a"] },
          { Name: "instance-type", Values: ["m4.*"] },
        ],
      }),
    );
    expect(filtered.SpotPriceHistory!.map((p) => p.SpotPrice)).toEqual(["0.070000", "0.060000", "0.050000"]);
    const bad = await errorOf(
      h.ec2.send(new DescribeSpotPriceHistoryCommand({ Filters: [{ Name: "colour", Values: ["red"] }] })),
    );
    expect(bad.name).toBe("InvalidParameterValue");
  });

  it("reveals later prices as the clock reaches them", async () => {
    h = await harness({ spotPrices: RECORDS });
    await h.clock.advance(60 * MIN);
    const out = await h.ec2.send(
      new DescribeSpotPriceHistoryCommand({ InstanceTypes: ["m4.large"], AvailabilityZone: "us-east-1a" }),
    );
    expect(out.SpotPriceHistory!.map((p) => p.SpotPrice)).toEqual([
      "0.500000",
      "0.070000",
      "0.060000",
      "0.050000",
    ]);
  });

  it("paginates with MaxResults/NextToken (the SDK paginator sees every record once) and rejects MaxResults < 5", async () => {
    const many = Array.from({ length: 12 }, (_, i) => rec("c", "r4.large", 0.1 + i / 1000, -i));
    h = await harness({ spotPrices: many });
    const first = await h.ec2.send(new DescribeSpotPriceHistoryCommand({ MaxResults: 5 }));
    expect(first.SpotPriceHistory!.map((p) => (p.Timestamp!.getTime() - START_MS) / MIN)).toEqual([
      0, -1, -2, -3, -4,
    ]);
    const pages: number[][] = [];
    for await (const page of paginateDescribeSpotPriceHistory({ client: h.ec2, pageSize: 5 }, {})) {
      pages.push(page.SpotPriceHistory!.map((p) => (p.Timestamp!.getTime() - START_MS) / MIN));
    }
    expect(pages).toEqual([
      [0, -1, -2, -3, -4],
      [-5, -6, -7, -8, -9],
      [-10, -11],
    ]);
    expect((await errorOf(h.ec2.send(new DescribeSpotPriceHistoryCommand({ MaxResults: 4 })))).name).toBe(
      "InvalidParameterValue",
    );
  });

  it("serves a loaded Trace through recordsFromTrace (seconds to milliseconds, series keys kept)", async () => {
    const trace = {
      series: [
        { zone: "us-east-1a", instanceType: "m3.large", product: "Linux/UNIX" },
        { zone: "us-east-1d", instanceType: "m3.large", product: "Linux/UNIX" },
      ],
      time: Float64Array.from([START_MS / 1000 - 600, START_MS / 1000 - 300, START_MS / 1000 - 300]),
      seriesId: Uint32Array.from([0, 0, 1]),
      price: Float64Array.from([0.0161, 0.0175, 0.0203]),
    } as unknown as Trace;
    expect(recordsFromTrace(trace)[2]).toEqual({
      availabilityZone: "us-east-1d",
      instanceType: "m3.large",
      productDescription: "Linux/UNIX",
      price: 0.0203,
      timeMs: START_MS - 300_000,
    });
    h = await harness({ trace });
    const out = await h.ec2.send(new DescribeSpotPriceHistoryCommand({}));
    expect(out.SpotPriceHistory!.map(row)).toEqual([
      ["us-east-1a", "m3.large", "0.017500", -5],
      ["us-east-1d", "m3.large", "0.020300", -5],
      ["us-east-1a", "m3.large", "0.016100", -10],
    ]);
  });

  it("replays a historical trace from replayFromMs: its records are shifted to the emulator's clock", async () => {
    const then = Date.UTC(2016, 2, 1);
    h = await harness({
      spotPrices: [
        {
          availabilityZone: "us-east-1a",
          instanceType: "m3.large",
          productDescription: "Linux/UNIX",
          price: 0.02,
          timeMs: then - MIN,
        },
        {
          availabilityZone: "us-east-1a",
          instanceType: "m3.large",
          productDescription: "Linux/UNIX",
          price: 0.9,
          timeMs: then + MIN,
        },
      ],
      replayFromMs: then,
    });
    const now = await h.ec2.send(new DescribeSpotPriceHistoryCommand({}));
    expect(now.SpotPriceHistory!.map(row)).toEqual([["us-east-1a", "m3.large", "0.020000", -1]]);
    await h.clock.advance(MIN);
    const later = await h.ec2.send(new DescribeSpotPriceHistoryCommand({ StartTime: new Date(START_MS) }));
    expect(later.SpotPriceHistory!.map(row)).toEqual([
      ["us-east-1a", "m3.large", "0.900000", 1],
      ["us-east-1a", "m3.large", "0.020000", -1],
    ]);
  });
});
