import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface TestBrowser {
  /** A new browser context, with its own cookies (a second person). */
  newContext(): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** Debian's Chromium, headless, with a fresh profile folder per launch. */
export async function launchBrowser(): Promise<TestBrowser> {
  const profiles: string[] = [];
  const contexts: BrowserContext[] = [];
  return {
    async newContext() {
      const dir = await mkdtemp(path.join(os.tmpdir(), "quorum-chromium-"));
      profiles.push(dir);
      const context = await chromium.launchPersistentContext(dir, {
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: FLAGS,
        viewport: { width: 1280, height: 800 },
      });
      contexts.push(context);
      return context;
    },
    async close() {
      for (const c of contexts) await c.close();
      for (const d of profiles) await rm(d, { recursive: true, force: true });
    },
  };
}
