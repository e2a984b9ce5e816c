import { describe, expect, it } from "vitest";
import { TableCatalog } from "../../src/catalog/catalog.js";
import { checkMemoryFits, resolveTypes, skippedTypesNote, workOf } from "../../src/catalog/work-unit.js";
import { CatalogGapError, UsageError } from "../../src/errors.js";

const intel = { architecture: "x86_64", cpuVendor: "intel", cpuClass: null } as const;

const catalog = new TableCatalog(
  [
    { type: "m4.large", vcpu: 2, memoryGiB: 8, ecu: 6.5, ...intel },
    { type: "m5.large", vcpu: 2, memoryGiB: 8, ecu: null, score: 1.5, ...intel },
    { type: "x1.odd", vcpu: 4, memoryGiB: 16, ecu: 13, ...intel },
  ],
  [
    { type: "m4.large", region: "us-east-1", usdPerHour: 0.12, asOf: "2016-04-18" },
    { type: "m4.large", region: "us-east-1", usdPerHour: 0.1, asOf: "2017-11-12" },
    { type: "m5.large", region: "us-east-1", usdPerHour: 0.096, asOf: "2025-06-01" },
  ],
  "test table",
);
const at2016 = Date.parse("2016-03-01T00:00:00Z") / 1000;
const base = { region: "us-east-1", at: at2016, unit: "ecu" as const, skipUnknownTypes: false };

describe("work units", () => {
  it("reads ECU, vCPU or score from a spec, undefined where absent", () => {
    const m5 = catalog.spec("m5.large")!;
    expect([workOf(m5, "ecu"), workOf(m5, "vcpu"), workOf(m5, "score")]).toEqual([undefined, 2, 1.5]);
    expect(workOf(catalog.spec("m4.large")!, "score")).toBeUndefined();
  });

  it("resolves spec, dated price and work for every type", () => {
    const result = resolveTypes(catalog, ["m4.large", "m4.large"], base);
    expect(result.skipped).toEqual([]);
    expect([...result.types.keys()]).toEqual(["m4.large"]);
    expect(result.types.get("m4.large")).toEqual({
      spec: { type: "m4.large", vcpu: 2, memoryGiB: 8, ecu: 6.5, ...intel },
      onDemand: { type: "m4.large", region: "us-east-1", usdPerHour: 0.12, asOf: "2016-04-18" },
      work: 6.5,
    });
  });

  it("fails naming the types without ECU, and suggests another unit", () => {
    expect(() => resolveTypes(catalog, ["m5.large", "m4.large"], base)).toThrow(
      new CatalogGapError(["m5.large"], "ECU (the work unit; --work-unit vcpu counts vCPUs instead)"),
    );
    expect(() => resolveTypes(catalog, ["m5.large", "m4.large"], base)).toThrow(
      "no ECU (the work unit; --work-unit vcpu counts vCPUs instead) for instance type(s): m5.large; give them with --specs FILE, or pass --skip-unknown-types to leave those markets out",
    );
  });

  it("lists every kind of gap at once", () => {
    let caught: unknown;
    try {
      resolveTypes(catalog, ["x1.odd", "zz.large", "m5.large", "m4.large"], base);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CatalogGapError);
    expect((caught as CatalogGapError).missing).toEqual(["m5.large", "x1.odd", "zz.large"]);
    expect((caught as Error).message).toBe(
      "no complete catalog entry (ECU (the work unit; --work-unit vcpu counts vCPUs instead): m5.large; us-east-1 on-demand price: x1.odd; spec (vCPU, memory): zz.large) for instance type(s): m5.large, x1.odd, zz.large; give them with --specs FILE, or pass --skip-unknown-types to leave those markets out",
    );
  });

  it("skips and reports the gaps under skipUnknownTypes", () => {
    const result = resolveTypes(catalog, ["x1.odd", "zz.large", "m5.large", "m4.large"], {
      ...base,
      skipUnknownTypes: true,
    });
    expect([...result.types.keys()]).toEqual(["m4.large"]);
    expect(result.skipped).toEqual([
      { type: "m5.large", missing: "work unit" },
      { type: "x1.odd", missing: "on-demand price" },
      { type: "zz.large", missing: "spec" },
    ]);
  });

  it("refuses to skip every type: no market would be left", () => {
    const skip = { ...base, skipUnknownTypes: true };
    expect(() => resolveTypes(catalog, ["x1.odd", "zz.large"], skip)).toThrow(
      new CatalogGapError(
        ["x1.odd", "zz.large"],
        "complete catalog entry (us-east-1 on-demand price: x1.odd; spec (vCPU, memory): zz.large)",
        "give them with --specs FILE (--skip-unknown-types would leave out every type)",
      ),
    );
    expect(() => resolveTypes(catalog, ["zz.large"], skip)).toThrow(
      "no spec (vCPU, memory) for instance type(s): zz.large; give them with --specs FILE (--skip-unknown-types would leave out every type)",
    );
  });

  it("says which types were left out and what each lacks", () => {
    const result = resolveTypes(catalog, ["x1.odd", "zz.large", "m4.large"], {
      ...base,
      skipUnknownTypes: true,
    });
    expect(skippedTypesNote(result.skipped)).toBe(
      "left out 2 type(s) lacking catalog data: x1.odd (on-demand price), zz.large (spec)",
    );
  });

  it("uses vCPU or score when asked, with their own gaps", () => {
    const vcpu = resolveTypes(catalog, ["m5.large", "m4.large"], { ...base, unit: "vcpu" });
    expect([...vcpu.types.values()].map((t) => t.work)).toEqual([2, 2]);
    expect(() => resolveTypes(catalog, ["m5.large", "m4.large"], { ...base, unit: "score" })).toThrow(
      "no score (the work unit) for instance type(s): m4.large;",
    );
  });
});

describe("--work-unit auto", () => {
  it("picks ECU when every type with a spec has one, vCPU otherwise", () => {
    const options = { region: "us-east-1", at: 1_600_000_000, unit: "auto", skipUnknownTypes: true } as const;
    const ecu = resolveTypes(catalog, ["m4.large", "zz.large"], options);
    expect([ecu.unit, ecu.types.get("m4.large")?.work]).toEqual(["ecu", 6.5]);
    expect(ecu.skipped).toEqual([{ type: "zz.large", missing: "spec" }]);
    const vcpu = resolveTypes(catalog, ["m4.large", "m5.large"], options);
    expect([vcpu.unit, vcpu.types.get("m4.large")?.work, vcpu.types.get("m5.large")?.work]).toEqual([
      "vcpu",
      2,
      2,
    ]);
  });
});

describe("memory fit", () => {
  // m4.large and m5.large, 8 GiB each (in vCPU neither has a gap): the first in order is named.
  const both = resolveTypes(catalog, ["m4.large", "m5.large"], { ...base, unit: "vcpu" });

  it("accepts a footprint up to the largest type's memory, inclusive", () => {
    expect(() => checkMemoryFits(both, 8)).not.toThrow();
  });

  it("refuses a larger one, naming the flag, the largest type and its memory", () => {
    expect(() => checkMemoryFits(both, 8.5)).toThrow(
      new UsageError(
        "--memory",
        "at most 8 GiB, the memory of the largest type in the trace (m4.large)",
        "8.5 GiB",
      ),
    );
    expect(() => checkMemoryFits(both, 100, "--vary memory-gib")).toThrow(
      "--vary memory-gib: expected at most 8 GiB, the memory of the largest type in the trace (m4.large), found 100 GiB",
    );
  });
});
