// The web page's reader of the virtual board's frame stream (../../web/frames.js).
// Run with `node --test test/` (tests/tests/node.rs does).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameStreamParser } from '../../web/frames.js';

/** One frame as the virtual board writes it. */
function ppm(display, timeNs, lit, width, height, fill) {
  const header = `P6\n# wasi-hal-frame display=${display} time-ns=${timeNs} lit=${lit ? 1 : 0}\n${width} ${height}\n255\n`;
  const bytes = new Uint8Array(header.length + width * height * 3);
  bytes.set(new TextEncoder().encode(header));
  bytes.fill(fill, header.length);
  return bytes;
}

test('frames are read whole, however the bytes are cut', () => {
  const stream = new Uint8Array([...ppm('oled', 1000, false, 4, 2, 0), ...ppm('oled', 34_000_000, true, 4, 2, 7)]);
  for (const piece of [1, 3, 17, stream.length]) {
    const parser = new FrameStreamParser();
    const frames = [];
    for (let at = 0; at < stream.length; at += piece) {
      frames.push(...parser.push(stream.subarray(at, at + piece)));
    }
    assert.equal(parser.pending, false);
    assert.deepEqual(
      frames.map((f) => [f.display, f.timeNs, f.lit, f.width, f.height, f.rgb.length, f.rgb[0]]),
      [['oled', 1000, false, 4, 2, 24, 0], ['oled', 34_000_000, true, 4, 2, 24, 7]],
      `pieces of ${piece} bytes`,
    );
  }
});

test('a frame cut short stays pending; other streams are errors', () => {
  const parser = new FrameStreamParser();
  assert.deepEqual(parser.push(ppm('oled', 0, true, 2, 2, 1).subarray(0, 40)), []);
  assert.equal(parser.pending, true);
  assert.throws(() => new FrameStreamParser().push(new TextEncoder().encode('P5\nx\n1 1\n255\n')), /not P6/);
  assert.throws(() => new FrameStreamParser().push(new TextEncoder().encode('P6\n# other\n1 1\n255\n')), /comment line/);
  assert.throws(
    () => new FrameStreamParser().push(new TextEncoder().encode('P6\n# wasi-hal-frame display=a time-ns=0 lit=1\n0 1\n255\n')),
    /bad frame header/,
  );
});
