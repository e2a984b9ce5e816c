import { EC2Client } from "@aws-sdk/client-ec2";
import { ManualScheduler } from "../../src/cloud/local/clock.js";
import { startEmulator, type Emulator, type EmulatorOptions } from "../../src/cloud/local/emulator.js";
import { MemoryHostBackend } from "../../src/cloud/local/memory-backend.js";

/** An emulator on virtual time with the real SDK pointed at it (credentials through the default chain). */
export interface Harness {
  readonly emulator: Emulator;
  readonly clock: ManualScheduler;
  readonly backend: MemoryHostBackend;
  readonly ec2: EC2Client;
  close(): Promise<void>;
}

export const START_MS = Date.UTC(2026, 0, 1);

export async function harness(options: EmulatorOptions = {}): Promise<Harness> {
  process.env.AWS_ACCESS_KEY_ID = "AKIDLOCALCLOUDTEST";
  process.env.AWS_SECRET_ACCESS_KEY = "local-cloud-test-secret";
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  const clock = new ManualScheduler(START_MS);
  const backend = new MemoryHostBackend();
  const emulator = await startEmulator({ scheduler: clock, backend, ...options });
  const ec2 = new EC2Client({ region: "us-east-1", endpoint: emulator.endpoint });
  return {
    emulator,
    clock,
    backend,
    ec2,
    close: async () => {
      ec2.destroy();
      await emulator.close();
    },
  };
}

/** Waits (real time, bounded) until `check` holds; for waiting on an SDK call to reach the server. */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The error an SDK call rejects with. */
export async function errorOf(
  promise: Promise<unknown>,
): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error("expected the call to fail, but it succeeded");
}

export const AMI = "ami-0123456789abcdef0";
