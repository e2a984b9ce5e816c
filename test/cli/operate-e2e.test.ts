import { mkdir, mkdtemp, readFile, rm, symlink, copyFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostNames } from "../../src/cloud/local/hosts/names.js";
import { hostsDirOf } from "../../src/cloud/local/service.js";
import { run } from "../../src/host/run.js";
import { criuSkipReason } from "../support/host-env.js";
import { BIN, requireBuiltCli } from "../support/live-cli.js";
import { localCloudLeftovers, NOTHING_LEFT } from "../support/local-cloud-leftovers.js";

const skip = criuSkipReason();
const PREFIX = "hso";

describe.skipIf(skip !== undefined)(
  `hotspot local up, image build, container create --from DIR and TARBALL, launch from that image, stop, down as commands; the operator's bad moves refused on the running local cloud${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    let dir: string;
    let stateDir: string;
    let config: string;
    const env: Record<string, string> = {};
    const transcript: string[] = [];
    let imageId: string | undefined;

    /** One hotspot command as the operator types it, after `eval "$(hotspot local env)"`. */
    async function hotspot(...args: string[]) {
      const done = await execa(process.execPath, [BIN, ...args], {
        reject: false,
        cwd: dir,
        env,
        timeout: 300_000,
      });
      transcript.push(`$ hotspot ${args.join(" ")} → ${done.exitCode}`, done.stdout, done.stderr);
      return { code: done.exitCode, stdout: done.stdout, stderr: done.stderr };
    }

    async function status() {
      const shown = await hotspot("status", "--config", config, "--json");
      expect(shown.code, shown.stderr).toBe(0);
      return JSON.parse(shown.stdout) as {
        controller: { state: string; instance: string } | null;
        container: { home: string; type: string; lifecycle: string; hops: number } | null;
      };
    }

    /** The home's controller processes (user data starts them with this cloud's prefix). */
    const controllers = () => run("pgrep", ["-f", `local-prefix ${PREFIX}( |$)`]).catch(() => "");

    async function liveInstances(): Promise<string[]> {
      const shown = await hotspot("local", "status", "--state-dir", stateDir, "--json");
      expect(shown.code, shown.stderr).toBe(0);
      const inventory = JSON.parse(shown.stdout) as {
        instances: { id: string; state: string; imageId: string }[];
      };
      return inventory.instances.filter((i) => i.state !== "terminated").map((i) => `${i.id} ${i.imageId}`);
    }

    /** `container create` from `from`, the application a long sleep, with `extra` flags. */
    const create = (from: string, ...extra: string[]) =>
      hotspot(
        "container",
        "create",
        "--config",
        config,
        "--from",
        from,
        "--app",
        "/bin/busybox sleep 100000",
        ...extra,
      );

    beforeAll(async () => {
      requireBuiltCli();
      dir = await mkdtemp(join(tmpdir(), "hotspot-operate-"));
      stateDir = join(dir, "state");
      config = join(dir, "hotspot.json");
      Object.assign(env, { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root" });
      const up = await hotspot("local", "up", "--state-dir", stateDir, "--prefix", PREFIX);
      expect(up.code, up.stderr).toBe(0);
      const exports = await hotspot("local", "env", "--state-dir", stateDir);
      expect(exports.code, exports.stderr).toBe(0);
      for (const [, name, quoted, plain] of exports.stdout.matchAll(/^export (\w+)=(?:'([^']*)'|(\S*))$/gm))
        env[name] = quoted ?? plain;
      expect(env.HOTSPOT_LOCAL_CLOUD).toBe(stateDir);
      expect(env.AWS_ENDPOINT_URL_EC2).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
      const setup = await hotspot(
        "setup",
        "--zone",
        "us-east-1a",
        "--types",
        "m4.large,c4.large",
        "--name",
        "operate-e2e",
        "--config",
        config,
      );
      expect(setup.code, setup.stderr).toBe(0);
      // The guide's step 1 on the local cloud: the host, checked ready, registered as the image.
      const image = await hotspot("image", "build", "--config", config);
      expect(image.code, image.stderr).toBe(0);
      [, imageId] = /^image (ami-[0-9a-f]+); recorded as imageId in /m.exec(image.stdout) ?? [];
      expect(imageId).toBeDefined();
    }, 180_000);

    afterAll(async () => {
      await hotspot("down", "--config", config, "--timeout", "60s");
      await hotspot(
        "setup",
        "--destroy",
        "--zone",
        "us-east-1a",
        "--name",
        "operate-e2e",
        "--config",
        config,
      );
      const down = await hotspot("local", "down", "--state-dir", stateDir);
      console.log(["hotspot operator commands:", ...transcript].join("\n"));
      expect(down.code).toBe(0);
      // Nothing of this local cloud is left: no namespace, loop device, mount or process.
      expect(await localCloudLeftovers(PREFIX, stateDir)).toEqual(NOTHING_LEFT);
      await rm(dir, { recursive: true, force: true });
    }, 300_000);

    it("refuses a --bind or --copy whose host path does not exist, before touching the cloud", async () => {
      const bind = await create("busybox", "--bind", `${dir}/no-such-dir:/data`);
      expect(bind.code).toBe(2);
      expect(bind.stderr).toContain(
        `--bind: expected a host path that exists, found "${dir}/no-such-dir:/data" (${dir}/no-such-dir: no such file or directory)`,
      );
      const copy = await create("busybox", "--copy", "missing-binary:/bin/app");
      expect(copy.code).toBe(2);
      expect(copy.stderr).toContain(`--copy: expected a host path that exists`);
      expect(await liveInstances()).toEqual([]);
    });

    it("creates the container from a directory, then from a tarball only with --replace, launches it, refuses a second launch and a create while it runs, stops hopping and leaves it running", async () => {
      // A root filesystem of Debian's static busybox alone, packed as an operator would.
      const rootfs = join(dir, "rootfs");
      for (const sub of ["bin", "dev", "proc", "sys", "tmp", "var"])
        await mkdir(join(rootfs, sub), { recursive: true });
      await copyFile("/bin/busybox", join(rootfs, "bin", "busybox"));
      await symlink("busybox", join(rootfs, "bin", "sh"));
      await run("tar", ["-czf", join(dir, "rootfs.tar.gz"), "-C", rootfs, "."]);

      const fromDir = await create(rootfs);
      expect(fromDir.code, fromDir.stderr).toBe(0);
      const kept = await create("rootfs.tar.gz");
      expect(kept.code).toBe(1);
      expect(kept.stderr).toContain("expected none; pass --replace to replace it (its files are lost)");
      const created = await create("rootfs.tar.gz", "--replace");
      expect(created.code, created.stderr).toBe(0);
      expect(created.stdout).toMatch(/^created container \S+ on volume vol-\w+ \(replacing the old one\)/);
      expect(await liveInstances()).toEqual([]); // the workbench is gone

      const launched = await hotspot(
        "launch",
        "--config",
        config,
        "--policy",
        "on-demand",
        "--market",
        "m4.large:on-demand",
        "--interval",
        "5s",
        "--memory",
        "1",
      );
      expect(launched.code, launched.stderr).toBe(0);
      const [, home] = /^launched (i-\w+) \(m4\.large on-demand\)/.exec(launched.stdout) ?? [];
      expect(home).toBeDefined();
      expect(await liveInstances()).toEqual([`${home} ${imageId}`]);
      const running = await status();
      expect(running.controller).toMatchObject({ state: "running", instance: home });
      expect(running.container).toMatchObject({ home, type: "m4.large", lifecycle: "on-demand", hops: 0 });

      // Never two controllers for one container: nothing is launched, the home is named.
      const again = await hotspot(
        "launch",
        "--config",
        config,
        "--policy",
        "on-demand",
        "--market",
        "c4.large:on-demand",
      );
      expect(again.code).toBe(1);
      expect(again.stderr).toContain(
        `is attached to ${home} (m4.large on-demand, running), whose controller is running`,
      );
      expect(again.stderr).toContain("[HOTSPOT_ALREADY_LAUNCHED]");
      expect(await liveInstances()).toEqual([`${home} ${imageId}`]);

      const busy = await create("busybox");
      expect(busy.code).toBe(1);
      expect(busy.stderr).toContain(`is attached to ${home} (m4.large, running): expected it free`);
      expect(busy.stderr).toContain("[HOTSPOT_VOLUME_IN_USE]");
      expect(await liveInstances()).toEqual([`${home} ${imageId}`]);

      expect(await controllers()).not.toBe("");
      const stopped = await hotspot("stop", "--config", config, "--timeout", "60s");
      expect(stopped.code, stopped.stderr).toBe(0);
      expect(stopped.stdout).toContain(
        `stopped hopping; the container runs on on ${home} (m4.large on-demand)`,
      );
      const after = await status();
      expect(after.controller).toMatchObject({ state: "stopped", instance: home });
      // The controller is gone, its instance and container are not.
      expect(await controllers()).toBe("");
      expect(await liveInstances()).toEqual([`${home} ${imageId}`]);
      const { volumeId, containerName } = JSON.parse(await readFile(config, "utf8")) as {
        volumeId: string;
        containerName: string;
      };
      const lxcPath = join(hostsDirOf(stateDir), "mnt", volumeId, "lxc");
      // LXC answers over an abstract socket, which lives in the instance's network namespace.
      const info = await run("ip", [
        "netns",
        "exec",
        hostNames.instanceNetns(PREFIX, home),
        "lxc-info",
        "-P",
        lxcPath,
        "-n",
        containerName,
        "-s",
      ]);
      expect(info).toMatch(/State:\s+RUNNING/);
    }, 600_000);
  },
);
