import { describe, expect, it } from "vitest";
import { Ec2Error, incorrectState, invalidValue, missingParameter } from "../../../src/cloud/local/errors.js";

describe("the emulator's EC2 errors", () => {
  it("carry AWS's code, message and HTTP status (400 unless given)", () => {
    const e = new Ec2Error("RequestLimitExceeded", "Request limit exceeded.", 503);
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ name: "Ec2Error", code: "RequestLimitExceeded", status: 503 });
    expect(e.message).toBe("Request limit exceeded.");
    expect(new Ec2Error("X", "y").status).toBe(400);
  });

  it("words the common ones as EC2 does", () => {
    expect(missingParameter("ImageId")).toMatchObject({
      code: "MissingParameter",
      message: "The request must contain the parameter ImageId",
      status: 400,
    });
    expect(invalidValue("MaxResults", "3")).toMatchObject({
      code: "InvalidParameterValue",
      message: "Invalid value '3' for MaxResults.",
    });
    expect(invalidValue("Size", "0", "Expected 1 to 16384.")).toMatchObject({
      message: "Invalid value '0' for Size. Expected 1 to 16384.",
    });
    expect(incorrectState("The volume is in use")).toMatchObject({
      code: "IncorrectState",
      message: "The volume is in use",
    });
  });
});
