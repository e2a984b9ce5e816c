import { describe, expect, it } from "vitest";
import { ProgressBar } from "../../src/cli/progress.js";

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { isTTY, writes, write: (text: string) => writes.push(text) };
}

describe("ProgressBar", () => {
  it("writes nothing when the stream is not a terminal", () => {
    const target = stream(false);
    const bar = new ProgressBar(target);
    bar.update(0, 4);
    bar.update(4, 4);
    bar.finish();
    expect(target.writes).toEqual([]);
  });

  it("redraws one line with \\r on a terminal, always draws the last item, and ends the line", () => {
    const target = stream(true);
    const bar = new ProgressBar(target);
    bar.update(0, 4);
    bar.update(4, 4);
    bar.finish();
    expect(target.writes).toHaveLength(3);
    expect(target.writes[0]).toBe(`\r[${"-".repeat(24)}] 0/4 items  0.00/s  ETA --\x1b[K`);
    expect(target.writes[1]).toMatch(/^\r\[#{24}\] 4\/4 items {2}[\d.]+\/s {2}ETA /);
    expect(target.writes[2]).toBe("\n");
  });
});
