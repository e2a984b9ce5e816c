import type { Ec2Compute } from "./ec2-compute.js";
import { InstanceLostError, StepTimeoutError } from "../errors.js";
import { withRetry, type RetryPolicy } from "../retry.js";
import type { Clock } from "../../../util/clock.js";

/** EC2 calls with retries, polling with timeouts, on the injected clock. */
export class LiveCalls {
  constructor(
    readonly compute: Ec2Compute,
    readonly clock: Clock,
    private readonly retry: RetryPolicy,
    private readonly pollMs: number,
  ) {}

  call<T>(call: () => Promise<T>): Promise<T> {
    return withRetry(call, this.clock, this.retry);
  }

  /** Poll `done` every poll interval until it holds; StepTimeoutError after `timeoutMs`. */
  async waitFor(what: string, timeoutMs: number, done: () => Promise<boolean>): Promise<void> {
    const start = this.clock.now();
    while (!(await done())) {
      if (this.clock.now() - start >= timeoutMs) throw new StepTimeoutError(what, this.clock.now() - start);
      await this.clock.sleep(this.pollMs);
    }
  }

  async requireRunning(id: string): Promise<void> {
    const i = await this.call(() => this.compute.describeInstance(id));
    if (i?.state !== "running") throw new InstanceLostError(id, i?.state ?? "unknown", i?.stateReason ?? "");
  }
}
