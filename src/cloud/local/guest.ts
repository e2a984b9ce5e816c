import { InputFormatError } from "../../errors.js";
import { missingParameter } from "./errors.js";
import type { Instance } from "./model.js";
import type { Params } from "./params.js";
import { guestShutdown } from "./stop.js";
import { lookup, type World } from "./world.js";
import { el, isoTime, type XmlValue } from "./xml.js";

/**
 * What the software of matching instances does once they run, standing in for a guest OS the
 * memory data plane does not have: write `console` to the serial console after `afterSeconds`
 * (real-cloud seconds, scaled like every duration), then power off (`then: "power-off"`) or keep
 * running (`"keep-running"`, e.g. a provisioning script that hangs).
 */
export interface GuestScript {
  /** `Key=Value` of a tag the instance carries; omitted: every instance. */
  readonly tag?: string;
  readonly afterSeconds: number;
  readonly console: string;
  readonly then: "power-off" | "keep-running";
  /** How many instances it runs on; default every one. */
  readonly times?: number;
}

/** The guests' side of the emulator: scripts that run on boot, console output and power-off. */
export class Guests {
  private scripts: Array<{ script: GuestScript; remaining: number }> = [];

  constructor(private readonly world: World) {
    world.guests = { booted: (instance) => this.booted(instance) };
  }

  /** Run `script` on matching instances that start running from now on; returns its remover. */
  add(script: GuestScript): () => void {
    const { afterSeconds, then, times } = script;
    if (!(afterSeconds >= 0))
      throw new InputFormatError("guest script", "afterSeconds >= 0", String(afterSeconds));
    if (then !== "power-off" && then !== "keep-running")
      throw new InputFormatError("guest script", "then power-off or keep-running", String(then));
    if (times !== undefined && !(Number.isInteger(times) && times >= 1))
      throw new InputFormatError("guest script", "times a whole number >= 1", String(times));
    const entry = { script, remaining: times ?? Infinity };
    this.scripts.push(entry);
    return () => {
      this.scripts = this.scripts.filter((s) => s !== entry);
    };
  }

  /** Append to an instance's console, as its guest would. */
  write(instanceId: string, text: string): void {
    this.world.consoles.set(instanceId, (this.world.consoles.get(instanceId) ?? "") + text);
  }

  /** The guest runs `poweroff` now. */
  powerOff(instanceId: string): void {
    const instance = lookup(instanceId, this.world.instances, "InvalidInstanceID.NotFound", "instance");
    guestShutdown(this.world, instance);
  }

  private booted(instance: Instance): void {
    const entry = this.scripts.find((s) => s.remaining > 0 && matches(s.script, instance));
    if (entry === undefined) return;
    entry.remaining -= 1;
    const { script } = entry;
    instance.cancels.push(
      this.world.config.scheduler.schedule(this.world.config.latency.scaled(script.afterSeconds), () => {
        if (instance.state !== "running") return;
        this.write(instance.id, script.console);
        if (script.then === "power-off") guestShutdown(this.world, instance);
      }),
    );
  }
}

function matches(script: GuestScript, instance: Instance): boolean {
  if (script.tag === undefined) return true;
  const eq = script.tag.indexOf("=");
  const [key, value] = eq < 0 ? [script.tag, ""] : [script.tag.slice(0, eq), script.tag.slice(eq + 1)];
  return instance.tags.get(key) === value;
}

/** GetConsoleOutput: what the guest wrote, base64 as EC2 sends it; no Output while it wrote nothing. */
export function getConsoleOutput(world: World, params: Params): XmlValue[] {
  const id = params.string("InstanceId");
  if (id === undefined || id === "") throw missingParameter("InstanceId");
  const instance = lookup(id, world.instances, "InvalidInstanceID.NotFound", "instance");
  const text = world.consoles.get(instance.id);
  return [
    el("instanceId", instance.id),
    el("timestamp", isoTime(world.now)),
    el("output", text === undefined ? undefined : Buffer.from(text, "utf8").toString("base64")),
  ];
}
