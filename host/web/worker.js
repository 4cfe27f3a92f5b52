// The Web Worker that runs the self-contained composition (app + driver + virtual board, built
// by `cargo xtask build` into ./composition/ with jco), so the page never freezes: the
// composition's `wasi:cli/run` is one synchronous call that plays every frame in the virtual
// board's simulated time.
//
// WASI 0.2 comes from @bytecodealliance/preview2-shim's browser build (./vendor/). The
// composition's stdout, the virtual board's frame stream, is read as it is written and each
// frame is posted to the page: `{ type: 'frame', frame }`, then `{ type: 'done' }` or
// `{ type: 'error', message }`. stderr lines are posted as `{ type: 'stderr', line }`.
//
// Message in: `{ args: ["pacman", ...], env: { NAME: value }, buttons }`. `buttons`, when given,
// is a SharedArrayBuffer the page writes the buttons held into (one Int32 a button, in the
// order of BUTTONS, 1 while held; the last Int32 is only waited on). Then the worker plays: at
// every frame it sets the virtual board's buttons that changed (through the composition's
// `wasi-hal:inspect/board` export, `set-button`) and sleeps (Atomics.wait) until the wall clock
// has caught up with the frame's simulated time, so the app reads the buttons at 30 frames a
// second as on a real board. Without `buttons` the frames come as fast as they are made.

import * as shim from './vendor/preview2-shim/browser/index.js';
import { instantiate } from './composition/composition.js';
import { FrameStreamParser } from './frames.js';

/** The virtual board's button parts, in the order of the page's SharedArrayBuffer (as in main.js). */
const BUTTONS = ['up', 'down', 'left', 'right'];

const getCoreModule = async (name) => {
  const response = await fetch(new URL(`./composition/${name}`, import.meta.url));
  if (!response.ok) throw new Error(`cannot load ${name}: HTTP ${response.status}`);
  return WebAssembly.compile(await response.arrayBuffer());
};

/**
 * What runs at every frame in play: `board` is the composition's inspect export (set once the
 * composition is instantiated), `held` the page's buttons.
 */
class Player {
  constructor(buffer) {
    this.held = new Int32Array(buffer);
    this.applied = BUTTONS.map(() => false);
    this.board = null;
    this.startWall = null;
    this.startSim = null;
    this.presses = 0;
  }

  /** Sets the buttons that changed, then waits until `frame` is due. */
  atFrame(frame) {
    if (this.board) {
      BUTTONS.forEach((name, i) => {
        const pressed = Atomics.load(this.held, i) === 1;
        if (pressed !== this.applied[i]) {
          this.board.setButton(name, pressed);
          this.applied[i] = pressed;
          if (pressed) this.presses += 1;
        }
      });
    }
    const now = performance.now();
    if (this.startWall === null) {
      this.startWall = now;
      this.startSim = frame.timeNs;
    }
    const wait = (frame.timeNs - this.startSim) / 1e6 - (now - this.startWall);
    if (wait > 0) Atomics.wait(this.held, BUTTONS.length, 0, wait);
    frame.presses = this.presses;
  }
}

/** The import object of WASI 0.2 for the composition, unversioned as jco looks it up. */
function wasiImports(args, env, player) {
  const parser = new FrameStreamParser();
  let stderr = '';
  const cli = shim.cli.createCli({
    arguments: args,
    environment: env,
    stdout: {
      write(bytes) {
        for (const frame of parser.push(bytes)) {
          if (player) player.atFrame(frame);
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
    const player = data.buttons ? new Player(data.buttons) : null;
    const { imports, parser } = wasiImports(data.args, data.env ?? {}, player);
    const exports = await instantiate(getCoreModule, imports);
    if (player) player.board = exports['wasi-hal:inspect/board@0.1.0'] ?? exports.board;
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
