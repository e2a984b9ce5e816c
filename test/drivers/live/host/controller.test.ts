import { describe, expect, it } from "vitest";
import {
  controllerArgv,
  localUserData,
  type ControllerOptions,
} from "../../../../src/drivers/live/host/controller.js";

const options = {
  configPath: "hotspot.json",
  policy: { name: "greedy", params: {} },
  intervalSeconds: 5,
  durationSeconds: Infinity,
  resume: false,
  stateDir: null,
  resultsPath: null,
  self: { instanceId: null, takeover: false, boot: true, takeoverTimeoutSeconds: 600 },
  device: "/dev/sdf",
  deviceIndex: 1,
  pricePollSeconds: 5,
  cooldownSeconds: 1800,
  cloud: {
    kind: "local",
    hostsDir: "/var/lib/h/hosts",
    prefix: "hsc",
    lxcPath: "/var/lib/h/hosts/mnt/vol-1/lxc",
  },
  endpoint: "http://127.0.0.1:4566",
  metadata: "http://127.0.0.1:4567",
  utilisation: "measured",
  memoryGiB: 1,
  billing: "per-second",
  historyWindowSeconds: 86400,
  catalog: { workUnit: "ecu", skipUnknownTypes: false },
} as ControllerOptions;

describe("the self-migration protocol's command lines", () => {
  it("starts a launched home's controller with --boot and the same flags, the local cloud naming the instance", () => {
    const words = controllerArgv(
      options,
      "boot",
      { node: "/usr/bin/node", script: "/opt/hotspot/bin.js" },
      {
        configPath: "/work/hotspot.json",
        stateDir: null,
        until: Infinity,
      },
    );
    expect(words.slice(0, 5)).toEqual([
      "/usr/bin/node",
      "/opt/hotspot/bin.js",
      "live",
      "--config",
      "/work/hotspot.json",
    ]);
    expect(words).toContain("--lxc-path");
    expect(words).not.toContain("--state-dir");
    expect(words.at(-1)).toBe("--boot");
    const script = Buffer.from(localUserData(words), "base64").toString("utf8");
    expect(script.startsWith("#!/bin/sh\nexec /usr/bin/node /opt/hotspot/bin.js live ")).toBe(true);
    expect(script.endsWith(' --boot --instance-id "$HOTSPOT_INSTANCE_ID"\n')).toBe(true);
  });
});
