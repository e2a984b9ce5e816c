/** The local cloud's control plane: an EC2 API emulator for the real SDK, with its fault and time controls. */
export { startEmulator, type Emulator, type EmulatorOptions } from "./emulator.js";
export { ManualScheduler, RealScheduler, type Scheduler } from "./clock.js";
export type { HostBackend, HostInstance, HostInterface, HostVolume } from "./host-backend.js";
export { MemoryHostBackend, type BackendCall } from "./memory-backend.js";
export {
  FaultSet,
  parseFaultScript,
  readFaultScript,
  type ActiveFault,
  type Fault,
  type InterruptOptions,
} from "./faults.js";
export { TABLE2_LATENCIES, type LatencyKind, type LatencyOptions, type Range } from "./latency.js";
export { recordsFromTrace, type SpotPriceRecord } from "./spot-prices.js";
export { BUILT_IN_INSTANCE_TYPES, fromSpecs, type EmulatedInstanceType } from "./instance-types.js";
export { ACTIONS, type ActionName } from "./actions.js";
export { Guests, type GuestScript } from "./guest.js";
export { LOCAL_HOST_ROOT, type Image, type Snapshot } from "./image-model.js";
export {
  CANONICAL_OWNER_ID,
  DEBIAN_OWNER_ID,
  DEFAULT_PUBLIC_IMAGES,
  type PublicImage,
} from "./public-images.js";
export type { World, BackendError } from "./world.js";
