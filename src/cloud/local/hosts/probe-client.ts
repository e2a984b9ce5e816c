import { execa, type ResultPromise } from "execa";
import { HotspotError } from "../../../errors.js";

/**
 * The peer that watches a migration: one TCP connection, one "n" request every `intervalMs` after the
 * previous reply, each reply printed as a JSON line. A line "stop" on stdin (or `maxSeconds`) ends it
 * after a final "v" request, whose answer says whether the container's memory survived intact.
 * Runs as its own Node process so it can live in another network namespace than the caller.
 */
const script = `
import net from "node:net";
import readline from "node:readline";
const [host, port, intervalMs, maxSeconds] = process.argv.slice(1);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\\n");
let stopping = false;
readline.createInterface({ input: process.stdin }).on("line", (l) => { if (l.trim() === "stop") stopping = true; });
const started = Date.now();
const socket = net.connect({ host, port: Number(port) });
socket.setNoDelay(true);
socket.setEncoding("utf8");
let buffer = "";
let pending = null;
socket.on("data", (d) => {
  buffer += d;
  let i;
  while ((i = buffer.indexOf("\\n")) >= 0) {
    const line = buffer.slice(0, i);
    buffer = buffer.slice(i + 1);
    const p = pending; pending = null; p?.(line);
  }
});
socket.on("error", (e) => { out({ error: e.code ?? e.message }); process.exit(3); });
const ask = (req) => new Promise((resolve) => { pending = resolve; socket.write(req + "\\n"); });
socket.on("connect", async () => {
  out({ connected: true, localPort: socket.localPort });
  while (!stopping && Date.now() - started < Number(maxSeconds) * 1000) {
    const sentAt = Date.now();
    const line = await ask("n");
    out({ count: Number(line), sentAt, recvAt: Date.now() });
    await new Promise((r) => setTimeout(r, Number(intervalMs)));
  }
  out({ verify: await ask("v") });
  socket.end();
  process.exit(0);
});
`;

export interface ProbeReply {
  readonly count: number;
  readonly sentAt: number;
  readonly recvAt: number;
}

export interface ProbeSummary {
  readonly replies: readonly ProbeReply[];
  /** The "v" answer: `ok <count>` when memory is intact. */
  readonly verify: string;
  readonly localPort: number;
}

export class ProbeClient {
  private readonly proc: ResultPromise;
  private readonly lines: string[] = [];
  private readonly done: Promise<void>;

  constructor(
    netns: string,
    host: string,
    port: number,
    options: { intervalMs?: number; maxSeconds?: number } = {},
  ) {
    this.proc = execa(
      "nsenter",
      [
        `--net=/run/netns/${netns}`,
        process.execPath,
        "--input-type=module",
        "-e",
        script,
        host,
        String(port),
        String(options.intervalMs ?? 100),
        String(options.maxSeconds ?? 600),
      ],
      { stdin: "pipe", stdout: "pipe", stderr: "pipe", reject: false, buffer: false },
    );
    let partial = "";
    this.proc.stdout?.setEncoding("utf8");
    this.proc.stdout?.on("data", (d: string) => {
      partial += d;
      const parts = partial.split("\n");
      partial = parts.pop() ?? "";
      this.lines.push(...parts);
    });
    this.done = this.proc.then(() => undefined);
  }

  /** Replies received so far. */
  replies(): ProbeReply[] {
    return this.lines
      .map((l) => JSON.parse(l) as Partial<ProbeReply>)
      .filter((r): r is ProbeReply => r.count !== undefined);
  }

  /** Waits until at least `n` replies arrived. */
  async waitReplies(n: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.replies().length < n) {
      if (this.proc.nodeChildProcess.exitCode !== null || Date.now() > deadline) {
        throw new HotspotError(
          "HOTSPOT_PROBE",
          `probe client got ${this.replies().length} of ${n} replies: ${this.lines.slice(-3).join(" ")}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<ProbeSummary> {
    this.proc.stdin?.write("stop\n");
    await this.done;
    const parsed = this.lines.map(
      (l) => JSON.parse(l) as { verify?: string; localPort?: number; error?: string },
    );
    const error = parsed.find((p) => p.error !== undefined)?.error;
    if (error !== undefined) throw new HotspotError("HOTSPOT_PROBE", `probe connection failed: ${error}`);
    return {
      replies: this.replies(),
      verify: parsed.find((p) => p.verify !== undefined)?.verify ?? "",
      localPort: parsed.find((p) => p.localPort !== undefined)?.localPort ?? 0,
    };
  }

  kill(): void {
    this.proc.kill("SIGKILL");
  }
}

/** The longest time between two consecutive replies: what the peer saw of the downtime. */
export function longestGapMs(replies: readonly ProbeReply[]): number {
  let gap = 0;
  for (let i = 1; i < replies.length; i++) gap = Math.max(gap, replies[i].recvAt - replies[i - 1].recvAt);
  return gap;
}

/** Counts that were skipped or repeated: 0 when the count went on without loss. */
export function countBreaks(replies: readonly ProbeReply[]): number {
  let breaks = 0;
  for (let i = 1; i < replies.length; i++) if (replies[i].count !== replies[i - 1].count + 1) breaks++;
  return breaks;
}
