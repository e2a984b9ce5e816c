import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../../../src/errors.js";
import { runCli } from "../../../support/run-cli.js";

/** Runs the CLI in-process; returns the exit code and what it wrote. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await runCli(argv);
  return { code, out: stdout, err: stderr };
}

/** `hotspot trace info ...` that must succeed without writing to stderr; returns its stdout. */
async function info(argv: string[]): Promise<string> {
  const result = await run(["trace", ...argv]);
  expect(result).toMatchObject({ code: 0, err: "" });
  return result.out;
}

// On-demand 2016-04-18: m4.large 0.12, c4.large 0.105. One SUSE row (filtered) and one duplicate.
const small = `AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp
us-east-1a,m4.large,Linux/UNIX,0.012000,2016-03-01T00:00:00.000Z
us-east-1a,c4.large,Linux/UNIX,0.021000,2016-03-01T00:00:00.000Z
us-east-1a,m4.large,Linux/UNIX,0.024000,2016-03-01T01:00:00.000Z
us-east-1a,c4.large,Linux/UNIX,0.042000,2016-03-01T02:00:00.000Z
us-east-1a,m4.large,Linux/UNIX,0.240000,2016-03-02T00:00:00.000Z
us-east-1a,m4.large,SUSE Linux,0.500000,2016-03-02T00:00:00.000Z
us-east-1a,m4.large,Linux/UNIX,0.012000,2016-03-03T00:00:00.000Z
us-east-1a,m4.large,Linux/UNIX,0.012000,2016-03-03T00:00:00.000Z
`;
const other = `AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp
us-east-1b,m5.large,Linux/UNIX,0.030000,2021-03-02T00:00:00.000Z
us-east-1b,zz.large,Linux/UNIX,0.050000,2021-03-02T00:00:00.000Z
us-east-1b,m5.large,Linux/UNIX,0.040000,2021-03-02T12:00:00.000Z
`;

let dir: string;
let smallPath: string;
let otherPath: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-info-"));
  smallPath = join(dir, "small.csv");
  otherPath = join(dir, "other.csv");
  await writeFile(smallPath, small);
  await writeFile(otherPath, other);
});

describe("trace info (in-process CLI, stdout/stderr captured)", () => {
  it("prints an aligned table of the trace's statistics", async () => {
    const out = await info(["info", smallPath, "--no-cache"]);
    expect(out).toBe(
      [
        `trace               ${smallPath} (csv, 589 bytes)`,
        "span                2016-03-01T00:00:00.000Z to 2016-03-03T00:00:00.000Z (2.00 days)",
        "rows                6 price changes in 2 series",
        "zones               1: us-east-1a (zone names)",
        "types               2: c4.large, m4.large",
        "products            Linux/UNIX",
        "changes/series/day  mean 1.5, min 1.0 (us-east-1a c4.large Linux/UNIX), max 2.0 (us-east-1a m4.large Linux/UNIX)",
        "spot / on-demand    min 0.100, median 0.400 (time-weighted), max 2.000 (us-east-1a m4.large Linux/UNIX at 2016-03-02T00:00:00.000Z)",
        "above on-demand     25.00% of the time, 1 row",
        "on-demand prices    built-in (AWS prices as of 2016-04-18, 2017-11-12, 2025-06-01); snapshot 2016-04-18; no price for: none",
        "work unit           ecu (ECU); unknown for: none",
        "longest gap         86,400 s (24.0 h) in us-east-1a m4.large Linux/UNIX (2016-03-02T00:00:00.000Z to 2016-03-03T00:00:00.000Z)",
        "ingest              8 rows read, 6 kept, 1 duplicates dropped, 0 superseded prices dropped, 0 carried in",
        "filtered out        1 by product, 0 by zone, 0 by type, 0 by window",
        "skipped             0",
        "",
      ].join("\n"),
    );
  });

  it("prints one block per file, and lists types without a price or work unit", async () => {
    const out = await info(["info", smallPath, otherPath, "--no-cache"]);
    const blocks = out.split("\n\n");
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toContain(`trace               ${smallPath}`);
    expect(blocks[1]).toContain(`trace               ${otherPath}`);
    expect(blocks[1]).toContain(
      "on-demand prices    built-in (AWS prices as of 2016-04-18, 2017-11-12, 2025-06-01); snapshot 2025-06-01; no price for: zz.large\n",
    );
    expect(blocks[1]).toContain("work unit           ecu (ECU); unknown for: m5.large, zz.large\n");
    // m5.large: 0.03 / 0.096 for 12 h, then 0.04 / 0.096 held for 0 s.
    expect(blocks[1]).toContain("spot / on-demand    min 0.313, median 0.313 (time-weighted), max 0.417");
  });

  it("prints a JSON array with one object per file under --json", async () => {
    const parsed = JSON.parse(
      await info(["info", smallPath, otherPath, "--json", "--no-cache", "--work-unit", "vcpu"]),
    );
    expect(parsed).toHaveLength(2);
    expect(parsed[0].file).toEqual({ path: smallPath, format: "csv", gzip: false, bytes: 589 });
    expect(parsed[0].priceToOnDemand.median).toBe(0.4);
    expect(parsed[0].ingest.duplicatesDropped).toBe(1);
    expect(parsed[1].workUnit).toEqual({ unit: "vcpu", typesWithout: ["zz.large"] });
    expect(parsed[1].typesWithoutOnDemand).toEqual(["zz.large"]);
  });

  it("takes on-demand prices and specs from --specs", async () => {
    const specs = join(dir, "specs.csv");
    await writeFile(
      specs,
      "instance_type,vcpu,memory_gib,ecu,region,on_demand_usd_per_hour,as_of\nzz.large,2,8,5,us-east-1,0.5,2020-01-01\nm5.large,,,8,,,\n",
    );
    const parsed = JSON.parse(await info(["info", otherPath, "--json", "--no-cache", "--specs", specs]));
    expect(parsed[0].typesWithoutOnDemand).toEqual([]);
    expect(parsed[0].workUnit).toEqual({ unit: "ecu", typesWithout: [] });
    expect(parsed[0].priceToOnDemand.min).toBe(0.05 / 0.5);
    expect(parsed[0].priceToOnDemand.max.value).toBe(0.04 / 0.096);
    expect(parsed[0].catalog).toBe(
      `built-in (AWS prices as of 2016-04-18, 2017-11-12, 2025-06-01) + --specs ${specs}`,
    );
  });

  it("applies the trace filters and reports what they left out", async () => {
    const parsed = JSON.parse(await info(["info", smallPath, "--json", "--no-cache", "--types", "c4.large"]));
    expect(parsed[0].types).toEqual(["c4.large"]);
    expect(parsed[0].rows).toBe(2);
    expect(parsed[0].ingest.filteredOut).toEqual({ product: 1, zone: 0, type: 4, window: 0 });
  });

  it("exits 2 on a bad flag before reading anything, and 1 on a missing file", async () => {
    expect(await run(["trace", "info", "/nonexistent.csv", "--work-unit", "flops"])).toEqual({
      code: 2,
      out: "",
      err: `hotspot: ${new UsageError("--work-unit", "one of ecu, vcpu, score", '"flops"').message}\n`,
    });
    const missing = await run(["trace", "info", join(dir, "missing.csv"), "--no-cache"]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(join(dir, "missing.csv"));
  });
});
