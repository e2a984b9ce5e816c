import { describe, expect, it } from "vitest";
import { checkpointableConfig, checkpointCriuConfig } from "../../src/host/lxc.js";

describe("the LXC configuration checkpointing needs", () => {
  it("drops ttys, console, AppArmor, network and an old init, and sets what CRIU can carry", () => {
    const template = [
      "lxc.net.0.type = veth",
      "lxc.net.0.link = lxcbr0",
      "lxc.rootfs.path = dir:/mnt/hotspot/lxc/app/rootfs",
      "lxc.tty.max = 5",
      "lxc.pty.max = 1",
      "lxc.apparmor.profile = generated",
      "lxc.init.cmd = /sbin/init",
      "",
      "",
    ].join("\n");
    expect(
      checkpointableConfig(template, {
        init: "/bin/counter 0.0.0.0 7070 16 /var/count.log",
        binds: [{ host: "/srv/data", container: "/data", kind: "dir" }],
      }),
    ).toBe(
      [
        "lxc.rootfs.path = dir:/mnt/hotspot/lxc/app/rootfs",
        "lxc.net.0.type = none",
        "lxc.tty.max = 0",
        "lxc.pty.max = 0",
        "lxc.console.path = none",
        "lxc.mount.entry = /srv/data data none bind,create=dir 0 0",
        "lxc.init.cmd = /bin/counter 0.0.0.0 7070 16 /var/count.log",
        "",
      ].join("\n"),
    );
  });
});

describe("CRIU's configuration file for lxc-checkpoint", () => {
  it("keeps each direction's own options and appends the caller's, one per line", () => {
    expect(checkpointCriuConfig("dump")).toBe("tcp-established\n");
    expect(checkpointCriuConfig("restore")).toBe("tcp-established\nmntns-compat-mode\n");
    expect(checkpointCriuConfig("dump", ["page-server", "address 10.0.1.23", "port 27028"])).toBe(
      "tcp-established\npage-server\naddress 10.0.1.23\nport 27028\n",
    );
  });
});
