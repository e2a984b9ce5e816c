import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { LOCAL_CLOUD_ENV } from "../../src/cli/local-env.js";
import {
  actOptionsFromArgs,
  cloudOf,
  DRY_RUN_MEMORY_GIB,
  mountOf,
  optionsFromArgs,
  refuse,
  sharedOptions,
  stateDirOf,
  withLocalDefaults,
  type LiveArgs,
} from "../../src/cli/live-options.js";
import { METADATA_ENV } from "../../src/cli/live-env.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

const local: LiveArgs = {
  cloud: "local",
  endpoint: "http://127.0.0.1:4566",
  "local-hosts": "/var/lib/hotspot-local/hosts",
  "local-prefix": "hs",
};

describe("flag checks shared by the live modes", () => {
  it("refuse names the first flag given that the mode does not take, with its value", () => {
    expect(() => refuse({ rounds: "3" }, ["json", "rounds"], "only with --dry-run")).toThrow(
      '--rounds: expected only with --dry-run, found "3"',
    );
    expect(() => refuse({ json: false }, ["json"], "x")).not.toThrow();
  });

  it("cloudOf: aws by default; local needs the emulator's URL; the URL must be http(s)", () => {
    expect(cloudOf({})).toEqual({ cloud: "aws", endpoint: undefined });
    expect(cloudOf(local)).toEqual({ cloud: "local", endpoint: "http://127.0.0.1:4566" });
    expect(() => cloudOf({ cloud: "local" })).toThrow(
      "--endpoint: expected the emulator's URL with --cloud local, found none",
    );
    expect(() => cloudOf({ cloud: "gcp" })).toThrow('--cloud: expected one of aws, local, found "gcp"');
    expect(() => cloudOf({ endpoint: "127.0.0.1:4566" })).toThrow(
      '--endpoint: expected an http(s) URL, found "127.0.0.1:4566"',
    );
  });

  it("stateDirOf and mountOf default and refuse empty or root directories", () => {
    expect(stateDirOf({})).toBe("/var/lib/hotspot");
    expect(() => stateDirOf({ "state-dir": " " })).toThrow('--state-dir: expected a directory, found ""');
    expect(mountOf({})).toBe("/mnt/hotspot");
    expect(mountOf({ mount: "/data//vol/" })).toBe("/data/vol/");
    expect(() => mountOf({ mount: "/" })).toThrow(
      '--mount: expected an absolute directory other than /, found "/"',
    );
    expect(() => mountOf({ mount: "data" })).toThrow("--mount: expected an absolute directory other than /");
  });
});

describe("sharedOptions", () => {
  it("defaults: hotspot.json, the config's policy, 5-minute decisions, measured memory, a day of look-back", () => {
    expect(sharedOptions({})).toEqual({
      configPath: "hotspot.json",
      metadata: undefined,
      policy: undefined,
      intervalSeconds: 300,
      memoryGiB: "measured",
      demand: undefined,
      billing: "per-second",
      historyWindowSeconds: 86400,
      catalog: { specsFile: undefined, pricesFile: undefined, workUnit: "ecu", skipUnknownTypes: false },
      cpuCompat: "same-vendor",
    });
  });

  it("resolves a policy's default parameters and refuses a simulation-only policy", () => {
    expect(sharedOptions({ policy: "greedy", interval: "1m", memory: "4" })).toMatchObject({
      policy: { name: "greedy", params: { minSaving: 0 } },
      intervalSeconds: 60,
      memoryGiB: 4,
    });
    expect(() => sharedOptions({ policy: "optimal" })).toThrow(
      '--policy: expected a policy that can run live (not simulation-only), found "optimal"',
    );
    expect(() => sharedOptions({ "cpu-compat": "none" })).toThrow(
      '--cpu-compat: expected one of same-vendor, same-arch, any-x86, found "none"',
    );
  });
});

describe("optionsFromArgs (--dry-run)", () => {
  it("assumes 8 GiB, full utilisation and no current server unless told", () => {
    const options = optionsFromArgs({ ...local, "local-hosts": undefined, "local-prefix": undefined });
    expect(options).toMatchObject({
      memoryGiB: DRY_RUN_MEMORY_GIB,
      utilisation: 1,
      endpoint: "http://127.0.0.1:4566",
      rounds: undefined,
      current: null,
      json: false,
    });
    expect(DRY_RUN_MEMORY_GIB).toBe(8);
  });

  it("takes an assumed current server with its lifecycle and start", () => {
    expect(
      optionsFromArgs({
        "current-type": "m4.large",
        "current-lifecycle": "on-demand",
        "current-since": "2026-01-01T00:00Z",
        rounds: "3",
      }),
    ).toMatchObject({
      rounds: 3,
      current: { instanceType: "m4.large", lifecycle: "on-demand", since: Date.UTC(2026, 0, 1) / 1000 },
    });
  });

  it("refuses acting-only flags, a start without a type, a bad type and measured memory", () => {
    expect(() => optionsFromArgs({ resume: true })).toThrow(
      '--resume: expected only when acting (without --dry-run), found "true"',
    );
    expect(() => optionsFromArgs({ "current-since": "2026-01-01" })).toThrow(
      '--current-since: expected to come with --current-type, found "2026-01-01"',
    );
    expect(() => optionsFromArgs({ "current-type": "large" })).toThrow(
      '--current-type: expected an instance type such as m5.large, found "large"',
    );
    expect(() => optionsFromArgs({ memory: "measured" })).toThrow(
      '--memory: expected GiB: a dry run does not measure the container, found "measured"',
    );
  });
});

describe("actOptionsFromArgs (acting)", () => {
  it("on the local cloud without --instance-id: an outside controller with a state directory", () => {
    const options = actOptionsFromArgs(local);
    expect(options).toMatchObject({
      configPath: "hotspot.json",
      endpoint: "http://127.0.0.1:4566",
      metadata: undefined,
      intervalSeconds: 300,
      durationSeconds: Infinity,
      untilSeconds: undefined,
      resume: false,
      stateDir: "/var/lib/hotspot",
      resultsPath: null,
      self: undefined,
      device: "/dev/sdf",
      deviceIndex: 1,
      pricePollSeconds: 60,
      cooldownSeconds: 1800,
      cloud: { kind: "local", hostsDir: "/var/lib/hotspot-local/hosts", prefix: "hs" },
      utilisation: "measured",
      memoryGiB: "measured",
    });
  });

  it("on EC2: self-migrating from the instance it runs on, metadata from the environment, the volume's mount", () => {
    vi.stubEnv(METADATA_ENV, "http://127.0.0.1:9/");
    const options = actOptionsFromArgs({ duration: "2h", takeover: true, "takeover-timeout": "10m" });
    expect(options).toMatchObject({
      endpoint: undefined,
      metadata: "http://127.0.0.1:9",
      durationSeconds: 7200,
      stateDir: null,
      self: { instanceId: null, takeover: true, boot: false, takeoverTimeoutSeconds: 600 },
      cloud: { kind: "aws", mountPoint: "/mnt/hotspot", lxcPath: "/mnt/hotspot/lxc" },
    });
  });

  it.each<[string, LiveArgs, string]>([
    [
      "a dry-run-only flag",
      { ...local, json: true },
      '--json: expected only with --dry-run (acting runs for --duration), found "true"',
    ],
    [
      "a bad AMI",
      { ...local, "image-id": "ami-1" },
      '--image-id: expected the AMI targets launch from, such as ami-0123456789abcdef0, found "ami-1"',
    ],
    [
      "a bad instance id",
      { ...local, "instance-id": "i-xyz" },
      '--instance-id: expected an instance id such as i-0123456789abcdef0, found "i-xyz"',
    ],
    [
      "--takeover without --instance-id locally",
      { ...local, takeover: true },
      "--takeover: expected to come with --instance-id (the target it runs on), found no --instance-id",
    ],
    [
      "--boot and --takeover",
      { ...local, "instance-id": "i-0123456789abcdef0", takeover: true, boot: true },
      "--boot: expected either --boot (a launched home) or --takeover (a hop's target), found both",
    ],
    [
      "--until and --duration",
      { ...local, until: "2026-01-02", duration: "1h" },
      '--until: expected either --until or --duration, found "2026-01-02"',
    ],
    [
      "a device outside sdf-sdp",
      { ...local, device: "/dev/sda" },
      '--device: expected a device name for an EBS volume, /dev/sdf to /dev/sdp, found "/dev/sda"',
    ],
    ["a device index out of 1..31", { ...local, "device-index": "0" }, "--device-index: expected "],
    [
      "a utilisation above 1",
      { ...local, utilisation: "1.5" },
      '--utilisation: expected measured, or a number in [0, 1], found "1.5"',
    ],
    [
      "a bad instance profile",
      { ...local, "instance-profile": "has space" },
      "--instance-profile: expected an instance profile name, or its ARN",
    ],
    [
      "--mount with the local cloud",
      { ...local, mount: "/mnt/x" },
      '--mount: expected only with --cloud aws, found "/mnt/x"',
    ],
    [
      "the local cloud without its hosts",
      { ...local, "local-hosts": undefined },
      "--local-hosts: expected the namespace hosts' state directory, found none",
    ],
    [
      "a bad host prefix",
      { ...local, "local-prefix": "HS" },
      '--local-prefix: expected the namespace hosts\' prefix (2-4 lower-case letters), found "HS"',
    ],
    [
      "local flags on EC2",
      { "local-prefix": "hs" },
      '--local-prefix: expected only with --cloud local, found "hs"',
    ],
  ])("refuses %s", (_what, args, message) => {
    expect(() => actOptionsFromArgs(args)).toThrow(message);
  });

  it("takes an instance profile by name or ARN", () => {
    expect(actOptionsFromArgs({ ...local, "instance-profile": "hotspot-host" }).instanceProfile).toBe(
      "hotspot-host",
    );
    const arn = "arn:aws:iam::123456789012:instance-profile/hotspot-host";
    expect(actOptionsFromArgs({ ...local, "instance-profile": arn }).instanceProfile).toBe(arn);
  });
});

describe("withLocalDefaults", () => {
  it("leaves the flags alone without HOTSPOT_LOCAL_CLOUD, or with --cloud aws", async () => {
    vi.stubEnv(LOCAL_CLOUD_ENV, undefined);
    expect(await withLocalDefaults({ config: "c.json" })).toEqual({ config: "c.json" });
    vi.stubEnv(LOCAL_CLOUD_ENV, "/nowhere");
    expect(await withLocalDefaults({ cloud: "aws" })).toEqual({ cloud: "aws" });
  });

  it("fills the flags not given from the running local cloud's facts", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hotspot-live-options-"));
    try {
      await writeFile(
        join(dir, "local.json"),
        JSON.stringify({
          version: 1,
          pid: 1,
          endpoint: "http://127.0.0.1:4566",
          metadata: "http://127.0.0.1:4567",
          region: "us-east-1",
          prefix: "hs",
          hostsDir: "/h",
        }),
      );
      vi.stubEnv(LOCAL_CLOUD_ENV, dir);
      expect(await withLocalDefaults({ metadata: "http://10.0.0.1" })).toEqual({
        cloud: "local",
        endpoint: "http://127.0.0.1:4566",
        metadata: "http://10.0.0.1",
        "local-hosts": "/h",
        "local-prefix": "hs",
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
