import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../support/run-cli.js";

// The flag checks `hotspot container create` makes before it reads the config or touches a volume;
// creating a container needs the volume mounted on a host (test/cli/operate-e2e.test.ts).
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-container-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const usage = (message: string) => ({ code: 2, stdout: "", stderr: `hotspot: ${message}\n` });
const create = (...flags: string[]) =>
  runCli(["container", "create", "--config", join(dir, "none.json"), "--from", dir, ...flags]);

describe("hotspot container create refuses before touching anything", () => {
  it("another action than create", async () => {
    expect(await runCli(["container", "delete", "--from", dir, "--app", "/bin/app"])).toEqual(
      usage('action: expected create, found "delete"'),
    );
  });

  it("no --app, or one on several lines", async () => {
    expect(await create()).toEqual(
      usage("--app: expected the application's command line on one line, found null"),
    );
    expect(await create("--app", "/bin/a\n/bin/b")).toEqual(
      usage('--app: expected the application\'s command line on one line, found "/bin/a\\n/bin/b"'),
    );
  });

  it("a --bind or --copy that is not HOST:CONTAINER, or whose host path does not exist", async () => {
    expect(await create("--app", "/bin/app", "--bind", "/srv/data")).toEqual(
      usage(
        '--bind: expected HOST:CONTAINER with an absolute path other than / inside the container, found "/srv/data"',
      ),
    );
    expect(await create("--app", "/bin/app", "--copy", `${dir}:relative`)).toEqual(
      usage(
        `--copy: expected HOST:CONTAINER with an absolute path other than / inside the container, found "${dir}:relative"`,
      ),
    );
    const missing = join(dir, "missing");
    expect(await create("--app", "/bin/app", "--bind", `${missing}:/data`)).toEqual(
      usage(
        `--bind: expected a host path that exists, found "${missing}:/data" (${missing}: no such file or directory)`,
      ),
    );
  });

  it("a --mount that is not an absolute directory other than /", async () => {
    expect(await create("--app", "/bin/app", "--mount", "/")).toEqual(
      usage('--mount: expected an absolute directory other than /, found "/"'),
    );
  });
});
