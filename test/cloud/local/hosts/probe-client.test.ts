import { describe, expect, it } from "vitest";
import {
  countBreaks,
  longestGapMs,
  type ProbeReply,
} from "../../../../src/cloud/local/hosts/probe-client.js";

const reply = (count: number, recvAt: number): ProbeReply => ({ count, sentAt: recvAt - 1, recvAt });

describe("what the probe's peer saw of a migration", () => {
  it("longestGapMs is the longest wait between two consecutive replies", () => {
    // Gaps 100, 100, 2350 (the freeze), 100: the downtime the client saw is 2350 ms.
    const replies = [reply(1, 1000), reply(2, 1100), reply(3, 1200), reply(4, 3550), reply(5, 3650)];
    expect(longestGapMs(replies)).toBe(2350);
    expect(longestGapMs([reply(1, 5)])).toBe(0);
    expect(longestGapMs([])).toBe(0);
  });

  it("countBreaks counts each count skipped or repeated; 0 when the count went on without loss", () => {
    expect(countBreaks([reply(7, 0), reply(8, 1), reply(9, 2)])).toBe(0);
    // 9 → 11 skips one, 11 → 11 repeats one, 11 → 12 is fine: 2 breaks.
    expect(countBreaks([reply(8, 0), reply(9, 1), reply(11, 2), reply(11, 3), reply(12, 4)])).toBe(2);
    // A restart from 1 after 40 is a break too (the memory was lost).
    expect(countBreaks([reply(40, 0), reply(1, 1)])).toBe(1);
  });
});
