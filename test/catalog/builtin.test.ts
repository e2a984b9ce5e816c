import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { builtinPrices, builtinSpecs } from "../../src/catalog/builtin.js";

const sharedSpecs = fileURLToPath(
  new URL("../../../shared/traces/specs/trace-instance-types_us-east-1.csv", import.meta.url),
);

interface SharedRow {
  instance_type: string;
  vCPU: string;
  memory_GiB: string;
  ECU_2017: string;
  "linux_od_usd_hr_2016-04-18": string;
  "linux_od_usd_hr_2017-11-12": string;
  linux_od_usd_hr_current: string;
  "linux_od_usd_hr_sa-east-1_2017-11-12": string;
}

const shared: SharedRow[] = parse(readFileSync(sharedSpecs, "utf8"), { columns: true });

function builtinPrice(type: string, region: string, asOf: string): number | undefined {
  return builtinPrices.find((p) => p.type === type && p.region === region && p.asOf === asOf)?.usdPerHour;
}

describe("built-in instance table", () => {
  it("has every one of the 55 types of the shared spot traces", () => {
    expect(shared).toHaveLength(55);
    const types = new Set(builtinSpecs.map((spec) => spec.type));
    expect(shared.filter((row) => !types.has(row.instance_type))).toEqual([]);
  });

  it("agrees with the shared specs CSV on vCPU, memory, ECU and every dated us-east-1 / sa-east-1 price", () => {
    for (const row of shared) {
      const spec = builtinSpecs.find((s) => s.type === row.instance_type);
      expect(spec, row.instance_type).toBeDefined();
      expect([spec?.vcpu, spec?.memoryGiB]).toEqual([Number(row.vCPU), Number(row.memory_GiB)]);
      const ecu = row.ECU_2017 === "" || row.ECU_2017 === "variable" ? null : Number(row.ECU_2017);
      expect(spec?.ecu, row.instance_type).toBe(ecu);
      const expected = (raw: string) => (raw === "" ? undefined : Number(raw));
      const type = row.instance_type;
      expect(builtinPrice(type, "us-east-1", "2016-04-18")).toBe(expected(row["linux_od_usd_hr_2016-04-18"]));
      expect(builtinPrice(type, "us-east-1", "2017-11-12")).toBe(expected(row["linux_od_usd_hr_2017-11-12"]));
      expect(builtinPrice(type, "sa-east-1", "2017-11-12")).toBe(
        expected(row["linux_od_usd_hr_sa-east-1_2017-11-12"]),
      );
      if (type !== "g4dn.xlarge") {
        expect(builtinPrice(type, "us-east-1", "2025-06-01")).toBe(expected(row.linux_od_usd_hr_current));
      }
    }
  });

  it("has the current families large..4xlarge with us-east-1 prices in proportion to size", () => {
    for (const family of ["m5", "c5", "r5", "m6i", "c6i", "r6i", "t3", "m7i", "c7i", "r7i"]) {
      const large = builtinPrice(`${family}.large`, "us-east-1", "2025-06-01") as number;
      expect(large, family).toBeGreaterThan(0);
      const sizes = family === "t3" ? ["xlarge", "2xlarge"] : ["xlarge", "2xlarge", "4xlarge"];
      sizes.forEach((size, index) => {
        expect(builtinPrice(`${family}.${size}`, "us-east-1", "2025-06-01")).toBeCloseTo(
          large * 2 ** (index + 1),
          10,
        );
      });
    }
    expect(builtinPrice("m7i.large", "us-east-1", "2025-06-01")).toBe(0.1008);
    expect(builtinSpecs.find((s) => s.type === "r6i.4xlarge")).toEqual({
      type: "r6i.4xlarge",
      vcpu: 16,
      memoryGiB: 128,
      ecu: null,
      architecture: "x86_64",
      cpuVendor: "intel",
      cpuClass: "intel-icelake",
    });
  });

  it("lists each type once and each (type, region, date) price once", () => {
    expect(new Set(builtinSpecs.map((s) => s.type)).size).toBe(builtinSpecs.length);
    const keys = builtinPrices.map((p) => `${p.type} ${p.region} ${p.asOf}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
