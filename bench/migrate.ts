import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ContainerKind } from "../src/cloud/local/hosts/container.js";
import { migrationModes, type MigrationMode } from "../src/cloud/local/hosts/migrate.js";
import { countBreaks, longestGapMs } from "../src/cloud/local/hosts/probe-client.js";
import { rehearseMigration } from "../src/cloud/local/hosts/rehearsal.js";
import { ratioLine } from "./targets.js";

/** Memory footprints of the container, MiB (the 64 MB, 512 MB and 2 GB). */
const SIZES_MIB = [64, 512, 2048] as const;

/**
 * Issue 16: stop-and-copy downtime at 2 GiB ≤ 2 × the time to copy the same bytes + 1 s, printed as
 * (downtime − 1 s) / copy time ≤ 2×.
 */
const DOWNTIME_TARGET = { sizeMiB: 2048, fixedSeconds: 1, copies: 2 } as const;

/** Physical baseline: seconds to copy `bytes` from one file to another on this machine (4 MiB blocks, no fsync, like CRIU). */
async function copyBaseline(dir: string, bytes: number): Promise<number> {
  const from = join(dir, "baseline.src");
  const to = join(dir, "baseline.dst");
  const block = Buffer.alloc(4 * 2 ** 20);
  for (let i = 0; i < block.length; i += 8)
    block.writeBigUInt64LE((BigInt(i) * 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn, i);
  const src = await open(from, "w");
  for (let done = 0; done < bytes; done += block.length)
    await src.write(block, 0, Math.min(block.length, bytes - done));
  // Written back before timing, so the copy does not compete with the source's own writeback.
  await src.sync();
  await src.close();
  const start = process.hrtime.bigint();
  const input = await open(from, "r");
  const output = await open(to, "w");
  for (;;) {
    const { bytesRead } = await input.read(block, 0, block.length);
    if (bytesRead === 0) break;
    await output.write(block, 0, bytesRead);
  }
  await input.close();
  await output.close();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await rm(from, { force: true });
  await rm(to, { force: true });
  return seconds;
}

/** lxc-checkpoint has no post-copy mode, so lazy runs use the PID-namespace container under raw CRIU. */
const CONTAINER_FOR: Readonly<Record<MigrationMode, ContainerKind>> = {
  "stop-and-copy": "lxc",
  lazy: "pidns",
};

interface Row {
  readonly memoryMiB: number;
  readonly mode: MigrationMode;
  readonly container: ContainerKind;
  readonly clientGapMs: number;
  readonly downtimeMs: number;
  readonly dumpMs: number;
  readonly moveMs: number;
  readonly restoreMs: number;
  readonly postCopyMs: number;
  readonly checkpointMiB: number;
  readonly baselineCopyMs: number;
  readonly countBreaks: number;
  readonly verify: string;
}

const ms = (s: number) => (s * 1000).toFixed(0);

function table(rows: readonly Row[]): string {
  const header = [
    "memory MiB",
    "mode",
    "container",
    "client gap ms",
    "downtime ms",
    "dump ms",
    "move ms",
    "restore ms",
    "post-copy ms",
    "checkpoint MiB",
    "cp same bytes ms",
    "count breaks",
    "memory check",
  ];
  const body = rows.map((r) => [
    String(r.memoryMiB),
    r.mode,
    r.container,
    r.clientGapMs.toFixed(0),
    r.downtimeMs.toFixed(0),
    r.dumpMs.toFixed(0),
    r.moveMs.toFixed(0),
    r.restoreMs.toFixed(0),
    r.postCopyMs.toFixed(0),
    r.checkpointMiB.toFixed(1),
    r.baselineCopyMs.toFixed(0),
    String(r.countBreaks),
    r.verify,
  ]);
  return [header, header.map(() => "---"), ...body].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

/**
 * `npm run bench:migrate`: live migration on the local cloud (EC2 emulator + namespace hosts + CRIU)
 * for each memory footprint, stop-and-copy and post-copy (lazy pages), next to the time this machine
 * takes to copy the same number of bytes between two files. Needs root (see scripts/install-local-cloud.sh).
 */
export async function runMigrateBench(): Promise<void> {
  process.env.AWS_ACCESS_KEY_ID ??= "AKIDLOCALCLOUDBENCH";
  process.env.AWS_SECRET_ACCESS_KEY ??= "local-cloud-bench-secret";
  const stateDir = await mkdtemp(join(tmpdir(), "hotspot-bench-migrate-"));
  const rows: Row[] = [];
  try {
    for (const memoryMiB of SIZES_MIB) {
      for (const mode of migrationModes) {
        process.stdout.write(`migrating ${memoryMiB} MiB, ${mode} (${CONTAINER_FOR[mode]}) ...\n`);
        const container = CONTAINER_FOR[mode];
        const { migration, probe } = await rehearseMigration({
          prefix: "hsb",
          stateDir,
          memoryMiB,
          mode,
          container,
          repliesAround: 5,
        });
        rows.push({
          memoryMiB,
          mode,
          container,
          clientGapMs: longestGapMs(probe.replies),
          downtimeMs: Number(ms(migration.downtimeSeconds)),
          dumpMs: Number(ms(migration.dumpSeconds)),
          moveMs: Number(ms(migration.moveSeconds)),
          restoreMs: Number(ms(migration.restoreSeconds)),
          postCopyMs: Number(ms(migration.postCopySeconds)),
          checkpointMiB: migration.checkpointBytes / 2 ** 20,
          baselineCopyMs: Number(ms(await copyBaseline(stateDir, memoryMiB * 2 ** 20))),
          countBreaks: countBreaks(probe.replies),
          verify: probe.verify,
        });
      }
    }
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
  process.stdout.write(`${table(rows)}\n`);
  const target = rows.find((r) => r.memoryMiB === DOWNTIME_TARGET.sizeMiB && r.mode === "stop-and-copy");
  if (target !== undefined) {
    process.stdout.write(
      ratioLine(
        `stop-and-copy ${target.memoryMiB} MiB (downtime − ${DOWNTIME_TARGET.fixedSeconds} s) / cp same bytes`,
        (target.downtimeMs - DOWNTIME_TARGET.fixedSeconds * 1000) / target.baselineCopyMs,
        { atMost: DOWNTIME_TARGET.copies },
      ),
    );
  }
  process.stdout.write(
    "client gap: longest time between two replies the TCP client saw (requests every 100 ms); downtime: dump start " +
      "to restore end on the hosts; post-copy: restore end to last page served (lazy only); checkpoint: image bytes " +
      "written by the dump (stop-and-copy: memory over a page server into the target's tmpfs, the rest on the " +
      "volume; lazy: memory served after the restore instead); cp same bytes: copying the memory " +
      "footprint between two files here.\n",
  );
}
