import { describe, expect, it } from "vitest";
import { canonicalHeader, canonicalRow } from "../../src/traces/canonical-csv.js";

describe("canonical trace CSV", () => {
  it("writes the AWS CLI header and rows with 6 decimals and ISO milliseconds", () => {
    expect(canonicalHeader).toBe("AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp");
    const key = { zone: "us-east-1a", instanceType: "m4.large", product: "Linux/UNIX" };
    expect(canonicalRow(key, 0.0315, 1_500_000_000.4567)).toBe(
      "us-east-1a,m4.large,Linux/UNIX,0.031500,2017-07-14T02:40:00.457Z\n",
    );
  });

  it("quotes fields with a comma, a quote or a line break, doubling quotes", () => {
    const key = { zone: 'z,"a"', instanceType: "t\nx", product: "Linux/UNIX (Amazon VPC)" };
    expect(canonicalRow(key, 1, 0)).toBe(
      '"z,""a""","t\nx",Linux/UNIX (Amazon VPC),1.000000,1970-01-01T00:00:00.000Z\n',
    );
  });
});
