import { beginTerminate } from "./compute.js";
import { Ec2Error, missingParameter } from "./errors.js";
import { stateChanges } from "./instance-views.js";
import type { Instance } from "./model.js";
import type { Params } from "./params.js";
import { lookupAll, type World } from "./world.js";
import { isoTime, type XmlValue } from "./xml.js";

const USER_STOP = {
  code: "Client.UserInitiatedShutdown",
  message: "Client.UserInitiatedShutdown: User initiated shutdown",
};
const GUEST_STOP = {
  code: "Client.InstanceInitiatedShutdown",
  message: "Client.InstanceInitiatedShutdown: Instance initiated shutdown",
};

/**
 * Begin stopping: `stopping` now, `stopped` once the modelled time passed and the data plane stopped
 * the instance's software. Volumes and interfaces stay attached, as on EC2.
 */
function beginStop(
  world: World,
  instance: Instance,
  reason: { code: string; message: string },
  initiator: string,
): void {
  if (instance.state !== "running") return;
  const backend = world.config.backend;
  const stopInstance = backend.stopInstance?.bind(backend);
  if (stopInstance === undefined) throw new Error("beginStop: the data plane cannot stop instances");
  for (const cancel of instance.cancels) cancel();
  instance.cancels = [];
  instance.state = "stopping";
  instance.stateReason = reason;
  instance.stateTransitionReason = `${initiator} (${isoTime(world.now)
    .replace("T", " ")
    .replace(/\.\d+Z$/, " GMT")})`;
  instance.pending = world.transition(
    world.delay("stop"),
    "stopInstance",
    instance.id,
    () => stopInstance(instance.id),
    () => {
      instance.pending = null;
      instance.state = "stopped";
    },
    () => {
      // The data plane could not stop it: it keeps running, as a failed stop does on EC2.
      instance.pending = null;
      instance.state = "running";
      instance.stateReason = null;
    },
  );
}

export function stopInstances(world: World, params: Params): XmlValue[] {
  const ids = params.strings("InstanceId");
  if (ids.length === 0) throw missingParameter("InstanceId");
  const instances = lookupAll(ids, world.instances, "InvalidInstanceID.NotFound", "instance");
  if (world.config.backend.stopInstance === undefined) {
    throw new Ec2Error(
      "UnsupportedOperation",
      "This local cloud's data plane cannot stop instances; terminate them instead.",
    );
  }
  for (const instance of instances) {
    if (instance.lifecycle === "spot") {
      throw new Ec2Error(
        "UnsupportedOperation",
        `You can't stop the Spot Instance '${instance.id}' because it is associated with a one-time Spot Instance request. You can only stop Spot Instances associated with persistent Spot Instance requests.`,
      );
    }
    if (
      instance.state === "pending" ||
      instance.state === "shutting-down" ||
      instance.state === "terminated"
    ) {
      throw new Ec2Error(
        "IncorrectInstanceState",
        `This instance '${instance.id}' is not in a state from which it can be stopped.`,
      );
    }
  }
  return stateChanges(instances, (instance) => beginStop(world, instance, USER_STOP, "User initiated"));
}

/**
 * The guest shut itself down (`poweroff`): per its InstanceInitiatedShutdownBehavior the instance
 * stops (stopping → stopped) or terminates. A data plane that cannot stop instances terminates it.
 */
export function guestShutdown(world: World, instance: Instance): void {
  if (instance.state !== "running") return;
  if (instance.shutdownBehavior === "stop" && world.config.backend.stopInstance !== undefined) {
    beginStop(world, instance, GUEST_STOP, "Instance initiated");
  } else {
    beginTerminate(world, instance, GUEST_STOP, "Instance initiated");
  }
}
