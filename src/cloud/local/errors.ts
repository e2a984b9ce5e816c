/** An EC2 API error as the emulator answers it: AWS's error code, message and HTTP status. */
export class Ec2Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = "Ec2Error";
  }
}

export const missingParameter = (name: string): Ec2Error =>
  new Ec2Error("MissingParameter", `The request must contain the parameter ${name}`);

export const invalidValue = (name: string, value: string, why = ""): Ec2Error =>
  new Ec2Error("InvalidParameterValue", `Invalid value '${value}' for ${name}.${why ? ` ${why}` : ""}`);

export const incorrectState = (message: string): Ec2Error => new Ec2Error("IncorrectState", message);
