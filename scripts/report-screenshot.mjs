#!/usr/bin/env node
// Full-page PNG of an HTML report in Debian's headless Chromium, for people to look at.
// Usage: node scripts/report-screenshot.mjs REPORT.html OUT.png [width]
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const [report, out, width = "1100"] = process.argv.slice(2);
if (report === undefined || out === undefined) {
  process.stderr.write("usage: npm run report:screenshot -- REPORT.html OUT.png [width]\n");
  process.exitCode = 2;
} else {
  const profile = await mkdtemp(join(tmpdir(), "hotspot-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: Number(width), height: 800 },
  });
  try {
    const page = await context.newPage();
    await page.goto(pathToFileURL(resolve(report)).href);
    await page.screenshot({ path: out, fullPage: true });
    process.stdout.write(`${out}\n`);
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}
