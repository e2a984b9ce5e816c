import type { Argv } from "yargs";
import type { WorkUnit } from "../catalog/types.js";
import { workUnits } from "../catalog/work-unit.js";
import { parseChoice } from "./parse.js";
import { UsageError } from "../errors.js";

/** The `--specs` file format, for the epilogue of every command that takes it. */
export const specsFormatHelp = [
  "--specs FILE: a CSV whose header names any of instance_type, vcpu, memory_gib, ecu, score, architecture,",
  "cpu_vendor, cpu_class, region, on_demand_usd_per_hour, as_of (instance_type required; order free). Empty",
  "cells keep the built-in value; ecu may be `variable`; architecture is x86_64 or arm64, cpu_vendor intel,",
  "amd or aws (Graviton), cpu_class a CPU generation such as intel-skylake; region, on_demand_usd_per_hour and",
  "as_of (YYYY-MM-DD) are set together, and the prices a file gives for a (type, region) replace the built-in",
  "ones. A type the built-in table lacks needs vcpu and memory_gib (its CPU follows from its name unless",
  "given). Lines starting with # are comments. Example:",
  "  instance_type,vcpu,memory_gib,ecu,score,architecture,cpu_vendor,region,on_demand_usd_per_hour,as_of",
  "  m9.large,2,8,,1.4,x86_64,amd,us-east-1,0.1,2025-06-01",
].join("\n");

/** `--specs` and `--work-unit`: where instance data comes from and what a unit of work is. */
export function withCatalogSourceOptions<T>(yargs: Argv<T>) {
  return yargs
    .option("specs", {
      type: "string",
      describe:
        "CSV of instance specs and on-demand prices overriding/extending the built-in table (format below)",
    })
    .option("work-unit", {
      type: "string",
      default: "ecu",
      describe: `Unit of work: ${Object.entries(workUnits)
        .map(([name, unit]) => `${name} = ${unit.describe}`)
        .join("; ")}`,
    });
}

/** The source flags plus `--skip-unknown-types`, for commands that run markets (sim, live). */
export function withCatalogOptions<T>(yargs: Argv<T>) {
  return withCatalogSourceOptions(yargs).option("skip-unknown-types", {
    type: "boolean",
    default: false,
    describe:
      "Leave out markets whose type lacks a spec, on-demand price or work unit (listed) instead of failing",
  });
}

export interface CatalogArgs {
  specs?: string;
  workUnit?: string;
  skipUnknownTypes?: boolean;
}

export interface CatalogChoice {
  readonly specsFile?: string;
  readonly workUnit: WorkUnit;
  readonly skipUnknownTypes: boolean;
}

/** Validates the catalog flags once, into typed values. */
export function catalogOptionsFromArgs(args: CatalogArgs): CatalogChoice {
  if (args.specs !== undefined && String(args.specs).trim() === "") {
    throw new UsageError("--specs", "a CSV file path", '""');
  }
  return {
    specsFile: args.specs,
    workUnit: parseChoice("--work-unit", args.workUnit ?? "ecu", workUnits),
    skipUnknownTypes: args.skipUnknownTypes ?? false,
  };
}
