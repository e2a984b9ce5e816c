import type { ImageArchitecture } from "./image-model.js";

/** A public image the emulated region offers, as its publisher registered it. */
export interface PublicImage {
  readonly id: string;
  readonly ownerId: string;
  readonly name: string;
  readonly description: string;
  readonly architecture: ImageArchitecture;
  readonly creationDate: string;
  readonly rootSizeGiB: number;
}

/** Debian's publisher account for its official cloud images on EC2. */
export const DEBIAN_OWNER_ID = "136693071363";
/** Canonical's, for a public image that is not Debian. */
export const CANONICAL_OWNER_ID = "099720109477";

/**
 * Stand-ins for the public catalogue: two releases of Debian 12 per architecture (so "the newest"
 * means something) and one Ubuntu image. Names follow the publishers' patterns; ids are made up.
 */
export const DEFAULT_PUBLIC_IMAGES: readonly PublicImage[] = [
  debian("ami-0d12a0000000000a1", "amd64", "x86_64", "20250428-2096", "2025-04-28T21:00:00.000Z"),
  debian("ami-0d12a0000000000a2", "amd64", "x86_64", "20250610-2137", "2025-06-10T21:37:00.000Z"),
  debian("ami-0d12b0000000000b1", "arm64", "arm64", "20250428-2096", "2025-04-28T21:00:00.000Z"),
  debian("ami-0d12b0000000000b2", "arm64", "arm64", "20250610-2137", "2025-06-10T21:37:00.000Z"),
  {
    id: "ami-0c0a0000000002204",
    ownerId: CANONICAL_OWNER_ID,
    name: "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20250516",
    description: "Canonical, Ubuntu, 22.04 LTS, amd64 jammy image build on 2025-05-16",
    architecture: "x86_64",
    creationDate: "2025-05-16T10:00:00.000Z",
    rootSizeGiB: 8,
  },
];

function debian(
  id: string,
  arch: "amd64" | "arm64",
  architecture: ImageArchitecture,
  build: string,
  creationDate: string,
): PublicImage {
  return {
    id,
    ownerId: DEBIAN_OWNER_ID,
    name: `debian-12-${arch}-${build}`,
    description: `Debian 12 (${build})`,
    architecture,
    creationDate,
    rootSizeGiB: 8,
  };
}
