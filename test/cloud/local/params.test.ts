import { describe, expect, it } from "vitest";
import { Params } from "../../../src/cloud/local/params.js";

/** The Ec2Error a call throws, as code and message. */
function failure(call: () => unknown): { code: string; message: string } {
  try {
    call();
  } catch (error) {
    const e = error as { code: string; message: string };
    return { code: e.code, message: e.message };
  }
  throw new Error("expected the call to throw");
}

describe("Params: an EC2 Query request's flat parameters", () => {
  const p = Params.fromForm(
    "Action=RunInstances&MinCount=1&DryRun=false&Filter.2.Name=tag%3AName&Filter.2.Value.1=b&Filter.1.Name=zone" +
      "&Filter.1.Value.2=z2&Filter.1.Value.1=z1&Filter.10.Name=ten&ResourceId.1=i-1&ResourceId.3=i-3&Time=2026-01-01T00%3A00%3A00Z",
  );

  it("reads strings, required values, integers, booleans and times", () => {
    expect(p.string("Action")).toBe("RunInstances");
    expect(p.string("Missing")).toBeUndefined();
    expect(p.required("Action")).toBe("RunInstances");
    expect(p.integer("MinCount", 1, 5)).toBe(1);
    expect(p.integer("Missing")).toBeUndefined();
    expect(p.boolean("DryRun")).toBe(false);
    expect(p.time("Time")).toBe(Date.UTC(2026, 0, 1));
  });

  it("collects numbered members in index order (10 after 2), skipping absent indexes", () => {
    expect(p.members("Filter").map((f) => f.string("Name"))).toEqual(["zone", "tag:Name", "ten"]);
    expect(p.members("Filter")[0].strings("Value")).toEqual(["z1", "z2"]);
    expect(p.strings("ResourceId")).toEqual(["i-1", "i-3"]);
    expect(p.strings("Missing")).toEqual([]);
  });

  it("knows a structure is present by any of its members", () => {
    expect(p.has("Filter")).toBe(true);
    expect(p.has("Action")).toBe(true);
    expect(p.has("Filte")).toBe(false);
    expect(p.sub("Filter.1").has("Value")).toBe(true);
  });

  it("refuses a missing required value and malformed numbers, booleans and times, naming the full key", () => {
    const bad = new Params([
      ["Empty", ""],
      ["N", "1.5"],
      ["Big", "9"],
      ["B", "yes"],
      ["S.T", "yesterday"],
    ]);
    expect(failure(() => bad.required("Empty"))).toEqual({
      code: "MissingParameter",
      message: "The request must contain the parameter Empty",
    });
    expect(failure(() => bad.sub("S").required("X"))).toEqual({
      code: "MissingParameter",
      message: "The request must contain the parameter S.X",
    });
    expect(failure(() => bad.integer("N"))).toEqual({
      code: "InvalidParameterValue",
      message: "Invalid value '1.5' for N.",
    });
    expect(failure(() => bad.integer("Big", 5, 8))).toEqual({
      code: "InvalidParameterValue",
      message: "Invalid value '9' for Big.",
    });
    expect(failure(() => bad.boolean("B"))).toEqual({
      code: "InvalidParameterValue",
      message: "Invalid value 'yes' for B.",
    });
    expect(failure(() => bad.sub("S").time("T"))).toEqual({
      code: "InvalidParameterValue",
      message: "Invalid value 'yesterday' for S.T. Expected an ISO 8601 timestamp.",
    });
  });

  it("fingerprints every parameter but the ignored ones, sorted, so order does not matter", () => {
    const a = new Params([
      ["B", "2"],
      ["A", "1"],
      ["ClientToken", "t1"],
    ]);
    const b = new Params([
      ["A", "1"],
      ["ClientToken", "t2"],
      ["B", "2"],
    ]);
    expect(a.fingerprint(["ClientToken"])).toBe("A=1&B=2");
    expect(b.fingerprint(["ClientToken"])).toBe(a.fingerprint(["ClientToken"]));
    expect(a.fingerprint([])).toBe("A=1&B=2&ClientToken=t1");
    expect(a.sub("X").fingerprint([])).toBe("");
  });
});
