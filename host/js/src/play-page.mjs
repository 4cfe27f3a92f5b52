#!/usr/bin/env node
// Plays the wasi-hal web page in headless Chromium (Debian's chromium package, driven by
// playwright-core, started as screenshot-page.mjs starts it) the way a person would: loads the
// page, waits until it plays and has shown 45 frames, screenshots the panel's canvas, presses
// arrow keys on the page (ArrowLeft, then ArrowUp, each held 200 ms) and the pad's down button
// (with the mouse: a pointer, as a finger is), waits 20 more frames and screenshots the canvas
// and the whole page again:
//
//   node play-page.mjs <url> <before.png> <after.png> <page.png>
//
// Prints one JSON line: the page's `<body>` data attributes once played, and its console
// errors. Exit codes: 0 played and shot, 1 the page failed or timed out, 2 bad arguments.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const TIMEOUT_MS = 120_000;
const args = process.argv.slice(2);
if (args.length !== 4) {
  process.stderr.write('usage: play-page.mjs <url> <before.png> <after.png> <page.png>\n');
  process.exit(2);
}
const [url, beforePng, afterPng, pagePng] = args;

const executablePath = process.env.WASI_HAL_CHROMIUM || '/usr/bin/chromium';
const profile = mkdtempSync(path.join(os.tmpdir(), 'wasi-hal-chromium-'));
let context;
let failed = false;
const errors = [];

/** Waits until the page has shown `n` frames (or stopped). */
async function shown(page, n) {
  await page.waitForFunction(
    (n) => Number(document.body.dataset.framesShown ?? 0) >= n || ['done', 'error'].includes(document.body.dataset.state),
    n,
    { timeout: TIMEOUT_MS },
  );
  return page.evaluate(() => ({ ...document.body.dataset }));
}

/** Screenshots the canvas at its own size. */
async function shootCanvas(page, png) {
  const box = await page.locator('#panel').boundingBox();
  const size = await page.evaluate(() => {
    const canvas = document.getElementById('panel');
    return { width: canvas.width, height: canvas.height };
  });
  await page.screenshot({ path: png, clip: { x: Math.round(box.x), y: Math.round(box.y), ...size } });
}

try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1000, height: 640 },
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
  const page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(url);
    const start = await shown(page, 45);
    if (start.state !== 'running' || start.mode !== 'play') {
      failed = true;
      process.stdout.write(`${JSON.stringify({ url, ...start, errors })}\n`);
    } else {
      await shootCanvas(page, beforePng);
      for (const key of ['ArrowLeft', 'ArrowUp']) {
        await page.keyboard.down(key);
        await page.waitForTimeout(200);
        await page.keyboard.up(key);
        await page.waitForTimeout(100);
      }
      // The on-screen pad, as a finger (a pointer) would press it: down, held 200 ms, up.
      const pad = await page.locator('#pad [data-button="down"]').boundingBox();
      await page.mouse.move(pad.x + pad.width / 2, pad.y + pad.height / 2);
      await page.mouse.down();
      await page.waitForTimeout(200);
      await page.mouse.up();
      const pressed = Number(await page.evaluate(() => document.body.dataset.framesShown));
      const data = await shown(page, pressed + 20);
      await shootCanvas(page, afterPng);
      await page.screenshot({ path: pagePng });
      failed = data.state !== 'running';
      process.stdout.write(`${JSON.stringify({ url, ...data, errors })}\n`);
    }
  } catch (e) {
    failed = true;
    process.stdout.write(`${JSON.stringify({ url, state: 'timeout', error: String(e), errors })}\n`);
  }
} catch (e) {
  process.stderr.write(`play-page: cannot run ${executablePath}: ${e.stack ?? e}\n`);
  failed = true;
} finally {
  await context?.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
