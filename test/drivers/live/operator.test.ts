import { describe, expect, it } from "vitest";
import {
  containerStatus,
  decodeStatus,
  encodeDowntimes,
  OPERATOR_TAGS,
  StatusPublisher,
} from "../../../src/drivers/live/operator.js";
import type { ResultsDocument } from "../../../src/results/document.js";

describe("the operator's channel on the volume's tags", () => {
  it("keeps every downtime that fits one 256-character tag value, newest last, and says when it dropped some", () => {
    expect(encodeDowntimes([0.912, 1.5, 0.8])).toBe("0.91 1.50 0.80");
    expect(decodeStatus({ [OPERATOR_TAGS.downtimes]: "0.91 1.50 0.80" }).downtimes).toEqual([0.91, 1.5, 0.8]);
    // 60 hops of "0.91" take 60 × 5 − 1 = 299 characters: the oldest go, "… " marks it.
    const many = encodeDowntimes(Array.from({ length: 60 }, () => 0.91));
    expect(many.length).toBeLessThanOrEqual(256);
    expect(many.startsWith("… ")).toBe(true);
    const decoded = decodeStatus({ [OPERATOR_TAGS.downtimes]: many });
    expect(decoded.downtimesTruncated).toBe(true);
    // (256 − 2 + 1) / 5 = 51 values fit after the marker.
    expect(decoded.downtimes).toHaveLength(51);
  });

  it("reads a wish only when it is one it knows, and no status from unparsable tags", () => {
    expect(decodeStatus({ [OPERATOR_TAGS.desired]: "down" }).desired).toBe("down");
    expect(decodeStatus({ [OPERATOR_TAGS.desired]: "reboot" }).desired).toBeNull();
    expect(decodeStatus({ [OPERATOR_TAGS.controller]: "{oops" }).controller).toBeNull();
    expect(decodeStatus({}).container).toBeNull();
  });

  it("publishes where the container runs, its hops and cost from the ledger, and the last decision", async () => {
    const written: Record<string, string>[] = [];
    const publisher = new StatusPublisher({
      tags: { read: async () => ({}), write: async (_id, tags) => void written.push({ ...tags }) },
      volumeId: "vol-0123456789abcdef0",
      instanceId: "i-0000000000000000b",
      ledgerPath: "/mnt/hotspot/hotspot/results-i-0000000000000000b.json",
      clock: { now: () => 1_700_000_000_000 },
      onWarning: () => undefined,
    });
    publisher.log({
      kind: "decision",
      time: "2023-11-14T22:13:20.000Z",
      trigger: "interval",
      action: "hop",
      market: "c4.large spot",
      price: 0.02,
      reason: "cheaper per unit of work",
    });
    const run = {
      migrations: 2,
      abortedMigrations: 0,
      costUsd: 0.0125,
      downtimeSeconds: 1.8,
      outageDowntimesSeconds: [0.9, 0.9],
      instances: [
        { instanceType: "m4.large", lifecycle: "spot", start: "2023-11-14T22:00:00.000Z" },
        { instanceType: "c4.large", lifecycle: "spot", start: "2023-11-14T22:10:00.000Z" },
      ],
    };
    const document = { runs: [run] } as unknown as ResultsDocument;
    await publisher.ledger(document, "i-0000000000000000b");
    await publisher.flush();
    const last = written.at(-1)!;
    expect(JSON.parse(last[OPERATOR_TAGS.status])).toEqual({
      home: "i-0000000000000000b",
      type: "c4.large",
      lifecycle: "spot",
      since: Date.parse("2023-11-14T22:10:00.000Z") / 1000,
      hops: 2,
      aborted: 0,
      costUsd: 0.0125,
      downtimeSeconds: 1.8,
      at: 1_700_000_000,
    });
    expect(last[OPERATOR_TAGS.downtimes]).toBe("0.90 0.90");
    expect(last[OPERATOR_TAGS.decision]).toBe(
      "2023-11-14T22:13:20.000Z hop c4.large spot: cheaper per unit of work",
    );
    expect(containerStatus({ runs: [] } as unknown as ResultsDocument, "i-1", 0)).toBeNull();
  });
});
