import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

/** The headless Chromium the dashboard specs drive (CI's apt step installs it); BULWARK_CHROMIUM overrides. */
export const CHROMIUM = process.env.BULWARK_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Whether Chromium is installed. When it is not, says on stderr that `layer` is skipped and why (describe.skipIf
 * cannot print a reason itself); in CI (CI=true) that is an error instead, so that CI never passes by skipping.
 */
export function hasChromium(layer: string): boolean {
  if (fs.existsSync(CHROMIUM)) return true;
  const reason = `${layer}: skipped, no Chromium at ${CHROMIUM} (apt-get install chromium, or set BULWARK_CHROMIUM)`;
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: the dashboard specs must run)`);
  console.warn(`[skip] ${reason}`);
  return false;
}

export interface ChromiumOptions {
  viewport?: { width: number; height: number };
  /** The page's time zone (default UTC, so that the dashboard's local-time chart labels are predictable). */
  timezoneId?: string;
}

/** A headless Chromium on a throwaway profile directory; `close()` closes it and removes the directory. */
export async function launchChromium(o: ChromiumOptions = {}): Promise<{ browser: BrowserContext; close(): Promise<void> }> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-chromium-'));
  try {
    const browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      timezoneId: o.timezoneId ?? 'UTC',
      ...(o.viewport ? { viewport: o.viewport } : {}),
    });
    return {
      browser,
      close: async () => {
        await browser.close();
        fs.rmSync(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    fs.rmSync(userDataDir, { recursive: true, force: true });
    throw e;
  }
}

/** Runs `fn` with a headless Chromium (launchChromium) and its first page; closed after. */
export async function withChromium<T>(fn: (browser: BrowserContext, page: Page) => Promise<T>, o: ChromiumOptions = {}): Promise<T> {
  const { browser, close } = await launchChromium(o);
  try {
    return await fn(browser, browser.pages()[0] ?? (await browser.newPage()));
  } finally {
    await close();
  }
}

/** From now on, every uncaught error of the page and, with `console`, every console.error (failed loads included). */
export function pageErrors(page: Page, o: { console?: boolean } = {}): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  if (o.console) page.on('console', (m) => (m.type() === 'error' ? errors.push(`console: ${m.text()} (${m.location().url})`) : undefined));
  return errors;
}
