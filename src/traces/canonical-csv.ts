import type { SeriesKey } from "./types.js";

/** The canonical trace CSV: the header of AWS CLI exports, one row per price change, oldest first. */
export const canonicalHeader = "AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp";

/** One canonical row (with its newline). Time is seconds since epoch; prices keep AWS's 6 decimals. */
export function canonicalRow(key: SeriesKey, usdPerHour: number, time: number): string {
  return `${csvField(key.zone)},${csvField(key.instanceType)},${csvField(key.product)},${usdPerHour.toFixed(6)},${new Date(Math.round(time * 1000)).toISOString()}\n`;
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
