import { describe, expect, it } from "vitest";
import {
  dumpToPageServerArgs,
  dumpToPageServerConfig,
  pageServerArgs,
} from "../../../../src/cloud/local/hosts/page-server.js";

describe("the arguments of a CRIU page server and of a dump that feeds it", () => {
  const endpoint = { address: "10.0.1.23", port: 27028 };

  it("starts the server on the target's address, writing into the memory directory, ready on fd 3", () => {
    expect(pageServerArgs("/state/xfer/vol-1-memory", endpoint)).toEqual([
      "page-server",
      "-D",
      "/state/xfer/vol-1-memory",
      "--address",
      "10.0.1.23",
      "--port",
      "27028",
      "--status-fd",
      "3",
      "-o",
      "page-server.log",
      "-v2",
    ]);
  });

  it("points a raw dump and an lxc-checkpoint dump (configuration lines) at the same server", () => {
    expect(dumpToPageServerArgs(endpoint)).toEqual([
      "--page-server",
      "--address",
      "10.0.1.23",
      "--port",
      "27028",
    ]);
    expect(dumpToPageServerConfig(endpoint)).toEqual(["page-server", "address 10.0.1.23", "port 27028"]);
  });

  it.each([
    [{ address: "10.0.1", port: 27028 }, "page server address: expected an IPv4 address a.b.c.d, found"],
    [{ address: "10.0.1.256", port: 27028 }, "page server address: expected an IPv4 address a.b.c.d, found"],
    [
      { address: "10.0.1.2 --daemon", port: 27028 },
      "page server address: expected an IPv4 address a.b.c.d, found",
    ],
    [{ address: "10.0.1.2", port: 0 }, "page server port: expected an integer 1..65535, found 0"],
    [{ address: "10.0.1.2", port: 65536 }, "page server port: expected an integer 1..65535, found 65536"],
    [{ address: "10.0.1.2", port: 27028.5 }, "page server port: expected an integer 1..65535, found 27028.5"],
  ])("refuses %j with a stable code, saying what was expected", (bad, message) => {
    for (const build of [pageServerArgs.bind(null, "/d"), dumpToPageServerArgs, dumpToPageServerConfig]) {
      expect(() => build(bad)).toThrow(expect.objectContaining({ code: "HOTSPOT_INPUT_FORMAT" }));
      expect(() => build(bad)).toThrow(message);
    }
  });
});
