// The recording JavaScript host (../src/hal.js) against the WIT of wasi:spi, wasi:gpio and
// wasi:delay and the Rust host crates' policy: the cases a driver never reaches.
// Run with `node --test test/` (tests/tests/node.rs does).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBoard, WitError } from '../src/hal.js';

const dispose = Symbol.dispose ?? Symbol.for('dispose');

/** Asserts that `f` fails with the WIT error `code`. */
function assertWitError(f, code) {
  assert.throws(f, (e) => e instanceof WitError && e.payload === code, `expected ${code}`);
}

test('spi: names, opening and holds', () => {
  const { imports } = createBoard({ spi: { b: {}, a: {}, busy: { heldByAnotherGuest: true } } });
  const spi = imports['wasi:spi/spi'];
  assert.deepEqual(spi.getDeviceNames(), ['a', 'b', 'busy']);
  assertWitError(() => spi.openDevice('missing'), 'not-permitted');
  assertWitError(() => spi.openDevice('busy'), 'in-use');
  const a = spi.openDevice('a');
  assert.ok(a instanceof spi.Device);
  // The same guest may open a device again, as on the Rust host.
  const again = spi.openDevice('a');
  again[dispose]();
  a[dispose]();
  assert.throws(() => a.currentConfig(), /dropped/);
});

test('spi: configure follows the policy', () => {
  const { imports } = createBoard({
    spi: {
      free: { maxFrequencyHz: 8_000_000 },
      strict: { maxFrequencyHz: 8_000_000, aboveMaximum: 'refuse', allowedModes: ['mode3'], allowLsbFirst: false },
      fixed: { guestMayConfigure: false, defaultConfig: { frequencyHz: 500_000, mode: 'mode2' } },
    },
  });
  const spi = imports['wasi:spi/spi'];
  const free = spi.openDevice('free');
  assert.deepEqual(free.currentConfig(), { frequencyHz: 1_000_000, mode: 'mode0', bitOrder: 'msb-first' });
  const asked = { frequencyHz: 20_000_000, mode: 'mode1', bitOrder: 'lsb-first' };
  assert.deepEqual(free.configure(asked), { ...asked, frequencyHz: 8_000_000 });
  assert.deepEqual(free.currentConfig(), { ...asked, frequencyHz: 8_000_000 });
  assertWitError(() => free.configure({ ...asked, frequencyHz: 0 }), 'not-permitted');

  const strict = spi.openDevice('strict');
  const ok = { frequencyHz: 8_000_000, mode: 'mode3', bitOrder: 'msb-first' };
  assert.deepEqual(strict.configure(ok), ok);
  assertWitError(() => strict.configure({ ...ok, frequencyHz: 8_000_001 }), 'not-permitted');
  assertWitError(() => strict.configure({ ...ok, mode: 'mode0' }), 'not-permitted');
  assertWitError(() => strict.configure({ ...ok, bitOrder: 'lsb-first' }), 'not-permitted');
  // A refused request leaves the settings as they were.
  assert.deepEqual(strict.currentConfig(), ok);

  const fixed = spi.openDevice('fixed');
  const board = { frequencyHz: 500_000, mode: 'mode2', bitOrder: 'msb-first' };
  assert.deepEqual(fixed.configure(ok), board);
  assert.deepEqual(fixed.currentConfig(), board);

  // The last holder letting go returns the device to the board's settings.
  free[dispose]();
  assert.deepEqual(spi.openDevice('free').currentConfig(), {
    frequencyHz: 1_000_000, mode: 'mode0', bitOrder: 'msb-first',
  });
});

test('spi: transfers are recorded, sized and timed', () => {
  const { imports, trace, now } = createBoard({ spi: { d: { maxTransferBytes: 8, miso: 0xa5 } } });
  const spi = imports['wasi:spi/spi'];
  const d = spi.openDevice('d');
  assert.equal(d.maxTransferBytes(), 8);
  // 1 MHz: a byte takes 8 µs on the wire.
  d.write(Uint8Array.of(1, 2));
  assert.equal(now(), 16_000n);
  assert.deepEqual([...d.read(2)], [0xa5, 0xa5]);
  assert.deepEqual([...d.transfer(Uint8Array.of(9))], [0xa5]);
  const got = d.transaction([
    { tag: 'write', val: Uint8Array.of(3) },
    { tag: 'delay-ns', val: 500 },
    { tag: 'read', val: 1 },
    { tag: 'transfer', val: Uint8Array.of(4, 5) },
  ]);
  assert.deepEqual(got.map((b) => [...b]), [[0xa5], [0xa5, 0xa5]]);
  // Nine bytes are more than eight: refused before anything is sent.
  const before = trace.length;
  assertWitError(() => d.transaction([
    { tag: 'write', val: new Uint8Array(5) },
    { tag: 'read', val: 4 },
  ]), 'too-large');
  assertWitError(() => d.read(9), 'too-large');
  assert.equal(trace.length, before);
  assert.deepEqual(trace, [
    { time_ns: 0, kind: 'spi', device: 'd', ops: [{ op: 'write', bytes: [1, 2] }] },
    { time_ns: 16_000, kind: 'spi', device: 'd', ops: [{ op: 'read', bytes: [0xa5, 0xa5] }] },
    { time_ns: 32_000, kind: 'spi', device: 'd', ops: [{ op: 'transfer', written: [9], read: [0xa5] }] },
    {
      time_ns: 40_000,
      kind: 'spi',
      device: 'd',
      ops: [
        { op: 'write', bytes: [3] },
        { op: 'delay', ns: 500 },
        { op: 'read', bytes: [0xa5] },
        { op: 'transfer', written: [4, 5], read: [0xa5, 0xa5] },
      ],
    },
  ]);
  assert.equal(now(), 40_000n + 8_000n + 500n + 8_000n + 16_000n);
});

test('gpio: pins, directions, holds and safe levels', () => {
  const { imports, trace } = createBoard({
    pins: {
      led: { modes: ['output'], initial: 'low', safe: 'low' },
      button: { modes: ['input'], initial: 'high' },
      both: { modes: ['input', 'output'] },
    },
  });
  const gpio = imports['wasi:gpio/gpio'];
  assert.deepEqual(gpio.getPins(), [
    { name: 'led', modes: { input: false, output: true } },
    { name: 'button', modes: { input: true, output: false } },
    { name: 'both', modes: { input: true, output: true } },
  ]);
  assertWitError(() => gpio.openOutput('nope', 'low'), 'pin-not-allowed');
  assertWitError(() => gpio.openInput('nope'), 'pin-not-allowed');
  assertWitError(() => gpio.openOutput('button', 'low'), 'mode-not-allowed');
  assertWitError(() => gpio.openInput('led'), 'mode-not-allowed');

  const led = gpio.openOutput('led', 'high');
  assert.ok(led instanceof gpio.OutputPin);
  assertWitError(() => gpio.openOutput('led', 'low'), 'already-in-use');
  assert.equal(led.getLevel(), 'high');
  led.setLevel('high'); // no change: nothing crosses the wire
  led.setLevel('low');
  led.setLevel('high');
  // Letting go returns the pin to its safe level, and frees it.
  led[dispose]();
  assert.deepEqual(trace.map((e) => [e.line, e.high]), [
    ['led', true], ['led', false], ['led', true], ['led', false],
  ]);
  gpio.openOutput('led', 'low')[dispose]();

  const button = gpio.openInput('button');
  assert.ok(button instanceof gpio.InputPin);
  assert.equal(button.readLevel(), 'high');
  assertWitError(() => gpio.openInput('button'), 'already-in-use');
});

test('delay: virtual time', () => {
  const { imports, now } = createBoard({ pins: { p: { modes: ['input'] } } });
  const delay = imports['wasi:delay/delay'];
  assert.equal(delay.nowNs(), 0n);
  delay.delayNs(5);
  delay.delayUs(2);
  delay.delayMs(3);
  assert.equal(delay.nowNs(), 3_002_005n);
  // No edge ever comes on this board: the timeout passes in virtual time.
  const p = imports['wasi:gpio/gpio'].openInput('p');
  assert.equal(p.waitForEdge('rising', 1_000n), false);
  assert.equal(now(), 3_003_005n);
});

test('config: values as given, missing keys are none', () => {
  const { imports } = createBoard({ config: { 'display.dc': 'jb-dc', n: 3 } });
  const store = imports['wasi:config/store'];
  assert.equal(store.get('display.dc'), 'jb-dc');
  assert.equal(store.get('n'), '3');
  assert.equal(store.get('missing'), undefined);
  assert.deepEqual(store.getAll(), [['display.dc', 'jb-dc'], ['n', '3']]);
});

test('bad board descriptions are errors that name the setting', () => {
  assert.throws(() => createBoard({ spy: {} }), /unknown section `spy`/);
  assert.throws(() => createBoard({ spi: { d: { maxTransfer: 1 } } }), /unknown setting `maxTransfer`/);
  assert.throws(() => createBoard({ spi: { d: { allowedModes: ['mode9'] } } }), /allowedModes/);
  assert.throws(() => createBoard({ pins: { p: { modes: ['sideways'] } } }), /pin p: modes/);
  assert.throws(() => createBoard({ pins: { p: { initial: 'up' } } }), /pin p: initial/);
});
