import { describe, expect, it } from "vitest";
import { escapeHtml, jsonForScript } from "../../src/reports/escape.js";

describe("escapeHtml", () => {
  it("turns every markup character into an entity", () => {
    expect(escapeHtml(`<script>alert("x" & 'y')</script>`)).toBe(
      "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;",
    );
  });

  it("leaves plain text alone", () => {
    expect(escapeHtml("us-east-1a m4.large Linux/UNIX")).toBe("us-east-1a m4.large Linux/UNIX");
  });
});

describe("jsonForScript", () => {
  const nasty = { zone: "</script><script>x()</script>", note: "a & b <!-- c -->", sep: "\u2028\u2029" };

  it("has no character that could end or confuse a script element", () => {
    const text = jsonForScript(nasty);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(text).toBe(
      '{"zone":"\\u003c/script\\u003e\\u003cscript\\u003ex()\\u003c/script\\u003e","note":"a \\u0026 b \\u003c!-- c --\\u003e","sep":"\\u2028\\u2029"}',
    );
  });

  it("parses back to the same value", () => {
    expect(JSON.parse(jsonForScript(nasty))).toEqual(nasty);
  });
});
