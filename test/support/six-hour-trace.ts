/**
 * Six hours of two types in one zone: m4.large spot at $0.03 throughout; m4.xlarge $0.07, then $0.05
 * from 02:00, when it is cheaper per ECU. The small trace the CLI and api tests compute by hand.
 */
export const sixHourRows: readonly string[] = [
  "AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp",
  "us-east-1a,m4.large,Linux/UNIX,0.030000,2021-03-01T00:00:00+00:00",
  "us-east-1a,m4.xlarge,Linux/UNIX,0.070000,2021-03-01T00:00:00+00:00",
  "us-east-1a,m4.xlarge,Linux/UNIX,0.050000,2021-03-01T02:00:00+00:00",
  "us-east-1a,m4.large,Linux/UNIX,0.030000,2021-03-01T06:00:00+00:00",
];
