import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readCgroupUsage } from "../../../../src/drivers/live/host/cgroup-usage.js";

describe("readCgroupUsage (this machine's real cgroup hierarchy)", () => {
  it("reads this process's CPU time and memory, and more CPU after spending some", async () => {
    const before = await readCgroupUsage(process.pid);
    expect(before).not.toBeNull();
    expect(before!.memory.currentBytes).toBeGreaterThan(0);
    const until = process.cpuUsage().user + 50_000;
    while (process.cpuUsage().user < until);
    const after = await readCgroupUsage(process.pid);
    expect(after!.cpuSeconds).toBeGreaterThan(before!.cpuSeconds);
  });

  it("is null for a process that does not exist", async () => {
    expect(await readCgroupUsage(2 ** 22 + 1)).toBeNull();
  });
});

describe("readCgroupUsage on a fake tree: memory in use, peak, and the effective limit", () => {
  let root = "";
  afterEach(async () => {
    if (root !== "") await rm(root, { recursive: true, force: true });
    root = "";
  });

  /** Writes `files` (path under the tree → content) and returns the roots to read them with. */
  async function tree(files: Record<string, string>) {
    root = await mkdtemp(join(tmpdir(), "hotspot-cgroup-"));
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), text);
    }
    return { proc: join(root, "proc"), cgroup: join(root, "sys") };
  }

  it("v2: memory.current, memory.peak, and the lowest memory.max of the cgroup and its ancestors", async () => {
    const roots = await tree({
      "proc/42/cgroup": "0::/lxc.payload.app/init.scope\n",
      "sys/lxc.payload.app/init.scope/cpu.stat": "usage_usec 2500000\nuser_usec 2000000\n",
      "sys/lxc.payload.app/init.scope/memory.current": "16777216\n",
      "sys/lxc.payload.app/init.scope/memory.peak": "25165824\n",
      "sys/lxc.payload.app/init.scope/memory.max": "max\n",
      "sys/lxc.payload.app/memory.max": "2147483648\n",
    });
    expect(await readCgroupUsage(42, roots)).toEqual({
      cpuSeconds: 2.5,
      memory: { currentBytes: 16 * 2 ** 20, peakBytes: 24 * 2 ** 20, limitBytes: 2 * 2 ** 30 },
    });
  });

  it("v2 on a kernel without memory.peak, and no limit anywhere", async () => {
    const roots = await tree({
      "proc/42/cgroup": "0::/app\n",
      "sys/app/cpu.stat": "usage_usec 1000\n",
      "sys/app/memory.current": "1048576\n",
      "sys/app/memory.max": "max\n",
    });
    expect((await readCgroupUsage(42, roots))!.memory).toEqual({
      currentBytes: 2 ** 20,
      peakBytes: null,
      limitBytes: null,
    });
  });

  it("v1: usage, max usage and limit; the kernel's 2^63 − 4096 means no limit", async () => {
    const roots = await tree({
      "proc/42/cgroup": "4:memory:/lxc/app\n2:cpu,cpuacct:/lxc/app\n0::/\n",
      "sys/cpuacct/lxc/app/cpuacct.usage": "3000000000\n",
      "sys/memory/lxc/app/memory.usage_in_bytes": "8388608\n",
      "sys/memory/lxc/app/memory.max_usage_in_bytes": "12582912\n",
      "sys/memory/lxc/app/memory.limit_in_bytes": "9223372036854771712\n",
      "sys/memory/lxc/memory.limit_in_bytes": "9223372036854771712\n",
    });
    expect(await readCgroupUsage(42, roots)).toEqual({
      cpuSeconds: 3,
      memory: { currentBytes: 8 * 2 ** 20, peakBytes: 12 * 2 ** 20, limitBytes: null },
    });
  });
});
