import type { Argv, CommandModule } from "yargs";
import { checkOutputPath } from "../../../util/output-path.js";
import { UsageError, shown } from "../../../errors.js";
import { synthesizeTrace, type Regime, type SynthOptions, type SynthSummary } from "../../../api.js";
import { regimes } from "../../../traces/synth.js";
import { regionOfZone } from "../../../traces/zones.js";
import { specsFormatHelp } from "../../catalog-options.js";
import { parseChoice, parseInteger, parseList, parseTime } from "../../../options/parse.js";

/** Per regime: a start in its era and six types of different sizes that the built-in table prices then. */
export const synthDefaults = {
  volatile: {
    start: "2016-03-01",
    types: ["m3.medium", "m3.large", "m4.xlarge", "c4.2xlarge", "r3.2xlarge", "m4.4xlarge"],
  },
  smoothed: {
    start: "2021-03-02",
    types: ["m5.large", "c5.xlarge", "m5.2xlarge", "r5.2xlarge", "c5.4xlarge", "m5.4xlarge"],
  },
} as const satisfies Record<Regime, { start: string; types: readonly string[] }>;

const defaultZones = ["us-east-1a", "us-east-1b"];
const defaultDays = 7;
const maxDays = 36_500;
const instanceTypePattern = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;

export interface TraceSynthArgs {
  regime?: string;
  days?: string | number;
  types?: string[];
  zones?: string[];
  seed?: string | number;
  start?: string;
  out?: string;
  specs?: string;
  skipUnknownTypes?: boolean;
}

/** The synthesis options as flags give them: the catalog comes from `specsFile`, the output goes to `out`. */
export interface TraceSynthSettings extends Omit<SynthOptions, "catalog" | "product" | "skipUnknownTypes"> {
  readonly out: string;
  readonly specsFile?: string;
  readonly skipUnknownTypes: boolean;
}

/** Validates the flags of `trace synth` once, filling in the regime's defaults. */
export function traceSynthSettings(args: TraceSynthArgs): TraceSynthSettings {
  const out = args.out?.trim();
  if (!out) throw new UsageError("-o/--out", "the path of the CSV file to write", "nothing");
  const regime = parseChoice("--regime", args.regime ?? "volatile", regimes);
  const days = Number(String(args.days ?? defaultDays).trim());
  if (!(days > 0 && days <= maxDays)) {
    throw new UsageError("--days", `a number of days > 0 and ≤ ${maxDays}`, shown(String(args.days)));
  }
  const types = parseList("--types", args.types) ?? [...synthDefaults[regime].types];
  const badType = types.find((type) => !instanceTypePattern.test(type));
  if (badType !== undefined)
    throw new UsageError("--types", "instance types such as m5.large", shown(badType));
  const zones = parseList("--zones", args.zones) ?? defaultZones;
  const badZone = zones.find((zone) => regionOfZone(zone) === undefined);
  if (badZone !== undefined) {
    throw new UsageError(
      "--zones",
      "availability zone names or IDs such as us-east-1a or use1-az4",
      shown(badZone),
    );
  }
  if (args.specs !== undefined && args.specs.trim() === "")
    throw new UsageError("--specs", "a CSV file path", '""');
  return {
    regime,
    days,
    types,
    zones,
    seed: parseInteger("--seed", args.seed ?? 1, 0, 2 ** 32 - 1),
    start: parseTime("--start", args.start ?? synthDefaults[regime].start) as number,
    out,
    specsFile: args.specs,
    skipUnknownTypes: args.skipUnknownTypes ?? false,
  };
}

/** Writes the trace and returns the one-line summary the command prints. */
export async function runTraceSynth(settings: TraceSynthSettings): Promise<string> {
  const summary: SynthSummary = await synthesizeTrace(settings.out, settings);
  const from = new Date(settings.start * 1000).toISOString();
  const to = new Date(summary.end * 1000).toISOString();
  const left =
    summary.skipped.length === 0 ? "" : `; left out (no on-demand price): ${summary.skipped.join(", ")}`;
  return `wrote ${summary.rows} rows (${summary.series} series, ${settings.regime}, seed ${settings.seed}, ${from} to ${to}) to ${settings.out}${left}\n`;
}

function builder(yargs: Argv) {
  return yargs
    .option("regime", {
      type: "string",
      default: "volatile",
      describe:
        "volatile: the pre-Nov-2017 bidding market (~100+ changes/series/day, spikes up to ~10x on-demand); smoothed: since then (a few changes a day, never above on-demand)",
    })
    .option("days", {
      type: "string",
      default: String(defaultDays),
      describe: "Length of the trace in days",
    })
    .option("types", {
      type: "string",
      array: true,
      describe: `Instance types (default volatile: ${synthDefaults.volatile.types.join(",")}; smoothed: ${synthDefaults.smoothed.types.join(",")})`,
    })
    .option("zones", {
      type: "string",
      array: true,
      default: defaultZones,
      describe: "Availability zones; on-demand prices come from their region",
    })
    .option("seed", {
      type: "string",
      default: "1",
      describe: "Seed; the same seed and flags give the same bytes",
    })
    .option("start", {
      type: "string",
      describe: `Start, ISO 8601 (default volatile: ${synthDefaults.volatile.start}; smoothed: ${synthDefaults.smoothed.start}); picks the on-demand price snapshot`,
    })
    .option("out", {
      alias: "o",
      type: "string",
      describe: "CSV file to write (required; written atomically)",
    })
    .option("specs", {
      type: "string",
      describe:
        "CSV of instance specs and on-demand prices overriding/extending the built-in table (format below)",
    })
    .option("skip-unknown-types", {
      type: "boolean",
      default: false,
      describe: "Leave out types without an on-demand price (listed) instead of failing",
    })
    .example("$0 trace synth -o demo.csv", "7 volatile days, 6 types in us-east-1a,b, seed 1")
    .example(
      "$0 trace synth --regime smoothed --days 30 --types m5.large,c5.xlarge --zones us-east-1a --seed 3 -o s.csv",
      "a month of today's market for two types in one zone",
    )
    .epilogue(
      [
        "Prices are drawn relative to each type's on-demand price in force at --start (the zone's region), so",
        "every type needs one in the built-in table or --specs. Every series opens with a row at --start.",
        "",
        specsFormatHelp,
      ].join("\n"),
    );
}

export const traceSynthCommand: CommandModule<object, TraceSynthArgs> = {
  command: "synth",
  describe: "Write a synthetic spot price trace (canonical CSV) whose statistics follow a real era",
  builder: builder as CommandModule<object, TraceSynthArgs>["builder"],
  handler: async (args) => {
    const settings = traceSynthSettings(args);
    await checkOutputPath("-o/--out", settings.out);
    process.stdout.write(await runTraceSynth(settings));
  },
};
