import { describe, expect, it } from "vitest";
import { readCgroupUsage } from "../../../src/drivers/live/cgroup-usage.js";

describe("readCgroupUsage (this machine's real cgroup hierarchy)", () => {
  it("reads this process's CPU time and memory, and more CPU after spending some", async () => {
    const before = await readCgroupUsage(process.pid);
    expect(before).not.toBeNull();
    expect(before!.memoryBytes).toBeGreaterThan(0);
    const until = process.cpuUsage().user + 50_000;
    while (process.cpuUsage().user < until);
    const after = await readCgroupUsage(process.pid);
    expect(after!.cpuSeconds).toBeGreaterThan(before!.cpuSeconds);
  });

  it("is null for a process that does not exist", async () => {
    expect(await readCgroupUsage(2 ** 22 + 1)).toBeNull();
  });
});
