import { HostCommandError } from "../../src/host/run.js";

/** What a scripted command answers: its stdout, or a failure as the real runner reports it. */
export type Answer = string | { readonly exit: number; readonly stderr: string };

/** A runner that records every argv and answers from a script instead of running anything. */
export function recordingRunner(answer: (file: string, args: readonly string[]) => Answer = () => "") {
  const calls: string[][] = [];
  const runner = async (file: string, args: readonly string[]): Promise<string> => {
    calls.push([file, ...args]);
    const a = answer(file, args);
    if (typeof a === "string") return a;
    throw new HostCommandError([file, ...args], a.exit, a.stderr);
  };
  return { calls, runner };
}

/** A clock that only moves when slept on, recording each sleep. */
export function fakeClock(start = 1_000_000) {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

/** findmnt's answer when nothing is mounted at the path: exit 1, no output. */
export const NOT_MOUNTED: Answer = { exit: 1, stderr: "" };
