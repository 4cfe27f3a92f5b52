#!/usr/bin/env node
// Drives the hub's dashboard in headless Chromium (Debian's chromium, through playwright-core
// from host/js's npm packages: `$WASI_HAL_JS_DIR`, else host/js) for tools/wasi-hal/tests/fleet.rs.
// Reads one JSON request a line on stdin and answers one JSON line on stdout:
//
//   {"op":"open","url":U}                       -> {"ok":true}      (waits for data-state=live)
//   {"op":"dom"}                                -> {"ok":true,"nodes":[{node,status,values,commands,charts}]}
//   {"op":"command","node":N,"component":C,"command":K,"payload":P}
//                                               -> {"ok":true,"result":"sent"|...,"text":...}
//   {"op":"screenshot","path":P}                -> {"ok":true}
//   {"op":"quit"}                               -> exits
//
// Errors answer {"ok":false,"error":...}; page errors are collected and returned by "dom".

import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const jsDir = process.env.WASI_HAL_JS_DIR || path.join(here, '../../js');
const require = createRequire(path.join(jsDir, 'package.json'));
const { chromium } = require('playwright-core');

const profile = mkdtempSync(path.join(os.tmpdir(), 'wasi-hal-dashboard-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.WASI_HAL_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 800 },
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const page = await context.newPage();
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));

const answer = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);

async function handle(request) {
  switch (request.op) {
    case 'open':
      await page.goto(request.url);
      await page.waitForFunction(() => document.body.dataset.state === 'live', null, { timeout: 30000 });
      return {};
    case 'dom':
      return {
        errors,
        nodes: await page.evaluate(() => [...document.querySelectorAll('section.node')].map((s) => ({
          node: s.dataset.node,
          status: s.querySelector('.status').dataset.status,
          values: Object.fromEntries([...s.querySelectorAll('.value')]
            .map((v) => [`${v.dataset.component}/${v.dataset.quantity}`, v.textContent])),
          commands: [...s.querySelectorAll('button[data-command]')]
            .map((b) => `${b.closest('.command').dataset.component}/${b.dataset.command}`),
          charts: s.querySelectorAll('.chart canvas').length,
        }))),
      };
    case 'command': {
      const row = `section[data-node="${request.node}"] .command[data-component="${request.component}"]`;
      await page.fill(`${row} input[data-payload="${request.command}"]`, request.payload);
      await page.click(`${row} button[data-command="${request.command}"]`);
      await page.waitForFunction((sel) => document.querySelector(`${sel} .reply`)?.dataset.result, row,
        { timeout: 10000 });
      return page.evaluate((sel) => {
        const reply = document.querySelector(`${sel} .reply`);
        return { result: reply.dataset.result, text: reply.textContent };
      }, row);
    }
    case 'screenshot':
      await page.screenshot({ path: request.path, fullPage: true });
      return {};
    default:
      throw new Error(`unknown op ${request.op}`);
  }
}

const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  const request = JSON.parse(line);
  if (request.op === 'quit') break;
  try {
    answer({ ok: true, ...(await handle(request)) });
  } catch (e) {
    answer({ ok: false, error: String(e) });
  }
}
await context.close();
rmSync(profile, { recursive: true, force: true });
