import { startEmulator, type Emulator } from "../../src/cloud/local/index.js";
import { createSetupEc2, type SetupEc2 } from "../../src/setup/ec2-setup-client.js";
import type { SetupSpec } from "../../src/setup/spec.js";
import { wallClock } from "../../src/util/clock.js";

/** The local cloud's EC2 emulator on the wall clock with zero modelled latency, and setup's client on it. */
export interface SetupHarness {
  readonly emulator: Emulator;
  readonly ec2: SetupEc2;
  /** Actions of the requests the emulator received since `mark`, in order. */
  actionsSince(mark: number): string[];
  close(): Promise<void>;
}

export async function setupHarness(): Promise<SetupHarness> {
  // Credentials reach the SDK only through its default chain, here the environment.
  process.env.AWS_ACCESS_KEY_ID = "AKIDSETUPTEST";
  process.env.AWS_SECRET_ACCESS_KEY = "setup-test-secret";
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  const emulator = await startEmulator({ latency: { factor: 0 } });
  const ec2 = createSetupEc2({ region: "us-east-1", endpoint: emulator.endpoint });
  return {
    emulator,
    ec2,
    actionsSince: (mark) => emulator.state.requestLog.slice(mark).map((entry) => entry.action),
    close: async () => {
      ec2.destroy();
      await emulator.close();
    },
  };
}

export const fastWait = { clock: wallClock, pollMs: 5, attempts: 400 };

export const spec = (overrides: Partial<SetupSpec> = {}): SetupSpec => ({
  name: "t1",
  region: "us-east-1",
  zone: "us-east-1a",
  vpcCidr: "10.0.0.0/16",
  subnetCidr: "10.0.1.0/24",
  privateIp: "10.0.1.10",
  ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidr: "198.51.100.0/24" }],
  volumeGiB: 20,
  ...overrides,
});

export const mutating = (actions: readonly string[]) => actions.filter((a) => !a.startsWith("Describe"));
