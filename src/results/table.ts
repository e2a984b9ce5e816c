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
    parts.push(`\nall zones (${zones.join(", ")})`);
    parts.push(
      table(
        header,
        document.aggregate.map((agg) => row(agg.policy, agg)),
      ),
    );
  }
  return terminalSafe(`${parts.join("\n")}\n`);
}
