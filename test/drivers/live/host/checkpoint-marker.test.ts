import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  COMPLETE_MARKER,
  consumeMarker,
  markComplete,
  markerSource,
} from "../../../../src/drivers/live/host/checkpoint-marker.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-marker-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the checkpoint's completion marker, shared by every container host", () => {
  it("names the instance the images were taken on, and is gone once consumed", async () => {
    await markComplete(dir, "i-0abc");
    const text = await readFile(join(dir, COMPLETE_MARKER), "utf8");
    expect(text).toBe('{"from":"i-0abc"}\n');
    expect(markerSource(text, "here")).toBe("i-0abc");
    await consumeMarker(dir);
    await expect(readFile(join(dir, COMPLETE_MARKER))).rejects.toMatchObject({ code: "ENOENT" });
    await consumeMarker(dir);
  });

  it("reads no marker as none, and anything else as an error naming where and what was found", () => {
    expect(markerSource(" \n", "here")).toBeNull();
    expect(() => markerSource('{"to":"i-1"}', "on volume vol-1")).toThrow(
      'checkpoint marker on volume vol-1: expected {"from": "<instance id>"}, found "{\\"to\\":\\"i-1\\"}"',
    );
    expect(() => markerSource("{half", "/dev/nvme1n1:/checkpoint/complete.json")).toThrow(
      'checkpoint marker /dev/nvme1n1:/checkpoint/complete.json: expected {"from": "<instance id>"}, found "{half"',
    );
  });
});
