import { writeLiveConfig, type LiveConfig } from "./config.js";
import { applySetup, type ReadyWait } from "./apply.js";
import { destroySetup, formatDestroyPlan, planDestroy } from "./destroy.js";
import type { SetupEc2 } from "./ec2-setup-client.js";
import { observe } from "./observe.js";
import { formatSetupPlan, planSetup } from "./plan.js";
import type { SetupSpec } from "./spec.js";

/** Everything `hotspot setup` does, validated at the command line. */
export interface SetupOptions {
  readonly spec: SetupSpec;
  readonly mode: "apply" | "dry-run" | "destroy" | "destroy-dry-run";
  /** Where hotspot.json goes (apply only). */
  readonly configPath: string;
  readonly containerName: string;
  readonly instanceTypes: readonly string[];
  readonly policy: LiveConfig["policy"];
}

/**
 * Runs one setup mode against `ec2`, writing progress text to `out` and pausing on `wait` while a
 * resource is being made; returns the config it wrote, if any.
 */
export async function runSetup(
  options: SetupOptions,
  ec2: SetupEc2,
  out: (text: string) => void,
  wait: ReadyWait,
): Promise<LiveConfig | undefined> {
  const { spec } = options;
  switch (options.mode) {
    case "dry-run":
      out(formatSetupPlan(planSetup(spec, await observe(ec2, spec.name))));
      out("dry run: nothing was changed and no config was written\n");
      return undefined;
    case "destroy-dry-run":
      out(formatDestroyPlan(spec.name, planDestroy(spec.name, await observe(ec2, spec.name))));
      out("dry run: nothing was changed\n");
      return undefined;
    case "destroy": {
      const steps = await destroySetup(ec2, spec.name);
      out(formatDestroyPlan(spec.name, steps));
      out(`destroyed what setup ${spec.name} made; ${options.configPath} was left in place\n`);
      return undefined;
    }
    case "apply": {
      const { plan, result } = await applySetup(ec2, spec, wait);
      out(formatSetupPlan(plan));
      const config: LiveConfig = {
        version: 1,
        name: spec.name,
        region: spec.region,
        zone: spec.zone,
        vpcId: result.vpcId,
        subnetId: result.subnetId,
        securityGroupId: result.securityGroupId,
        eniId: result.eniId,
        privateIp: result.privateIp,
        allocationId: result.allocationId,
        publicIp: result.publicIp,
        volumeId: result.volumeId,
        containerName: options.containerName,
        instanceTypes: options.instanceTypes,
        policy: options.policy,
      };
      await writeLiveConfig(options.configPath, config);
      out(
        `wrote ${options.configPath}; the volume ${result.volumeId} is blank: \`hotspot container create\` formats it and puts the container on it\n`,
      );
      return config;
    }
  }
}
