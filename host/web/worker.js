// The Web Worker that runs the self-contained composition (app + driver + virtual board, built
// by `cargo xtask build` into ./composition/ with jco), so the page never freezes: the
// composition's `wasi:cli/run` is one synchronous call that plays every frame in the virtual
// board's simulated time, which takes a fraction of the real time the frames stand for.
//
// WASI 0.2 comes from @bytecodealliance/preview2-shim's browser build (./vendor/). The
// composition's stdout, the virtual board's frame stream, is read as it is written and each
// frame is posted to the page: `{ type: 'frame', frame }`, then `{ type: 'done' }` or
// `{ type: 'error', message }`. stderr lines are posted as `{ type: 'stderr', line }`.
//
// Message in: `{ args: ["pacman", "--frames", "N"], env: { NAME: value } }`.

import * as shim from './vendor/preview2-shim/browser/index.js';
import { instantiate } from './composition/composition.js';
import { FrameStreamParser } from './frames.js';

const getCoreModule = async (name) => {
  const response = await fetch(new URL(`./composition/${name}`, import.meta.url));
  if (!response.ok) throw new Error(`cannot load ${name}: HTTP ${response.status}`);
  return WebAssembly.compile(await response.arrayBuffer());
};

/** The import object of WASI 0.2 for the composition, unversioned as jco looks it up. */
function wasiImports(args, env) {
  const parser = new FrameStreamParser();
  let stderr = '';
  const cli = shim.cli.createCli({
    arguments: args,
    environment: env,
    stdout: {
      write(bytes) {
        for (const frame of parser.push(bytes)) {
          postMessage({ type: 'frame', frame }, [frame.rgb.buffer]);
        }
      },
      flush() {},
      blockingFlush() {},
    },
    stderr: {
      write(bytes) {
        stderr += new TextDecoder().decode(bytes);
        const lines = stderr.split('\n');
        stderr = lines.pop();
        for (const line of lines) postMessage({ type: 'stderr', line });
      },
      flush() {},
      blockingFlush() {},
    },
  });
  const imports = {};
  for (const name of [
    'environment', 'exit', 'stdin', 'stdout', 'stderr', 'terminal-input', 'terminal-output',
    'terminal-stdin', 'terminal-stdout', 'terminal-stderr',
  ]) {
    const key = name.replace(/-(.)/g, (_, c) => c.toUpperCase());
    imports[`wasi:cli/${name}`] = cli[key];
  }
  imports['wasi:io/error'] = shim.io.error;
  imports['wasi:io/poll'] = shim.io.poll;
  imports['wasi:io/streams'] = shim.io.streams;
  imports['wasi:clocks/monotonic-clock'] = shim.clocks.monotonicClock;
  imports['wasi:clocks/wall-clock'] = shim.clocks.wallClock;
  imports['wasi:random/random'] = shim.random.random;
  imports['wasi:random/insecure'] = shim.random.insecure;
  imports['wasi:random/insecure-seed'] = shim.random.insecureSeed;
  imports['wasi:filesystem/types'] = shim.filesystem.types;
  imports['wasi:filesystem/preopens'] = { getDirectories: () => [] };
  return { imports, parser };
}

onmessage = async ({ data }) => {
  try {
    const { imports, parser } = wasiImports(data.args, data.env ?? {});
    const exports = await instantiate(getCoreModule, imports);
    const run = exports.run ?? exports['wasi:cli/run@0.2.0'];
    try {
      run.run();
    } catch (e) {
      // preview2-shim's `exit` throws an error carrying the exit code.
      if (!(e && e.exitError && e.code === 0)) throw e;
    }
    if (parser.pending) throw new Error('the frame stream ends inside a frame');
    postMessage({ type: 'done' });
  } catch (e) {
    const message = e && Object.hasOwn(e, 'payload') ? 'the app returned an error' : String(e?.stack ?? e);
    postMessage({ type: 'error', message });
  }
};
