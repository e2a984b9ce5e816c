import { checkOutputPath } from "../../util/output-path.js";
import type { Argv, CommandModule } from "yargs";
import {
  catalogTypes,
  fetchCatalog,
  pricingRegions,
  workUnits,
  type FetchCatalogResult,
  type InstanceSpec,
} from "../../api.js";
import { UnknownNameError, UsageError, shown } from "../../errors.js";
import {
  catalogOptionsWithPriceList,
  specsFormatHelp,
  withCatalogSourceOptions,
  type CatalogArgs,
} from "../catalog-options.js";
import { parseList, parseTime } from "../../options/parse.js";
import { parseEndpoint } from "./trace/fetch.js";

const regionPattern = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+$/;
const typePattern = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;

interface CatalogFetchArgs {
  region?: string;
  types?: string[];
  out?: string;
  endpoint?: string;
  pricingEndpoint?: string;
  pricingRegion?: string;
}

function parseRegion(raw: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  const region = raw ?? env.AWS_REGION;
  if (region === undefined || region === "") {
    throw new UsageError("--region", "a region such as us-east-1 (or AWS_REGION set)", "nothing");
  }
  if (!regionPattern.test(region))
    throw new UsageError("--region", "a region such as us-east-1", shown(region));
  return region;
}

/** One line per fact of a fetch: what was written, and every type left without a price or spec. */
export function fetchSummary(result: FetchCatalogResult, region: string, out: string): string {
  const lines = [
    `wrote ${out}: ${result.rows} types in ${region}, ${result.priced} with a Linux on-demand price as of ${result.asOf} (${result.records} GetProducts records)`,
  ];
  const list = (label: string, types: readonly string[]) => {
    if (types.length > 0) lines.push(`${label} (${types.length}): ${types.join(", ")}`);
  };
  list("no Linux on-demand price in the region, specs only", result.unpriced);
  list("not described by DescribeInstanceTypes, specs from the price list", result.undescribed);
  list("listed at $0 (not sold), left out", result.zeroPriced);
  list("unknown to both APIs", result.unknown);
  return `${lines.join("\n")}\n`;
}

const fetchCommand: CommandModule<object, CatalogFetchArgs> = {
  command: "fetch",
  describe:
    "Download Linux on-demand prices (GetProducts) and specs (DescribeInstanceTypes) of a region into a --specs CSV",
  builder: (yargs: Argv) =>
    yargs
      .option("region", {
        type: "string",
        describe: "Region whose prices and types to fetch (default: $AWS_REGION)",
      })
      .option("types", {
        type: "string",
        array: true,
        describe: "Instance types (comma-separated or repeated; default all)",
      })
      .option("out", {
        alias: "o",
        type: "string",
        describe: "CSV file to write (required), in the --specs format",
      })
      .option("pricing-region", {
        type: "string",
        default: "us-east-1",
        describe: "Where to call the Price List Query API: us-east-1, eu-central-1 or ap-south-1",
      })
      .option("endpoint", { type: "string", describe: "EC2 endpoint URL, for local emulators only" })
      .option("pricing-endpoint", {
        type: "string",
        describe: "Price List Query API endpoint URL, for local emulators only",
      })
      .example("$0 catalog fetch --region sa-east-1 -o sa-east-1.csv", "")
      .epilog(
        "Credentials come from the AWS SDK default chain. Needs the IAM permissions pricing:GetProducts and " +
          "ec2:DescribeInstanceTypes. The file's as_of is the price list's publication date; write it to --specs.",
      ) as unknown as Argv<CatalogFetchArgs>,
  handler: async (args) => {
    const out = args.out?.trim();
    if (!out) throw new UsageError("-o/--out", "the path of the CSV file to write", "nothing");
    await checkOutputPath("-o/--out", out);
    const region = parseRegion(args.region, process.env);
    const regions = await pricingRegions();
    const pricingRegion = regions.find((name) => name === args.pricingRegion);
    if (pricingRegion === undefined) {
      throw new UnknownNameError("pricing region", String(args.pricingRegion), regions);
    }
    const instanceTypes = parseList("--types", args.types);
    const bad = instanceTypes?.find((type) => !typePattern.test(type));
    if (bad !== undefined) throw new UsageError("--types", "instance types such as m5.large", shown(bad));
    const endpoint = args.endpoint === undefined ? undefined : parseEndpoint(args.endpoint);
    const pricingEndpoint =
      args.pricingEndpoint === undefined ? undefined : parseEndpoint(args.pricingEndpoint);
    const progress = process.stderr.isTTY === true;
    let result: FetchCatalogResult;
    try {
      result = await fetchCatalog({
        region,
        pricingRegion,
        endpoint,
        pricingEndpoint,
        instanceTypes,
        out,
        onProgress: progress
          ? ({ records, pages, types }) =>
              process.stderr.write(
                `\r\x1b[Kfetching catalog: ${records} price records in ${pages} pages, ${types} types described`,
              )
          : undefined,
      });
    } finally {
      if (progress) process.stderr.write("\r\x1b[K");
    }
    process.stdout.write(fetchSummary(result, region, out));
  },
};

type ListArgs = CatalogArgs & { region: string; at?: string; json: boolean; type?: string };

function listBuilder(yargs: Argv) {
  return withCatalogSourceOptions(yargs, { priceList: true })
    .option("region", {
      type: "string",
      default: "us-east-1",
      describe: "Region whose on-demand prices to show",
    })
    .option("at", {
      type: "string",
      describe: "Show the price snapshot in force at this time (default: the latest)",
    })
    .option("json", { type: "boolean", default: false, describe: "Print JSON instead of a table" })
    .epilog(specsFormatHelp);
}

/** The catalog's views of `type` (undefined: every type) as the flags ask. */
async function catalogViews(args: ListArgs, type?: string) {
  const choice = catalogOptionsWithPriceList(args);
  const region = args.region;
  if (!regionPattern.test(region))
    throw new UsageError("--region", "a region such as us-east-1", shown(region));
  const at = parseTime("--at", args.at) ?? Number.MAX_SAFE_INTEGER / 1e6;
  const { description, views } = await catalogTypes({
    specsFile: choice.specsFile,
    pricesFile: choice.pricesFile,
    region,
    at,
    type,
  });
  return { description, views, region };
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

const listCommand: CommandModule<object, ListArgs> = {
  command: "list",
  describe: "List every type the catalog has: specs, CPU, on-demand price in a region, gaps",
  builder: listBuilder as unknown as CommandModule<object, ListArgs>["builder"],
  handler: async (args) => {
    const { description, views, region } = await catalogViews(args);
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ catalog: description, region, types: views }, null, 2)}\n`);
      return;
    }
    const rows = [
      ["type", "vCPU", "GiB", "ECU", "arch", "vendor", "cpu class", `${region} $/h`, "as of", "gaps"],
      ...views.map((v) => [
        v.type,
        String(v.spec.vcpu),
        String(v.spec.memoryGiB),
        v.spec.ecu === null ? "-" : String(v.spec.ecu),
        v.spec.architecture,
        v.spec.cpuVendor,
        v.spec.cpuClass ?? "-",
        v.onDemand === null ? "-" : String(v.onDemand.usdPerHour),
        v.onDemand?.asOf ?? "-",
        v.gaps.join("; ") || "-",
      ]),
    ];
    process.stdout.write(`catalog: ${description}\n${table(rows)}\n`);
  },
};

const showCommand: CommandModule<object, ListArgs> = {
  command: "show <type>",
  describe: "Show one type: each field with its source, every price snapshot, work units, gaps",
  builder: listBuilder as unknown as CommandModule<object, ListArgs>["builder"],
  handler: async (args) => {
    const type = String(args.type);
    const { description, views, region } = await catalogViews(args, type);
    const view = views[0];
    if (view === undefined) {
      throw new UsageError(
        "TYPE",
        `an instance type the catalog has (see hotspot catalog list)`,
        shown(type),
      );
    }
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ catalog: description, region, ...view }, null, 2)}\n`);
      return;
    }
    const field = (label: string, key: keyof InstanceSpec & string, value: string): string[] => [
      label,
      value,
      view.sources[key] ?? "-",
    ];
    const rows = [
      ["field", "value", "source"],
      field("vcpu", "vcpu", String(view.spec.vcpu)),
      field("memory GiB", "memoryGiB", String(view.spec.memoryGiB)),
      field("ECU", "ecu", view.spec.ecu === null ? "none published" : String(view.spec.ecu)),
      field("score", "score", view.spec.score === undefined ? "-" : String(view.spec.score)),
      field("architecture", "architecture", view.spec.architecture),
      field("cpu vendor", "cpuVendor", view.spec.cpuVendor),
      field("cpu class", "cpuClass", view.spec.cpuClass ?? "unknown"),
      [
        `${region} on-demand $/h`,
        view.onDemand === null ? "none" : `${view.onDemand.usdPerHour} (as of ${view.onDemand.asOf})`,
        view.onDemand?.source ?? "-",
      ],
    ];
    const snapshots = view.snapshots.map((s) => `  ${s.region} ${s.asOf}: $${s.usdPerHour}/h (${s.source})`);
    const work = Object.entries(view.work)
      .map(
        ([unit, value]) =>
          `${workUnits[unit as keyof typeof workUnits].label} ${value === null ? "-" : value}`,
      )
      .join(", ");
    process.stdout.write(
      [
        `${type} (catalog: ${description})`,
        table(rows),
        "price snapshots:",
        ...(snapshots.length > 0 ? snapshots : ["  none"]),
        `work per hour: ${work}`,
        `gaps: ${view.gaps.join("; ") || "none"}`,
        "",
      ].join("\n"),
    );
  },
};

export const catalogCommand: CommandModule = {
  command: "catalog <command>",
  describe: "Fetch, list and inspect instance specs and on-demand prices",
  builder: (yargs) =>
    yargs
      .command(fetchCommand)
      .command(listCommand)
      .command(showCommand)
      .demandCommand(1, "name a catalog command: fetch, list, show"),
  handler: () => undefined,
};
