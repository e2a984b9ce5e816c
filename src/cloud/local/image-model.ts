/** Machine images (AMIs) and the EBS snapshots behind them, as the emulator keeps them. */

import type { Tags } from "./model.js";

export type ImageArchitecture = "x86_64" | "arm64";

export interface Image {
  readonly id: string;
  readonly ownerId: string;
  readonly name: string;
  readonly description: string;
  readonly architecture: ImageArchitecture;
  readonly creationTimeMs: number;
  readonly isPublic: boolean;
  readonly rootDeviceName: string;
  /** The root snapshot and any other volume's, by device name; empty for a local image. */
  readonly blockDevices: ReadonlyArray<{ readonly deviceName: string; readonly snapshotId: string }>;
  /**
   * Where a local image lives instead of snapshots: `hotspot-local:host-root` is the local cloud's own
   * filesystem (its namespace hosts boot the host's root), registered by RegisterImage's ImageLocation.
   */
  readonly imageLocation: string | null;
  /** The instance CreateImage made it from, if any. */
  readonly sourceInstanceId: string | null;
  readonly tags: Tags;
  state: "pending" | "available" | "failed";
}

export interface Snapshot {
  readonly id: string;
  readonly ownerId: string;
  readonly volumeSizeGiB: number;
  readonly description: string;
  readonly startTimeMs: number;
  readonly tags: Tags;
  state: "pending" | "completed" | "error";
}

/** The marker of a local image (RegisterImage ImageLocation): the local cloud's own filesystem. */
export const LOCAL_HOST_ROOT = "hotspot-local:host-root";
