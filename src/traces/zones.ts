import type { ZoneKind } from "./types.js";

// Zone IDs are `<region code>-az<N>`; the region code is AWS's fixed abbreviation of the region name.
const regionOfZoneIdPrefix: Readonly<Record<string, string>> = {
  use1: "us-east-1",
  use2: "us-east-2",
  usw1: "us-west-1",
  usw2: "us-west-2",
  cac1: "ca-central-1",
  caw1: "ca-west-1",
  sae1: "sa-east-1",
  mxc1: "mx-central-1",
  euw1: "eu-west-1",
  euw2: "eu-west-2",
  euw3: "eu-west-3",
  euc1: "eu-central-1",
  euc2: "eu-central-2",
  eun1: "eu-north-1",
  eus1: "eu-south-1",
  eus2: "eu-south-2",
  aps1: "ap-south-1",
  aps2: "ap-south-2",
  apne1: "ap-northeast-1",
  apne2: "ap-northeast-2",
  apne3: "ap-northeast-3",
  apse1: "ap-southeast-1",
  apse2: "ap-southeast-2",
  apse3: "ap-southeast-3",
  apse4: "ap-southeast-4",
  apse5: "ap-southeast-5",
  apse7: "ap-southeast-7",
  ape1: "ap-east-1",
  mes1: "me-south-1",
  mec1: "me-central-1",
  afs1: "af-south-1",
  ilc1: "il-central-1",
};

const zoneNamePattern = /^([a-z]{2}(?:-gov)?-[a-z]+-\d+)[a-z]$/;
const zoneIdPattern = /^([a-z]+\d+)-az\d+$/;

export function zoneKindOf(zone: string): ZoneKind | undefined {
  if (zoneNamePattern.test(zone)) return "zone-name";
  if (zoneIdPattern.test(zone)) return "zone-id";
  return undefined;
}

/** The region of a zone name (`us-east-1a`) or zone ID (`use1-az4`), or undefined if unrecognised. */
export function regionOfZone(zone: string): string | undefined {
  const name = zoneNamePattern.exec(zone);
  if (name) return name[1];
  const id = zoneIdPattern.exec(zone);
  return id ? regionOfZoneIdPrefix[id[1]] : undefined;
}
