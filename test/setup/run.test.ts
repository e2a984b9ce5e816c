import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readLiveConfig } from "../../src/setup/config.js";
import { formatSetupPlan, planSetup } from "../../src/setup/plan.js";
import { runSetup, type SetupOptions } from "../../src/setup/run.js";
import { observe } from "../../src/setup/observe.js";
import { fastWait, mutating, setupHarness, spec, type SetupHarness } from "../support/setup-emulator.js";

let h: SetupHarness;
let dir: string;
beforeEach(async () => {
  h = await setupHarness();
  dir = await mkdtemp(join(tmpdir(), "hotspot-setup-run-"));
});
afterEach(async () => {
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

const options = (mode: SetupOptions["mode"]): SetupOptions => ({
  spec: spec(),
  mode,
  configPath: join(dir, "hotspot.json"),
  containerName: "web",
  instanceTypes: ["m5.large", "c5.large"],
  policy: { name: "greedy", params: { minSaving: 0 }, inputs: {} },
});

async function run(mode: SetupOptions["mode"]) {
  let text = "";
  const config = await runSetup(options(mode), h.ec2, (t) => (text += t), fastWait);
  return { text, config };
}

describe("runSetup, each mode against the EC2 emulator", () => {
  it("dry-run prints the plan, changes nothing and writes no config", async () => {
    const plan = formatSetupPlan(planSetup(spec(), await observe(h.ec2, "t1")));
    const { text, config } = await run("dry-run");
    expect(text).toBe(`${plan}dry run: nothing was changed and no config was written\n`);
    expect(config).toBeUndefined();
    expect(mutating(h.actionsSince(0))).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it("apply makes the resources and writes the config it returns, pointing at what it made", async () => {
    const { text, config } = await run("apply");
    const volumes = await h.ec2.findVolumes("t1");
    expect(volumes).toHaveLength(1);
    expect(config).toMatchObject({
      version: 1,
      name: "t1",
      region: "us-east-1",
      zone: "us-east-1a",
      privateIp: "10.0.1.10",
      volumeId: volumes[0].id,
      containerName: "web",
      instanceTypes: ["m5.large", "c5.large"],
      policy: { name: "greedy", params: { minSaving: 0 }, inputs: {} },
    });
    expect(config!.eniId).toBe((await h.ec2.findInterfaces("t1"))[0].id);
    expect(await readLiveConfig(join(dir, "hotspot.json"))).toEqual(config);
    expect(text).toMatch(
      new RegExp(
        `wrote ${join(dir, "hotspot.json")}; the volume ${volumes[0].id} is blank: \`hotspot container create\` formats it and puts the container on it\n$`,
      ),
    );
  });

  it("destroy-dry-run lists what destroy would remove and changes nothing; destroy removes it and keeps the config", async () => {
    await run("apply");
    const before = h.emulator.state.requestLog.length;
    const dry = await run("destroy-dry-run");
    expect(dry.text).toMatch(/dry run: nothing was changed\n$/);
    expect(dry.config).toBeUndefined();
    expect(mutating(h.actionsSince(before))).toEqual([]);

    const done = await run("destroy");
    expect(done.config).toBeUndefined();
    expect(done.text).toMatch(
      new RegExp(`destroyed what setup t1 made; ${join(dir, "hotspot.json")} was left in place\n$`),
    );
    expect(await h.ec2.findVpcs("t1")).toEqual([]);
    expect(await readdir(dir)).toEqual(["hotspot.json"]);
  });
});
