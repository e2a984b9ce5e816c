import { afterEach, describe, expect, it } from "vitest";
import { createEc2Api, type Ec2Api } from "../../../../src/cloud/ec2-client.js";
import type { SpotPriceRecord } from "../../../../src/cloud/local/spot-prices.js";
import { PricePoller } from "../../../../src/drivers/live/observe/price-poller.js";
import { InputFormatError } from "../../../../src/errors.js";
import { harness, START_MS, type Harness } from "../../../support/emulator-harness.js";

const S = START_MS / 1000;
const record = (zone: string, type: string, minutes: number, price: number, product = "Linux/UNIX") =>
  ({
    availabilityZone: zone,
    instanceType: type,
    productDescription: product,
    price,
    timeMs: START_MS + minutes * 60_000,
  }) satisfies SpotPriceRecord;

const prices: SpotPriceRecord[] = [
  record("us-east-1a", "m4.large", -120, 0.05),
  record("us-east-1a", "m4.large", -30, 0.04),
  record("us-east-1a", "c4.large", -180, 0.06),
  record("us-east-1a", "c4.large", 10, 0.03),
  // Not asked for: another zone, another type, another product.
  record("us-east-1b", "m4.large", -10, 0.5),
  record("us-east-1a", "m4.xlarge", -10, 0.5),
  record("us-east-1a", "m4.large", -10, 0.5, "Windows"),
];

let h: Harness;
afterEach(async () => {
  await h.close();
});

function poller(ec2: Ec2Api): PricePoller {
  return new PricePoller({
    ec2,
    zone: "us-east-1a",
    instanceTypes: ["m4.large", "c4.large"],
    windowSeconds: 7200,
    clock: { now: () => h.clock.now() },
  });
}

describe("PricePoller (EC2 emulator through the real SDK)", () => {
  it("first reaches back a window, then asks from the last poll; counts repeats; keeps the price in force at the window start", async () => {
    h = await harness({ spotPrices: prices });
    const p = poller(createEc2Api({ region: "us-east-1", endpoint: h.emulator.endpoint }));
    expect(p.price("m4.large")).toBeNaN();

    // Window [S-2h, S]: m4.large's two changes, and c4.large's change of S-3h, in force at the window start.
    expect(await p.poll()).toEqual({ time: S, records: 3, added: 3, duplicates: 0 });
    expect(p.price("m4.large")).toBe(0.04);
    expect(p.price("c4.large")).toBe(0.06);
    expect(p.series("c4.large")).toEqual({
      times: Float64Array.of(S - 10800),
      prices: Float64Array.of(0.06),
    });

    // [S, S+15m]: both prices in force at S again (repeats), and c4.large's change at S+10m.
    await h.clock.advance(15 * 60_000);
    expect(await p.poll()).toEqual({ time: S + 900, records: 3, added: 1, duplicates: 2 });
    expect(p.price("c4.large")).toBe(0.03);
    expect(p.series("m4.large").times).toEqual(Float64Array.of(S - 7200, S - 1800));

    // Two hours on, the window starts at S+15m: m4.large's S-2h change is no longer in force there.
    await h.clock.advance(2 * 3600_000);
    expect(await p.poll()).toEqual({ time: S + 8100, records: 2, added: 0, duplicates: 2 });
    expect(p.series("m4.large")).toEqual({ times: Float64Array.of(S - 1800), prices: Float64Array.of(0.04) });
    expect(p.series("c4.large").times).toEqual(Float64Array.of(S + 600));
  });
});

describe("PricePoller (fake EC2 client)", () => {
  const fake = (rows: Array<{ zone: string; instanceType: string; price: string }>): Ec2Api => ({
    region: "us-east-1",
    async *spotPriceHistory() {
      yield rows.map((row) => ({ ...row, product: "Linux/UNIX", time: S }));
    },
  });

  it("rejects a record it did not ask for and a price that is not a number, naming the record", async () => {
    h = await harness();
    const other = poller(fake([{ zone: "us-east-1b", instanceType: "m4.large", price: "0.1" }]));
    await expect(other.poll()).rejects.toThrow(
      new InputFormatError(
        "DescribeSpotPriceHistory record 1",
        "a price of m4.large, c4.large in us-east-1a (Linux/UNIX), as asked",
        '"us-east-1b m4.large Linux/UNIX"',
      ).message,
    );
    const bad = poller(
      fake([
        { zone: "us-east-1a", instanceType: "m4.large", price: "0.1" },
        { zone: "us-east-1a", instanceType: "c4.large", price: "cheap" },
      ]),
    );
    await expect(bad.poll()).rejects.toThrow(
      'DescribeSpotPriceHistory record 2: expected a price in USD per hour, found "cheap"',
    );
  });
});
