import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { builtinCatalog, createCatalog } from "../../src/catalog/catalog.js";
import { InputFormatError, InputReadError } from "../../src/errors.js";

const at = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000;

describe("built-in catalog", () => {
  const catalog = builtinCatalog();

  it("gives exact specs, ECU included, and null ECU where AWS publishes none", () => {
    expect(catalog.spec("m4.4xlarge")).toEqual({
      type: "m4.4xlarge",
      vcpu: 16,
      memoryGiB: 64,
      ecu: 53.5,
      architecture: "x86_64",
      cpuVendor: "intel",
      cpuClass: "intel-haswell",
    });
    expect(catalog.spec("c4.2xlarge")?.ecu).toBe(31);
    expect(catalog.spec("t1.micro")).toEqual({
      type: "t1.micro",
      vcpu: 1,
      memoryGiB: 0.613,
      ecu: null,
      architecture: "x86_64",
      cpuVendor: "intel",
      cpuClass: null,
    });
    expect(catalog.spec("m5.large")?.ecu).toBeNull();
    expect(catalog.spec("no.such")).toBeUndefined();
  });

  it("picks the latest price snapshot not after the time: m4.4xlarge in 2016 vs 2021", () => {
    expect(catalog.onDemand("m4.4xlarge", "us-east-1", at("2016-03-01"))).toEqual({
      type: "m4.4xlarge",
      region: "us-east-1",
      usdPerHour: 0.958,
      asOf: "2016-04-18",
    });
    expect(catalog.onDemand("m4.4xlarge", "us-east-1", at("2016-04-18"))?.usdPerHour).toBe(0.958);
    expect(catalog.onDemand("m4.4xlarge", "us-east-1", at("2017-11-11"))?.asOf).toBe("2016-04-18");
    expect(catalog.onDemand("m4.4xlarge", "us-east-1", at("2017-11-12"))?.usdPerHour).toBe(0.8);
    expect(catalog.onDemand("m4.4xlarge", "us-east-1", at("2021-03-02"))?.asOf).toBe("2017-11-12");
    expect(catalog.onDemand("m4.4xlarge", "us-east-1", at("2026-01-01"))?.asOf).toBe("2025-06-01");
  });

  it("falls back to the earliest snapshot before a type's first one", () => {
    expect(catalog.onDemand("m5.large", "us-east-1", at("2016-03-01"))).toEqual({
      type: "m5.large",
      region: "us-east-1",
      usdPerHour: 0.096,
      asOf: "2025-06-01",
    });
    expect(catalog.onDemand("c5.large", "us-east-1", at("2016-03-01"))?.asOf).toBe("2017-11-12");
  });

  it("has sa-east-1 prices where the sources give them, and nothing for unknown regions", () => {
    expect(catalog.onDemand("m3.medium", "sa-east-1", at("2016-03-01"))?.usdPerHour).toBe(0.095);
    expect(catalog.onDemand("c4.large", "sa-east-1", at("2016-03-01"))).toEqual({
      type: "c4.large",
      region: "sa-east-1",
      usdPerHour: 0.155,
      asOf: "2017-11-12",
    });
    expect(catalog.onDemand("m3.medium", "eu-west-1", at("2016-03-01"))).toBeUndefined();
  });

  it("describes its source with the snapshot dates", () => {
    expect(catalog.description).toBe("built-in (AWS prices as of 2016-04-18, 2017-11-12, 2025-06-01)");
  });
});

describe("createCatalog with --specs", () => {
  async function specsFile(text: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "hotspot-specs-"));
    const path = join(dir, "specs.csv");
    await writeFile(path, text);
    return path;
  }

  it("is the built-in table without a file", async () => {
    const catalog = await createCatalog();
    expect(catalog.spec("m4.large")?.ecu).toBe(6.5);
    expect(catalog.description).toBe(builtinCatalog().description);
  });

  it("overrides spec fields it sets, keeps the rest, and adds new types", async () => {
    const path = await specsFile(
      "instance_type,vcpu,memory_gib,ecu,score\nm5.large,,,10,1.5\nm9.large,2,8,,3\n# comment line\n",
    );
    const catalog = await createCatalog({ specsFile: path });
    expect(catalog.spec("m5.large")).toEqual({
      type: "m5.large",
      vcpu: 2,
      memoryGiB: 8,
      ecu: 10,
      score: 1.5,
      architecture: "x86_64",
      cpuVendor: "intel",
      cpuClass: "intel-skylake",
    });
    expect(catalog.spec("m9.large")).toEqual({
      type: "m9.large",
      vcpu: 2,
      memoryGiB: 8,
      ecu: null,
      score: 3,
      architecture: "x86_64",
      cpuVendor: "intel",
      cpuClass: null,
    });
    expect(catalog.spec("m4.large")?.ecu).toBe(6.5);
    expect(catalog.description).toBe(
      `built-in (AWS prices as of 2016-04-18, 2017-11-12, 2025-06-01) + --specs ${path}`,
    );
  });

  it("replaces every built-in price of a (type, region) the file prices, and adds regions", async () => {
    const path = await specsFile(
      [
        "instance_type,region,on_demand_usd_per_hour,as_of",
        "m4.4xlarge,us-east-1,0.9,2020-01-01",
        "m4.4xlarge,eu-west-1,0.888,2020-01-01",
        "m4.4xlarge,eu-west-1,0.777,2022-01-01",
      ].join("\n"),
    );
    const catalog = await createCatalog({ specsFile: path });
    // The only us-east-1 price is now the file's, so 2016 falls back to it as the earliest.
    expect(catalog.onDemand("m4.4xlarge", "us-east-1", at("2016-03-01"))).toEqual({
      type: "m4.4xlarge",
      region: "us-east-1",
      usdPerHour: 0.9,
      asOf: "2020-01-01",
    });
    expect(catalog.onDemand("m4.4xlarge", "eu-west-1", at("2021-06-01"))?.usdPerHour).toBe(0.888);
    expect(catalog.onDemand("m4.4xlarge", "eu-west-1", at("2022-06-01"))?.usdPerHour).toBe(0.777);
    expect(catalog.onDemand("m4.4xlarge", "sa-east-1", at("2016-03-01"))?.usdPerHour).toBe(1.272);
  });

  it("fails with InputReadError naming the path when the file is missing", async () => {
    await expect(createCatalog({ specsFile: "/nonexistent/specs.csv" })).rejects.toThrow(InputReadError);
    await expect(createCatalog({ specsFile: "/nonexistent/specs.csv" })).rejects.toThrow(
      /^\/nonexistent\/specs\.csv: cannot read the specs file/,
    );
  });

  it("rejects a new type without vcpu/memory, naming its line", async () => {
    const path = await specsFile("instance_type,vcpu,ecu\nm4.large,,7\nm9.large,2,\n");
    const failure = createCatalog({ specsFile: path });
    await expect(failure).rejects.toThrow(InputFormatError);
    await expect(failure).rejects.toThrow(
      `${path}:3: expected vcpu and memory_gib for m9.large, which the built-in table does not have, found no memory_gib`,
    );
  });
});
