import { existsSync } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HotspotError } from "../../../../src/errors.js";
import { cleanupAll, pidsInNetns } from "../../../../src/cloud/local/hosts/cleanup.js";
import type { Container } from "../../../../src/cloud/local/hosts/container.js";
import { dump, restore } from "../../../../src/cloud/local/hosts/criu.js";
import { migrateContainer, type MigrationPlan } from "../../../../src/cloud/local/hosts/migrate.js";
import { ensureNetns } from "../../../../src/cloud/local/hosts/network.js";
import { isMounted } from "../../../../src/cloud/local/hosts/volumes.js";
import { killProcess, processExists, waitGone } from "../../../../src/cloud/local/hosts/workload.js";
import { run, runIn } from "../../../../src/host/run.js";
import { criuSkipReason } from "../../../support/host-env.js";

const skip = criuSkipReason();
const PREFIX = "hsm";
const STATE = "/tmp/hotspot-migrate-test";
const SOURCE = `${PREFIX}-src`;
const TARGET = `${PREFIX}-tgt`;
/** The container's address, held (dropped) on the target while it is between hosts. */
const ADDRESS = "10.99.0.5";
/** The target's own address on the link between the two, where its page server listens. */
const TARGET_IP = "10.99.1.2";
const MEMORY_DIR = join(STATE, "xfer", "memory");
const IMAGES_DIR = join(STATE, "images");

/** A sleeping process in the source's namespace, dumped and restored by raw CRIU, as PidnsContainer does. */
async function sleeper(): Promise<Container & { readonly restores: string[] }> {
  const child = execa("nsenter", [`--net=/run/netns/${SOURCE}`, "setsid", "sleep", "600"], {
    stdio: "ignore",
    reject: false,
  });
  const restores: string[] = [];
  const container = {
    kind: "pidns" as const,
    netns: SOURCE,
    pid: child.pid!,
    restores,
    async dump(imagesDir: string, pageServer?: { address: string; port: number }) {
      await dump(container.netns, container.pid, imagesDir, pageServer);
      await child;
      await waitGone(container.pid);
    },
    dumpLazy: () => Promise.reject(new Error("not used here")),
    async restore(netns: string, imagesDir: string) {
      restores.push(imagesDir);
      container.pid = await restore(netns, imagesDir);
      container.netns = netns;
    },
    async kill() {
      killProcess(container.pid);
    },
  };
  return container;
}

function plan(container: Container, overrides: Partial<MigrationPlan> = {}): MigrationPlan {
  return {
    container,
    targetNetns: TARGET,
    address: ADDRESS,
    imagesDir: IMAGES_DIR,
    mode: "stop-and-copy",
    memoryTransfer: {
      dir: MEMORY_DIR,
      sizeBytes: 64 * 2 ** 20,
      endpoint: { address: TARGET_IP, port: 27031 },
    },
    move: async () => undefined,
    ...overrides,
  };
}

/** No page server on the target, no tmpfs, no pages, no hold on the container's address. */
async function expectNothingLeft(): Promise<void> {
  expect(await pidsInNetns(TARGET)).toEqual([]);
  expect(await isMounted(MEMORY_DIR)).toBe(false);
  expect(existsSync(MEMORY_DIR)).toBe(false);
  expect(await runIn(TARGET, "iptables", ["-w", "-S", "INPUT"])).not.toContain(ADDRESS);
}

describe.skipIf(skip !== undefined)(
  `stop-and-copy with memory over a page server into the target's tmpfs${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    beforeAll(async () => {
      await cleanupAll(PREFIX, STATE);
      await ensureNetns(SOURCE);
      await ensureNetns(TARGET);
      await run("ip", [
        "link",
        "add",
        `${PREFIX}a`,
        "netns",
        SOURCE,
        "type",
        "veth",
        "peer",
        "name",
        `${PREFIX}b`,
        "netns",
        TARGET,
      ]);
      await run("ip", ["-n", SOURCE, "addr", "add", "10.99.1.1/24", "dev", `${PREFIX}a`]);
      await run("ip", ["-n", TARGET, "addr", "add", `${TARGET_IP}/24`, "dev", `${PREFIX}b`]);
      await run("ip", ["-n", SOURCE, "link", "set", `${PREFIX}a`, "up"]);
      await run("ip", ["-n", TARGET, "link", "set", `${PREFIX}b`, "up"]);
    });
    afterAll(async () => {
      await cleanupAll(PREFIX, STATE);
      await rm(STATE, { recursive: true, force: true });
    });

    it("moves a process: memory lands in the target's tmpfs, the rest in the images directory, restored from the tmpfs", async () => {
      await rm(IMAGES_DIR, { recursive: true, force: true });
      const container = await sleeper();
      const dumped = container.pid;
      const result = await migrateContainer(plan(container));
      expect(container.restores).toEqual([MEMORY_DIR]);
      expect(container.netns).toBe(TARGET);
      expect(container.pid).toBe(dumped);
      expect(processExists(container.pid)).toBe(true);
      expect(await pidsInNetns(TARGET)).toEqual([container.pid]);
      // Only the small images stayed where the volume would carry them; no page of memory.
      const left = await readdir(IMAGES_DIR);
      expect(left).toContain("core-" + String(dumped) + ".img");
      expect(left.filter((n) => n.startsWith("pages-") || n.startsWith("pagemap-"))).toEqual([]);
      expect(result.checkpointBytes).toBeGreaterThan(0);
      await container.kill();
      await waitGone(container.pid);
      await expectNothingLeft();
    }, 60_000);

    it("a dump that fails: the page server it never reached is killed, the tmpfs removed", async () => {
      let serversDuringDump: number[] = [];
      let mountedDuringDump = false;
      const container = await sleeper();
      const failing: Container = {
        ...container,
        dump: async () => {
          serversDuringDump = await pidsInNetns(TARGET);
          mountedDuringDump = await isMounted(MEMORY_DIR);
          throw new HotspotError("HOTSPOT_CRIU", "dump refused for the test");
        },
      };
      await expect(migrateContainer(plan(failing))).rejects.toThrow("dump refused for the test");
      expect(serversDuringDump).toHaveLength(1);
      expect(mountedDuringDump).toBe(true);
      await expectNothingLeft();
      await container.kill();
    }, 60_000);

    it("a move that fails after the memory arrived: the pages are removed with the tmpfs", async () => {
      await rm(IMAGES_DIR, { recursive: true, force: true });
      const container = await sleeper();
      let pagesBeforeMove: string[] = [];
      const move = async () => {
        pagesBeforeMove = (await readdir(MEMORY_DIR)).filter((n) => n.startsWith("pages-"));
        throw new HotspotError("HOTSPOT_CLOUD", "detach refused for the test");
      };
      await expect(migrateContainer(plan(container, { move }))).rejects.toThrow(
        "detach refused for the test",
      );
      expect(pagesBeforeMove.length).toBeGreaterThan(0);
      expect(container.restores).toEqual([]);
      await expectNothingLeft();
    }, 60_000);

    it("a page server that cannot listen there: HOTSPOT_CRIU with its log, the container never stopped", async () => {
      const container = await sleeper();
      let dumped = false;
      const watched: Container = { ...container, dump: async () => void (dumped = true) };
      const absent = { address: "10.99.7.7", port: 27031 };
      const result = migrateContainer(
        plan(watched, { memoryTransfer: { dir: MEMORY_DIR, sizeBytes: 2 ** 20, endpoint: absent } }),
      );
      await expect(result).rejects.toMatchObject({ code: "HOTSPOT_CRIU" });
      await expect(result).rejects.toThrow(
        `criu page-server on 10.99.7.7:27031 in ${TARGET}: expected it to listen, found it ended (exit`,
      );
      expect(dumped).toBe(false);
      expect(processExists(container.pid)).toBe(true);
      await expectNothingLeft();
      await container.kill();
    }, 60_000);

    it("refuses a memory transfer in lazy mode before touching anything", async () => {
      const container = await sleeper();
      await expect(migrateContainer(plan(container, { mode: "lazy" }))).rejects.toMatchObject({
        code: "HOTSPOT_USAGE",
      });
      await expectNothingLeft();
      await container.kill();
    });
  },
);
