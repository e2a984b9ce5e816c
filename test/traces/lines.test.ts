import { describe, expect, it } from "vitest";
import { LineSplitter, splitTabs } from "../../src/traces/lines.js";

function linesOf(chunks: string[]): Array<[number, string]> {
  const seen: Array<[number, string]> = [];
  const splitter = new LineSplitter(
    (bytes, start, end, line) => {
      seen.push([line, Buffer.from(bytes.subarray(start, end)).toString("utf8")]);
    },
    "f.csv",
    1 << 20,
  );
  for (const chunk of chunks) splitter.push(Buffer.from(chunk));
  splitter.end();
  return seen;
}

describe("LineSplitter", () => {
  it("splits LF and CRLF lines and numbers them, keeping empty lines", () => {
    expect(linesOf(["a,b\r\nc\n\nd"])).toEqual([
      [1, "a,b"],
      [2, "c"],
      [3, ""],
      [4, "d"],
    ]);
  });

  it("joins lines that span chunks, including a CRLF split between chunks", () => {
    expect(linesOf(["ab", "c\r", "\nde", "f", "\n"])).toEqual([
      [1, "abc"],
      [2, "def"],
    ]);
  });

  it("gives the same lines for every way of cutting the input in two", () => {
    const text = "h1,h2\r\nx,1\ny,22\r\n\nz,333";
    const whole = linesOf([text]);
    for (let cut = 0; cut <= text.length; cut++)
      expect(linesOf([text.slice(0, cut), text.slice(cut)])).toEqual(whole);
  });
});

describe("splitTabs", () => {
  it("returns the field count even past the arrays' capacity", () => {
    const starts = new Int32Array(2);
    const ends = new Int32Array(2);
    const bytes = Buffer.from("a\tbb\tc");
    expect(splitTabs(bytes, 0, bytes.length, starts, ends)).toBe(3);
    expect([starts[0], ends[0], starts[1], ends[1]]).toEqual([0, 1, 2, 4]);
    expect(splitTabs(bytes, 0, 0, starts, ends)).toBe(1);
  });
});

describe("LineSplitter limit", () => {
  const split = (chunks: string[], limit: number) => {
    const splitter = new LineSplitter(() => undefined, "f.csv", limit);
    for (const chunk of chunks) splitter.push(Buffer.from(chunk));
    splitter.end();
  };
  it("refuses a line longer than the limit within one chunk and across chunks, naming its line", () => {
    expect(() => split(["ab\n0123456789\n"], 8)).toThrow(
      "f.csv:2: expected a line of at most 8 bytes (raise the limit with --max-line-bytes), found a line of more than 8 bytes (10 read)",
    );
    expect(() => split(["ab\n0123", "4567", "89\n"], 8)).toThrow(
      "f.csv:2: expected a line of at most 8 bytes (raise the limit with --max-line-bytes), found a line of more than 8 bytes (10 read)",
    );
    expect(() => split(["ab\n0123", "4567\n"], 8)).not.toThrow();
  });
});
