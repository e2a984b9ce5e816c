import { billingModels, type BillingModelName } from "../engine/billing.js";
import { durationModes, type DurationMode, type TransferMedium } from "../engine/migration-model.js";
import { parseChoice, parseInterval, parseList, parseNumber } from "../options/parse.js";
import { UsageError } from "../errors.js";

/** Interruption models a sweep can vary: `auto` picks bid before the smoothed era, else none, per window. */
export const sweepInterruptions = { none: true, bid: true, auto: true } as const;
export type SweepInterruptions = keyof typeof sweepInterruptions;

/** The simulation settings of one grid point, as plain values (they cross to worker threads as JSON). */
export interface SweepSettings {
  readonly intervalSeconds: number;
  readonly billing: BillingModelName;
  readonly memoryGiB: number;
  readonly demandWork: number;
  readonly utilisation: number;
  readonly transfer: TransferMedium;
  readonly bandwidthGbps: number;
  readonly durations: DurationMode;
  readonly interruptions: SweepInterruptions;
  readonly bidMultiple: number;
  readonly historyWindowSeconds: number;
}

export type SettingValue = number | string;

interface VaryKey {
  readonly field: keyof SweepSettings;
  readonly describe: string;
  readonly parse: (flag: string, raw: string) => SettingValue;
}

const transfers = { network: true, ebs: true } as const;

/** The sim settings `--vary KEY=v1,v2` can sweep, by key. */
export const varyKeys = {
  "memory-gib": {
    field: "memoryGiB",
    describe: "container memory, GiB",
    parse: (flag, raw) => parseNumber(flag, raw, 0),
  },
  interval: {
    field: "intervalSeconds",
    describe: "seconds between decisions (60, 5m)",
    parse: (flag, raw) => parseInterval(flag, raw),
  },
  billing: {
    field: "billing",
    describe: `billing model (${Object.keys(billingModels).join(", ")})`,
    parse: (flag, raw) => parseChoice(flag, raw, billingModels),
  },
  utilisation: {
    field: "utilisation",
    describe: "constant load level in [0, 1]",
    parse: (flag, raw) => parseNumber(flag, raw, 0, 1),
  },
  demand: {
    field: "demandWork",
    describe: "work units the application can use",
    parse: (flag, raw) => parseNumber(flag, raw, 1e-9),
  },
  "bandwidth-gbps": {
    field: "bandwidthGbps",
    describe: "memory-to-memory bandwidth, Gbit/s",
    parse: (flag, raw) => parseNumber(flag, raw, 1e-6),
  },
  transfer: {
    field: "transfer",
    describe: "checkpoint transfer (network, ebs)",
    parse: (flag, raw) => parseChoice(flag, raw, transfers),
  },
  durations: {
    field: "durations",
    describe: "migration step durations (mean, sampled)",
    parse: (flag, raw) => parseChoice(flag, raw, durationModes),
  },
  interruptions: {
    field: "interruptions",
    describe: "interruption model (none, bid, auto)",
    parse: (flag, raw) => parseChoice(flag, raw, sweepInterruptions),
  },
  "bid-multiple": {
    field: "bidMultiple",
    describe: "bid as a multiple of the on-demand price",
    parse: (flag, raw) => parseNumber(flag, raw, 0),
  },
  "history-window": {
    field: "historyWindowSeconds",
    describe: "look-back window policies see (1d, 6h)",
    parse: (flag, raw) => parseInterval(flag, raw),
  },
} as const satisfies Record<string, VaryKey>;

export type VaryKeyName = keyof typeof varyKeys;

/** One varied setting and its values, in the order given. */
export interface VaryAxis {
  readonly key: VaryKeyName;
  readonly values: readonly SettingValue[];
}

/** `--vary KEY=v1,v2` flags into typed axes; unknown keys list the valid ones, repeats are refused. */
export function parseVary(raw: readonly string[] | undefined): VaryAxis[] {
  const axes: VaryAxis[] = [];
  for (const item of raw ?? []) {
    const match = /^([\w-]+)=(.*)$/.exec(String(item).trim());
    if (!match)
      throw new UsageError("--vary", "KEY=v1,v2,... (e.g. memory-gib=1,4,16)", JSON.stringify(item));
    const [, key, list] = match;
    if (!Object.hasOwn(varyKeys, key)) {
      throw new UsageError("--vary", `a key among ${Object.keys(varyKeys).join(", ")}`, JSON.stringify(key));
    }
    if (axes.some((axis) => axis.key === key)) {
      throw new UsageError(
        "--vary",
        `each key once (give all values of ${key} in one list)`,
        JSON.stringify(item),
      );
    }
    const spec: VaryKey = varyKeys[key as VaryKeyName];
    const values = (parseList(`--vary ${key}`, list) ?? []).map((value) =>
      spec.parse(`--vary ${key}`, value),
    );
    if (new Set(values).size !== values.length) {
      throw new UsageError(`--vary ${key}`, "distinct values", JSON.stringify(list));
    }
    axes.push({ key: key as VaryKeyName, values });
  }
  return axes;
}

/** One combination of the varied values: the key → value map and the full settings. */
export interface GridPoint {
  readonly index: number;
  readonly varied: Readonly<Record<string, SettingValue>>;
  readonly settings: SweepSettings;
}

/** Every combination of the axes over `base`, the last axis varying fastest; one point when none vary. */
export function expandGrid(base: SweepSettings, axes: readonly VaryAxis[]): GridPoint[] {
  let combos: Record<string, SettingValue>[] = [{}];
  for (const axis of axes) {
    combos = combos.flatMap((combo) => axis.values.map((value) => ({ ...combo, [axis.key]: value })));
  }
  return combos.map((varied, index) => {
    const settings: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(varied)) settings[varyKeys[key as VaryKeyName].field] = value;
    return { index, varied, settings: settings as unknown as SweepSettings };
  });
}
