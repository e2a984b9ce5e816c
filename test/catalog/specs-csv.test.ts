import { describe, expect, it } from "vitest";
import { parseSpecsCsv } from "../../src/catalog/specs-csv.js";
import { InputFormatError } from "../../src/errors.js";

const known = (type: string) => type === "m4.large";
const parseText = (text: string) => parseSpecsCsv(text, "s.csv", known);

function errorOf(text: string): string {
  try {
    parseText(text);
  } catch (error) {
    expect(error).toBeInstanceOf(InputFormatError);
    return (error as Error).message;
  }
  throw new Error("expected an InputFormatError");
}

describe("specs CSV", () => {
  it("parses every column, merges a type's rows, reads `variable` ECU as null", () => {
    const result = parseText(
      [
        "\uFEFFas_of,instance_type,vcpu,memory_gib,ecu,score,region,on_demand_usd_per_hour",
        "2025-06-01,m9.large,2,8,variable,1.5,us-east-1,0.1",
        "",
        "2025-06-01, m9.large ,2,,,,sa-east-1,0.2",
        "2021-01-01,m4.large,,,,,us-east-1,0.09",
      ].join("\r\n"),
    );
    expect(result.specs).toEqual([
      { type: "m9.large", line: 2, vcpu: 2, memoryGiB: 8, ecu: null, score: 1.5 },
      { type: "m4.large", line: 5 },
    ]);
    expect(result.prices).toEqual([
      { type: "m9.large", region: "us-east-1", usdPerHour: 0.1, asOf: "2025-06-01" },
      { type: "m9.large", region: "sa-east-1", usdPerHour: 0.2, asOf: "2025-06-01" },
      { type: "m4.large", region: "us-east-1", usdPerHour: 0.09, asOf: "2021-01-01" },
    ]);
  });

  it("needs only instance_type in the header", () => {
    expect(parseText("instance_type\nm4.large\n")).toEqual({
      specs: [{ type: "m4.large", line: 2 }],
      prices: [],
    });
  });

  it("names file:line, what was expected and what was found for every error", () => {
    expect(errorOf("")).toBe(
      "s.csv:1: expected a header row (instance_type,vcpu,memory_gib,ecu,score,architecture,cpu_vendor,cpu_class,region,on_demand_usd_per_hour,as_of), found an empty file",
    );
    expect(errorOf("instance_type,cpus\n")).toBe(
      's.csv:1: expected header columns from instance_type, vcpu, memory_gib, ecu, score, architecture, cpu_vendor, cpu_class, region, on_demand_usd_per_hour, as_of, found "cpus"',
    );
    expect(errorOf("instance_type,vcpu,vcpu\n")).toBe(
      's.csv:1: expected each header column once, found "vcpu" twice',
    );
    expect(errorOf("vcpu,ecu\n")).toBe(
      's.csv:1: expected an instance_type column in the header, found "vcpu,ecu"',
    );
    expect(errorOf("instance_type,vcpu\nm4.large,2,3\n")).toMatch(
      /^s\.csv:2: expected well-formed CSV with as many cells as the header, found Invalid Record Length: expect 2, got 3 on line 2$/,
    );
    expect(errorOf('instance_type,vcpu\nm4.large,"2\n')).toMatch(
      /^s\.csv:2: expected well-formed CSV with as many cells as the header, found Quote Not Closed/,
    );
    expect(errorOf("instance_type\nM4 large\n")).toBe(
      's.csv:2: expected an instance type such as m5.large in instance_type, found "M4 large"',
    );
    expect(errorOf("instance_type,vcpu\nm4.large,1.5\n")).toBe(
      's.csv:2: expected a whole number of vCPUs ≥ 1 in vcpu, found "1.5"',
    );
    expect(errorOf("instance_type,memory_gib\nm4.large,0\n")).toBe(
      's.csv:2: expected memory in GiB > 0 in memory_gib, found "0"',
    );
    expect(errorOf("instance_type,ecu\nm4.large,fast\n")).toBe(
      's.csv:2: expected ECU > 0 or `variable` in ecu, found "fast"',
    );
    expect(errorOf("instance_type,score\nm4.large,-1\n")).toBe(
      's.csv:2: expected a performance score > 0 in score, found "-1"',
    );
    expect(errorOf("instance_type,vcpu\nm4.large,2\nm4.large,4\n")).toBe(
      "s.csv:3: expected the same vcpu for m4.large as an earlier row (2), found 4",
    );
    expect(errorOf("instance_type,region,on_demand_usd_per_hour,as_of\nm4.large,us-east-1,0.1,\n")).toBe(
      's.csv:2: expected region, on_demand_usd_per_hour and as_of all set or all empty, found region="us-east-1" on_demand_usd_per_hour="0.1" as_of=""',
    );
    expect(
      errorOf("instance_type,region,on_demand_usd_per_hour,as_of\nm4.large,US East,0.1,2021-01-01\n"),
    ).toBe('s.csv:2: expected a region such as us-east-1 in region, found "US East"');
    expect(
      errorOf("instance_type,region,on_demand_usd_per_hour,as_of\nm4.large,us-east-1,$0.1,2021-01-01\n"),
    ).toBe('s.csv:2: expected a price in USD per hour > 0 in on_demand_usd_per_hour, found "$0.1"');
    expect(
      errorOf("instance_type,region,on_demand_usd_per_hour,as_of\nm4.large,us-east-1,0.1,2021-02-30\n"),
    ).toBe('s.csv:2: expected a date YYYY-MM-DD in as_of, found "2021-02-30"');
    expect(
      errorOf(
        "instance_type,region,on_demand_usd_per_hour,as_of\nm4.large,us-east-1,0.1,2021-01-01\nm4.large,us-east-1,0.2,2021-01-01\n",
      ),
    ).toBe(
      "s.csv:3: expected one price per (instance_type, region, as_of); line 2 already gives m4.large in us-east-1 as of 2021-01-01, found a second one",
    );
    expect(errorOf("instance_type,memory_gib\nm9.large,8\n")).toBe(
      "s.csv:2: expected vcpu and memory_gib for m9.large, which the built-in table does not have, found no vcpu",
    );
  });
});
