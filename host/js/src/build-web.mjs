#!/usr/bin/env node
// Builds the static web page that runs a self-contained composition in the browser:
//
//   node build-web.mjs <composition.wasm> <out-dir>
//
// <out-dir> gets the page (host/web: index.html, main.js, worker.js, frames.js, isolate.js), the
// composition transpiled by jco (composition/composition.js and its core modules, through
// ./transpile.mjs) and the browser build of @bytecodealliance/preview2-shim
// (vendor/preview2-shim/browser/): everything the page loads, nothing from a CDN. Serve the
// folder over HTTP (module workers do not load from file:// URLs).
//
// The folder is built beside <out-dir> and renamed into place, so <out-dir> is either the old
// page or the whole new one.

import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const web = path.join(here, '..', '..', 'web');
const shim = path.join(here, '..', 'node_modules', '@bytecodealliance', 'preview2-shim', 'dist', 'browser');
const PAGE_FILES = ['index.html', 'main.js', 'worker.js', 'frames.js', 'isolate.js'];

function fail(message) {
  process.stderr.write(`build-web: ${message}\n`);
  process.exit(2);
}

const [composition, outDir] = process.argv.slice(2);
if (!composition || !outDir || process.argv.length !== 4) {
  fail('usage: build-web.mjs <composition.wasm> <out-dir>');
}
const out = path.resolve(outDir);
const building = `${out}.building-${process.pid}`;
rmSync(building, { recursive: true, force: true });
mkdirSync(building, { recursive: true });
try {
  const transpiled = spawnSync(
    process.execPath,
    [path.join(here, 'transpile.mjs'), composition, path.join(building, 'composition'), 'composition'],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (transpiled.status !== 0) throw new Error(`transpiling ${composition} failed`);
  for (const file of PAGE_FILES) cpSync(path.join(web, file), path.join(building, file));
  cpSync(shim, path.join(building, 'vendor', 'preview2-shim', 'browser'), {
    recursive: true,
    filter: (src) => !src.endsWith('.d.ts'),
  });
  // TypeScript declarations are of no use to the page.
  rmSync(path.join(building, 'composition', 'interfaces'), { recursive: true, force: true });
  for (const file of readdirSync(path.join(building, 'composition'))) {
    if (file.endsWith('.d.ts')) rmSync(path.join(building, 'composition', file));
  }
  rmSync(out, { recursive: true, force: true });
  renameSync(building, out);
} catch (e) {
  rmSync(building, { recursive: true, force: true });
  fail(e.message);
}
