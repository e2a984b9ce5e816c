import type { InstanceSpec, OnDemandPrice } from "./types.js";

/**
 * The built-in instance table: specs and Linux on-demand USD/hour, as AWS published them.
 *
 * Sources (AWS's figures, collected by others):
 * - 2016-04-18 and 2017-11-12 snapshots, us-east-1 and sa-east-1: ec2instances.info
 *   (github.com/vantage-sh/ec2instances.info, MIT License, Copyright (c) 2013 Garret Heaton).
 * - 2025-06-01 snapshot, us-east-1: AWS's current list prices (aws.amazon.com/ec2/pricing/on-demand/)
 *   as retrieved in mid 2025; the day is approximate. The m6i, c6i, r6i, m7i, c7i, r7i, t3 and
 *   g4dn rows were added from the same price list.
 * - ECU: as AWS published it until 2017; null for later types (none published) and for burstables
 *   (AWS lists ECU as `variable`).
 * A null price means the type was not sold (or not listed) in that region on that date.
 */
export const builtinSnapshots = [
  { asOf: "2016-04-18", region: "us-east-1" },
  { asOf: "2017-11-12", region: "us-east-1" },
  { asOf: "2025-06-01", region: "us-east-1" },
  { asOf: "2016-04-18", region: "sa-east-1" },
  { asOf: "2017-11-12", region: "sa-east-1" },
] as const;

type Price = number | null;

/** type, vCPU, memory GiB, ECU, then one price per entry of `builtinSnapshots`, in that order. */
type Row = readonly [string, number, number, number | null, Price, Price, Price, Price, Price];

const rows: readonly Row[] = [
  ["c1.medium", 2, 1.7, 5, 0.13, 0.13, 0.13, 0.179, 0.179],
  ["c1.xlarge", 8, 7, 20, 0.52, 0.52, 0.52, 0.718, 0.718],
  ["c3.large", 2, 3.75, 7, 0.105, 0.105, 0.105, 0.163, 0.163],
  ["c3.xlarge", 4, 7.5, 14, 0.21, 0.21, 0.21, 0.325, 0.325],
  ["c3.2xlarge", 8, 15, 28, 0.42, 0.42, 0.42, 0.65, 0.65],
  ["c3.4xlarge", 16, 30, 55, 0.84, 0.84, null, 1.3, 1.3],
  ["c3.8xlarge", 32, 60, 108, 1.68, 1.68, null, 2.6, 2.6],
  ["c4.large", 2, 3.75, 8, 0.105, 0.1, 0.1, null, 0.155],
  ["c4.xlarge", 4, 7.5, 16, 0.209, 0.199, 0.199, null, 0.309],
  ["c4.2xlarge", 8, 15, 31, 0.419, 0.398, 0.398, null, 0.618],
  ["c4.4xlarge", 16, 30, 62, 0.838, 0.796, 0.796, null, 1.235],
  ["c4.8xlarge", 36, 60, 132, 1.675, 1.591, null, null, 2.47],
  ["c5.large", 2, 4, 8, null, 0.085, 0.085, null, null],
  ["c5.xlarge", 4, 8, 16, null, 0.17, 0.17, null, null],
  ["c5.2xlarge", 8, 16, 31, null, 0.34, 0.34, null, null],
  ["c5.4xlarge", 16, 32, 62, null, 0.68, 0.68, null, null],
  ["c5.9xlarge", 36, 72, 139, null, 1.53, null, null, null],
  ["c5.18xlarge", 72, 144, 278, null, 3.06, null, null, null],
  ["c6i.large", 2, 4, null, null, null, 0.085, null, null],
  ["c6i.xlarge", 4, 8, null, null, null, 0.17, null, null],
  ["c6i.2xlarge", 8, 16, null, null, null, 0.34, null, null],
  ["c6i.4xlarge", 16, 32, null, null, null, 0.68, null, null],
  ["c7i.large", 2, 4, null, null, null, 0.08925, null, null],
  ["c7i.xlarge", 4, 8, null, null, null, 0.1785, null, null],
  ["c7i.2xlarge", 8, 16, null, null, null, 0.357, null, null],
  ["c7i.4xlarge", 16, 32, null, null, null, 0.714, null, null],
  ["cc2.8xlarge", 32, 60.5, 88, 2, 2, null, null, null],
  ["cg1.4xlarge", 16, 22.5, 33.5, 2.1, 2.1, null, null, null],
  ["cr1.8xlarge", 32, 244, 88, 3.5, 3.5, null, null, null],
  ["d2.xlarge", 4, 30.5, 14, 0.69, 0.69, null, null, null],
  ["d2.2xlarge", 8, 61, 28, 1.38, 1.38, null, null, null],
  ["d2.4xlarge", 16, 122, 56, 2.76, 2.76, null, null, null],
  ["d2.8xlarge", 36, 244, 116, 5.52, 5.52, null, null, null],
  ["f1.2xlarge", 8, 122, 26, null, 1.65, null, null, null],
  ["f1.16xlarge", 64, 976, 188, null, 13.2, null, null, null],
  ["g2.2xlarge", 8, 15, 26, 0.65, 0.65, null, null, null],
  ["g2.8xlarge", 32, 60, 104, 2.6, 2.6, null, null, null],
  ["g3.4xlarge", 16, 122, 47, null, 1.14, null, null, null],
  ["g3.8xlarge", 32, 244, 94, null, 2.28, null, null, null],
  ["g3.16xlarge", 64, 488, 188, null, 4.56, null, null, null],
  ["g4dn.xlarge", 4, 16, null, null, null, 0.526, null, null],
  ["hi1.4xlarge", 16, 60.5, 35, 3.1, null, null, null, null],
  ["hs1.8xlarge", 16, 117, 35, 4.6, 4.6, null, null, null],
  ["i2.xlarge", 4, 30.5, 14, 0.853, 0.853, null, null, null],
  ["i2.2xlarge", 8, 61, 27, 1.705, 1.705, null, null, null],
  ["i2.4xlarge", 16, 122, 53, 3.41, 3.41, null, null, null],
  ["i2.8xlarge", 32, 244, 104, 6.82, 6.82, null, null, null],
  ["i3.large", 2, 15.25, 7, null, 0.156, 0.156, null, 0.286],
  ["i3.xlarge", 4, 30.5, 13, null, 0.312, 0.312, null, 0.572],
  ["i3.2xlarge", 8, 61, 27, null, 0.624, null, null, 1.144],
  ["i3.4xlarge", 16, 122, 53, null, 1.248, null, null, 2.288],
  ["i3.8xlarge", 32, 244, 99, null, 2.496, null, null, 4.576],
  ["i3.16xlarge", 64, 488, 200, null, 4.992, null, null, 9.152],
  ["m1.small", 1, 1.7, 1, 0.044, 0.044, 0.044, 0.058, 0.058],
  ["m1.medium", 1, 3.75, 2, 0.087, 0.087, null, 0.117, 0.117],
  ["m1.large", 2, 7.5, 4, 0.175, 0.175, null, 0.233, 0.233],
  ["m1.xlarge", 4, 15, 8, 0.35, 0.35, 0.35, 0.467, 0.467],
  ["m2.xlarge", 2, 17.1, 6.5, 0.245, 0.245, 0.245, 0.323, 0.323],
  ["m2.2xlarge", 4, 34.2, 13, 0.49, 0.49, null, 0.645, 0.645],
  ["m2.4xlarge", 8, 68.4, 26, 0.98, 0.98, null, 1.291, 1.291],
  ["m3.medium", 1, 3.75, 3, 0.067, 0.067, 0.067, 0.095, 0.095],
  ["m3.large", 2, 7.5, 6.5, 0.133, 0.133, 0.133, 0.19, 0.19],
  ["m3.xlarge", 4, 15, 13, 0.266, 0.266, 0.266, 0.381, 0.381],
  ["m3.2xlarge", 8, 30, 26, 0.532, 0.532, 0.532, 0.761, 0.761],
  ["m4.large", 2, 8, 6.5, 0.12, 0.1, 0.1, null, 0.159],
  ["m4.xlarge", 4, 16, 13, 0.239, 0.2, 0.2, null, 0.318],
  ["m4.2xlarge", 8, 32, 26, 0.479, 0.4, 0.4, null, 0.636],
  ["m4.4xlarge", 16, 64, 53.5, 0.958, 0.8, 0.8, null, 1.272],
  ["m4.10xlarge", 40, 160, 124.5, 2.394, 2, 2, null, 3.18],
  ["m4.16xlarge", 64, 256, 188, null, 3.2, null, null, 5.088],
  ["m5.large", 2, 8, null, null, null, 0.096, null, null],
  ["m5.xlarge", 4, 16, null, null, null, 0.192, null, null],
  ["m5.2xlarge", 8, 32, null, null, null, 0.384, null, null],
  ["m5.4xlarge", 16, 64, null, null, null, 0.768, null, null],
  ["m6i.large", 2, 8, null, null, null, 0.096, null, null],
  ["m6i.xlarge", 4, 16, null, null, null, 0.192, null, null],
  ["m6i.2xlarge", 8, 32, null, null, null, 0.384, null, null],
  ["m6i.4xlarge", 16, 64, null, null, null, 0.768, null, null],
  ["m7i.large", 2, 8, null, null, null, 0.1008, null, null],
  ["m7i.xlarge", 4, 16, null, null, null, 0.2016, null, null],
  ["m7i.2xlarge", 8, 32, null, null, null, 0.4032, null, null],
  ["m7i.4xlarge", 16, 64, null, null, null, 0.8064, null, null],
  ["p2.xlarge", 4, 61, 12, null, 0.9, null, null, null],
  ["p2.8xlarge", 32, 488, 94, null, 7.2, null, null, null],
  ["p2.16xlarge", 64, 732, 188, null, 14.4, null, null, null],
  ["p3.2xlarge", 8, 61, 23.5, null, 3.06, null, null, null],
  ["p3.8xlarge", 32, 244, 94, null, 12.24, null, null, null],
  ["p3.16xlarge", 64, 488, 188, null, 24.48, null, null, null],
  ["r3.large", 2, 15.25, 6.5, 0.166, 0.166, null, null, 0.35],
  ["r3.xlarge", 4, 30.5, 13, 0.333, 0.333, null, null, 0.7],
  ["r3.2xlarge", 8, 61, 26, 0.665, 0.665, null, null, 1.399],
  ["r3.4xlarge", 16, 122, 52, 1.33, 1.33, null, 2.799, 2.799],
  ["r3.8xlarge", 32, 244, 104, 2.66, 2.66, null, 5.597, 5.597],
  ["r4.large", 2, 15.25, 7, null, 0.133, 0.133, null, 0.28],
  ["r4.xlarge", 4, 30.5, 13.5, null, 0.266, 0.266, null, 0.56],
  ["r4.2xlarge", 8, 61, 27, null, 0.532, null, null, 1.12],
  ["r4.4xlarge", 16, 122, 53, null, 1.064, null, null, 2.24],
  ["r4.8xlarge", 32, 244, 99, null, 2.128, null, null, 4.48],
  ["r4.16xlarge", 64, 488, 195, null, 4.256, null, null, 8.96],
  ["r5.large", 2, 16, null, null, null, 0.126, null, null],
  ["r5.xlarge", 4, 32, null, null, null, 0.252, null, null],
  ["r5.2xlarge", 8, 64, null, null, null, 0.504, null, null],
  ["r5.4xlarge", 16, 128, null, null, null, 1.008, null, null],
  ["r6i.large", 2, 16, null, null, null, 0.126, null, null],
  ["r6i.xlarge", 4, 32, null, null, null, 0.252, null, null],
  ["r6i.2xlarge", 8, 64, null, null, null, 0.504, null, null],
  ["r6i.4xlarge", 16, 128, null, null, null, 1.008, null, null],
  ["r7i.large", 2, 16, null, null, null, 0.1323, null, null],
  ["r7i.xlarge", 4, 32, null, null, null, 0.2646, null, null],
  ["r7i.2xlarge", 8, 64, null, null, null, 0.5292, null, null],
  ["r7i.4xlarge", 16, 128, null, null, null, 1.0584, null, null],
  ["t1.micro", 1, 0.613, null, 0.02, 0.02, 0.02, 0.027, 0.027],
  ["t2.nano", 1, 0.5, null, 0.0065, 0.0058, null, 0.0135, 0.0093],
  ["t2.micro", 1, 1, null, 0.013, 0.0116, null, 0.027, 0.0186],
  ["t2.small", 1, 2, null, 0.026, 0.023, null, 0.054, 0.0372],
  ["t2.medium", 2, 4, null, 0.052, 0.0464, null, 0.108, 0.0744],
  ["t2.large", 2, 8, null, 0.104, 0.0928, null, 0.216, 0.1488],
  ["t2.xlarge", 4, 16, null, null, 0.1856, null, null, 0.2976],
  ["t2.2xlarge", 8, 32, null, null, 0.3712, null, null, 0.5952],
  ["t3.micro", 2, 1, null, null, null, 0.0104, null, null],
  ["t3.small", 2, 2, null, null, null, 0.0208, null, null],
  ["t3.medium", 2, 4, null, null, null, 0.0416, null, null],
  ["t3.large", 2, 8, null, null, null, 0.0832, null, null],
  ["t3.xlarge", 4, 16, null, null, null, 0.1664, null, null],
  ["t3.2xlarge", 8, 32, null, null, null, 0.3328, null, null],
  ["x1.16xlarge", 64, 976, 174.5, null, 6.669, null, null, 13.005],
  ["x1.32xlarge", 128, 1952, 349, null, 13.338, null, null, 26.01],
  ["x1e.32xlarge", 128, 3904, 340, null, 26.688, null, null, null],
];

export const builtinSpecs: readonly InstanceSpec[] = rows.map(([type, vcpu, memoryGiB, ecu]) => ({
  type,
  vcpu,
  memoryGiB,
  ecu,
}));

export const builtinPrices: readonly OnDemandPrice[] = rows.flatMap(([type, , , , ...prices]) =>
  builtinSnapshots.flatMap(({ asOf, region }, index) => {
    const usdPerHour = prices[index];
    return usdPerHour === null ? [] : [{ type, region, asOf, usdPerHour }];
  }),
);
