import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { countBreaks, longestGapMs, ProbeClient } from "../../src/cloud/local/hosts/probe-client.js";
import type { ResultsDocument } from "../../src/results/document.js";
import { criuSkipReason } from "../support/host-env.js";
import { requireBuiltCli } from "../support/live-cli.js";
import { localCloudLeftovers, NOTHING_LEFT } from "../support/local-cloud-leftovers.js";

const ROOT = join(import.meta.dirname, "..", "..");
const HEADING = "## Try live mode on one machine";
const STATE_DIR = "/var/lib/hotspot-local";
const PREFIX = "hsc";

/** The README's walkthrough: the first ```sh block under its heading, one command a line. */
function walkthroughCommands(readme: string): string[] {
  const at = readme.indexOf(HEADING);
  if (at < 0) throw new Error(`README.md has no "${HEADING}" section`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  if (block === null) throw new Error(`"${HEADING}" has no sh block`);
  return block[1]
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

/** A bash that runs one line at a time, as a person types them, and says how each ended. */
class Shell {
  private readonly bash: ChildProcessWithoutNullStreams;
  private out = "";
  readonly transcript: string[] = [];

  constructor(cwd: string) {
    this.bash = spawn("bash", ["--noprofile", "--norc"], { cwd, stdio: "pipe" });
    this.bash.stdout.setEncoding("utf8").on("data", (d: string) => (this.out += d));
    this.bash.stderr.setEncoding("utf8").on("data", (d: string) => this.transcript.push(d.trimEnd()));
  }

  /** Runs `line` verbatim; resolves with its exit status and what it printed on stdout. */
  async line(text: string, timeoutMs: number): Promise<{ status: number; stdout: string; seconds: number }> {
    const marker = `__walkthrough_${this.transcript.length}_${Date.now()}__`;
    const started = Date.now();
    this.out = "";
    this.transcript.push(`$ ${text}`);
    this.bash.stdin.write(`${text}\necho "${marker} $?"\n`);
    const deadline = started + timeoutMs;
    for (;;) {
      const match = new RegExp(`${marker} (\\d+)\\n`).exec(this.out);
      if (match !== null) {
        const stdout = this.out.slice(0, match.index);
        this.transcript.push(stdout.trimEnd());
        return { status: Number(match[1]), stdout, seconds: (Date.now() - started) / 1000 };
      }
      if (Date.now() > deadline || this.bash.exitCode !== null) {
        throw new Error(`"${text}" did not finish within ${timeoutMs / 1000} s`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  close(): void {
    this.bash.stdin.end();
  }
}

const skip = criuSkipReason();

describe.skipIf(skip !== undefined)(
  `README "Try live mode on one machine", run verbatim${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    const shell = new Shell(ROOT);
    const notes: string[] = [];
    let ran: readonly string[] = [];

    afterAll(async () => {
      // A failed walkthrough must not leave the local cloud running for the next test or person.
      if (!ran.includes("hotspot local down")) {
        await shell
          .line(
            "hotspot down --timeout 30s; hotspot setup --destroy --zone us-east-1a; hotspot local down",
            180_000,
          )
          .catch(() => undefined);
      }
      shell.close();
      await rm(join(ROOT, "walkthrough"), { recursive: true, force: true });
      console.log(["README walkthrough:", ...notes, "--- transcript", ...shell.transcript].join("\n"));
    }, 240_000);

    it("hops at least three times by itself, the client keeps its connection and every count, the report matches the ledger, nothing is left", async () => {
      requireBuiltCli();
      const running = await readFile(join(STATE_DIR, "local.json"), "utf8").catch(() => null);
      expect(
        running,
        `a local cloud already runs under ${STATE_DIR}: stop it first (hotspot local down)`,
      ).toBeNull();
      const commands = walkthroughCommands(await readFile(join(ROOT, "README.md"), "utf8"));
      expect(commands[0]).toMatch(/^npm link --ignore-scripts\b/);
      expect(commands.at(-1)).toBe("hotspot local down");

      let probe: ProbeClient | undefined;
      let upAt = 0;
      let ledger: ResultsDocument | undefined;
      let ledgerBefore: ResultsDocument | undefined;
      let report = "";
      // The controller keeps rewriting its ledger while it runs: the report read one version of it.
      const readLedger = async (): Promise<ResultsDocument> => {
        const path = (await shell.line("hotspot status --ledger", 60_000)).stdout.trim();
        return JSON.parse(await readFile(path, "utf8")) as ResultsDocument;
      };
      const done: string[] = [];
      ran = done;
      try {
        for (const command of commands) {
          if (command.startsWith("hotspot down") && probe !== undefined) {
            // The client stops before the container does: down ends the application on purpose.
            const summary = await probe.stop();
            probe = undefined;
            expect(countBreaks(summary.replies), "the client's connection broke").toBe(0);
            expect(summary.verify).toBe(`ok ${summary.replies.length}`);
            notes.push(
              `client: ${summary.replies.length} counts, none lost or repeated, one connection; longest gap ${longestGapMs(summary.replies)} ms`,
            );
          }
          if (command.startsWith("hotspot report")) ledgerBefore = await readLedger();
          const result = await shell.line(command, 900_000);
          expect(
            result.status,
            `"${command}" exited ${result.status}:\n${shell.transcript.slice(-6).join("\n")}`,
          ).toBe(0);
          done.push(command);
          if (command.startsWith("hotspot local up")) upAt = Date.now();
          if (command.startsWith("hotspot launch")) {
            const config = JSON.parse(await readFile(join(ROOT, "walkthrough", "hotspot.json"), "utf8")) as {
              publicIp: string;
            };
            // From the VPC's fabric, outside every instance, to the Elastic IP.
            probe = new ProbeClient(`${PREFIX}-vpc`, config.publicIp, 7070, {
              intervalMs: 50,
              maxSeconds: 900,
            });
            await probe.waitReplies(10);
          }
          if (command.startsWith("hotspot status --wait-hops"))
            notes.push(`first 3 hops ${((Date.now() - upAt) / 1000).toFixed(0)} s after local up`);
          if (command.startsWith("hotspot report")) {
            ledger = await readLedger();
            report = await readFile(join(ROOT, "walkthrough", "walkthrough.html"), "utf8");
          }
        }
      } finally {
        probe?.kill();
      }

      const run0 = ledger!.runs[0];
      expect(run0.migrations).toBeGreaterThanOrEqual(3);
      expect(run0.abortedMigrations).toBe(0);
      notes.push(
        `hops: ${run0.migrations}; downtime per hop ${run0.outageDowntimesSeconds!.map((d) => d.toFixed(2)).join(", ")} s; cost $${run0.costUsd.toFixed(6)}`,
      );
      // The report embeds the ledger it charts and shows its hops and cost.
      const embedded = /<script type="application\/json" id="hotspot-results">([\s\S]*?)<\/script>/.exec(
        report,
      );
      expect(embedded).not.toBeNull();
      const shown = JSON.parse(embedded![1]) as ResultsDocument[] | ResultsDocument;
      const documents = Array.isArray(shown) ? shown : [shown];
      // Ledgers only grow: the version the report read lies between the ones read before and after it.
      const shownRun = documents[0].runs[0];
      const before = ledgerBefore!.runs[0];
      expect(shownRun.migrations).toBeGreaterThanOrEqual(before.migrations);
      expect(shownRun.migrations).toBeLessThanOrEqual(run0.migrations);
      expect(shownRun.costUsd).toBeGreaterThanOrEqual(before.costUsd);
      expect(shownRun.costUsd).toBeLessThanOrEqual(run0.costUsd);
      if (before.costUsd === run0.costUsd) expect(shownRun).toEqual(run0);

      // Nothing of the local cloud is left: namespaces, loop devices, mounts, processes.
      expect(await localCloudLeftovers(PREFIX, STATE_DIR)).toEqual(NOTHING_LEFT);
    }, 1_200_000);
  },
);
