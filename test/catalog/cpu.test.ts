import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { builtinPrices, builtinSpecs } from "../../src/catalog/builtin.js";
import { createCatalog } from "../../src/catalog/catalog.js";
import { cpuFromName, familyCpus, familyOf, knownCpu } from "../../src/catalog/cpu.js";
import { parseSpecsCsv } from "../../src/catalog/specs-csv.js";
import { InputFormatError } from "../../src/errors.js";

const usEast2025 = (type: string) =>
  builtinPrices.find((p) => p.type === type && p.region === "us-east-1" && p.asOf === "2025-06-01")
    ?.usdPerHour;

describe("CPU of each type", () => {
  it("gives every built-in type an architecture, a vendor and, where known, a class", () => {
    expect(builtinSpecs).toHaveLength(210);
    for (const spec of builtinSpecs) {
      expect(["x86_64", "arm64"], spec.type).toContain(spec.architecture);
      expect(spec.architecture === "arm64", spec.type).toBe(spec.cpuVendor === "aws");
    }
    const pick = (type: string) => {
      const spec = builtinSpecs.find((s) => s.type === type);
      return [spec?.architecture, spec?.cpuVendor, spec?.cpuClass];
    };
    expect(pick("c4.large")).toEqual(["x86_64", "intel", "intel-haswell"]);
    expect(pick("m5.large")).toEqual(["x86_64", "intel", "intel-skylake"]);
    expect(pick("m6a.large")).toEqual(["x86_64", "amd", "amd-zen3"]);
    expect(pick("m7a.large")).toEqual(["x86_64", "amd", "amd-zen4"]);
    expect(pick("c6g.xlarge")).toEqual(["arm64", "aws", "graviton2"]);
    expect(pick("r7g.4xlarge")).toEqual(["arm64", "aws", "graviton3"]);
    expect(pick("t1.micro")).toEqual(["x86_64", "intel", null]);
  });

  it("has a table entry for every family of the built-in table, and none unused", () => {
    const families = new Set(builtinSpecs.map((s) => familyOf(s.type)));
    expect([...families].sort()).toEqual(
      Object.keys(familyCpus)
        .filter((f) => f !== "a1")
        .sort(),
    );
    expect(knownCpu("zz9.large")).toBeUndefined();
  });

  it("has the AMD and Graviton families in us-east-1, each size twice the one below", () => {
    const large: Record<string, number> = {
      m5a: 0.086,
      c5a: 0.077,
      r5a: 0.113,
      m6a: 0.0864,
      c6a: 0.0765,
      r6a: 0.1134,
      m7a: 0.11592,
      c7a: 0.10265,
      r7a: 0.15215,
      m6g: 0.077,
      c6g: 0.068,
      r6g: 0.1008,
      m7g: 0.0816,
      c7g: 0.0725,
      r7g: 0.1071,
      t3a: 0.0752,
      t4g: 0.0672,
    };
    for (const [family, price] of Object.entries(large)) {
      expect(usEast2025(`${family}.large`), family).toBe(price);
      expect(usEast2025(`${family}.xlarge`), family).toBeCloseTo(2 * price, 10);
      expect(usEast2025(`${family}.2xlarge`), family).toBeCloseTo(4 * price, 10);
    }
    // Graviton vCPUs are whole cores: m7g.large has the memory of m7i.large at 81% of its price.
    expect(builtinSpecs.find((s) => s.type === "m7g.large")).toMatchObject({ vcpu: 2, memoryGiB: 8 });
    expect((usEast2025("m7g.large") as number) / (usEast2025("m7i.large") as number)).toBeCloseTo(0.8095, 4);
  });

  it("reads a family's CPU from AWS's naming scheme when no table has it", () => {
    expect(cpuFromName("m8g.large")).toEqual({ architecture: "arm64", cpuVendor: "aws", cpuClass: null });
    expect(cpuFromName("c6gn.xlarge")).toEqual({ architecture: "arm64", cpuVendor: "aws", cpuClass: null });
    expect(cpuFromName("m5ad.large")).toEqual({ architecture: "x86_64", cpuVendor: "amd", cpuClass: null });
    expect(cpuFromName("hpc6a.48xlarge").cpuVendor).toBe("amd");
    expect(cpuFromName("a1.large").architecture).toBe("arm64");
    expect(cpuFromName("m5dn.large")).toEqual({ architecture: "x86_64", cpuVendor: "intel", cpuClass: null });
    expect(cpuFromName("g4dn.xlarge").cpuVendor).toBe("intel");
  });
});

describe("CPU columns of --specs", () => {
  it("parses architecture, cpu_vendor and cpu_class, and rejects others with file:line", () => {
    const text = "instance_type,architecture,cpu_vendor,cpu_class\nm8g.large,arm64,aws,graviton4\n";
    expect(parseSpecsCsv(text, "s.csv", () => true).specs).toEqual([
      { type: "m8g.large", line: 2, architecture: "arm64", cpuVendor: "aws", cpuClass: "graviton4" },
    ]);
    const errorOf = (body: string) => {
      try {
        parseSpecsCsv(body, "s.csv", () => true);
      } catch (error) {
        expect(error).toBeInstanceOf(InputFormatError);
        return (error as Error).message;
      }
      return "no error";
    };
    expect(errorOf("instance_type,architecture\nm4.large,amd64\n")).toBe(
      's.csv:2: expected one of x86_64, arm64 in architecture, found "amd64"',
    );
    expect(errorOf("instance_type,cpu_vendor\nm4.large,Intel\n")).toBe(
      's.csv:2: expected one of intel, amd, aws in cpu_vendor, found "Intel"',
    );
    expect(errorOf("instance_type,cpu_class\nm4.large,Intel Haswell\n")).toBe(
      's.csv:2: expected a CPU class such as intel-skylake in cpu_class, found "Intel Haswell"',
    );
    expect(errorOf("instance_type,cpu_vendor\nm4.large,intel\nm4.large,amd\n")).toBe(
      "s.csv:3: expected the same cpu_vendor for m4.large as an earlier row (intel), found amd",
    );
  });

  it("fills the CPU of a new type from the file, else from its name, and refuses a mismatch", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hotspot-cpu-"));
    const path = join(dir, "specs.csv");
    await writeFile(
      path,
      "instance_type,vcpu,memory_gib,architecture,cpu_vendor,cpu_class\nm8g.large,2,8,,,graviton4\nm9a.large,2,8,,,\nm4.large,,,,,intel-broadwell\n",
    );
    const catalog = await createCatalog({ specsFile: path });
    expect(catalog.spec("m8g.large")).toMatchObject({
      architecture: "arm64",
      cpuVendor: "aws",
      cpuClass: "graviton4",
    });
    expect(catalog.spec("m9a.large")).toMatchObject({
      architecture: "x86_64",
      cpuVendor: "amd",
      cpuClass: null,
    });
    expect(catalog.spec("m4.large")).toMatchObject({ cpuVendor: "intel", cpuClass: "intel-broadwell" });
    await writeFile(path, "instance_type,architecture\nm4.large,arm64\n");
    await expect(createCatalog({ specsFile: path })).rejects.toThrow(
      `${path}:2: expected a cpu_vendor that builds arm64 CPUs for m4.large (aws for arm64; intel or amd for x86_64), found architecture arm64 with cpu_vendor intel`,
    );
  });
});
