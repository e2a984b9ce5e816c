import { RunInstancesCommand } from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it } from "vitest";
import { NoticePoller } from "../../../../src/drivers/live/observe/notice-poller.js";
import { CloudApiError, InputFormatError } from "../../../../src/errors.js";
import { AMI, harness, START_MS, type Harness } from "../../../support/emulator-harness.js";

const S = START_MS / 1000;

describe("NoticePoller (EC2 emulator's instance metadata)", () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it("reads nothing before the notice, then the interruption time, action and rebalance time (IMDSv2)", async () => {
    h = await harness({ latency: { factor: 1 } });
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
    const poller = new NoticePoller({
      baseUrl: h.emulator.metadataEndpoint(id),
      clock: { now: () => h.clock.now() },
    });
    expect(poller.intervalSeconds).toBe(5);
    await h.clock.advance(2000);
    expect(await poller.check()).toEqual({ interruptionAt: null, action: null, rebalanceAt: null });
    h.emulator.faults.interrupt(id, { atMs: START_MS + 3000 });
    await h.clock.advance(1000);
    // At real-cloud speed the notice comes two minutes before the interruption.
    expect(await poller.check()).toEqual({
      interruptionAt: S + 123,
      action: "terminate",
      rebalanceAt: S + 3,
    });
  });
});

/** A metadata service stand-in that records requests and answers from a script. */
function fakeMetadata(answer: (method: string, path: string, token: string | null) => [number, string]) {
  const calls: string[] = [];
  const fetchFake = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const method = init?.method ?? "GET";
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const token = headers["x-aws-ec2-metadata-token"] ?? null;
    calls.push(`${method} ${url.pathname}${token === null ? "" : ` ${token}`}`);
    const [status, body] = answer(method, url.pathname, token);
    return new Response(body, { status });
  }) as typeof fetch;
  return { calls, fetchFake };
}

describe("NoticePoller (fake fetch)", () => {
  it("reuses its token until a minute before expiry, and fetches a new one once when it is rejected", async () => {
    let now = 1000;
    let issued = 0;
    let valid = "t1";
    const { calls, fetchFake } = fakeMetadata((method, path, token) => {
      if (method === "PUT") return [200, `t${++issued}`];
      if (token !== valid) return [401, ""];
      if (path.endsWith("instance-action")) return [200, '{"action":"stop","time":"2026-01-01T00:02:00Z"}'];
      return [404, ""];
    });
    const poller = new NoticePoller({
      baseUrl: "http://imds/",
      fetch: fetchFake,
      clock: { now: () => now * 1000 },
    });
    const noticed = { interruptionAt: S + 120, action: "stop", rebalanceAt: null };
    expect(await poller.check()).toEqual(noticed);
    now += 21600 - 61;
    expect(await poller.check()).toEqual(noticed);
    now += 1;
    valid = "t2";
    expect(await poller.check()).toEqual(noticed);
    valid = "t9";
    issued = 8;
    expect(await poller.check()).toEqual(noticed);
    expect(calls).toEqual([
      "PUT /latest/api/token",
      "GET /latest/meta-data/spot/instance-action t1",
      "GET /latest/meta-data/events/recommendations/rebalance t1",
      "GET /latest/meta-data/spot/instance-action t1",
      "GET /latest/meta-data/events/recommendations/rebalance t1",
      "PUT /latest/api/token",
      "GET /latest/meta-data/spot/instance-action t2",
      "GET /latest/meta-data/events/recommendations/rebalance t2",
      "GET /latest/meta-data/spot/instance-action t2",
      "PUT /latest/api/token",
      "GET /latest/meta-data/spot/instance-action t9",
      "GET /latest/meta-data/events/recommendations/rebalance t9",
    ]);
  });

  it("fails clearly on a server error, an unreachable service and a malformed notice", async () => {
    const clock = { now: () => 0 };
    const failing = new NoticePoller({
      baseUrl: "http://imds",
      fetch: fakeMetadata((method) => (method === "PUT" ? [200, "t"] : [500, "boom"])).fetchFake,
      clock,
    });
    await expect(failing.check()).rejects.toThrow(
      new CloudApiError(
        "Metadata",
        'instance metadata http://imds/latest/meta-data/spot/instance-action: HTTP 500: "boom"',
      ).message,
    );
    const unreachable = new NoticePoller({
      baseUrl: "http://imds",
      fetch: (async () => {
        throw new TypeError("fetch failed");
      }) as typeof fetch,
      clock,
    });
    await expect(unreachable.check()).rejects.toMatchObject({
      code: "HOTSPOT_CLOUD_Metadata",
      message: "instance metadata http://imds/latest/api/token: fetch failed",
    });
    const malformed = new NoticePoller({
      baseUrl: "http://imds",
      fetch: fakeMetadata((method) => (method === "PUT" ? [200, "t"] : [200, '{"action":"terminate"}']))
        .fetchFake,
      clock,
    });
    await expect(malformed.check()).rejects.toThrow(
      new InputFormatError(
        "http://imds/latest/meta-data/spot/instance-action",
        'a "time" time such as 2026-01-01T00:02:00Z',
        '"{\\"action\\":\\"terminate\\"}"',
      ).message,
    );
  });
});
