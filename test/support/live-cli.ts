import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { AMI, type LocalWorld } from "./local-world.js";

/** The built CLI: the live end-to-end tests run it as a separate process, as a user (or init) would. */
export const BIN = fileURLToPath(new URL("../../dist/src/cli/bin.js", import.meta.url));

export function requireBuiltCli(): void {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npm run build first (npm test does)`);
}

/**
 * `hotspot live --cloud local` against `world` with the flags every live end-to-end test uses
 * (decisions every second, prices polled every 5 s, a 0.25 GiB container using 4 ECU) and `args`;
 * resolves with how the process ended, never rejects.
 */
export function liveCli(
  world: LocalWorld,
  configPath: string,
  args: readonly string[],
  env: Record<string, string> = {},
) {
  return execa(
    process.execPath,
    [
      BIN,
      "live",
      "--config",
      configPath,
      "--cloud",
      "local",
      "--endpoint",
      world.emulator.endpoint,
      "--metadata",
      world.emulator.metadataBase,
      "--local-hosts",
      world.stateDir,
      "--local-prefix",
      world.prefix,
      "--image-id",
      AMI,
      "--interval",
      "1",
      "--price-poll",
      "5",
      "--memory",
      "0.25",
      "--demand",
      "4",
      ...args,
    ],
    { reject: false, env, timeout: 120_000 },
  );
}
