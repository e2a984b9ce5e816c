import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ResultsDocument } from "../../src/results/document.js";
import { serializeResults, writeResults } from "../../src/results/write.js";

// serializeResults only lays JSON out: a document with two fields stands in for a whole one.
const withPrices = {
  schema: "s",
  prices: { zones: [{ times: [0, 60, 120], usd: [0.1, null, 1.5e-7] }] },
} as unknown as ResultsDocument;

describe("serializeResults", () => {
  it("indents by two, puts each number array of the prices on one line, and ends with a newline", () => {
    expect(serializeResults(withPrices)).toBe(
      [
        "{",
        '  "schema": "s",',
        '  "prices": {',
        '    "zones": [',
        "      {",
        '        "times": [0,60,120],',
        '        "usd": [0.1,null,1.5e-7]',
        "      }",
        "    ]",
        "  }",
        "}",
        "",
      ].join("\n"),
    );
    expect(JSON.parse(serializeResults(withPrices))).toEqual(withPrices);
  });

  it("without prices, is plain two-space JSON", () => {
    const plain = { schema: "s", runs: [1, 2] } as unknown as ResultsDocument;
    expect(serializeResults(plain)).toBe(`${JSON.stringify(plain, null, 2)}\n`);
  });
});

describe("writeResults", () => {
  it("writes exactly the serialised text", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hotspot-write-"));
    try {
      await writeResults(join(dir, "r.json"), withPrices);
      expect(await readFile(join(dir, "r.json"), "utf8")).toBe(serializeResults(withPrices));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
