import { describe, expect, it } from "vitest";
import { terminalSafe } from "../../src/util/terminal.js";

describe("terminalSafe", () => {
  it("escapes C0 controls (but tab and newline), DEL, C1 controls and bidi overrides", () => {
    expect(terminalSafe("a\tb\nc")).toBe("a\tb\nc");
    expect(terminalSafe("\u001b[31mred")).toBe("\\u001b[31mred");
    expect(terminalSafe("\r\u0000\u007f\u009b")).toBe("\\u000d\\u0000\\u007f\\u009b");
    expect(terminalSafe("x\u202ey\u2069")).toBe("x\\u202ey\\u2069");
    expect(terminalSafe("plain ü €")).toBe("plain ü €");
  });
});
