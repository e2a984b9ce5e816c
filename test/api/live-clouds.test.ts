import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cloudSide } from "../../src/api/live-clouds.js";
import { MachineContainerHost } from "../../src/drivers/live/host/machine/machine-container-host.js";
import type { LiveConfig } from "../../src/setup/config.js";
import type { Ec2Compute } from "../../src/drivers/live/hop/ec2-compute.js";
import { wallClock } from "../../src/util/clock.js";

const config = {
  containerName: "app",
  volumeId: "vol-0123456789abcdef0",
  privateIp: "10.0.1.10",
} as LiveConfig;
const eni = { mac: "0a:00:00:00:00:01", privateIp: "10.0.1.10", subnetCidr: "10.0.1.0/24" };

/** The EC2 side on instance i-0123456789abcdef0, its volume mounted at /mnt/hotspot. */
const awsSide = () =>
  cloudSide({
    cloud: { kind: "aws", mountPoint: "/mnt/hotspot", lxcPath: "/mnt/hotspot/lxc" },
    config,
    device: "/dev/sdf",
    self: { instanceId: "i-0123456789abcdef0", takeover: false },
    interfaceNetwork: async () => eni,
    // Never called here: no hop is made.
    compute: {} as Ec2Compute,
    clock: wallClock,
  });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hs-clouds-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the EC2 side of hotspot live (no EC2: user data run by /bin/sh with systemd-run stubbed on PATH)", () => {
  it("keeps journal and ledger on the volume and makes a machine host for this instance", async () => {
    const side = await awsSide();
    expect(side.volumeStateDir).toBe("/mnt/hotspot/hotspot");
    expect(side.host).toBeInstanceOf(MachineContainerHost);
    const host = side.host as MachineContainerHost;
    expect(host.options.self).toBe("i-0123456789abcdef0");
    expect(host.options.volume).toEqual({
      volumeId: "vol-0123456789abcdef0",
      deviceName: "/dev/sdf",
      mountPoint: "/mnt/hotspot",
    });
    expect(host.options.network).toMatchObject({
      mac: eni.mac,
      address: eni.privateIp,
      subnetCidr: eni.subnetCidr,
    });
    expect(side.noticeBase("http://169.254.169.254", "i-0123456789abcdef0")).toBe("http://169.254.169.254");
    expect(side.targetConfigPath("/home/me/hotspot.json")).toBe("/run/hotspot/hotspot.json");
  });

  it("a target's user data writes the config byte for byte, then starts the takeover as a restarting service", async () => {
    const side = await awsSide();
    const configText = `{"name": "it's \\"quoted\\"",\n "zone": "us-east-1c"}\nHOTSPOT_CONFIG\n`;
    const words = [
      "/usr/bin/node",
      "/opt/hotspot/bin.js",
      "live",
      "--takeover",
      "--until",
      "2026-01-01T00:00:00.000Z",
    ];
    const script = Buffer.from(side.takeoverUserData(words, configText), "base64").toString("utf8");
    expect(script.startsWith("#!/bin/sh\n")).toBe(true);
    // Run it for real with its paths moved under a temporary directory and systemd-run replaced by a recorder.
    const bin = join(dir, "bin");
    await execFileAsync("mkdir", ["-p", bin]);
    await writeFile(
      join(bin, "systemd-run"),
      `#!/bin/sh\nfor w in "$@"; do printf '%s\\n' "$w"; done > ${dir}/argv\n`,
      {
        mode: 0o755,
      },
    );
    const relocated = script.replaceAll("/run/hotspot", join(dir, "run"));
    await execFileAsync("/bin/sh", ["-c", relocated], { env: { PATH: `${bin}:/usr/bin:/bin` } });
    expect(await readFile(join(dir, "run", "hotspot.json"), "utf8")).toBe(configText);
    expect((await readFile(join(dir, "argv"), "utf8")).split("\n").slice(0, -1)).toEqual([
      "--unit=hotspot-live",
      "--property=Restart=on-failure",
      "--property=RestartSec=10",
      ...words,
    ]);
  });
});

const execFileAsync = promisify(execFile);
