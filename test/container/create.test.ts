import { cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createContainer, type CreateContainerOptions } from "../../src/container/create.js";
import { baseConfig } from "../../src/host/lxc.js";
import { HostCommandError } from "../../src/host/run.js";

/**
 * No LXC and no host commands: a scripted runner stands in for them. `cp` copies with node's fs, `sh -c
 * command -v` finds only the programs given, `lxc-create -t busybox` lays out what the template would.
 */
function fakeRunner(installed: readonly string[]) {
  const calls: string[] = [];
  const run = async (file: string, args: readonly string[]): Promise<string> => {
    calls.push([file, ...args].join(" "));
    if (file === "sh") {
      if (!installed.includes(args[3])) throw new HostCommandError([file, ...args], 1, "");
      return `/usr/bin/${args[3]}\n`;
    }
    if (file === "cp") {
      const [, from, to] = args;
      await cp(from.replace(/\/\.$/, ""), to, { recursive: true });
      return "";
    }
    if (file === "lxc-create") {
      const dir = join(args[1], args[3]);
      await mkdir(join(dir, "rootfs", "bin"), { recursive: true });
      await writeFile(join(dir, "rootfs", "bin", "busybox"), "");
      await writeFile(join(dir, "config"), "lxc.net.0.type = none\nlxc.tty.max = 1\n");
      return "";
    }
    throw new Error(`unexpected command ${file}`);
  };
  return { run, calls };
}

let dir: string;
let lines: string[];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-create-"));
  lines = [];
  // A root filesystem directory with the application in it, and a host file to copy in.
  await mkdir(join(dir, "src", "bin"), { recursive: true });
  await writeFile(join(dir, "src", "bin", "app"), "#!/bin/sh\n");
  await writeFile(join(dir, "settings.conf"), "x=1\n");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function options(overrides: Partial<CreateContainerOptions>): CreateContainerOptions {
  return {
    lxcPath: join(dir, "vol", "lxc"),
    name: "web",
    source: { kind: "dir", path: join(dir, "src") },
    app: "/bin/app --serve",
    binds: [],
    copies: [],
    replace: false,
    workDir: join(dir, "work"),
    run: fakeRunner([]).run,
    progress: (line) => lines.push(line),
    ...overrides,
  };
}

const exists = async (path: string) => (await stat(path).catch(() => null)) !== null;

describe("createContainer (scripted runner, no LXC)", () => {
  it("copies a directory root filesystem, copies files in, and writes a checkpointable config", async () => {
    const lxcPath = join(dir, "vol", "lxc");
    const { run, calls } = fakeRunner([]);
    const made = await createContainer(
      options({
        run,
        copies: [{ host: join(dir, "settings.conf"), container: "/etc/app/settings.conf" }],
        binds: [{ host: "/srv/data", container: "/data", kind: "dir" }],
      }),
    );
    const path = join(lxcPath, "web");
    expect(made).toEqual({ path, rootfs: join(path, "rootfs"), replaced: false });
    expect(calls).toEqual([
      `cp -a ${join(dir, "src")}/. ${join(path, "rootfs")}`,
      `cp -a ${join(dir, "settings.conf")} ${join(path, "rootfs", "etc/app/settings.conf")}`,
    ]);
    expect(await readFile(join(path, "rootfs", "etc", "app", "settings.conf"), "utf8")).toBe("x=1\n");
    const config = await readFile(join(path, "config"), "utf8");
    expect(config.startsWith(baseConfig(lxcPath, "web").trimEnd())).toBe(true);
    expect(config).toContain("lxc.mount.entry = /srv/data data none bind,create=dir 0 0\n");
    expect(config.endsWith("lxc.init.cmd = /bin/app --serve\n")).toBe(true);
    expect(lines).toEqual([
      `laying out the root filesystem from ${join(dir, "src")} in ${join(path, "rootfs")}`,
      `copied ${join(dir, "settings.conf")} to /etc/app/settings.conf`,
      "configured for checkpoint/restore (network none, no tty or console), init: /bin/app --serve",
    ]);
  });

  it("uses LXC's busybox template when busybox is installed, and says how to install it when not", async () => {
    const lxcPath = join(dir, "vol", "lxc");
    const ok = fakeRunner(["busybox"]);
    await createContainer(options({ run: ok.run, source: { kind: "busybox" }, app: "/bin/busybox sleep 1" }));
    expect(ok.calls).toEqual([
      'sh -c command -v "$1" sh busybox',
      `lxc-create -P ${lxcPath} -n web -f ${join(dir, "work", "lxc-create.conf")} -t busybox`,
    ]);
    expect(await readFile(join(dir, "work", "lxc-create.conf"), "utf8")).toBe("lxc.net.0.type = none\n");

    const missing = fakeRunner([]);
    await expect(
      createContainer(options({ run: missing.run, name: "other", source: { kind: "busybox" } })),
    ).rejects.toMatchObject({
      code: "HOTSPOT_MISSING_PROGRAM",
      message: "busybox is not installed here: apt-get install busybox-static",
    });
  });

  it("refuses a container already on the volume unless replace, then replaces it", async () => {
    await createContainer(options({}));
    const path = join(dir, "vol", "lxc", "web");
    await expect(createContainer(options({}))).rejects.toMatchObject({
      code: "HOTSPOT_CONTAINER_EXISTS",
      message: `the volume already holds a container web at ${path}: expected none; pass --replace to replace it (its files are lost)`,
    });
    await writeFile(join(path, "rootfs", "stale"), "");
    const again = await createContainer(options({ replace: true }));
    expect(again.replaced).toBe(true);
    expect(await exists(join(path, "rootfs", "stale"))).toBe(false);
    expect(lines).toContain(`removing the container web already at ${path} (--replace)`);
  });

  it("refuses an application that is not an absolute path or not in the root filesystem, leaving nothing behind", async () => {
    const path = join(dir, "vol", "lxc", "web");
    await expect(createContainer(options({ app: "app --serve" }))).rejects.toThrow(
      '--app: expected a command line whose program is an absolute path inside the container, e.g. /bin/counter, found "app --serve"',
    );
    expect(await exists(path)).toBe(false);
    await expect(createContainer(options({ app: "/bin/missing" }))).rejects.toThrow(
      `--app: expected a program that exists in the container's root filesystem (copy one in with --copy HOST:/bin/missing), found /bin/missing: not found under ${join(path, "rootfs")}`,
    );
    expect(await exists(path)).toBe(false);
  });
});
