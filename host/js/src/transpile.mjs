#!/usr/bin/env node
// Transpiles a component to JavaScript with the jco CLI of this package's node_modules, for
// the Node.js and browser hosts of wasi-hal:
//
//   node transpile.mjs <component.wasm> <out-dir> <name>
//
// runs `jco transpile <component.wasm> -o <out-dir> --name <name> --instantiation async
// --no-namespaced-exports --quiet`, so `<out-dir>/<name>.js` exports `instantiate(getCoreModule,
// imports)` and imports nothing itself (the caller hands it WASI and any other import, under
// unversioned interface names), then applies the fix below.
//
// The fix (jco 1.35.0): when a component drops a resource that another component of the same
// composition defines, jco runs the destructor without giving it a task; if the destructor
// calls into a third component (the Pmod OLED driver's display, dropped by pacman, powers the
// panel down through the virtual board's wasi:spi and wasi:gpio), that call fails with
// "missing current caller task metadata". The component model gives a destructor a task of
// its own (Wasmtime does: wasmtime PR 14158); here the call is made under the task that is
// current, the dropping component's, which is the task the destructor runs in. The fix is
// one substitution in jco's runtime; when the code it replaces is missing from a module that
// has the function, this script fails, so a jco update cannot slip past it unnoticed.

import { spawnSync } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const jco = path.join(here, '..', 'node_modules', '.bin', 'jco');

function fail(message) {
  process.stderr.write(`transpile: ${message}\n`);
  process.exit(2);
}

const FUNCTION = 'function _symmetricSyncGuestCallEnter(';
const BROKEN = 'const callerTaskMeta = getCurrentTask(callerComponentIdx);';
const FIXED =
  'const callerTaskMeta = getCurrentTask(callerComponentIdx) ?? ' +
  '((g) => g && getCurrentTask(g.componentIdx, g.taskID))(_getGlobalCurrentTaskMeta()); ' +
  '/* wasi-hal: destructor calls, see host/js/src/transpile.mjs */';

/** `source` with the destructor fix applied; throws when jco's code is not as expected. */
export function fixDestructorTasks(source) {
  if (!source.includes(FUNCTION)) return source;
  const parts = source.split(BROKEN);
  if (parts.length !== 2) {
    throw new Error(
      `expected the code \`${BROKEN}\` once in jco's ${FUNCTION}...), found it ${parts.length - 1} times: ` +
        'has jco changed? check whether the fix is still needed',
    );
  }
  return parts.join(FIXED);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [component, outDir, name] = process.argv.slice(2);
  if (!component || !outDir || !name || process.argv.length !== 5) {
    fail('usage: transpile.mjs <component.wasm> <out-dir> <name>');
  }
  const result = spawnSync(
    jco,
    [
      'transpile', component, '-o', outDir, '--name', name,
      '--instantiation', 'async', '--no-namespaced-exports', '--quiet',
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (result.error) fail(`cannot run ${jco}: ${result.error.message} (run \`cargo xtask setup\`)`);
  if (result.status !== 0) fail(`jco transpile ${component} failed (exit status ${result.status})`);
  const module = path.join(outDir, `${name}.js`);
  let fixed;
  try {
    fixed = fixDestructorTasks(readFileSync(module, 'utf8'));
  } catch (e) {
    fail(`${module}: ${e.message}`);
  }
  // Whole or not at all: a reader never sees half a module.
  writeFileSync(`${module}.tmp`, fixed);
  renameSync(`${module}.tmp`, module);
}
