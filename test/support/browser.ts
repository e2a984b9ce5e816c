import { access, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";

/** Debian's chromium package; never a downloaded browser. */
export const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";

/** Headless Chromium with a fresh profile and no background traffic; `close` removes the profile. */
export async function launchChromium(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  await access(chromiumPath).catch(() => {
    throw new Error(`no browser at ${chromiumPath}: install Debian's chromium (apt-get install -y chromium)`);
  });
  const profile = await mkdtemp(join(tmpdir(), "hotspot-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
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
    viewport: { width: 1100, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** A page opened by `openOffline`, with what it logged as errors and every request it tried. */
export interface Visit {
  readonly page: Page;
  readonly consoleErrors: string[];
  readonly requests: string[];
}

/** Opens `file` from file://, blocking and recording every request but the file itself. */
export async function openOffline(context: BrowserContext, file: string): Promise<Visit> {
  const url = pathToFileURL(file).href;
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(error.message));
  await page.route("**/*", (route) => {
    requests.push(route.request().url());
    return route.request().url() === url ? route.continue() : route.abort();
  });
  await page.goto(url, { waitUntil: "load" });
  return { page, consoleErrors, requests };
}
