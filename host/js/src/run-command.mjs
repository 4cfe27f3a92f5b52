#!/usr/bin/env node
// Runs a command component (one that exports wasi:cli/run) transpiled by
// `jco transpile --instantiation async`, on WASI 0.2 from @bytecodealliance/preview2-shim and
// nothing else, the way `wasmtime run` would.
//
//   node run-command.mjs <transpiled component .js> [--env NAME=VALUE ...] -- <argv0> [args ...]
//
// The component's stdout and stderr are this process's; it sees the arguments after `--`
// (the first one is the program name) and only the variables given with `--env`. No
// preopened folder, no network.
// Exit codes: 0 the component returned ok, 1 it returned an error, 2 bad arguments,
// 3 it trapped.

import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { WASIShim } from '@bytecodealliance/preview2-shim/instantiation';

function fail(code, message) {
  process.stderr.write(`run-command: ${message}\n`);
  process.exit(code);
}

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
if (dash < 1 || dash === argv.length - 1) {
  fail(2, 'usage: run-command.mjs <transpiled component .js> [--env NAME=VALUE ...] -- <argv0> [args ...]');
}
const [componentPath, ...options] = argv.slice(0, dash);
const args = argv.slice(dash + 1);
const env = {};
for (let i = 0; i < options.length; i += 1) {
  if (options[i] !== '--env' || !options[i + 1]?.includes('=')) {
    fail(2, `unknown option ${JSON.stringify(options[i])}: only --env NAME=VALUE`);
  }
  const [name, ...value] = options[i + 1].split('=');
  env[name] = value.join('=');
  i += 1;
}

let transpiled;
try {
  transpiled = await import(pathToFileURL(path.resolve(componentPath)).href);
} catch (e) {
  fail(2, `cannot load ${componentPath}: ${e.message}`);
}
const dir = path.dirname(path.resolve(componentPath));
const getCoreModule = async (name) => WebAssembly.compile(await readFile(path.join(dir, name)));
const shim = new WASIShim({ sandbox: { preopens: {}, env, args, enableNetwork: false } });

let exports;
try {
  exports = await transpiled.instantiate(getCoreModule, shim.getImportObject());
} catch (e) {
  fail(3, `instantiating ${componentPath} failed: ${e.stack ?? e}`);
}
const run = exports.run ?? exports['wasi:cli/run@0.2.0'];
if (!run) fail(2, `${componentPath} exports no wasi:cli/run`);

try {
  run.run();
} catch (e) {
  // preview2-shim's `exit` throws an error carrying the exit code.
  if (e && e.exitError) process.exit(e.code);
  // A `run` that returns `err` is thrown by jco as an error with a payload.
  if (e && Object.hasOwn(e, 'payload')) process.exit(1);
  fail(3, `the component trapped: ${e?.stack ?? e}`);
}
