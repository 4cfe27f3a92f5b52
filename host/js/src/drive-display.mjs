#!/usr/bin/env node
// Runs a display:pixels driver component, transpiled by `jco transpile --instantiation async`,
// on the recording JavaScript host of ./hal.js, and makes the calls of a script.
//
//   node drive-display.mjs <transpiled component .js> <script.json>
//
// The script is JSON: `{ "board": <createBoard description>, "calls": [<call>, ...] }`, each
// call one of
//   {"call": "open"}                       (the displays opened are numbered from 0)
//   {"call": "get-info", "display": n}
//   {"call": "write-region", "display": n, "area": [x, y, w, h], "pixels": [bytes]}
//   {"call": "fill-rect", "display": n, "area": [x, y, w, h], "color": c}
//   {"call": "present", "display": n}
//   {"call": "present-region", "display": n, "area": [x, y, w, h], "pixels": [bytes]}
//   {"call": "set-power", "display": n, "on": true|false}
//   {"call": "set-brightness", "display": n, "level": l}
//   {"call": "drop", "display": n}
// (`display` defaults to 0).
//
// Prints one JSON object: `{"results": [...], "trace": [...]}`, a result per call
// (`{"ok": value}` or `{"err": "error-code"}`) and the trace of ./hal.js.
// Exit codes: 0 the script ran, 2 bad arguments or script, 3 the guest trapped.

import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { createBoard } from './hal.js';

const symbolDispose = Symbol.dispose ?? Symbol.for('dispose');

function fail(code, message) {
  process.stderr.write(`drive-display: ${message}\n`);
  process.exit(code);
}

const [componentPath, scriptPath] = process.argv.slice(2);
if (!componentPath || !scriptPath || process.argv.length !== 4) {
  fail(2, 'usage: drive-display.mjs <transpiled component .js> <script.json>');
}

let script;
try {
  script = JSON.parse(await readFile(scriptPath, 'utf8'));
} catch (e) {
  fail(2, `cannot read the script ${scriptPath}: ${e.message}`);
}
if (!Array.isArray(script.calls)) fail(2, `${scriptPath}: \`calls\` must be a list`);

let board;
try {
  board = createBoard(script.board ?? {});
} catch (e) {
  fail(2, `${scriptPath}: board: ${e.message}`);
}

let transpiled;
try {
  transpiled = await import(pathToFileURL(path.resolve(componentPath)).href);
} catch (e) {
  fail(2, `cannot load ${componentPath}: ${e.message}`);
}
const dir = path.dirname(path.resolve(componentPath));
const getCoreModule = async (name) => WebAssembly.compile(await readFile(path.join(dir, name)));

let exports;
try {
  exports = await transpiled.instantiate(getCoreModule, board.imports);
} catch (e) {
  fail(3, `instantiating ${componentPath} failed: ${e.stack ?? e}`);
}
const api = exports.display ?? exports['display:pixels/display@0.1.1'];
if (!api) fail(2, `${componentPath} exports no display:pixels/display`);

const displays = [];
const rect = (area, at) => {
  if (!Array.isArray(area) || area.length !== 4) fail(2, `call ${at}: \`area\` must be [x, y, w, h]`);
  const [x, y, width, height] = area;
  return { x, y, width, height };
};
const bytes = (pixels, at) => {
  if (!Array.isArray(pixels)) fail(2, `call ${at}: \`pixels\` must be a list of bytes`);
  return Uint8Array.from(pixels);
};

const results = [];
for (const [at, step] of script.calls.entries()) {
  const display = () => {
    const d = displays[step.display ?? 0];
    if (!d) fail(2, `call ${at} (${step.call}): no display ${step.display ?? 0} is open`);
    return d;
  };
  try {
    let value = null;
    switch (step.call) {
      case 'open':
        displays.push(api.open());
        value = displays.length - 1;
        break;
      case 'get-info':
        value = display().getInfo();
        break;
      case 'write-region':
        display().writeRegion(rect(step.area, at), bytes(step.pixels, at));
        break;
      case 'fill-rect':
        display().fillRect(rect(step.area, at), step.color);
        break;
      case 'present':
        display().present();
        break;
      case 'present-region':
        display().presentRegion(rect(step.area, at), bytes(step.pixels, at));
        break;
      case 'set-power':
        display().setPower(step.on);
        break;
      case 'set-brightness':
        display().setBrightness(step.level);
        break;
      case 'drop': {
        const d = display();
        displays[step.display ?? 0] = undefined;
        d[symbolDispose]();
        break;
      }
      default:
        fail(2, `call ${at}: unknown call ${JSON.stringify(step.call)}`);
    }
    results.push({ ok: value });
  } catch (e) {
    // jco throws the `error-code` of a `result` as an error with a `payload`; anything else is
    // a trap.
    if (e && Object.hasOwn(e, 'payload')) {
      results.push({ err: e.payload });
    } else {
      fail(3, `call ${at} (${step.call}) trapped: ${e?.stack ?? e}`);
    }
  }
}

process.stdout.write(`${JSON.stringify({ results, trace: board.trace })}\n`);
