import { describe, expect, it } from "vitest";
import {
  EC2_NAMESPACE,
  el,
  errorDocument,
  escapeXml,
  isoTime,
  responseDocument,
  set,
} from "../../../src/cloud/local/xml.js";

describe("the EC2 Query XML writer", () => {
  it("escapes the five XML specials", () => {
    expect(escapeXml(`a&b<c>d"e'f`)).toBe("a&amp;b&lt;c&gt;d&quot;e&apos;f");
  });

  it("writes elements, leaving out null and undefined values but keeping empty ones", () => {
    expect(el("a", "x<y").xml).toBe("<a>x&lt;y</a>");
    expect(el("n", 3, true).xml).toBe("<n>3true</n>");
    expect(el("gone", undefined).xml).toBe("");
    expect(el("gone", null, undefined).xml).toBe("");
    expect(el("empty").xml).toBe("<empty></empty>");
    expect(el("empty", "").xml).toBe("<empty></empty>");
    expect(el("outer", el("inner", 1), [el("b", 2), [el("c", 3)]], undefined).xml).toBe(
      "<outer><inner>1</inner><b>2</b><c>3</c></outer>",
    );
  });

  it("writes lists as item elements", () => {
    expect(set("tagSet", [["k", "v"]], ([k, v]) => [el("key", k), el("value", v)]).xml).toBe(
      "<tagSet><item><key>k</key><value>v</value></item></tagSet>",
    );
    expect(set("groupSet", [], () => []).xml).toBe("<groupSet></groupSet>");
  });

  it("writes times as ISO 8601 in UTC", () => {
    expect(isoTime(Date.UTC(2026, 0, 1, 0, 2))).toBe("2026-01-01T00:02:00.000Z");
  });

  it("wraps a response in <Action>Response with its namespace and request id", () => {
    expect(responseDocument("DeleteVpc", "r-1", [el("return", "true")])).toBe(
      `<?xml version="1.0" encoding="UTF-8"?>\n<DeleteVpcResponse xmlns="${EC2_NAMESPACE}"><requestId>r-1</requestId><return>true</return></DeleteVpcResponse>`,
    );
  });

  it("writes an error document with the code and the escaped message", () => {
    expect(errorDocument("InvalidParameterValue", "Invalid value '<x>'", "r-2")).toBe(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>InvalidParameterValue</Code><Message>Invalid value &apos;&lt;x&gt;&apos;</Message></Error></Errors><RequestID>r-2</RequestID></Response>`,
    );
  });
});
