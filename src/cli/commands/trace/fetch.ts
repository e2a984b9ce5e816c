import type { Argv, CommandModule } from "yargs";
import { checkOutputPath } from "../../../util/output-path.js";
import { UsageError, shown } from "../../../errors.js";
import { fetchTrace, type FetchResult } from "../../../api.js";
import { fetchWindow, maxHistoryDays } from "../../../traces/fetch.js";
import { regionOfZone, zoneKindOf } from "../../../traces/zones.js";
import { parseInteger, parseList, parseTime } from "../../../options/parse.js";
import { nowSeconds, wallClock, type Clock } from "../../../util/clock.js";

export interface TraceFetchArgs {
  region?: string;
  days?: string | number;
  start?: string;
  end?: string;
  types?: string[];
  zones?: string[];
  product?: string[];
  out?: string;
  endpoint?: string;
}

/** The validated flags of `trace fetch`. */
export interface TraceFetchSettings {
  readonly region: string;
  readonly endpoint?: string;
  readonly out: string;
  readonly window: { readonly start: number; readonly end: number };
  readonly instanceTypes?: readonly string[];
  readonly zones?: readonly string[];
  readonly products: readonly string[];
}

const regionPattern = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+$/;
const instanceTypePattern = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;

/** Validates the flags once; `env` supplies AWS_REGION and `now` (epoch seconds) the default window end. */
export function traceFetchSettings(
  args: TraceFetchArgs,
  env: Readonly<Record<string, string | undefined>>,
  now: number,
): TraceFetchSettings {
  const out = args.out?.trim();
  if (!out) throw new UsageError("-o/--out", "the path of the CSV file to write", "nothing");
  const region = args.region ?? env.AWS_REGION;
  if (region === undefined || region === "") {
    throw new UsageError("--region", "a region such as us-east-1 (or AWS_REGION set)", "nothing");
  }
  if (!regionPattern.test(region))
    throw new UsageError("--region", "a region such as us-east-1", shown(region));
  const days = args.days === undefined ? undefined : parseInteger("--days", args.days, 1, maxHistoryDays);
  const start = parseTime("--start", args.start);
  const end = parseTime("--end", args.end);
  if (days !== undefined && start !== undefined) {
    throw new UsageError(
      "--days",
      "no --days together with --start (the window is --start to --end)",
      String(days),
    );
  }
  if (start !== undefined && end !== undefined && end <= start) {
    throw new UsageError("--end", `a time after --start (${args.start})`, shown(String(args.end)));
  }
  if (end === undefined && start !== undefined && start >= now) {
    throw new UsageError(
      "--start",
      "a time in the past (the window ends now without --end)",
      shown(String(args.start)),
    );
  }
  const instanceTypes = parseList("--types", args.types);
  const bad = instanceTypes?.find((type) => !instanceTypePattern.test(type));
  if (bad !== undefined) throw new UsageError("--types", "instance types such as m5.large", shown(bad));
  const zones = parseList("--zones", args.zones);
  const foreign = zones?.find((zone) => zoneKindOf(zone) !== "zone-name" || regionOfZone(zone) !== region);
  if (foreign !== undefined) {
    throw new UsageError("--zones", `zone names in ${region} such as ${region}a`, shown(foreign));
  }
  return {
    region,
    endpoint: args.endpoint === undefined ? undefined : parseEndpoint(args.endpoint),
    out,
    window: fetchWindow({ now, days, start, end }),
    instanceTypes,
    zones,
    products: parseList("--product", args.product) ?? ["Linux/UNIX"],
  };
}

export function parseEndpoint(raw: string): string {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new UsageError(
      "--endpoint",
      "an http:// or https:// URL such as http://127.0.0.1:4566",
      shown(raw),
    );
  }
  return raw;
}

function builder(yargs: Argv) {
  return yargs
    .option("region", { type: "string", describe: "AWS region to query (default: $AWS_REGION)" })
    .option("days", {
      type: "string",
      describe: `Fetch the last N days, 1..${maxHistoryDays} (default ${maxHistoryDays}, all AWS keeps)`,
    })
    .option("start", { type: "string", describe: "Window start, ISO 8601 (instead of --days)" })
    .option("end", { type: "string", describe: "Window end, ISO 8601 (default: now)" })
    .option("types", {
      type: "string",
      array: true,
      describe: "Instance types (comma-separated or repeated)",
    })
    .option("zones", { type: "string", array: true, describe: "Availability zone names in the region" })
    .option("product", {
      type: "string",
      array: true,
      describe: 'Product descriptions (default "Linux/UNIX")',
    })
    .option("out", { alias: "o", type: "string", describe: "CSV file to write (required)" })
    .option("endpoint", {
      type: "string",
      describe: "EC2 endpoint URL, for local emulators only (e.g. http://127.0.0.1:4566)",
    })
    .example("$0 trace fetch --region us-east-1 --types m5.large,c5.large -o us-east-1.csv", "")
    .epilog(
      "Credentials come from the AWS SDK default chain (environment, ~/.aws, SSO, instance or container role). " +
        "Needs only the IAM permission ec2:DescribeSpotPriceHistory.",
    );
}

/** `hotspot trace fetch`: downloads spot price history from EC2 into a canonical trace CSV. */
export const traceFetchCommand: CommandModule<object, TraceFetchArgs> = {
  command: "fetch",
  describe: "Download spot price history from EC2 (DescribeSpotPriceHistory) into a trace CSV",
  builder: builder as CommandModule<object, TraceFetchArgs>["builder"],
  handler: (args) => runTraceFetchCommand(args),
};

/** Fetches into the CSV; `clock` gives "now", the end of the default window. */
export async function runTraceFetchCommand(
  args: TraceFetchArgs,
  clock: Pick<Clock, "now"> = wallClock,
): Promise<void> {
  const now = nowSeconds(clock);
  const settings = traceFetchSettings(args, process.env, now);
  await checkOutputPath("-o/--out", settings.out);
  const progress = process.stderr.isTTY === true;
  const clearLine = () => progress && process.stderr.write("\r\x1b[K");
  let result: FetchResult;
  try {
    result = await fetchTrace({
      region: settings.region,
      endpoint: settings.endpoint,
      out: settings.out,
      now,
      start: settings.window.start,
      end: settings.window.end,
      instanceTypes: settings.instanceTypes,
      zones: settings.zones,
      products: settings.products,
      onProgress: progress
        ? ({ records, pages }) =>
            process.stderr.write(
              `\r\x1b[Kfetching spot prices: ${count(records, "record")}, ${count(pages, "page")}`,
            )
        : undefined,
    });
  } finally {
    clearLine();
  }
  process.stdout.write(`${summary(result, settings.region)}\n`);
}

/** One line: what was written where, from how many pages, and what was dropped. */
export function summary(result: FetchResult, region: string): string {
  const span =
    result.first === null || result.last === null
      ? "no price changes in the window"
      : `${isoTime(result.first)} to ${isoTime(result.last)}`;
  return (
    `wrote ${count(result.rowsWritten, "price change")} of ${count(result.series, "series", "series")} in ${region} (${span}) to ${result.path}; ` +
    `${count(result.recordsReceived, "record")} in ${count(result.pages, "page")}, ${count(result.duplicatesDropped, "duplicate")} dropped`
  );
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}
