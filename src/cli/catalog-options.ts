import type { Argv } from "yargs";
import type { WorkUnit, WorkUnitChoice } from "../api.js";
import { workUnitChoices, workUnits } from "../catalog/work-unit.js";
import { parseChoice } from "../options/parse.js";
import { UsageError } from "../errors.js";

/** The `--specs` file format, for the epilogue of every command that takes it. */
export const specsFormatHelp = [
  "--specs FILE: a CSV whose header names any of instance_type, vcpu, memory_gib, ecu, score, architecture,",
  "cpu_vendor, cpu_class, region, on_demand_usd_per_hour, as_of (instance_type required; order free). Empty",
  "cells keep the built-in value; ecu may be `variable`; architecture is x86_64 or arm64, cpu_vendor intel,",
  "amd or aws (Graviton), cpu_class a CPU generation such as intel-skylake; region, on_demand_usd_per_hour and",
  "as_of (YYYY-MM-DD) are set together, and the prices a file gives for a (type, region) replace the built-in",
  "ones. A type the built-in table lacks needs vcpu and memory_gib (its CPU follows from its name unless",
  "given). clock_ghz, hypervisor and network (written by `catalog fetch`) are not read. Lines starting with",
  "# are comments. `aws ec2 describe-instance-types --output json` output is accepted too. Example:",
  "  instance_type,vcpu,memory_gib,ecu,score,architecture,cpu_vendor,region,on_demand_usd_per_hour,as_of",
  "  m9.large,2,8,,1.4,x86_64,amd,us-east-1,0.1,2025-06-01",
].join("\n");

/**
 * What a command's catalog flags accept beyond `--specs` and `--work-unit ecu|vcpu|score`: `--prices`
 * (an AWS price list) and `--work-unit auto`, for commands that resolve them (sim, catalog).
 */
export interface CatalogFeatures {
  readonly priceList?: boolean;
}

/** `--specs`, `--work-unit` and, with `priceList`, `--prices`: where instance data comes from and what a unit of work is. */
export function withCatalogSourceOptions<T>(yargs: Argv<T>, features: CatalogFeatures = {}) {
  const units = features.priceList === true ? workUnitChoices : workUnits;
  const withSpecs = yargs.option("specs", {
    type: "string",
    describe:
      features.priceList === true
        ? "CSV of instance specs and on-demand prices overriding/extending the built-in table (format below), or `aws ec2 describe-instance-types --output json` output"
        : "CSV of instance specs and on-demand prices overriding/extending the built-in table (format below)",
  });
  const withPrices =
    features.priceList === true
      ? withSpecs.option("prices", {
          type: "string",
          describe:
            "AmazonEC2 price list file (JSON or CSV, as AWS publishes it per region): Linux on-demand prices and specs as of its publication date, added to the built-in snapshots",
        })
      : withSpecs;
  return withPrices.option("work-unit", {
    type: "string",
    default: "ecu",
    describe: `Unit of work: ${Object.entries(units)
      .map(([name, unit]) => `${name} = ${unit.describe}`)
      .join("; ")}`,
  });
}

/** The source flags plus `--skip-unknown-types`, for commands that run markets (sim, live). */
export function withCatalogOptions<T>(yargs: Argv<T>, features: CatalogFeatures = {}) {
  return withCatalogSourceOptions(yargs, features).option("skip-unknown-types", {
    type: "boolean",
    default: false,
    describe:
      "Leave out markets whose type lacks a spec, on-demand price or work unit (listed) instead of failing",
  });
}

export interface CatalogArgs {
  specs?: string;
  prices?: string;
  workUnit?: string;
  skipUnknownTypes?: boolean;
}

export interface CatalogChoice<U extends WorkUnitChoice = WorkUnit> {
  readonly specsFile?: string;
  readonly pricesFile?: string;
  readonly workUnit: U;
  readonly skipUnknownTypes: boolean;
}

/** Validates the catalog flags once, into typed values. */
export function catalogOptionsFromArgs(args: CatalogArgs): CatalogChoice {
  return validated(args, workUnits);
}

/** Validates the catalog flags of a command declared with `{ priceList: true }` (`--prices`, `auto`). */
export function catalogOptionsWithPriceList(args: CatalogArgs): CatalogChoice<WorkUnitChoice> {
  return validated(args, workUnitChoices);
}

function validated<U extends WorkUnitChoice>(args: CatalogArgs, units: Record<U, unknown>): CatalogChoice<U> {
  if (args.specs !== undefined && String(args.specs).trim() === "") {
    throw new UsageError("--specs", "a CSV file path", '""');
  }
  if (args.prices !== undefined && String(args.prices).trim() === "") {
    throw new UsageError("--prices", "a price list file path", '""');
  }
  return {
    specsFile: args.specs,
    pricesFile: args.prices,
    workUnit: parseChoice("--work-unit", args.workUnit ?? "ecu", units),
    skipUnknownTypes: args.skipUnknownTypes ?? false,
  };
}
