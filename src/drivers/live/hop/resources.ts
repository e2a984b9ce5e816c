/** What `hotspot setup` made and every hop moves: the container's volume and its ENI. */
export interface LiveResources {
  readonly imageId: string;
  readonly subnetId?: string;
  readonly volumeId: string;
  readonly volumeDevice: string;
  readonly networkInterfaceId: string;
  /** Device index of the moved ENI (not 0: the primary interface never detaches). */
  readonly deviceIndex: number;
  /** Base64 user data for the target (e.g. one that starts `hotspot live --resume`). */
  readonly userData?: string;
  /** Instance profile (ARN or name) for the target: its controller's credentials when self-migrating. */
  readonly instanceProfile?: string;
}

/** Milliseconds. */
export interface HopTimeouts {
  readonly running: number;
  readonly attach: number;
  /** A detach that takes longer is forced (`Force: true`). */
  readonly detach: number;
  readonly forcedDetach: number;
  readonly poll: number;
}

/** Spot acquisition took up to 167 s in the paper's Table 2; attach/detach up to 48 s. */
export const DEFAULT_TIMEOUTS: HopTimeouts = {
  running: 600_000,
  attach: 180_000,
  detach: 120_000,
  forcedDetach: 120_000,
  poll: 2_000,
};
