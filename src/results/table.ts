import { terminalSafe } from "../util/terminal.js";
import type { ResultsDocument, RunMetrics } from "./document.js";

const unitLabels: Readonly<Record<string, string>> = { ecu: "ECU", vcpu: "vCPU", score: "score" };

function fixed(value: number | null, digits: number): string {
  return value === null ? "-" : value.toFixed(digits);
}

function row(policy: string, m: RunMetrics): string[] {
  return [
    policy,
    fixed(m.costUsd, 2),
    m.percentOfOnDemand === null ? "-" : `${m.percentOfOnDemand.toFixed(1)}%`,
    fixed(m.usdPerEcuHour, 5),
    fixed(m.workEcuHours, 1),
    String(m.migrations),
    String(m.revocations),
    fixed(m.downtimeSeconds, 0),
    fixed(m.downtimeP95Seconds, 1),
    fixed(m.lostWorkEcuHours, 2),
    m.gapToOptimal === null ? "-" : `${(m.gapToOptimal * 100).toFixed(1)}%`,
  ];
}

function table(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** Human-readable tables: one per zone, then all zones together. */
export function formatResultsTables(document: ResultsDocument): string {
  const unit = unitLabels[document.workUnit] ?? document.workUnit;
  const header = [
    "policy",
    "cost $",
    "% of OD",
    `$/${unit}-h`,
    `work ${unit}-h`,
    "migrations",
    "revocations",
    "downtime s",
    "p95 s",
    `lost ${unit}-h`,
    "gap to opt",
  ];
  const zones = [...new Set(document.runs.map((run) => run.zone))];
  const parts: string[] = [
    `trace ${document.trace.path} (${document.trace.start} .. ${document.trace.end}), seed ${document.seed}, work unit ${unit}`,
    ...(document.warnings ?? []).map((warning) => `warning: ${warning}`),
  ];
  for (const zone of zones) {
    const runs = document.runs.filter((run) => run.zone === zone);
    const od = runs.find((run) => run.onDemandMarket !== null)?.onDemandMarket;
    parts.push(`\nzone ${zone}${od ? ` (on-demand baseline: ${od})` : ""}`);
    parts.push(
      table(
        header,
        runs.map((run) => row(run.policy, run)),
      ),
    );
  }
  if (zones.length > 1) {
    const kept = document.aggregate[0]?.zones ?? [];
    const left = (document.excludedZones ?? []).map((entry) => `${entry.zone}: ${entry.reason}`);
    parts.push(
      `\nall zones (${kept.join(", ")}; $/${unit}-h, % of OD and gap are means over these zones)${left.length > 0 ? `\nleft out as empty: ${left.join("; ")}` : ""}`,
    );
    parts.push(
      table(
        header,
        document.aggregate.map((agg) => row(agg.policy, agg)),
      ),
    );
  }
  const summary = hoppingSummary(document);
  if (summary !== null) parts.push(`\n${summary}`);
  return terminalSafe(`${parts.join("\n")}\n`);
}

/**
 * One line on what hopping bought: hotspot's saving per unit of work against spot-stay, and how often
 * it moved. Null unless both ran.
 */
export function hoppingSummary(document: ResultsDocument): string | null {
  const zones = [...new Set(document.runs.map((run) => run.zone))];
  const rows: readonly (RunMetrics & { readonly policy: string })[] =
    zones.length > 1 ? document.aggregate : document.runs;
  const hotspot = rows.find((row) => row.policy === "hotspot");
  const stay = rows.find((row) => row.policy === "spot-stay");
  if (hotspot === undefined || stay === undefined) return null;
  if (hotspot.usdPerEcuHour === null || stay.usdPerEcuHour === null || !(stay.usdPerEcuHour > 0)) return null;
  const unit = unitLabels[document.workUnit] ?? document.workUnit;
  const saving = (1 - hotspot.usdPerEcuHour / stay.usdPerEcuHour) * 100;
  const days = (Date.parse(document.trace.end) - Date.parse(document.trace.start)) / 86_400_000;
  const hosted = zones.length - (document.excludedZones?.length ?? 0);
  const perZoneDay = hosted > 0 && days > 0 ? hotspot.migrations / (hosted * days) : 0;
  const verb = saving >= 0 ? `saved ${saving.toFixed(1)}%` : `cost ${(-saving).toFixed(1)}% more`;
  return `hotspot ${verb} per ${unit}-hour against staying on one spot market (spot-stay), moving ${hotspot.migrations} time(s) in ${days.toFixed(1)} days (${perZoneDay.toFixed(2)} per zone per day).`;
}
