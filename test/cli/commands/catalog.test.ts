import { mkdtemp, readFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createCatalog } from "../../../src/catalog/catalog.js";
import { startEmulator, type Emulator } from "../../../src/cloud/local/emulator.js";
import type { EmulatedInstanceType } from "../../../src/cloud/local/instance-types.js";
import {
  productsFromOfferFile,
  startPricingEmulator,
  type PricingEmulator,
} from "../../../src/cloud/local/pricing.js";
import { awsTestEnvironment } from "../../support/ec2-query-server.js";
import { runCli } from "../../support/run-cli.js";

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/catalog/${name}`, import.meta.url));
const sa = (name: string) => fixture(`sa-east-1-2020/${name}`);
const keyId = "AKIAHOTSPOTCATALOG01";
const secret = "catalog-test-secret/never+printed-17";

interface DescribeFixture {
  InstanceTypes: {
    InstanceType: string;
    VCpuInfo: { DefaultVCpus: number };
    MemoryInfo: { SizeInMiB: number };
    ProcessorInfo: {
      SupportedArchitectures: string[];
      Manufacturer: string;
      SustainedClockSpeedInGhz?: number;
    };
    Hypervisor: string;
    NetworkInfo: { NetworkPerformance: string };
  }[];
}

let ec2: Emulator;
let pricing: PricingEmulator;

beforeAll(async () => {
  const described = JSON.parse(await readFile(sa("describe-instance-types.json"), "utf8")) as DescribeFixture;
  // All 31 types but c1.medium, which EC2 no longer describes: its spec must come from the price list.
  const instanceTypes: EmulatedInstanceType[] = described.InstanceTypes.filter(
    (t) => t.InstanceType !== "c1.medium",
  ).map((t) => ({
    type: t.InstanceType,
    vcpus: t.VCpuInfo.DefaultVCpus,
    memoryMiB: t.MemoryInfo.SizeInMiB,
    architectures: t.ProcessorInfo.SupportedArchitectures,
    manufacturer: t.ProcessorInfo.Manufacturer,
    clockGhz: t.ProcessorInfo.SustainedClockSpeedInGhz,
    hypervisor: t.Hypervisor,
    network: t.NetworkInfo.NetworkPerformance,
  }));
  ec2 = await startEmulator({ region: "sa-east-1", instanceTypes, latency: { factor: 0, seed: 1 } });
  const offer = JSON.parse(await readFile(sa("price-list.json"), "utf8"));
  pricing = await startPricingEmulator({ products: productsFromOfferFile(offer), maxPageSize: 7 });
});

afterAll(async () => {
  await ec2.close();
  await pricing.close();
});

beforeEach(() => {
  for (const [name, value] of Object.entries(awsTestEnvironment(keyId, secret))) vi.stubEnv(name, value);
  vi.stubEnv("AWS_REGION", undefined);
});
afterEach(() => vi.unstubAllEnvs());

const fetchArgs = (out: string, ...more: string[]) => [
  "catalog",
  "fetch",
  "--region",
  "sa-east-1",
  "--endpoint",
  ec2.endpoint,
  "--pricing-endpoint",
  pricing.endpoint,
  "-o",
  out,
  ...more,
];

describe("hotspot catalog fetch against the local Pricing and EC2 emulators (real SDK)", () => {
  it("joins GetProducts prices and DescribeInstanceTypes specs into a --specs CSV that sim uses with no type dropped", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hotspot-catalog-"));
    const out = join(dir, "sa-east-1.csv");
    const before = pricing.requests.length;
    const result = await runCli(fetchArgs(out));
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `wrote ${out}: 31 types in sa-east-1, 31 with a Linux on-demand price as of 2020-06-01 (31 GetProducts records)\n` +
        "not described by DescribeInstanceTypes, specs from the price list (1): c1.medium\n",
    );
    // 31 Linux shared products at 7 per page: 5 requests, every one with the five filters.
    const requests = pricing.requests.slice(before);
    expect(requests).toHaveLength(5);
    expect(requests[0].filters).toEqual([
      { Type: "TERM_MATCH", Field: "regionCode", Value: "sa-east-1" },
      { Type: "TERM_MATCH", Field: "operatingSystem", Value: "Linux" },
      { Type: "TERM_MATCH", Field: "tenancy", Value: "Shared" },
      { Type: "TERM_MATCH", Field: "preInstalledSw", Value: "NA" },
      { Type: "TERM_MATCH", Field: "capacitystatus", Value: "Used" },
    ]);
    const text = await readFile(out, "utf8");
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe(
      "instance_type,vcpu,memory_gib,ecu,architecture,cpu_vendor,cpu_class,clock_ghz,hypervisor,network,region,on_demand_usd_per_hour,as_of",
    );
    expect(lines).toHaveLength(32);
    expect(lines).toContain(
      "m5.large,2,8,10,x86_64,intel,intel-skylake,3.1,nitro,Up to 10 Gigabit,sa-east-1,0.153,2020-06-01",
    );
    expect(lines).toContain("c1.medium,2,1.7,5,x86_64,intel,,,,Moderate,sa-east-1,0.179,2020-06-01");
    expect(lines).toContain(
      "t3.medium,2,4,variable,x86_64,intel,intel-skylake,3.1,nitro,Up to 5 Gigabit,sa-east-1,0.0672,2020-06-01",
    );
    expect(text).not.toContain(secret);
    expect((await readdir(dir)).sort()).toEqual(["sa-east-1.csv"]);

    const catalog = await createCatalog({ specsFile: out });
    expect(
      catalog.onDemand("r5.xlarge", "sa-east-1", Date.parse("2020-06-11T00:00:00Z") / 1000)?.usdPerHour,
    ).toBe(0.402);

    const sim = await runCli([
      "sim",
      "--trace",
      sa("spot-2020-06.csv"),
      "--specs",
      out,
      "--work-unit",
      "auto",
      "--policy",
      "greedy",
      "--json",
    ]);
    expect(sim.code).toBe(0);
    expect(sim.stderr).toBe("hotspot: work unit vCPU (--work-unit auto: not every type has an ECU)\n");
    const document = JSON.parse(sim.stdout);
    expect(document.configuration.skippedTypes).toEqual([]);
    expect(document.workUnit).toBe("vcpu");
  });

  it("asks only for the types given, with ANY_OF, and fails cleanly with nothing written for a region without products", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hotspot-catalog-"));
    const out = join(dir, "two.csv");
    const before = pricing.requests.length;
    const result = await runCli(fetchArgs(out, "--types", "m5.large,c4.large"));
    expect(result.code).toBe(0);
    expect(pricing.requests[before].filters.at(-1)).toEqual({
      Type: "ANY_OF",
      Field: "instanceType",
      Value: "m5.large,c4.large",
    });
    expect(
      (await readFile(out, "utf8"))
        .trimEnd()
        .split("\n")
        .map((line) => line.split(",")[0]),
    ).toEqual(["instance_type", "c4.large", "m5.large"]);

    const none = join(dir, "none.csv");
    const empty = await runCli([
      "catalog",
      "fetch",
      "--region",
      "eu-west-1",
      "--endpoint",
      ec2.endpoint,
      "--pricing-endpoint",
      pricing.endpoint,
      "-o",
      none,
    ]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain(
      "GetProducts: expected Linux on-demand products for regionCode eu-west-1, found none (is the region code right?)",
    );
    expect(empty.stderr).not.toContain(secret);
    expect((await readdir(dir)).sort()).toEqual(["two.csv"]);
  });

  it("validates its flags", async () => {
    expect((await runCli(["catalog", "fetch", "--region", "sa-east-1"])).stderr).toBe(
      "hotspot: -o/--out: expected the path of the CSV file to write, found nothing\n",
    );
    const bad = await runCli([
      "catalog",
      "fetch",
      "--region",
      "sa-east-1",
      "-o",
      "x.csv",
      "--pricing-region",
      "sa-east-1",
    ]);
    expect([bad.code, bad.stderr]).toEqual([
      2,
      'hotspot: unknown pricing region "sa-east-1"; valid: us-east-1, eu-central-1, ap-south-1\n',
    ]);
    // -o is checked before any call: a directory here, where the CSV could never be written.
    const onDir = await runCli(["catalog", "fetch", "--region", "sa-east-1", "-o", tmpdir()]);
    expect([onDir.code, onDir.stderr]).toEqual([
      2,
      `hotspot: -o/--out: expected a file path in an existing, writable folder, found "${tmpdir()}" (a directory)\n`,
    ]);
  });
});

describe("hotspot sim with an AWS price list and describe-instance-types output", () => {
  for (const form of ["json", "csv"]) {
    it(`runs the sa-east-1 2020 trace with no type dropped (price list ${form})`, async () => {
      const args = [
        "sim",
        "--trace",
        sa("spot-2020-06.csv"),
        "--policy",
        "greedy,on-demand",
        "--work-unit",
        "auto",
        "--json",
      ];
      const without = await runCli([...args, "--skip-unknown-types"]);
      expect(JSON.parse(without.stdout).configuration.skippedTypes).toHaveLength(10);
      const result = await runCli([
        ...args,
        "--prices",
        sa(`price-list.${form}`),
        "--specs",
        sa("describe-instance-types.json"),
      ]);
      expect(result.code).toBe(0);
      const document = JSON.parse(result.stdout);
      expect(document.configuration.skippedTypes).toEqual([]);
      expect(document.configuration.catalog).toBe(
        `built-in (AWS prices as of 2016-04-18, 2017-11-12, 2025-06-01) + price list ${sa(`price-list.${form}`)} (as of 2020-06-01, 31 types) + --specs ${sa("describe-instance-types.json")}`,
      );
      // Demand is 8 vCPU (half an m4.4xlarge); the cheapest per vCPU that fits is c5.2xlarge, $0.524 for 8.
      const onDemand = document.runs.find(
        (run: { policy: string; zone: string }) => run.policy === "on-demand" && run.zone === "sa-east-1a",
      );
      expect([onDemand.onDemandMarket, onDemand.usdPerEcuHour]).toEqual(["c5.2xlarge", 0.524 / 8]);
    });
  }
});

describe("hotspot catalog list and show", () => {
  it("shows each field's source, every price snapshot and the gaps, as text and JSON", async () => {
    const args = ["catalog", "show", "m5.large", "--region", "sa-east-1", "--prices", sa("price-list.json")];
    const text = await runCli(args);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      `ECU                      10                        price list ${sa("price-list.json")}`,
    );
    expect(text.stdout).toContain("gaps: none");
    const json = JSON.parse((await runCli([...args, "--json"])).stdout);
    expect(json.onDemand).toEqual({
      usdPerHour: 0.153,
      asOf: "2020-06-01",
      source: `price list ${sa("price-list.json")} (as of 2020-06-01)`,
    });
    expect(json.sources).toMatchObject({
      vcpu: `price list ${sa("price-list.json")}`,
      ecu: `price list ${sa("price-list.json")}`,
      cpuClass: "built-in",
    });
    expect(json.work).toEqual({ ecu: 10, vcpu: 2, score: null });
    const builtin = JSON.parse(
      (await runCli(["catalog", "show", "m5.large", "--region", "sa-east-1", "--json"])).stdout,
    );
    expect([builtin.onDemand, builtin.gaps]).toEqual([
      null,
      ["no sa-east-1 on-demand price", "no ECU (work unit vCPU or score)"],
    ]);
    const missing = await runCli(["catalog", "show", "zz.large"]);
    expect([missing.code, missing.stderr]).toEqual([
      2,
      'hotspot: TYPE: expected an instance type the catalog has (see hotspot catalog list), found "zz.large"\n',
    ]);
  });

  it("lists all 210 built-in types with CPU and the price in the region", async () => {
    const json = JSON.parse((await runCli(["catalog", "list", "--json"])).stdout);
    expect(json.types).toHaveLength(210);
    const m7g = json.types.find((t: { type: string }) => t.type === "m7g.large");
    expect([m7g.spec.architecture, m7g.spec.cpuVendor, m7g.spec.cpuClass, m7g.onDemand.usdPerHour]).toEqual([
      "arm64",
      "aws",
      "graviton3",
      0.0816,
    ]);
  });
});
