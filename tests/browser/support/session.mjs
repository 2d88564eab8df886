// The twin started as a real process and a Chromium to look at it, shared by the tests of one file.

import { before, after } from 'node:test';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTwin } from './twin.mjs';
import { launchBrowser, openPage } from './browser.mjs';

/** Where screenshots go, for a person to look at. */
export const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');

/** Starts the twin and Chromium before the file's tests and stops both after them. */
export function twinInChromium() {
  const session = {
    twin: undefined,
    browser: undefined,
    get url() { return this.twin.url; },
    /** A new tab on the twin (see openPage: page errors fail the test). */
    openPage(viewport) { return openPage(this.browser, this.twin.url, viewport); },
    screenshot(page, name) { return page.screenshot({ path: path.join(ARTIFACTS, name) }); },
  };
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    session.twin = await startTwin();
    session.browser = await launchBrowser();
  }, { timeout: 150_000 });
  after(async () => {
    await session.browser?.close();
    await session.twin?.stop();
  });
  return session;
}
