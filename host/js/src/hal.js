// A JavaScript host for wasi:spi, wasi:gpio, wasi:delay (all @0.1.0) and wasi:config/store
// that records every byte and every level change, in virtual time.
//
// It follows the WIT (wit/wasi-spi, wit/wasi-gpio, wit/wasi-delay) and the Rust host crates'
// policy (host/spi, host/gpio): names the board does not offer are `not-permitted` /
// `pin-not-allowed`; a pin opened in a direction the board does not allow is
// `mode-not-allowed`; a held pin is `already-in-use`; a device held by another guest is
// `in-use`; a transaction moving more than `max-transfer-bytes` is `too-large` and sends
// nothing; an output pin returns to its safe level when the guest drops it.
//
// Time is virtual, as on the Rust simulated board (host/sim): a delay advances the clock at
// once, and an SPI transaction advances it by its wire time (8 bits per byte at the frequency
// in force), so the trace's times are the Rust host's times.
//
// The trace has the format of `wasi-hal run --trace` (host/sim-render, JSON lines): SPI
// transactions as `{time_ns, kind: "spi", device, ops: [{op: "write", bytes}, ...]}` and level
// changes as `{time_ns, kind: "gpio", line, high}`.
//
// No Node.js API is used: the module runs in Node.js and in browsers alike.

const symbolDispose = Symbol.dispose ?? Symbol.for('dispose');

/** The four SPI modes, as the WIT spells them. */
export const SPI_MODES = ['mode0', 'mode1', 'mode2', 'mode3'];

/**
 * An error the guest caused: jco returns `payload` as the WIT `error-code` of a `result`.
 * Anything else a host function throws traps the guest.
 */
export class WitError extends Error {
  constructor(payload, message) {
    super(message ?? payload);
    this.payload = payload;
  }
}

/** Throws unless `value` is one of `allowed`, naming `what` (a host fault: it traps). */
function expectOneOf(value, allowed, what) {
  if (!allowed.includes(value)) {
    throw new TypeError(`${what}: ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
  }
}

/** The SPI device settings a board starts a device with (host/spi's `SpiConfig::default`). */
const DEFAULT_SPI_CONFIG = { frequencyHz: 1_000_000, mode: 'mode0', bitOrder: 'msb-first' };

/**
 * The SPI policy of one device with the defaults of host/spi's `SpiPolicy::default`: guests may
 * configure any mode and bit order up to 10 MHz (clamped above), 4096 bytes per call.
 */
export function spiPolicy(given = {}) {
  const known = new Set([
    'defaultConfig', 'guestMayConfigure', 'maxFrequencyHz', 'aboveMaximum', 'allowedModes',
    'allowLsbFirst', 'maxTransferBytes', 'heldByAnotherGuest', 'miso',
  ]);
  for (const key of Object.keys(given)) {
    if (!known.has(key)) throw new TypeError(`SPI device: unknown setting \`${key}\``);
  }
  const policy = {
    defaultConfig: { ...DEFAULT_SPI_CONFIG, ...(given.defaultConfig ?? {}) },
    guestMayConfigure: given.guestMayConfigure ?? true,
    maxFrequencyHz: given.maxFrequencyHz ?? 10_000_000,
    aboveMaximum: given.aboveMaximum ?? 'clamp',
    allowedModes: given.allowedModes ?? [...SPI_MODES],
    allowLsbFirst: given.allowLsbFirst ?? true,
    maxTransferBytes: given.maxTransferBytes ?? 4096,
    heldByAnotherGuest: given.heldByAnotherGuest ?? false,
    // The byte the device answers with while the controller clocks (0 when nothing drives MISO).
    miso: given.miso ?? 0,
  };
  expectOneOf(policy.aboveMaximum, ['clamp', 'refuse'], 'SPI device: aboveMaximum');
  for (const mode of policy.allowedModes) expectOneOf(mode, SPI_MODES, 'SPI device: allowedModes');
  return policy;
}

/**
 * The settings a request results in under `policy`, or a `WitError`: a copy of
 * `wasi_hal_policy::SpiPolicy::effective_config` (host/policy), kept equal to it by the test
 * `the_javascript_spi_policy_is_the_policy_crates` (tests/tests/node.rs, through
 * `src/spi-policy-cases.mjs`).
 */
export function effectiveConfig(policy, current, requested) {
  if (!policy.guestMayConfigure) return current;
  if (!policy.allowedModes.includes(requested.mode)) {
    throw new WitError('not-permitted', `mode ${requested.mode} is not allowed`);
  }
  if (requested.bitOrder === 'lsb-first' && !policy.allowLsbFirst) {
    throw new WitError('not-permitted', 'least-significant-bit first is not allowed');
  }
  if (requested.frequencyHz === 0) {
    throw new WitError('not-permitted', 'a zero clock moves no bit');
  }
  const effective = { ...requested };
  if (requested.frequencyHz > policy.maxFrequencyHz) {
    if (policy.aboveMaximum === 'refuse') {
      throw new WitError('not-permitted', `${requested.frequencyHz} Hz is above the maximum`);
    }
    effective.frequencyHz = policy.maxFrequencyHz;
  }
  return effective;
}

/** The pin policy of one line: the directions a guest may open it in and its levels. */
function pinPolicy(name, given = {}) {
  const known = new Set(['modes', 'initial', 'safe']);
  for (const key of Object.keys(given)) {
    if (!known.has(key)) throw new TypeError(`pin ${name}: unknown setting \`${key}\``);
  }
  const modes = given.modes ?? ['output'];
  for (const mode of modes) expectOneOf(mode, ['input', 'output'], `pin ${name}: modes`);
  const initial = given.initial ?? 'low';
  const safe = given.safe ?? initial;
  expectOneOf(initial, ['low', 'high'], `pin ${name}: initial`);
  expectOneOf(safe, ['low', 'high'], `pin ${name}: safe`);
  return { input: modes.includes('input'), output: modes.includes('output'), initial, safe };
}

/**
 * A simulated board for one guest.
 *
 * `description`:
 * - `spi`: `{ name: policy }`, the SPI devices offered (policy keys as host/spi's `SpiPolicy`,
 *   in camelCase; `heldByAnotherGuest` makes `open-device` answer `in-use`);
 * - `pins`: `{ name: { modes: ["output"|"input", ...], initial: "low"|"high", safe } }`, the
 *   lines offered; `initial` is the line's level before the guest opens it, `safe` the level it
 *   returns to when the guest lets it go;
 * - `config`: `{ key: value }`, what `wasi:config/store` answers.
 *
 * Returns `{ imports, trace, now }`: the import object for a component transpiled by
 * `jco transpile --instantiation async` (unversioned interface names), the trace array that
 * grows as the guest runs, and a function giving the virtual time in nanoseconds (a BigInt).
 */
export function createBoard(description = {}) {
  const known = new Set(['spi', 'pins', 'config']);
  for (const key of Object.keys(description)) {
    if (!known.has(key)) throw new TypeError(`board: unknown section \`${key}\``);
  }
  const trace = [];
  let clock = 0n;
  const now = () => clock;
  const advance = (ns) => {
    clock += BigInt(ns);
  };

  // ---- GPIO ----
  const lines = new Map();
  for (const [name, given] of Object.entries(description.pins ?? {})) {
    const policy = pinPolicy(name, given);
    lines.set(name, { name, policy, level: policy.initial, held: false, output: false });
  }
  /** Drives `line` to `level`, recording a change the way a wire shows it: only a change. */
  const drive = (line, level) => {
    if (line.level === level) return;
    line.level = level;
    trace.push({ time_ns: Number(clock), kind: 'gpio', line: line.name, high: level === 'high' });
  };

  class OutputPin {
    #line;
    #open = true;
    constructor(line) {
      this.#line = line;
    }
    #check() {
      // jco never calls a method on a dropped handle; this guards a host-side misuse.
      if (!this.#open) throw new Error(`output pin ${this.#line.name} was dropped`);
    }
    setLevel(level) {
      this.#check();
      expectOneOf(level, ['low', 'high'], 'set-level');
      drive(this.#line, level);
    }
    getLevel() {
      this.#check();
      return this.#line.level;
    }
    [symbolDispose]() {
      if (!this.#open) return;
      this.#open = false;
      this.#line.held = false;
      drive(this.#line, this.#line.policy.safe);
    }
  }

  class InputPin {
    #line;
    #open = true;
    constructor(line) {
      this.#line = line;
    }
    readLevel() {
      if (!this.#open) throw new Error(`input pin ${this.#line.name} was dropped`);
      return this.#line.level;
    }
    waitForEdge(edge, timeoutNs) {
      expectOneOf(edge, ['rising', 'falling', 'both'], 'wait-for-edge');
      // Nothing else drives a line on this board: the timeout passes in virtual time.
      advance(timeoutNs);
      return false;
    }
    [symbolDispose]() {
      if (!this.#open) return;
      this.#open = false;
      this.#line.held = false;
    }
  }

  const openPin = (name, output) => {
    const line = lines.get(name);
    if (!line) throw new WitError('pin-not-allowed', `no pin ${name} is offered`);
    if (!(output ? line.policy.output : line.policy.input)) {
      throw new WitError('mode-not-allowed', `pin ${name} may not be opened that way`);
    }
    if (line.held) throw new WitError('already-in-use', `pin ${name} is held`);
    line.held = true;
    line.output = output;
    return line;
  };

  const gpio = {
    getPins() {
      return [...lines.values()].map((line) => ({
        name: line.name,
        modes: { input: line.policy.input, output: line.policy.output },
      }));
    },
    openOutput(name, initial) {
      expectOneOf(initial, ['low', 'high'], 'open-output');
      const line = openPin(name, true);
      drive(line, initial);
      return new OutputPin(line);
    },
    openInput(name) {
      return new InputPin(openPin(name, false));
    },
    OutputPin,
    InputPin,
  };

  // ---- SPI ----
  const devices = new Map();
  for (const [name, given] of Object.entries(description.spi ?? {})) {
    const policy = spiPolicy(given);
    devices.set(name, { name, policy, config: { ...policy.defaultConfig }, holds: 0 });
  }
  const wireNs = (state, bytes) =>
    (BigInt(bytes) * 8n * 1_000_000_000n) / BigInt(Math.max(state.config.frequencyHz, 1));

  /** Runs `operations` as one chip-select period and returns the read buffers, in order. */
  const run = (state, operations) => {
    // Checked before anything is allocated or sent, as host/spi does.
    let total = 0;
    for (const op of operations) {
      if (op.tag === 'read') total += op.val;
      else if (op.tag === 'write' || op.tag === 'transfer') total += op.val.length;
      else expectOneOf(op.tag, ['delay-ns'], 'operation');
    }
    if (total > state.policy.maxTransferBytes) {
      throw new WitError('too-large', `${total} bytes is more than ${state.policy.maxTransferBytes}`);
    }
    const start = clock;
    const ops = [];
    const results = [];
    for (const op of operations) {
      switch (op.tag) {
        case 'write':
          ops.push({ op: 'write', bytes: [...op.val] });
          advance(wireNs(state, op.val.length));
          break;
        case 'read': {
          const bytes = new Uint8Array(op.val).fill(state.policy.miso);
          ops.push({ op: 'read', bytes: [...bytes] });
          results.push(bytes);
          advance(wireNs(state, op.val));
          break;
        }
        case 'transfer': {
          const bytes = new Uint8Array(op.val.length).fill(state.policy.miso);
          ops.push({ op: 'transfer', written: [...op.val], read: [...bytes] });
          results.push(bytes);
          advance(wireNs(state, op.val.length));
          break;
        }
        case 'delay-ns':
          ops.push({ op: 'delay', ns: op.val });
          advance(op.val);
          break;
      }
    }
    trace.push({ time_ns: Number(start), kind: 'spi', device: state.name, ops });
    return results;
  };

  class Device {
    #state;
    #open = true;
    constructor(state) {
      this.#state = state;
    }
    #live() {
      if (!this.#open) throw new Error(`SPI device ${this.#state.name} was dropped`);
      return this.#state;
    }
    configure(requested) {
      const state = this.#live();
      expectOneOf(requested.mode, SPI_MODES, 'configure: mode');
      expectOneOf(requested.bitOrder, ['msb-first', 'lsb-first'], 'configure: bit-order');
      state.config = effectiveConfig(state.policy, state.config, requested);
      return { ...state.config };
    }
    currentConfig() {
      return { ...this.#live().config };
    }
    maxTransferBytes() {
      return this.#live().policy.maxTransferBytes;
    }
    read(len) {
      return run(this.#live(), [{ tag: 'read', val: len }])[0];
    }
    write(data) {
      run(this.#live(), [{ tag: 'write', val: data }]);
    }
    transfer(data) {
      return run(this.#live(), [{ tag: 'transfer', val: data }])[0];
    }
    transaction(operations) {
      return run(this.#live(), operations);
    }
    [symbolDispose]() {
      if (!this.#open) return;
      this.#open = false;
      const state = this.#state;
      state.holds -= 1;
      // The next holder starts from the board's settings, as on the Rust host.
      if (state.holds === 0) state.config = { ...state.policy.defaultConfig };
    }
  }

  const spi = {
    getDeviceNames() {
      return [...devices.keys()].sort();
    },
    openDevice(name) {
      const state = devices.get(name);
      // A name the board does not offer looks the same as a missing one.
      if (!state) throw new WitError('not-permitted', `no SPI device ${name} is offered`);
      if (state.policy.heldByAnotherGuest) {
        throw new WitError('in-use', `SPI device ${name} is held by another guest`);
      }
      state.holds += 1;
      return new Device(state);
    },
    Device,
  };

  // ---- delay ----
  const delay = {
    delayNs(ns) {
      advance(ns);
    },
    delayUs(us) {
      advance(BigInt(us) * 1_000n);
    },
    delayMs(ms) {
      advance(BigInt(ms) * 1_000_000n);
    },
    nowNs() {
      return clock;
    },
  };

  // ---- config ----
  const values = Object.entries(description.config ?? {}).map(([k, v]) => [k, String(v)]);
  const store = {
    get(key) {
      const found = values.find(([k]) => k === key);
      return found ? found[1] : undefined;
    },
    getAll() {
      return values.map(([k, v]) => [k, v]);
    },
  };

  const imports = {
    'wasi:spi/spi': spi,
    'wasi:gpio/gpio': gpio,
    'wasi:delay/delay': delay,
    'wasi:config/store': store,
  };
  return { imports, trace, now };
}
