import { CloudApiError, HotspotError } from "../../errors.js";
import type { Clock } from "../../util/clock.js";
import type { ContainerHost, PreflightCheck, TrialCheckpoint } from "./host/container-host.js";
import type { DryRunCall, Ec2Compute } from "./hop/ec2-compute.js";
import { launchRequest, TAG_STACK } from "./hop/hop.js";
import type { TargetMarket } from "./hop/journal.js";
import type { LiveResources } from "./hop/resources.js";
import { withRetry, type RetryPolicy } from "./retry.js";
import { failed, passed } from "./host/host-checks.js";

export interface PreflightOptions {
  readonly compute: Ec2Compute;
  readonly host: ContainerHost;
  readonly resources: LiveResources;
  /** The `hotspot:stack` tag of the instances a hop launches. */
  readonly stack: string;
  /** The instance that holds the container (volume, ENI) now. */
  readonly home: string;
  /** Markets a hop may launch: RunInstances is tried with DryRun for each, with a hop's exact parameters. */
  readonly targets: readonly TargetMarket[];
  /** At the start of a run: a trial checkpoint that leaves the container running, and every call of a hop tried with DryRun. */
  readonly start: boolean;
  readonly clock: Clock;
  readonly retry?: RetryPolicy;
}

export interface PreflightReport {
  readonly checks: readonly PreflightCheck[];
  /** The trial checkpoint's duration and image size (at start), else null. */
  readonly trial: TrialCheckpoint | null;
}

/** Preflight found something a hop would trip on: nothing was launched. */
export class PreflightError extends HotspotError {
  constructor(readonly report: PreflightReport) {
    const bad = report.checks.filter((c) => !c.ok);
    super(
      "HOTSPOT_PREFLIGHT",
      `preflight failed, nothing launched: ${bad.map((c) => `${c.check}: ${c.detail}`).join("; ")}`,
    );
  }
}

/**
 * Whether a hop could move the container without hurting it, checked before anything is launched:
 * the container host's checks on the home (the container runs there inside LXC's cgroups, `criu
 * check` passes, the volume is mounted and writable; at start a trial checkpoint that leaves it
 * running), the volume and the ENI attached to the home, and at start every EC2 call of a hop tried
 * once with DryRun (RunInstances with a hop's exact parameters for every target market, including the
 * instance profile; Attach/Detach Volume and NetworkInterface; TerminateInstances; CreateTags), so a
 * missing IAM permission is named before the first hop. Throws PreflightError listing every failed
 * check; returns the report (with the trial's measurements) when all passed.
 *
 * `hotspot live` runs it at its start (`start: true`) and before each hop's acquire (`start: false`,
 * the chosen target only); `hotspot launch` calls it the same way before it hands over to live.
 */
export async function preflight(options: PreflightOptions): Promise<PreflightReport> {
  const { compute, host, resources, home, clock, retry } = options;
  const call = <T>(f: () => Promise<T>) => withRetry(f, clock, retry);
  const checks: PreflightCheck[] = [];
  const volume = await call(() => compute.describeVolume(resources.volumeId));
  checks.push(
    volume.attachment?.instanceId === home && volume.attachment.state === "attached"
      ? passed("volume attached", `${resources.volumeId} attached to ${home}`)
      : failed(
          "volume attached",
          `${resources.volumeId} attached to ${home}`,
          volume.attachment === null
            ? "not attached"
            : `${volume.attachment.state} to ${volume.attachment.instanceId}`,
        ),
  );
  const eni = await call(() => compute.describeInterface(resources.networkInterfaceId));
  checks.push(
    eni.attachment?.instanceId === home && eni.attachment.state === "attached"
      ? passed("ENI attached", `${resources.networkInterfaceId} attached to ${home}`)
      : failed(
          "ENI attached",
          `${resources.networkInterfaceId} attached to ${home}`,
          eni.attachment === null
            ? "not attached"
            : `${eni.attachment.state} to ${eni.attachment.instanceId}`,
        ),
  );
  const hostReport = await host.preflight(home, { trial: options.start });
  checks.push(...hostReport.checks);
  if (options.start) {
    for (const dry of dryRunCalls(options, eni.attachment?.attachmentId ?? null)) {
      checks.push(await dryRunCheck(compute, dry, clock, retry));
    }
  }
  const report = { checks, trial: hostReport.trial };
  if (checks.some((c) => !c.ok)) throw new PreflightError(report);
  return report;
}

/** Every call a hop makes, as DryRun calls on the home (which the hop's calls would act on). */
function dryRunCalls(options: PreflightOptions, attachmentId: string | null): DryRunCall[] {
  const { resources, home, stack, targets } = options;
  const calls: DryRunCall[] = targets.map((target, i) => ({
    action: "RunInstances",
    request: launchRequest(resources, stack, target, `hotspot-preflight-${i}`, "preflight"),
  }));
  calls.push(
    { action: "CreateTags", resourceId: home, tags: { [TAG_STACK]: stack } },
    { action: "DetachVolume", volumeId: resources.volumeId, instanceId: home },
    {
      action: "AttachVolume",
      volumeId: resources.volumeId,
      instanceId: home,
      device: resources.volumeDevice,
    },
    {
      action: "AttachNetworkInterface",
      interfaceId: resources.networkInterfaceId,
      instanceId: home,
      deviceIndex: resources.deviceIndex,
    },
    { action: "TerminateInstances", instanceId: home },
  );
  if (attachmentId !== null) calls.push({ action: "DetachNetworkInterface", attachmentId });
  return calls;
}

async function dryRunCheck(
  compute: Ec2Compute,
  dry: DryRunCall,
  clock: Clock,
  retry?: RetryPolicy,
): Promise<PreflightCheck> {
  const what =
    dry.action === "RunInstances"
      ? `DryRun RunInstances ${dry.request.instanceType} ${dry.request.lifecycle}`
      : `DryRun ${dry.action}`;
  try {
    await withRetry(() => compute.dryRun(dry), clock, retry);
  } catch (error) {
    if (!(error instanceof CloudApiError)) throw error;
    const missing = error.apiCode === "UnauthorizedOperation" ? `permission ec2:${dry.action} missing: ` : "";
    return failed(what, "DryRunOperation (the call would succeed)", `${missing}${error.message}`);
  }
  return passed(what, "would succeed");
}
