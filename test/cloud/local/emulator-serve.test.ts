import { DescribeSpotPriceHistoryCommand, DescribeVolumesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveFromArgs } from "../../../src/cloud/local/serve.js";
import { UsageError } from "../../../src/errors.js";
import { errorOf } from "../../support/emulator-harness.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-emulator-"));
  process.env.AWS_ACCESS_KEY_ID = "AKIDLOCALCLOUDTEST";
  process.env.AWS_SECRET_ACCESS_KEY = "local-cloud-test-secret";
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the standalone entry point (serve.ts)", () => {
  it("serves a trace file and a fault script on loopback", async () => {
    const trace = join(dir, "trace.csv");
    await writeFile(
      trace,
      [
        "AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp",
        "us-east-1a,m3.large,Linux/UNIX,0.0161,2016-03-01T00:00:35.000Z",
        "us-east-1a,m3.large,Linux/UNIX,0.0175,2016-03-01T01:00:35.000Z",
      ].join("\n") + "\n",
    );
    const faults = join(dir, "faults.json");
    await writeFile(
      faults,
      JSON.stringify({ faults: [{ kind: "RequestLimitExceeded", action: "DescribeVolumes" }] }),
    );
    const emulator = await serveFromArgs(["--trace", trace, "--faults", faults, "--latency-factor", "0.001"]);
    const ec2 = new EC2Client({ region: "us-east-1", endpoint: emulator.endpoint, maxAttempts: 1 });
    try {
      expect(emulator.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const history = await ec2.send(new DescribeSpotPriceHistoryCommand({}));
      expect(history.SpotPriceHistory!.map((p) => p.SpotPrice)).toEqual(["0.017500", "0.016100"]);
      expect((await errorOf(ec2.send(new DescribeVolumesCommand({})))).name).toBe("RequestLimitExceeded");
    } finally {
      ec2.destroy();
      await emulator.close();
    }
  });

  it("rejects a bad flag value naming the flag", async () => {
    await expect(serveFromArgs(["--latency-factor", "fast"])).rejects.toThrow(UsageError);
    await expect(serveFromArgs(["--latency-factor", "fast"])).rejects.toThrow(/--latency-factor/);
  });
});
