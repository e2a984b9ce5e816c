import { describe, expect, it } from "vitest";
import { JsonStream, type JsonValue } from "../../src/catalog/json-stream.js";

const doc = {
  a: 1,
  products: { s1: { x: [1, 2, { y: 'q"z' }], b: true, n: null }, s2: {} },
  terms: { OnDemand: { s1: { p: "1.5" } }, Reserved: { s1: { zz: [1, -2.5e3, 3] } } },
  publicationDate: "2020-01-01",
};

function captured(text: string, chunk: number): [string, JsonValue, number][] {
  const got: [string, JsonValue, number][] = [];
  const stream = new JsonStream(
    "f.json",
    (path) =>
      (path.length === 2 && path[0] === "products") ||
      (path.length === 3 && path[1] === "OnDemand") ||
      (path.length === 1 && path[0] === "publicationDate"),
    (path, value, line) => got.push([path.join("."), value, line]),
  );
  for (let i = 0; i < text.length; i += chunk) stream.feed(text.slice(i, i + chunk));
  stream.end();
  return got;
}

function errorOf(text: string): string {
  try {
    const stream = new JsonStream(
      "b.json",
      () => true,
      () => undefined,
    );
    stream.feed(text);
    stream.end();
  } catch (error) {
    return (error as Error).message;
  }
  return "no error";
}

describe("streaming JSON reader", () => {
  it("builds only the selected values, with their lines, whatever the chunk size", () => {
    const text = JSON.stringify(doc, null, 2);
    const expected = [
      ["products.s1", doc.products.s1, 4],
      ["products.s2", {}, 15],
      ["terms.OnDemand.s1", { p: "1.5" }, 19],
      ["publicationDate", "2020-01-01", 33],
    ];
    for (const chunk of [1, 3, 7, 64, 100_000])
      expect(captured(text, chunk), String(chunk)).toEqual(expected);
  });

  it("names the line and what was expected for malformed JSON", () => {
    expect(errorOf('{"a":1,}')).toBe('b.json:1: expected a value, found "}"');
    expect(errorOf('{"a" 1}')).toBe('b.json:1: expected ":", found a value');
    expect(errorOf('{\n"a":1')).toBe(
      "b.json:2: expected the rest of the JSON document, found the end of the file",
    );
    expect(errorOf("[1 2]")).toBe('b.json:1: expected "," or "]", found a value');
    expect(errorOf('{"a":tru}')).toBe('b.json:1: expected a JSON value, found "tru"');
    expect(errorOf('{"a":1} 2')).toBe('b.json:1: expected nothing after the JSON document, found "2"');
  });
});
