import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCatalog, type TableCatalog } from "../../src/catalog/catalog.js";
import { typeView } from "../../src/catalog/view.js";

let dir: string;
let catalog: TableCatalog;
const at = (date: string) => Date.parse(`${date}T00:00:00Z`) / 1000;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-view-"));
  const specs = join(dir, "specs.csv");
  // m9.large: a type of the file alone, with a score, two eu-west-1 prices and no ECU or CPU class.
  await writeFile(
    specs,
    [
      "instance_type,vcpu,memory_gib,score,region,on_demand_usd_per_hour,as_of",
      "m9.large,2,8,3,eu-west-1,0.2,2020-01-01",
      "m9.large,2,8,3,eu-west-1,0.15,2022-01-01",
    ].join("\n"),
  );
  catalog = await createCatalog({ specsFile: specs });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("typeView", () => {
  it("takes the snapshot in force at the time, and lists every snapshot", () => {
    const view = typeView(catalog, "m9.large", "eu-west-1", at("2021-06-01"))!;
    expect(view.onDemand).toMatchObject({ usdPerHour: 0.2, asOf: "2020-01-01" });
    expect(typeView(catalog, "m9.large", "eu-west-1", at("2023-01-01"))!.onDemand?.usdPerHour).toBe(0.15);
    expect(view.snapshots.map((s) => [s.region, s.asOf, s.usdPerHour])).toEqual([
      ["eu-west-1", "2020-01-01", 0.2],
      ["eu-west-1", "2022-01-01", 0.15],
    ]);
  });

  it("gives work in every unit, null where the spec has none, and names the gaps", () => {
    const view = typeView(catalog, "m9.large", "us-east-1", at("2021-06-01"))!;
    expect(view.work).toEqual({ ecu: null, vcpu: 2, score: 3 });
    expect(view.onDemand).toBeNull();
    expect(view.gaps).toEqual([
      "no us-east-1 on-demand price",
      "no ECU (work unit vCPU or score)",
      "no CPU class",
    ]);
  });

  it("a built-in type priced in the region has no gaps; a type the catalog lacks has no view", () => {
    const view = typeView(catalog, "m4.large", "us-east-1", at("2016-03-01"))!;
    expect(view.spec.ecu).toBe(6.5);
    expect(view.work.ecu).toBe(6.5);
    expect(view.gaps).toEqual([]);
    expect(view.onDemand?.usdPerHour).toBe(
      catalog.onDemand("m4.large", "us-east-1", at("2016-03-01"))!.usdPerHour,
    );
    expect(typeView(catalog, "x9.nothing", "us-east-1", at("2016-03-01"))).toBeUndefined();
  });
});
