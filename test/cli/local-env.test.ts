import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LOCAL_CLOUD_ENV, localCloudFromEnv } from "../../src/cli/local-env.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-local-env-"));
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});

describe("localCloudFromEnv", () => {
  it("is undefined when HOTSPOT_LOCAL_CLOUD is unset or empty (the commands act on EC2)", async () => {
    vi.stubEnv(LOCAL_CLOUD_ENV, undefined);
    expect(await localCloudFromEnv()).toBeUndefined();
    vi.stubEnv(LOCAL_CLOUD_ENV, "");
    expect(await localCloudFromEnv()).toBeUndefined();
  });

  it("reads the facts of the local cloud running under the named state directory", async () => {
    await writeFile(
      join(dir, "local.json"),
      JSON.stringify({
        version: 1,
        pid: 1,
        endpoint: "http://127.0.0.1:4566",
        metadata: "http://127.0.0.1:4567",
        region: "us-east-1",
        prefix: "hs",
        hostsDir: join(dir, "hosts"),
        startedAt: "2026-01-01T00:00:00.000Z",
        trace: null,
        speed: 1,
      }),
    );
    vi.stubEnv(LOCAL_CLOUD_ENV, dir);
    expect(await localCloudFromEnv()).toEqual({
      stateDir: dir,
      endpoint: "http://127.0.0.1:4566",
      metadata: "http://127.0.0.1:4567",
      prefix: "hs",
      hostsDir: join(dir, "hosts"),
    });
  });

  it("refuses a state directory with no running local cloud rather than act on EC2 by surprise", async () => {
    vi.stubEnv(LOCAL_CLOUD_ENV, dir);
    await expect(localCloudFromEnv()).rejects.toMatchObject({
      code: "HOTSPOT_LOCAL_NOT_RUNNING",
      message: `HOTSPOT_LOCAL_CLOUD=${dir} names no running local cloud (no ${dir}/local.json): start it with \`sudo hotspot local up\`, or unset HOTSPOT_LOCAL_CLOUD to act on EC2`,
    });
  });
});
