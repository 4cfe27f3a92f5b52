#!/usr/bin/env node
// Loads pages of the wasi-hal web page in headless Chromium (Debian's chromium package, driven
// by playwright-core; no browser is downloaded) and screenshots the panel's canvas once the
// page says it is done:
//
//   node screenshot-page.mjs <url> <out.png> [<url> <out.png> ...]
//
// The browser is `$WASI_HAL_CHROMIUM` (set by `cargo xtask setup`), else /usr/bin/chromium,
// started with a new empty profile and without any of its background network traffic (this
// machine's network is closed). Each page must reach `<body data-state="done">` within 120 s.
// Prints one JSON line per page: the page's `<body>` data attributes and its console errors.
// Exit codes: 0 every page was done and shot, 1 a page failed or timed out, 2 bad arguments.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const TIMEOUT_MS = 120_000;
const args = process.argv.slice(2);
if (args.length === 0 || args.length % 2 !== 0) {
  process.stderr.write('usage: screenshot-page.mjs <url> <out.png> [<url> <out.png> ...]\n');
  process.exit(2);
}

const executablePath = process.env.WASI_HAL_CHROMIUM || '/usr/bin/chromium';
const profile = mkdtempSync(path.join(os.tmpdir(), 'wasi-hal-chromium-'));
let context;
let failed = false;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1280, height: 720 },
    deviceScaleFactor: 1,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  for (let i = 0; i < args.length; i += 2) {
    const [url, png] = [args[i], args[i + 1]];
    const page = await context.newPage();
    const errors = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    try {
      await page.goto(url);
      await page.waitForFunction(
        () => ['done', 'error'].includes(document.body.dataset.state),
        null,
        { timeout: TIMEOUT_MS },
      );
      const data = await page.evaluate(() => ({ ...document.body.dataset }));
      if (data.state === 'done') {
        // The canvas's own size, at its place snapped to whole pixels (where Chromium draws it).
        const box = await page.locator('#panel').boundingBox();
        const size = await page.evaluate(() => {
          const canvas = document.getElementById('panel');
          return { width: canvas.width, height: canvas.height };
        });
        await page.screenshot({
          path: png,
          clip: { x: Math.round(box.x), y: Math.round(box.y), ...size },
        });
      } else {
        failed = true;
      }
      process.stdout.write(`${JSON.stringify({ url, ...data, errors })}\n`);
    } catch (e) {
      failed = true;
      process.stdout.write(`${JSON.stringify({ url, state: 'timeout', error: String(e), errors })}\n`);
    }
    await page.close();
  }
} catch (e) {
  process.stderr.write(`screenshot-page: cannot run ${executablePath}: ${e.stack ?? e}\n`);
  failed = true;
} finally {
  await context?.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
