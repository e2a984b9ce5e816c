import { copyFile, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { createCatalog } from "../catalog/catalog.js";
import { defaultDemandWork } from "../catalog/work-unit.js";
import { nowSeconds, type Clock } from "../util/clock.js";
import { connectEc2Compute } from "../drivers/live/hop/ec2-compute.js";
import { collectOrphans, type GcReport } from "../drivers/live/hop/gc.js";
import type { StepHook } from "../drivers/live/hop/hop.js";
import { HOP_STEPS, Journal, UNDO_STEPS, type StepName } from "../drivers/live/hop/journal.js";
import { MetadataClient } from "../drivers/live/observe/metadata-client.js";
import { NoticePoller } from "../drivers/live/observe/notice-poller.js";
import { runDryRun } from "../drivers/live/dry-run.js";
import {
  runLive,
  type HandOffSummary,
  type LiveLogRecord,
  type LiveRunSummary,
} from "../drivers/live/run.js";
import { launchHome } from "../drivers/live/launch.js";
import { defaultMigrationModel } from "../engine/migration-model.js";
import type { Lifecycle } from "../engine/types.js";
import { HotspotError, UsageError } from "../errors.js";
import { readResultsDocument } from "../reports/read-results.js";
import { serializeResults } from "../results/write.js";
import { imageIdFor, livePolicy, readLiveConfig, type LiveConfig } from "../setup/config.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { fileExists } from "../util/file-exists.js";
import { createEc2Api } from "../cloud/ec2-client.js";
import {
  controllerArgv,
  ec2UserData,
  localUserData,
  TARGET_CONFIG_PATH,
  type ControllerEntry,
  type ControllerOptions,
} from "../drivers/live/host/controller.js";
import { StatusPublisher, watchDesired, type DesiredState } from "../drivers/live/operator.js";
import { bootHome } from "../drivers/live/boot.js";
import type { CpuReference } from "../drivers/live/host/container-host.js";
import { CPU_CHECK_TAG, publishVerdict } from "../drivers/live/host/cpu-check.js";
import { cloudSide } from "./live-clouds.js";

/**
 * The acting side of live mode (`hotspot live`, `live gc`, `launch`): config, clients, cloud side,
 * journal and ledger wired around the live driver. Text goes out through `note` (a line, no prefix).
 */

/** Where the run keeps its journal. */
export function journalPathIn(stateDir: string): string {
  return join(stateDir, "journal.json");
}

/** A hook that calls `kill` after `step`'s journaled end: the crash the fault tests inject. */
export function crashAfter(step: string, source: string, kill: () => void): StepHook {
  const steps: readonly string[] = [...HOP_STEPS, ...UNDO_STEPS];
  if (!steps.includes(step))
    throw new UsageError(source, `a step: ${steps.join(", ")}`, JSON.stringify(step));
  return (point, name: StepName) => {
    if (point === "end" && name === step) kill();
  };
}

/** Where the CPU check of a target writes the carried reference (the volume is not there yet). */
const CPU_SCRATCH_DIR = "/run/hotspot/cpu-reference";

export interface LiveActRequest {
  readonly options: ControllerOptions;
  readonly clock: Clock;
  /** Aborted: stop once no hop is in flight. */
  readonly stop: AbortSignal;
  /** The program a target's or home's controller runs (this one's node and entry). */
  readonly entry: ControllerEntry;
  readonly hook?: StepHook;
  /** A line of progress or warning, without the command's prefix. */
  readonly note: (line: string) => void;
  /** The run's structured log, one record per event. */
  readonly log: (record: LiveLogRecord) => void;
}

export interface LiveActResult {
  readonly summary: LiveRunSummary | HandOffSummary;
  /** Where this run's ledger is. */
  readonly resultsPath: string;
}

/** `hotspot live` acting: hops the container as the policy decides until the time is up or `stop`. */
export async function liveAct(request: LiveActRequest): Promise<LiveActResult> {
  const { options, clock, note } = request;
  const config = await readLiveConfig(options.configPath);
  const configText = await readFile(options.configPath, "utf8");
  const imageId = imageIdFor(options.imageId, config, options.cloud.kind === "local");
  const catalog = await createCatalog({ specsFile: options.catalog.specsFile });
  const demandWork = options.demand ?? defaultDemandWork(catalog, options.catalog.workUnit);
  const connection = connectEc2Compute({ region: config.region, endpoint: options.endpoint });
  const warn = (text: string) => note(`warning: ${text}`);
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
        controllerArgv({ ...options, instanceProfile, cpuReference }, "takeover", request.entry, {
          configPath: side.targetConfigPath(resolve(options.configPath)),
          stateDir,
          until,
        }),
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
      note(
        `cpu check of the home's reference here: ${verdict === null ? "not made" : verdict.compatible ? "ok" : `mismatch: ${verdict.detail}`}`,
      );
    }
    const policy = livePolicy(options.policy, config);
    note(
      `policy ${policy.name} in ${config.zone}${self ? ` on ${self.instanceId}${self.takeover ? ", taking over" : ""}` : ""}; journal ${journalPathIn(stateDir)}; ledger ${resultsPath}${options.metadata === undefined ? "; interruption notices are not watched (no --metadata)" : ""}`,
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
            onWarning: warn,
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
        progress: (line) => note(`boot: ${line}`),
      });
      resume = boot.resume;
      note(
        `boot: the container ${boot.container === "running" ? "runs" : `was ${boot.container}`} here${resume ? "; resuming this home's journal" : ""}`,
      );
    }
    // The operator's stop or down ends the run like the caller's `stop`.
    const stop = new AbortController();
    const onStop = () => stop.abort();
    request.stop.addEventListener("abort", onStop);
    if (request.stop.aborted) stop.abort();
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
              note(`the operator asked to ${wish}: stopping once no hop is in flight`);
              stop.abort();
            },
            onWarning: warn,
          });
    await publisher?.controller("running");
    let summary: LiveRunSummary | HandOffSummary;
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
        hook: request.hook,
        log: (record: LiveLogRecord) => {
          publisher?.log(record);
          request.log(record);
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
          return { document: await readResultsDocument(path), keptAt };
        },
        onWarning: warn,
        targetUserData: self !== undefined && carriesCpu ? userDataWith : undefined,
      });
    } catch (error) {
      await publisher?.controller("failed", (error as Error).message);
      throw error;
    } finally {
      request.stop.removeEventListener("abort", onStop);
      watching.abort();
      await watcher;
    }
    for (const report of summary.resumed) {
      note(`resumed ${report.hop}: ${report.outcome}${report.from ? ` (from ${report.from})` : ""}`);
    }
    if ("handedOffTo" in summary) {
      note(
        `handed the container off to ${summary.handedOffTo}; its controller runs on${summary.document ? `; ledger of this run ${resultsPath}` : ""}`,
      );
      await publisher?.controller("handed-off");
      return { summary, resultsPath };
    }
    if (publisher !== undefined && self !== undefined) {
      await publisher.ledger(summary.document, summary.journal.home);
      if (desired === "down") {
        note(`down: stopping the container and letting its volume go`);
        await side.host.stop?.(summary.journal.home);
        await side.host.releaseVolume?.(summary.journal.home);
      }
      await publisher.controller(desired === "down" ? "down" : "stopped");
    }
    return { summary, resultsPath };
  } finally {
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

export interface LiveGcRequest {
  readonly configPath: string;
  readonly endpoint?: string;
  /** Where the journal is. */
  readonly stateDir: string;
  /** List the orphans, terminate nothing. */
  readonly dryRun: boolean;
  readonly clock: Clock;
}

/** `hotspot live gc`: ends instances of ours the journal does not account for. */
export async function liveGc(request: LiveGcRequest): Promise<GcReport> {
  const config = await readLiveConfig(request.configPath);
  const journal = await Journal.open(journalPathIn(request.stateDir));
  const connection = connectEc2Compute({ region: config.region, endpoint: request.endpoint });
  try {
    return await collectOrphans(connection.compute, journal, request.clock, { dryRun: request.dryRun });
  } finally {
    connection.close();
  }
}

export interface LaunchRequest {
  readonly config: LiveConfig;
  readonly configPath: string;
  /** The home's controller, validated as the self-migrating controller it becomes. */
  readonly options: ControllerOptions;
  /** The first home's market; undefined: the policy's first decision on current prices. */
  readonly market?: { readonly instanceType: string; readonly lifecycle: Lifecycle };
  /** Memory the first placement assumes when the controller is to measure it. */
  readonly assumedMemoryGiB: number;
  readonly timeoutSeconds: number;
  readonly entry: ControllerEntry;
  readonly clock: Clock;
  /** Progress lines, without the command's prefix. */
  readonly note: (line: string) => void;
}

export interface LaunchResult {
  readonly homeId: string;
  readonly market: { readonly instanceType: string; readonly lifecycle: Lifecycle };
}

/** `hotspot launch`: starts the container's first home, whose controller boots it and hops it. */
export async function launch(request: LaunchRequest): Promise<LaunchResult> {
  const { config, options, clock } = request;
  const local = options.cloud.kind === "local";
  const configText = await readFile(request.configPath, "utf8");
  const imageId = imageIdFor(options.imageId, config, local);
  const first = request.market === undefined ? await firstDecision(request) : null;
  const chosen = request.market ?? first!.market;
  if (first !== null)
    request.note(
      `the policy places the container on ${chosen.instanceType} ${chosen.lifecycle} first: ${first.reason}`,
    );
  const start = nowSeconds(clock);
  const until = options.untilSeconds ?? start + options.durationSeconds;
  const words = controllerArgv(
    {
      ...options,
      self: { instanceId: null, takeover: false, boot: true, takeoverTimeoutSeconds: request.timeoutSeconds },
    },
    "boot",
    request.entry,
    {
      configPath: local ? resolve(request.configPath) : TARGET_CONFIG_PATH,
      stateDir: options.stateDir,
      until,
    },
  );
  const connection = connectEc2Compute({ region: config.region, endpoint: options.endpoint });
  try {
    const outcome = await launchHome({
      compute: connection.compute,
      tags: connection.tags,
      config,
      market: chosen,
      imageId,
      userData: local ? localUserData(words) : ec2UserData(words, configText),
      instanceProfile: options.instanceProfile,
      device: options.device,
      deviceIndex: options.deviceIndex,
      clientToken: `hotspot-launch-${config.volumeId}-${clock.now()}`,
      clock,
      pollMs: local ? 200 : 2000,
      timeoutMs: request.timeoutSeconds * 1000,
      progress: request.note,
    });
    return { homeId: outcome.home.id, market: chosen };
  } finally {
    connection.close();
  }
}

/** The market the policy places the container on first, asked once on current prices (a dry run's first decision). */
async function firstDecision(request: LaunchRequest) {
  const { config, options } = request;
  const catalog = await createCatalog({ specsFile: options.catalog.specsFile });
  let chosen: { instanceType: string; lifecycle: Lifecycle } | null = null;
  let reason = "";
  await runDryRun({
    config,
    ec2: createEc2Api({ region: config.region, endpoint: options.endpoint }),
    catalog,
    workUnit: options.catalog.workUnit,
    policy: options.policy,
    workload: {
      // Nothing runs yet to measure: the first placement assumes the given default.
      memoryGiB: options.memoryGiB === "measured" ? request.assumedMemoryGiB : options.memoryGiB,
      demandWork: options.demand ?? defaultDemandWork(catalog, options.catalog.workUnit),
      utilisation: typeof options.utilisation === "number" ? options.utilisation : 1,
    },
    current: null,
    billing: options.billing,
    intervalSeconds: options.intervalSeconds,
    historyWindowSeconds: options.historyWindowSeconds,
    skipUnknownTypes: options.catalog.skipUnknownTypes,
    clock: request.clock,
    rounds: 1,
    onDecision: (record) => {
      if (record.chosen !== null)
        chosen = { instanceType: record.chosen.instanceType, lifecycle: record.chosen.lifecycle };
      reason = record.reason;
    },
  });
  if (chosen === null) {
    throw new UsageError(
      "--market",
      "a market the policy can choose (none fits the container now)",
      reason || "no decision",
    );
  }
  return { market: chosen as { instanceType: string; lifecycle: Lifecycle }, reason };
}
