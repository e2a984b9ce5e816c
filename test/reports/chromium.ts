import { access, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

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
