/**
 * Typed arrays kept from one use to the next, by slot name. Tables rebuilt on every run (the
 * optimum's: tens of MiB per zone) would otherwise be fresh memory each time, faulted in and zeroed
 * by the kernel, which worker threads of one process do under one address-space lock.
 *
 * Contract: a view returned for a slot holds whatever the slot's last user left in it (callers write
 * every element they read) and is valid until the next request for the same slot; one owner at a time.
 * A slot keeps the largest buffer it was asked for until `release`.
 */
export class Scratch {
  private readonly buffers = new Map<string, ArrayBuffer>();

  float64(slot: string, length: number): Float64Array {
    return new Float64Array(this.buffer(slot, length * 8), 0, length);
  }

  int32(slot: string, length: number): Int32Array {
    return new Int32Array(this.buffer(slot, length * 4), 0, length);
  }

  int16(slot: string, length: number): Int16Array {
    return new Int16Array(this.buffer(slot, length * 2), 0, length);
  }

  uint8(slot: string, length: number): Uint8Array {
    return new Uint8Array(this.buffer(slot, length), 0, length);
  }

  /** Bytes held over every slot. */
  get bytes(): number {
    let total = 0;
    for (const buffer of this.buffers.values()) total += buffer.byteLength;
    return total;
  }

  /** Lets every slot's memory go (the next request allocates afresh). */
  release(): void {
    this.buffers.clear();
  }

  private buffer(slot: string, bytes: number): ArrayBuffer {
    const held = this.buffers.get(slot);
    if (held !== undefined && held.byteLength >= bytes) return held;
    // Exactly the size asked: a slot only grows, to the largest run's need and no further.
    const buffer = new ArrayBuffer(bytes);
    this.buffers.set(slot, buffer);
    return buffer;
  }
}

/** Where a table builder takes its arrays from: a `Scratch`, or `freshArrays`. */
export type ArraySource = Pick<Scratch, "float64" | "int32" | "int16" | "uint8">;

/** Allocates afresh on every request: for callers that keep what they are given. */
export const freshArrays: ArraySource = {
  float64: (_slot, length) => new Float64Array(length),
  int32: (_slot, length) => new Int32Array(length),
  int16: (_slot, length) => new Int16Array(length),
  uint8: (_slot, length) => new Uint8Array(length),
};
