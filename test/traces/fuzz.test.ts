import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HotspotError } from "../../src/errors.js";
import { loadTrace } from "../../src/traces/load.js";
import { Random } from "../../src/util/random.js";

// Seeded mutations of a small valid trace in each format: every load either succeeds or fails with
// a HotspotError located at the file (never a crash, a hang or a stray exception). Bounded: a fixed
// number of cases, each file tiny, read limits small.
const samples: Record<string, string> = {
  csv: "AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp\nus-east-1a,m4.large,Linux/UNIX,0.03,2021-03-01T00:00:00+00:00\nus-east-1b,m4.large,Linux/UNIX,0.04,2021-03-01T01:00:00Z\n",
  json: '{"SpotPriceHistory":[{"AvailabilityZone":"us-east-1a","InstanceType":"m4.large","ProductDescription":"Linux/UNIX","SpotPrice":"0.03","Timestamp":"2021-03-01T00:00:00.000Z"}],"NextToken":""}\n',
  text: "SPOTPRICEHISTORY\tus-east-1a\tm4.large\tLinux/UNIX\t0.03\t2021-03-01T00:00:00+00:00\nSPOTPRICEHISTORY\tus-east-1b\tm4.large\tLinux/UNIX\t0.04\t2021-03-01T01:00:00+00:00\n",
  "archive-tsv":
    "use1-az4\tm4.large\tLinux/UNIX\t0.03\t2021-03-01 00:00:00+00:00\nuse1-az6\tm4.large\tLinux/UNIX\t0.04\t2021-03-01 01:00:00+00:00\n",
};
const alphabet = Buffer.from('{}[]",:\t\n\r\\0123456789.-+TZ az\u001b');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-fuzz-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function mutate(random: Random, bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  const edits = 1 + Math.floor(random.next() * 4);
  let result = out;
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random.next() * result.length);
    const kind = Math.floor(random.next() * 4);
    const byte =
      random.next() < 0.8
        ? alphabet[Math.floor(random.next() * alphabet.length)]
        : Math.floor(random.next() * 256);
    if (kind === 0) result[at] = byte;
    else if (kind === 1)
      result = Buffer.concat([result.subarray(0, at), Buffer.of(byte), result.subarray(at)]);
    else if (kind === 2) result = Buffer.concat([result.subarray(0, at), result.subarray(at + 1)]);
    else result = Buffer.concat([result.subarray(0, at), result.subarray(at, at + 20), result.subarray(at)]);
  }
  return result;
}

describe("fuzzing the trace parsers (seeded, 150 cases per format)", () => {
  for (const [format, text] of Object.entries(samples)) {
    it(`${format}: a load or a located HotspotError, nothing else`, async () => {
      const random = new Random(14);
      let loads = 0;
      let errors = 0;
      for (let n = 0; n < 150; n++) {
        const path = join(dir, `${format}-${n}.trace`);
        await writeFile(path, mutate(random, Buffer.from(text)));
        try {
          await loadTrace(path, {
            limits: { maxLineBytes: 4096, maxInputBytes: 1 << 20 },
            timeBounds: { earliest: Date.UTC(2006, 0, 1) / 1000, latest: Date.UTC(2030, 0, 1) / 1000 },
            products: ["Linux/UNIX"],
          });
          loads++;
        } catch (error) {
          if (!(error instanceof HotspotError))
            throw new Error(`case ${n}: ${String(error)}`, { cause: error });
          expect(error.message.startsWith(path)).toBe(true);
          errors++;
        }
      }
      expect(loads + errors).toBe(150);
      // Both outcomes occur: the mutations are neither all harmless nor all fatal.
      expect(loads).toBeGreaterThan(0);
      expect(errors).toBeGreaterThan(0);
    }, 60_000);
  }
});
