// Debian's Chromium driven by playwright-core, in a fresh profile, with nothing reaching out to the network.

import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
];

export async function launchBrowser() {
  const profile = mkdtempSync(path.join(tmpdir(), 'ioctwin-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ARGS,
    viewport: { width: 1920, height: 1080 },
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * A new tab that fails the test on any page error, and records console errors, Content-Security-Policy violations
 * and requests leaving the twin.
 */
export async function openPage(browser, baseUrl, { width = 1920, height = 1080 } = {}) {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width, height });
  const problems = [];
  await page.exposeFunction('__reportCspViolation', (violation) => problems.push(`CSP violation: ${violation}`));
  await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) =>
    window.__reportCspViolation(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} in ${e.sourceFile}:${e.lineNumber}`)));
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('request', (request) => {
    if (!request.url().startsWith(baseUrl) && !request.url().startsWith('data:')) problems.push(`outside request: ${request.url()}`);
  });
  page.problems = problems;
  return page;
}
