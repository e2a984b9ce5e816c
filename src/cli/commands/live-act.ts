import { copyFile, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { createCatalog } from "../../catalog/catalog.js";
import { defaultDemandWork } from "../../catalog/work-unit.js";
import { nowSeconds, wallClock, type LiveClock } from "../../drivers/live/clock.js";
import { collectOrphans } from "../../drivers/live/gc.js";
import type { StepHook } from "../../drivers/live/hop.js";
import { HOP_STEPS, Journal, UNDO_STEPS, type StepName } from "../../drivers/live/journal.js";
import { MetadataClient } from "../../drivers/live/metadata-client.js";
import { NoticePoller } from "../../drivers/live/notice-poller.js";
import { runLive, type LiveLogRecord } from "../../drivers/live/run.js";
import type { BillingModelName } from "../../engine/billing.js";
import { defaultMigrationModel } from "../../engine/migration-model.js";
import { HotspotError, UsageError } from "../../errors.js";
import { readResultsDocument } from "../../reports/read-results.js";
import { serializeResults } from "../../results/write.js";
import { readLiveConfig, type LiveConfig } from "../../setup/config.js";
import { writeFileAtomic } from "../../util/atomic-write.js";
import { fileExists } from "../../util/file-exists.js";
import type { CatalogChoice } from "../catalog-options.js";
import { loadComputeClient, loadEc2Client } from "../cloud-clients.js";
import { cloudSide, type ActCloud, type CloudSide } from "./live-clouds.js";
import { isoSeconds } from "../../util/iso-seconds.js";

/** Options of `hotspot live` acting, validated from flags (see live.ts). */
export interface LiveActOptions {
  readonly configPath: string;
  readonly endpoint?: string;
  readonly metadata?: string;
  readonly policy?: LiveConfig["policy"];
  readonly intervalSeconds: number;
  readonly durationSeconds: number;
  /** Stop at this time (epoch seconds) instead of after `durationSeconds`. */
  readonly untilSeconds?: number;
  readonly resume: boolean;
  /** null: on the container's volume (self-migrating). */
  readonly stateDir: string | null;
  /** null: `results.json` in the state directory (`results-<instance>.json` when self-migrating). */
  readonly resultsPath: string | null;
  readonly self?: {
    /** null: this instance's id from the instance metadata (EC2). */
    readonly instanceId: string | null;
    readonly takeover: boolean;
    readonly takeoverTimeoutSeconds: number;
  };
  readonly imageId: string;
  /** Targets' instance profile; undefined on EC2: this instance's own (from its metadata). */
  readonly instanceProfile?: string;
  readonly device: string;
  readonly deviceIndex: number;
  readonly pricePollSeconds: number;
  readonly cooldownSeconds: number;
  /** Where to act: the local cloud's namespace hosts, or the EC2 instance this runs on. */
  readonly cloud: ActCloud;
  readonly utilisation: number | "measured";
  readonly memoryGiB: number;
  readonly demand?: number;
  readonly billing: BillingModelName;
  readonly historyWindowSeconds: number;
  readonly catalog: CatalogChoice;
}

/** Where the run keeps its journal. */
export function journalPathIn(stateDir: string): string {
  return join(stateDir, "journal.json");
}

/**
 * Names a step after whose journaled end the controller kills itself with SIGKILL: the crash the fault
 * tests inject (test-only; the journal and `--resume` must make it harmless).
 */
export const KILL_AFTER_ENV = "HOTSPOT_LIVE_KILL_AFTER";

function killHook(): StepHook | undefined {
  const step = process.env[KILL_AFTER_ENV];
  if (step === undefined || step === "") return undefined;
  const steps: readonly string[] = [...HOP_STEPS, ...UNDO_STEPS];
  if (!steps.includes(step)) {
    throw new UsageError(KILL_AFTER_ENV, `a step: ${steps.join(", ")}`, JSON.stringify(step));
  }
  return (point, name: StepName) => {
    if (point === "end" && name === step) process.kill(process.pid, "SIGKILL");
  };
}

/** `hotspot live` (not a dry run): hop the container for real, until --duration or SIGINT/SIGTERM. */
export async function runLiveAct(options: LiveActOptions, clock: LiveClock = wallClock): Promise<void> {
  const hook = killHook();
  const config = await readLiveConfig(options.configPath);
  const configText = await readFile(options.configPath, "utf8");
  const { imageId } = options;
  const catalog = await createCatalog({ specsFile: options.catalog.specsFile });
  const demandWork = options.demand ?? defaultDemandWork(catalog, options.catalog.workUnit);
  const { createEc2Api } = await loadEc2Client();
  const { connectEc2Compute } = await loadComputeClient();
  const connection = connectEc2Compute({ region: config.region, endpoint: options.endpoint });
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`hotspot live: ${signal}: stopping once no hop is in flight\n`);
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const metadata = new MetadataClient({ baseUrl: options.metadata, clock });
    const self =
      options.self === undefined
        ? undefined
        : { ...options.self, instanceId: options.self.instanceId ?? (await metadata.instanceId()) };
    const instanceProfile =
      options.instanceProfile ?? (options.cloud.kind === "aws" ? await ownProfile(metadata) : undefined);
    const side = await cloudSide({
      cloud: options.cloud,
      config,
      device: options.device,
      self,
      interfaceNetwork: () => connection.interfaceNetwork(config.eniId),
    });
    // Self-migrating, journal and ledger travel with the container on its volume.
    const stateDir = options.stateDir ?? side.volumeStateDir;
    const ledgerOf = (instanceId: string) =>
      options.resultsPath ?? join(stateDir, `results-${instanceId}.json`);
    const resultsPath = self
      ? ledgerOf(self.instanceId)
      : (options.resultsPath ?? join(stateDir, "results.json"));
    const start = nowSeconds(clock);
    const until = options.untilSeconds ?? start + options.durationSeconds;
    const userData =
      self === undefined
        ? undefined
        : side.takeoverUserData(
            takeoverWords({ ...options, instanceProfile }, side, stateDir, until),
            configText,
          );
    const policy = options.policy ?? config.policy;
    process.stderr.write(
      `hotspot live: policy ${policy.name} in ${config.zone}${self ? ` on ${self.instanceId}${self.takeover ? ", taking over" : ""}` : ""}; journal ${journalPathIn(stateDir)}; ledger ${resultsPath}${options.metadata === undefined ? "; interruption notices are not watched (no --metadata)" : ""}\n`,
    );
    const summary = await runLive({
      config,
      ec2: createEc2Api({ region: config.region, endpoint: options.endpoint }),
      compute: connection.compute,
      host: side.host,
      resources: {
        imageId,
        subnetId: config.subnetId,
        volumeId: config.volumeId,
        volumeDevice: options.device,
        networkInterfaceId: config.eniId,
        deviceIndex: options.deviceIndex,
        userData,
        instanceProfile,
      },
      catalog,
      workUnit: options.catalog.workUnit,
      skipUnknownTypes: options.catalog.skipUnknownTypes,
      policy,
      intervalSeconds: options.intervalSeconds,
      billing: options.billing,
      memoryGiB: options.memoryGiB,
      demandWork,
      utilisation: options.utilisation,
      historyWindowSeconds: options.historyWindowSeconds,
      migrationModel: defaultMigrationModel,
      pricePollSeconds: options.pricePollSeconds,
      cooldownSeconds: options.cooldownSeconds,
      journalPath: journalPathIn(stateDir),
      resume: options.resume,
      durationSeconds: Math.max(0, until - start),
      self,
      clock,
      notices:
        options.metadata === undefined
          ? undefined
          : (instanceId) =>
              new NoticePoller({ baseUrl: side.noticeBase(options.metadata!, instanceId), clock }),
      stop: stop.signal,
      timeouts: side.timeouts,
      hook,
      log: (record: LiveLogRecord) => process.stdout.write(`${JSON.stringify(record)}\n`),
      onLedger: (document) => writeFileAtomic(resultsPath, [serializeResults(document)]),
      previousLedger: async (instanceId) => {
        const path = instanceId === null ? resultsPath : ledgerOf(instanceId);
        if (!(await fileExists(path))) return null;
        // This run rewrites its own ledger: the earlier one stays beside it, whatever the carry makes of it.
        const keptAt = path === resultsPath ? path.replace(/(\.json)?$/, ".previous.json") : path;
        if (keptAt !== path) await copyFile(path, keptAt);
        return { document: await readResultsDocument(path), keptAt };
      },
      onWarning: (text) => process.stderr.write(`hotspot live: warning: ${text}\n`),
    });
    for (const report of summary.resumed) {
      process.stderr.write(
        `hotspot live: resumed ${report.hop}: ${report.outcome}${report.from ? ` (from ${report.from})` : ""}\n`,
      );
    }
    if ("handedOffTo" in summary) {
      process.stderr.write(
        `hotspot live: handed the container off to ${summary.handedOffTo}; its controller runs on${summary.document ? `; ledger of this run ${resultsPath}` : ""}\n`,
      );
      return;
    }
    const run = summary.document.runs[0];
    process.stderr.write(
      `hotspot live: ${run.migrations} hop(s), ${run.abortedMigrations} aborted, downtime ${run.downtimeSeconds.toFixed(2)} s, cost $${run.costUsd.toFixed(6)}; the container runs on ${summary.journal.home}; ledger ${resultsPath}\n`,
    );
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    connection.close();
  }
}

/** A target's controller needs credentials: by default the instance profile this instance runs with. */
async function ownProfile(metadata: MetadataClient): Promise<string> {
  const arn = await metadata.instanceProfileArn();
  if (arn === null) {
    throw new HotspotError(
      "HOTSPOT_LIVE_NO_PROFILE",
      `${metadata.base}: this instance has no instance profile, so the targets' controllers would have no credentials; give targets one with --instance-profile NAME`,
    );
  }
  return arn;
}

/** `hotspot live gc`: end instances of ours the journal does not account for. */
export async function runLiveGc(
  options: Pick<LiveActOptions, "configPath" | "endpoint"> & {
    readonly stateDir: string;
    readonly dryRun: boolean;
  },
  clock: LiveClock = wallClock,
): Promise<void> {
  const config = await readLiveConfig(options.configPath);
  const journal = await Journal.open(journalPathIn(options.stateDir));
  const { connectEc2Compute } = await loadComputeClient();
  const connection = connectEc2Compute({ region: config.region, endpoint: options.endpoint });
  try {
    const report = await collectOrphans(connection.compute, journal, clock, { dryRun: options.dryRun });
    const verb = options.dryRun ? "would terminate" : "terminated";
    process.stdout.write(
      `${verb} ${report.orphans.length} orphan(s)${report.orphans.length > 0 ? `: ${report.orphans.join(", ")}` : ""}\nkept ${report.kept.length}: ${report.kept.join(", ") || "none"}\n`,
    );
  } finally {
    connection.close();
  }
}

/**
 * A target's controller when self-migrating: this very command as `--takeover`, until the same time
 * (the instance's id is added by the cloud's user data).
 */
function takeoverWords(options: LiveActOptions, side: CloudSide, stateDir: string, until: number): string[] {
  const flag = (name: string, value: string | number | undefined) =>
    value === undefined ? [] : [`--${name}`, String(value)];
  const { cloud } = options;
  return [
    process.execPath,
    process.argv[1],
    "live",
    ...flag("config", side.targetConfigPath(resolve(options.configPath))),
    ...flag("cloud", cloud.kind),
    ...flag("endpoint", options.endpoint),
    ...flag("metadata", options.metadata),
    ...(cloud.kind === "local"
      ? [...flag("local-hosts", resolve(cloud.hostsDir)), ...flag("local-prefix", cloud.prefix)]
      : [...flag("mount", cloud.mountPoint), ...flag("lxc-path", cloud.lxcPath)]),
    ...flag("image-id", options.imageId),
    ...flag("instance-profile", options.instanceProfile),
    ...flag("state-dir", resolve(stateDir)),
    ...flag("results", options.resultsPath === null ? undefined : resolve(options.resultsPath)),
    ...flag("device", options.device),
    ...flag("device-index", options.deviceIndex),
    ...flag("interval", options.intervalSeconds),
    ...flag("price-poll", options.pricePollSeconds),
    ...flag("cooldown", options.cooldownSeconds),
    ...flag("memory", options.memoryGiB),
    ...flag("demand", options.demand),
    ...flag("utilisation", options.utilisation),
    ...flag("billing", options.billing),
    ...flag("history-window", options.historyWindowSeconds),
    ...flag("policy", options.policy?.name),
    ...flag(
      "specs",
      options.catalog.specsFile === undefined ? undefined : resolve(options.catalog.specsFile),
    ),
    ...flag("work-unit", options.catalog.workUnit),
    ...(options.catalog.skipUnknownTypes ? ["--skip-unknown-types"] : []),
    ...(Number.isFinite(until) ? flag("until", isoSeconds(until)) : []),
    ...flag("takeover-timeout", options.self!.takeoverTimeoutSeconds),
    "--takeover",
  ];
}
