import { execa } from "execa";
import { HotspotError } from "../errors.js";

/** A host command (ip, losetup, criu ...) exited non-zero or could not start. */
export class HostCommandError extends HotspotError {
  constructor(
    readonly command: readonly string[],
    readonly exitCode: number | undefined,
    readonly stderr: string,
    options: { cause?: unknown } = {},
  ) {
    const tail = stderr.trim().split("\n").slice(-4).join(" | ");
    super(
      "HOTSPOT_HOST_COMMAND",
      `${command.join(" ")}: exit ${exitCode ?? "none"}${tail === "" ? "" : `: ${tail}`}`,
      options,
    );
  }
}

/** Runs `file args...` (an argument array, never a shell string) and returns its trimmed stdout. */
export async function run(file: string, args: readonly string[]): Promise<string> {
  const result = await execa(file, args, { reject: false, stdin: "ignore" });
  if (result.exitCode !== 0 || result.failed) {
    throw new HostCommandError([file, ...args], result.exitCode, String(result.stderr || result.message), {
      cause: result,
    });
  }
  return String(result.stdout).trim();
}

/** Runs a command inside the network namespace `netns` (only the network is switched, not mounts). */
export function runIn(netns: string, file: string, args: readonly string[]): Promise<string> {
  return run("nsenter", [`--net=/run/netns/${netns}`, file, ...args]);
}
