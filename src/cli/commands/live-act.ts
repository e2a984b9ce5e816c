import { copyFile, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { createCatalog } from "../../catalog/catalog.js";
import { defaultDemandWork } from "../../catalog/work-unit.js";
import { nowSeconds, wallClock, type Clock } from "../../util/clock.js";
import { collectOrphans } from "../../drivers/live/hop/gc.js";
import type { StepHook } from "../../drivers/live/hop/hop.js";
import { HOP_STEPS, Journal, UNDO_STEPS, type StepName } from "../../drivers/live/hop/journal.js";
import { MetadataClient } from "../../drivers/live/observe/metadata-client.js";
import { NoticePoller } from "../../drivers/live/observe/notice-poller.js";
import { readResults, runLive, serializeResults } from "../../api.js";
import type { LiveLogRecord } from "../../drivers/live/run.js";
import { defaultMigrationModel } from "../../engine/migration-model.js";
import { HotspotError, UsageError } from "../../errors.js";
import { livePolicy, readLiveConfig } from "../../setup/config.js";
import { writeFileAtomic } from "../../util/atomic-write.js";
import { fileExists } from "../../util/file-exists.js";
import { loadComputeClient, loadEc2Client } from "../cloud-clients.js";
import { cloudSide } from "./live-clouds.js";
import { imageIdFor } from "../live-env.js";
import { bootHome } from "../../drivers/live/boot.js";
import { controllerArgv, type ControllerOptions } from "../../drivers/live/host/controller.js";
import { checkOutputPath } from "../../util/output-path.js";
import { StatusPublisher, watchDesired, type DesiredState } from "../../drivers/live/operator.js";
import type { CpuReference } from "../../drivers/live/host/container-host.js";
import { CPU_CHECK_TAG, publishVerdict } from "../../drivers/live/host/cpu-check.js";

/** Where a target's controller writes the carried CPU reference to check it (the volume is not there yet). */
const CPU_SCRATCH_DIR = "/run/hotspot/cpu-reference";

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
export async function runLiveAct(options: ControllerOptions, clock: Clock = wallClock): Promise<void> {
  // An explicit ledger path is checked before any request (the default is made under --state-dir); not
  // by a self-migrating controller, whose path may be on the volume it has yet to mount.
  if (options.resultsPath !== null && options.self === undefined)
    await checkOutputPath("--results", options.resultsPath);
  const hook = killHook();
  const config = await readLiveConfig(options.configPath);
  const configText = await readFile(options.configPath, "utf8");
  const imageId = imageIdFor(options.imageId, config, options.cloud.kind === "local");
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
      self: self === undefined ? undefined : { ...self, boot: self.boot === true },
      interfaceNetwork: () => connection.interfaceNetwork(config.eniId),
      compute: connection.compute,
      clock,
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
    /** A target's user data; on EC2 it carries the home's CPU reference for the target's check. */
    const userDataWith = (cpuReference: CpuReference | undefined) =>
      side.takeoverUserData(
        controllerArgv(
          { ...options, instanceProfile, cpuReference },
          "takeover",
          { node: process.execPath, script: process.argv[1] },
          {
            configPath: side.targetConfigPath(resolve(options.configPath)),
            stateDir,
            until,
          },
        ),
        configText,
      );
    const carriesCpu = options.cloud.kind === "aws";
    const userData =
      self === undefined ? undefined : userDataWith(carriesCpu ? options.cpuReference : undefined);
    if (self?.takeover && carriesCpu && options.cpuReference !== undefined) {
      // Before the volume comes: the source waits for this verdict before it stops the container.
      // CreateTags takes any resource id: the verdict goes on this instance.
      const verdict = await publishVerdict(options.cpuReference, CPU_SCRATCH_DIR, (value) =>
        connection.tags.write(self.instanceId, { [CPU_CHECK_TAG]: value }),
      );
      process.stderr.write(
        `hotspot live: cpu check of the home's reference here: ${verdict === null ? "not made" : verdict.compatible ? "ok" : `mismatch: ${verdict.detail}`}\n`,
      );
    }
    const policy = livePolicy(options.policy, config);
    process.stderr.write(
      `hotspot live: policy ${policy.name} in ${config.zone}${self ? ` on ${self.instanceId}${self.takeover ? ", taking over" : ""}` : ""}; journal ${journalPathIn(stateDir)}; ledger ${resultsPath}${options.metadata === undefined ? "; interruption notices are not watched (no --metadata)" : ""}\n`,
    );
    const resources = {
      imageId,
      subnetId: config.subnetId,
      volumeId: config.volumeId,
      volumeDevice: options.device,
      networkInterfaceId: config.eniId,
      deviceIndex: options.deviceIndex,
      userData,
      instanceProfile,
    };
    // Self-migrating controllers publish on the volume's tags and heed the operator's stop and down.
    const publisher =
      self === undefined
        ? undefined
        : new StatusPublisher({
            tags: connection.tags,
            volumeId: config.volumeId,
            instanceId: self.instanceId,
            ledgerPath: resultsPath,
            clock,
            onWarning: (text) => process.stderr.write(`hotspot live: warning: ${text}\n`),
          });
    let resume = options.resume;
    if (self?.boot) {
      await publisher?.controller("booting");
      const boot = await bootHome({
        compute: connection.compute,
        host: side.host,
        resources,
        self: self.instanceId,
        journalPath: journalPathIn(stateDir),
        clock,
        timeoutSeconds: self.takeoverTimeoutSeconds,
        pollMs: side.timeouts.poll ?? 2000,
        progress: (line) => process.stderr.write(`hotspot live: boot: ${line}\n`),
      });
      resume = boot.resume;
      process.stderr.write(
        `hotspot live: boot: the container ${boot.container === "running" ? "runs" : `was ${boot.container}`} here${resume ? "; resuming this home's journal" : ""}\n`,
      );
    }
    let desired: DesiredState | null = null;
    const watching = new AbortController();
    const watcher =
      publisher === undefined
        ? Promise.resolve()
        : watchDesired({
            publisher,
            clock,
            pollMs: Math.min(options.pricePollSeconds, 10) * 1000,
            signal: watching.signal,
            onStop: (wish) => {
              desired = wish;
              process.stderr.write(
                `hotspot live: the operator asked to ${wish}: stopping once no hop is in flight\n`,
              );
              stop.abort();
            },
            onWarning: (text) => process.stderr.write(`hotspot live: warning: ${text}\n`),
          });
    await publisher?.controller("running");
    let summary: Awaited<ReturnType<typeof runLive>>;
    try {
      summary = await runLive({
        config,
        ec2: createEc2Api({ region: config.region, endpoint: options.endpoint }),
        compute: connection.compute,
        host: side.host,
        resources,
        catalog,
        workUnit: options.catalog.workUnit,
        skipUnknownTypes: options.catalog.skipUnknownTypes,
        cpuCompat: options.cpuCompat,
        policy,
        intervalSeconds: options.intervalSeconds,
        billing: options.billing,
        memoryGiB: options.memoryGiB,
        memoryHeadroom: options.memoryHeadroom,
        demandWork,
        utilisation: options.utilisation,
        historyWindowSeconds: options.historyWindowSeconds,
        migrationModel: defaultMigrationModel,
        pricePollSeconds: options.pricePollSeconds,
        cooldownSeconds: options.cooldownSeconds,
        journalPath: journalPathIn(stateDir),
        resume,
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
        log: (record: LiveLogRecord) => {
          publisher?.log(record);
          process.stdout.write(`${JSON.stringify(record)}\n`);
        },
        onLedger: async (document) => {
          await writeFileAtomic(resultsPath, [serializeResults(document)]);
          // A self-migrating controller runs where the container does until it hands off and ends.
          if (publisher !== undefined) void publisher.ledger(document, self!.instanceId);
        },
        previousLedger: async (instanceId) => {
          const path = instanceId === null ? resultsPath : ledgerOf(instanceId);
          if (!(await fileExists(path))) return null;
          // This run rewrites its own ledger: the earlier one stays beside it, whatever the carry makes of it.
          const keptAt = path === resultsPath ? path.replace(/(\.json)?$/, ".previous.json") : path;
          if (keptAt !== path) await copyFile(path, keptAt);
          return { document: await readResults(path), keptAt };
        },
        onWarning: (text) => process.stderr.write(`hotspot live: warning: ${text}\n`),
        targetUserData: self !== undefined && carriesCpu ? userDataWith : undefined,
      });
    } catch (error) {
      await publisher?.controller("failed", (error as Error).message);
      throw error;
    } finally {
      watching.abort();
      await watcher;
    }
    for (const report of summary.resumed) {
      process.stderr.write(
        `hotspot live: resumed ${report.hop}: ${report.outcome}${report.from ? ` (from ${report.from})` : ""}\n`,
      );
    }
    if ("handedOffTo" in summary) {
      process.stderr.write(
        `hotspot live: handed the container off to ${summary.handedOffTo}; its controller runs on${summary.document ? `; ledger of this run ${resultsPath}` : ""}\n`,
      );
      await publisher?.controller("handed-off");
      return;
    }
    if (publisher !== undefined && self !== undefined) {
      await publisher.ledger(summary.document, summary.journal.home);
      if (desired === "down") {
        process.stderr.write(`hotspot live: down: stopping the container and letting its volume go\n`);
        await side.host.stop?.(summary.journal.home);
        await side.host.releaseVolume?.(summary.journal.home);
      }
      await publisher.controller(desired === "down" ? "down" : "stopped");
    }
    const run = summary.document.runs[0];
    const rates = summary.document.hopCosts?.rates;
    const mibs = (rate: number | null | undefined) => (rate == null ? "?" : (rate / 2 ** 20).toFixed(1));
    const learned =
      rates === undefined || rates.checkpointSamples === 0
        ? ""
        : `; learned checkpoint ${mibs(rates.checkpointBytesPerSecond)} MiB/s, restore ${mibs(rates.restoreBytesPerSecond)} MiB/s (${rates.checkpointSamples} checkpoint(s), ${rates.restoreSamples} restore(s))`;
    process.stderr.write(
      `hotspot live: ${run.migrations} hop(s), ${run.abortedMigrations} aborted, downtime ${run.downtimeSeconds.toFixed(2)} s, cost $${run.costUsd.toFixed(6)}${learned}; the container runs on ${summary.journal.home}; ledger ${resultsPath}\n`,
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
  options: Pick<ControllerOptions, "configPath" | "endpoint"> & {
    readonly stateDir: string;
    readonly dryRun: boolean;
  },
  clock: Clock = wallClock,
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
