import { checkOutputPath } from "../../util/output-path.js";
import { crashAfter, liveAct, liveGc, type ControllerOptions } from "../../api.js";
import { wallClock, type Clock } from "../../util/clock.js";

/**
 * Names a step after whose journaled end the controller kills itself with SIGKILL: the crash the fault
 * tests inject (test-only; the journal and `--resume` must make it harmless).
 */
export const KILL_AFTER_ENV = "HOTSPOT_LIVE_KILL_AFTER";

const note = (line: string) => void process.stderr.write(`hotspot live: ${line}\n`);

/** `hotspot live` (not a dry run): hop the container for real, until --duration or SIGINT/SIGTERM. */
export async function runLiveAct(options: ControllerOptions, clock: Clock = wallClock): Promise<void> {
  // An explicit ledger path is checked before any request (the default is made under --state-dir); not
  // by a self-migrating controller, whose path may be on the volume it has yet to mount.
  if (options.resultsPath !== null && options.self === undefined)
    await checkOutputPath("--results", options.resultsPath);
  const step = process.env[KILL_AFTER_ENV];
  const hook =
    step === undefined || step === ""
      ? undefined
      : await crashAfter(step, KILL_AFTER_ENV, () => process.kill(process.pid, "SIGKILL"));
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    note(`${signal}: stopping once no hop is in flight`);
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const { summary, resultsPath } = await liveAct({
      options,
      clock,
      stop: stop.signal,
      entry: { node: process.execPath, script: process.argv[1] },
      hook,
      note,
      log: (record) => process.stdout.write(`${JSON.stringify(record)}\n`),
    });
    if ("handedOffTo" in summary) return;
    const run = summary.document.runs[0];
    const rates = summary.document.hopCosts?.rates;
    const mibs = (rate: number | null | undefined) => (rate == null ? "?" : (rate / 2 ** 20).toFixed(1));
    const learned =
      rates === undefined || rates.checkpointSamples === 0
        ? ""
        : `; learned checkpoint ${mibs(rates.checkpointBytesPerSecond)} MiB/s, restore ${mibs(rates.restoreBytesPerSecond)} MiB/s (${rates.checkpointSamples} checkpoint(s), ${rates.restoreSamples} restore(s))`;
    note(
      `${run.migrations} hop(s), ${run.abortedMigrations} aborted, downtime ${run.downtimeSeconds.toFixed(2)} s, cost $${run.costUsd.toFixed(6)}${learned}; the container runs on ${summary.journal.home}; ledger ${resultsPath}`,
    );
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** `hotspot live gc`: end instances of ours the journal does not account for. */
export async function runLiveGc(
  options: Pick<ControllerOptions, "configPath" | "endpoint"> & {
    readonly stateDir: string;
    readonly dryRun: boolean;
  },
  clock: Clock = wallClock,
): Promise<void> {
  const report = await liveGc({ ...options, clock });
  const verb = options.dryRun ? "would terminate" : "terminated";
  process.stdout.write(
    `${verb} ${report.orphans.length} orphan(s)${report.orphans.length > 0 ? `: ${report.orphans.join(", ")}` : ""}\nkept ${report.kept.length}: ${report.kept.join(", ") || "none"}\n`,
  );
}
