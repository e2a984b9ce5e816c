import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

/**
 * Why the namespace-host tests cannot run here, or undefined when they can. Only two reasons are
 * accepted (CI runs as root with namespaces, so these tests run there): not root, no netns support.
 */
export function hostSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return "not root (namespace hosts need CAP_SYS_ADMIN and CAP_NET_ADMIN)";
  if (!existsSync("/proc/self/ns/net")) return "no network namespace support in this kernel";
  try {
    execFileSync("ip", ["netns", "list"], { stdio: "ignore" });
  } catch {
    return "no netns support: `ip netns list` fails";
  }
  return undefined;
}
