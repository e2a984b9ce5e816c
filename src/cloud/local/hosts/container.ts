import type { LazyDump } from "./criu.js";
import type { PageServerEndpoint } from "./page-server.js";

export const containerKinds = ["lxc", "pidns"] as const;
/** `lxc`: a real LXC container (busybox template); `pidns`: the workload as PID 1 of its own PID namespace. */
export type ContainerKind = (typeof containerKinds)[number];

/** A running container that can be checkpointed on one instance and restored on another. */
export interface Container {
  readonly kind: ContainerKind;
  /** The instance (network namespace) it runs in now. */
  readonly netns: string;
  /** Host PID of its root process. */
  readonly pid: number;
  /**
   * Stop-and-copy checkpoint into `imagesDir`; resolves once the dumped tree is gone. With `pageServer`,
   * memory goes to that CRIU page server instead and `imagesDir` gets only the rest (a few hundred KiB).
   */
  dump(imagesDir: string, pageServer?: PageServerEndpoint): Promise<void>;
  /** Post-copy checkpoint: memory stays behind a page server on the source's loopback `port`. */
  dumpLazy(imagesDir: string, port: number): Promise<LazyDump>;
  /**
   * Restores from `imagesDir` into instance `netns` (post-copy when `lazy`). Logs that outlive the
   * restore (LXC's monitor keeps its own open while the container runs) go to `logDir`, default `imagesDir`.
   */
  restore(netns: string, imagesDir: string, lazy: boolean, logDir?: string): Promise<void>;
  /** Kills it wherever it runs (cleanup). */
  kill(): Promise<void>;
}
