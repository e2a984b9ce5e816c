/** The local cloud's data plane: namespace hosts, veth ENIs, loop-device volumes, LXC/CRIU migration. */
export { NamespaceHostBackend, type NamespaceBackendOptions } from "./namespace-backend.js";
export { cleanupAll, type CleanupReport } from "./cleanup.js";
export { containerKinds, type Container, type ContainerKind } from "./container.js";
export { LxcContainer } from "./lxc-container.js";
export { PidnsContainer } from "./pidns-container.js";
export {
  migrateContainer,
  migrationModes,
  type MigrationMode,
  type MigrationPlan,
  type MigrationResult,
} from "./migrate.js";
export { rehearseMigration, type RehearsalOptions, type RehearsalOutcome } from "./rehearsal.js";
export {
  ProbeClient,
  countBreaks,
  longestGapMs,
  type ProbeReply,
  type ProbeSummary,
} from "./probe-client.js";
export { criuPath } from "../../../host/criu.js";
export { HostCommandError } from "../../../host/run.js";
