import { readFile } from "node:fs/promises";
import { InputFormatError, InputReadError, shown } from "../../errors.js";
import { parseTimestamp, timestampExpected, timestampProblem } from "../../traces/timestamps.js";
import { StepWorkload } from "../../engine/workload.js";
import { isoSeconds } from "../../util/iso-seconds.js";

// Epoch seconds past this are years beyond 5000: epoch milliseconds, read as seconds.
const maxEpochSeconds = 99_999_999_999;

/**
 * A utilisation profile from CSV: header `time,utilisation`, then rows of an ISO 8601 time with Z or an
 * offset, read by the traces' strict parser (a time without an offset is an error, not local time),
 * or seconds since the epoch and a level in [0, 1] of the workload's demand, in time order. Each
 * level holds until the next row; the first one also before it. With `window`, at least one row must
 * lie inside it: a profile entirely before or after the run describes some other time.
 */
export function parseUtilisationCsv(
  text: string,
  path: string,
  demandWork: number,
  window?: { readonly start: number; readonly end: number },
): StepWorkload {
  const lines = text.split(/\r?\n/);
  const header = lines[0]?.trim().toLowerCase();
  if (header !== "time,utilisation" && header !== "time,utilization") {
    throw new InputFormatError(`${path}:1`, "the header time,utilisation", JSON.stringify(lines[0] ?? ""));
  }
  const times: number[] = [];
  const levels: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    const cells = line.split(",");
    const where = `${path}:${i + 1}`;
    if (cells.length !== 2)
      throw new InputFormatError(where, "two cells: time,utilisation", JSON.stringify(line));
    const raw = cells[0].trim();
    const epoch = /^\d+(\.\d+)?$/.test(raw);
    const time = epoch ? Number(raw) : parseTimestamp(raw);
    if (epoch && time > maxEpochSeconds) {
      throw new InputFormatError(
        where,
        "a time in epoch seconds (at most 99,999,999,999, the year 5138)",
        `${raw} (epoch milliseconds? divide by 1000)`,
      );
    }
    if (!Number.isFinite(time)) {
      throw new InputFormatError(
        where,
        `a time in epoch seconds or ISO 8601 ${timestampExpected}`,
        timestampProblem(raw, shown(raw)),
      );
    }
    const level = Number(cells[1].trim());
    if (cells[1].trim() === "" || !Number.isFinite(level) || level < 0 || level > 1) {
      throw new InputFormatError(where, "a utilisation in [0, 1]", JSON.stringify(cells[1].trim()));
    }
    if (times.length > 0 && time <= times[times.length - 1]) {
      throw new InputFormatError(where, "times in increasing order", JSON.stringify(raw));
    }
    times.push(time);
    levels.push(level);
  }
  if (times.length === 0) throw new InputFormatError(path, "at least one row after the header", "none");
  if (window !== undefined && !times.some((time) => time >= window.start && time < window.end)) {
    throw new InputFormatError(
      path,
      `a row inside the simulated window ${isoSeconds(window.start)} to ${isoSeconds(window.end)}`,
      `rows from ${isoSeconds(times[0])} to ${isoSeconds(times[times.length - 1])} only`,
    );
  }
  return new StepWorkload(demandWork, Float64Array.from(times), Float64Array.from(levels));
}

export async function readUtilisationCsv(
  path: string,
  demandWork: number,
  window?: { readonly start: number; readonly end: number },
): Promise<StepWorkload> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new InputReadError(path, (error as Error).message, { cause: error });
  }
  return parseUtilisationCsv(text, path, demandWork, window);
}
