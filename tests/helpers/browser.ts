import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { FACTORY_PASSWORD } from "../../db/seed/factories";

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

/**
 * What an end-to-end test needs around its pages: pages that record browser errors (a page
 * error or a console error fails the test; "Failed to load resource" is how a 403 page shows
 * up, an expected answer), and numbered full-page screenshots into `shotsDir`.
 */
export function pageRecorder(shotsDir: string, options: { timeoutMs: number }) {
  const browserErrors: string[] = [];
  let shotCount = 0;
  return {
    browserErrors,
    async resetShots() {
      await rm(shotsDir, { recursive: true, force: true });
      await mkdir(shotsDir, { recursive: true });
    },
    async openPage(context: BrowserContext): Promise<Page> {
      const page = context.pages()[0] ?? (await context.newPage());
      page.setDefaultTimeout(options.timeoutMs);
      page.on("pageerror", (error) => browserErrors.push(`page error: ${error.message}`));
      page.on("console", (message) => {
        if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
          browserErrors.push(`console error: ${message.text()}`);
        }
      });
      return page;
    },
    async shot(page: Page, name: string) {
      shotCount += 1;
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: path.join(shotsDir, `${String(shotCount).padStart(2, "0")}-${name}.png`), fullPage: true });
    },
  };
}

/** Signs in through the login form (as `email`, with the factories' password) and lands on `to`. */
export async function signInAt(page: Page, baseUrl: string, email: string, to: string): Promise<Page> {
  await page.goto(`${baseUrl}/login?redirectTo=${encodeURIComponent(to)}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(FACTORY_PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(`${baseUrl}${to}`);
  return page;
}
