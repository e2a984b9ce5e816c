import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it, vi } from "vitest";
import { LOCAL_CLOUD_ENV } from "../../../src/cli/local-env.js";
import { writeLiveConfig } from "../../../src/setup/config.js";
import { sampleLiveConfig } from "../../support/live-config.js";
import { runCli } from "../../support/run-cli.js";

// The refusals `hotspot launch` makes before any request; a launch itself boots a controller on a
// namespace host (test/cli/operate-e2e.test.ts) and launchHome is tested in test/drivers/live.
let dir: string;
let configPath: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-launch-"));
  configPath = join(dir, "hotspot.json");
  await writeLiveConfig(configPath, sampleLiveConfig());
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  vi.stubEnv(LOCAL_CLOUD_ENV, undefined);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

const usage = (message: string) => ({ code: 2, stdout: "", stderr: `hotspot: ${message}\n` });

describe("hotspot launch refuses before any request", () => {
  it("a --market that is not TYPE:spot or TYPE:on-demand", async () => {
    for (const market of ["c5.large", "c5.large:reserved", "large:spot"]) {
      expect(await runCli(["launch", "--config", configPath, "--market", market])).toEqual(
        usage(`--market: expected TYPE:spot or TYPE:on-demand, e.g. c5.large:spot, found "${market}"`),
      );
    }
  });

  it("flags of a controller that already has a home", async () => {
    expect(await runCli(["launch", "--config", configPath, "--market", "c5.large:spot", "--resume"])).toEqual(
      usage("--instance-id/--takeover/--resume: expected none with launch (the home is new), found given"),
    );
  });

  it("on EC2, a launch without the instance profile its controller needs", async () => {
    expect(
      await runCli([
        "launch",
        "--config",
        configPath,
        "--market",
        "c5.large:spot",
        "--image-id",
        "ami-0123456789abcdef0",
      ]),
    ).toEqual(
      usage(
        "--instance-profile: expected the instance profile the home's controller gets its credentials from, found none",
      ),
    );
  });

  it("on the local cloud, a launch without the namespace hosts", async () => {
    expect(
      await runCli([
        "launch",
        "--config",
        configPath,
        "--market",
        "c5.large:spot",
        "--cloud",
        "local",
        "--endpoint",
        "http://127.0.0.1:9",
      ]),
    ).toEqual(usage("--local-hosts: expected the namespace hosts' state directory, found none"));
  });
});
