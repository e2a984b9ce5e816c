import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { describeInterfaceNetwork } from "../../../../src/drivers/live/hop/ec2-compute.js";
import { CloudApiError } from "../../../../src/errors.js";
import { liveHarness, type LiveHarness } from "../../../support/live-harness.js";

let h: LiveHarness;
beforeEach(async () => {
  h = await liveHarness();
});
afterEach(async () => {
  await h.close();
});

describe("describeInterfaceNetwork (real SDK against the EC2 emulator)", () => {
  it("gives the ENI's MAC and address and its subnet's CIDR, as a host needs them to bring the address up", async () => {
    const eniId = h.resources.networkInterfaceId;
    const eni = h.emulator.state.interfaces.get(eniId)!;
    const subnet = h.emulator.state.subnets.get(eni.subnetId)!;
    const network = await describeInterfaceNetwork(h.ec2, "us-east-1", eniId);
    expect(network).toEqual({ mac: eni.mac, privateIp: eni.privateIp, subnetCidr: subnet.cidr });
    expect(network.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(network.subnetCidr).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/);
  });

  it("an unknown ENI is EC2's not-found error, named", async () => {
    const error = await describeInterfaceNetwork(h.ec2, "us-east-1", "eni-0123456789abcdef0").catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CloudApiError);
    expect((error as CloudApiError).apiCode).toBe("InvalidNetworkInterfaceID.NotFound");
  });
});
