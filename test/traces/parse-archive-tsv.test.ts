import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTrace } from "../../src/traces/load.js";

const fixture = new URL("../fixtures/traces/archive-month.tsv", import.meta.url).pathname;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-archive-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("archive TSV traces (public monthly archive)", () => {
  it("keeps zone IDs as IDs and reads mixed timestamp styles", async () => {
    const trace = await loadTrace(fixture);
    expect(trace.source.format).toBe("archive-tsv");
    expect(trace.zoneKind).toBe("zone-id");
    expect(trace.series).toEqual([
      { zone: "use1-az4", instanceType: "c5.large", product: "Linux/UNIX" },
      { zone: "use1-az6", instanceType: "c5.large", product: "Linux/UNIX" },
    ]);
    const base = Date.UTC(2022, 0, 1) / 1000;
    expect(Array.from(trace.time)).toEqual([base + 12, base + 300, base + 3600]);
    expect(Array.from(trace.seriesId)).toEqual([0, 1, 0]);
    expect(Array.from(trace.price)).toEqual([0.035, 0.036, 0.034]);
    expect(trace.report.filteredOut.product).toBe(1);
  });

  it("filters by zone ID", async () => {
    const trace = await loadTrace(fixture, { zones: ["use1-az6"], products: ["Linux/UNIX", "SUSE Linux"] });
    expect(trace.series.map((key) => key.zone)).toEqual(["use1-az6"]);
    expect(trace.report.filteredOut).toEqual({ product: 0, zone: 3, type: 0, window: 0 });
  });

  it.each([
    [
      "a wrong number of fields",
      "use1-az4\tc5.large\tLinux/UNIX\t0.0350\n",
      ":1: expected 5 tab-separated fields (zone ID, type, product, price, timestamp), found 4 fields",
    ],
    [
      "a zone name in a zone-ID file",
      "use1-az4\tc5.large\tLinux/UNIX\t0.0350\t2022-01-01T00:00:00Z\nus-east-1a\tc5.large\tLinux/UNIX\t0.0350\t2022-01-01T00:00:00Z\n",
      ':2: expected an AvailabilityZone ID such as use1-az4, found "us-east-1a"',
    ],
  ])("fails on %s", async (_what, text, message) => {
    const path = join(dir, "bad.tsv");
    await writeFile(path, text);
    await expect(loadTrace(path)).rejects.toThrow(`${path}${message}`);
  });
});
