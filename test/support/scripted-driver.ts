import type { Command, Driver, EngineEvent, EventSink } from "../../src/engine/driver.js";
import { constantPath } from "../../src/engine/price-paths.js";
import type { Market } from "../../src/engine/types.js";

/** A spot market of zone z: 2 vCPU, 8 GiB, 10 work units, on-demand at 1 USD/hour. */
export const market = (id: number, instanceType: string): Market => ({
  id,
  zone: "z",
  instanceType,
  lifecycle: "spot",
  vcpu: 2,
  memoryGiB: 8,
  work: 10,
  onDemandUsd: 1,
  architecture: "x86_64",
  cpuVendor: "intel",
});

/** What the scripted driver answers to a command: an event after some seconds, or nothing. */
export type Script = (command: Command) => { readonly after: number; readonly event: EngineEvent } | null;

/** A driver whose world is a script: every command completes as `script` says; prices never change. */
export class ScriptedDriver implements Driver {
  readonly markets = [market(0, "a.large"), market(1, "b.large")];
  readonly prices = Float64Array.of(0.36, 0.18);
  readonly unavailable = new Set<number>();
  readonly history = { windowSeconds: 0, changes: () => 0, meanTimeToChangeOfCheapest: () => Infinity };
  readonly commands: string[] = [];

  constructor(
    private readonly script: Script,
    /** World events (e.g. a notice) scheduled when the run begins. */
    private readonly world: Array<readonly [number, EngineEvent]> = [],
  ) {}

  pricePath(marketId: number) {
    return constantPath(this.prices[marketId]);
  }

  advance(until: number, sink: EventSink): number {
    for (const [time, event] of this.world.splice(0)) sink.schedule(time, event);
    return until;
  }

  execute(command: Command, now: number, sink: EventSink): void {
    this.commands.push(`${now} ${command.kind}`);
    const answer = this.script(command);
    if (answer !== null) sink.schedule(now + answer.after, answer.event);
  }
}

/** Every command completes: acquire in 60 s, checkpoint 4, transfer 0, move 3, restore 2, terminate 10. */
export const completes: Script = (command) => {
  switch (command.kind) {
    case "acquire":
      return { after: 60, event: { kind: "acquired", instance: command.instance } };
    case "checkpoint":
      return { after: 4, event: { kind: "checkpointed", migration: command.migration } };
    case "transfer":
      return { after: 0, event: { kind: "transferred", migration: command.migration } };
    case "move":
      return { after: 3, event: { kind: "moved", migration: command.migration } };
    case "restore":
      return { after: 2, event: { kind: "restored", migration: command.migration } };
    case "terminate":
      return { after: 10, event: { kind: "terminated", instance: command.instance } };
  }
};
