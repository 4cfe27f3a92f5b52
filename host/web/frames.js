// Reads the frame stream a wasi-hal virtual board writes to stdout: binary PPM (P6) images,
// one after another, each with a comment line
//   # wasi-hal-frame display=<name> time-ns=<simulated ns> lit=<0|1>
// (virtual-boards/virtual-board/src/frames.rs). The bytes may arrive in pieces of any size.

const MAGIC = 'P6';

/** A frame of the stream: `{ display, timeNs, lit, width, height, rgb }` (rgb: 3 bytes a pixel). */
export class FrameStreamParser {
  #buffer = new Uint8Array(0);

  /** Adds `bytes` and returns the frames they complete, in order. Throws on a malformed stream. */
  push(bytes) {
    const joined = new Uint8Array(this.#buffer.length + bytes.length);
    joined.set(this.#buffer);
    joined.set(bytes, this.#buffer.length);
    this.#buffer = joined;
    const frames = [];
    for (;;) {
      const frame = this.#next();
      if (!frame) break;
      frames.push(frame);
    }
    return frames;
  }

  /** Whether a frame was begun and not finished. */
  get pending() {
    return this.#buffer.length > 0;
  }

  #next() {
    const buffer = this.#buffer;
    const lines = [];
    let at = 0;
    while (lines.length < 4) {
      const end = buffer.indexOf(0x0a, at);
      if (end < 0) return null;
      lines.push(new TextDecoder().decode(buffer.subarray(at, end)));
      at = end + 1;
    }
    const [magic, comment, size, max] = lines;
    if (magic !== MAGIC) throw new Error(`a frame starts with ${JSON.stringify(magic)}, not P6`);
    const prefix = '# wasi-hal-frame ';
    if (!comment.startsWith(prefix)) {
      throw new Error(`the frame's comment line is ${JSON.stringify(comment)}`);
    }
    const fields = Object.fromEntries(comment.slice(prefix.length).split(' ').map((kv) => kv.split('=')));
    const [width, height] = size.split(' ').map(Number);
    if (!(width > 0 && height > 0) || max !== '255') {
      throw new Error(`bad frame header: size ${JSON.stringify(size)}, maximum ${JSON.stringify(max)}`);
    }
    const length = width * height * 3;
    if (buffer.length - at < length) return null;
    const rgb = buffer.slice(at, at + length);
    this.#buffer = buffer.slice(at + length);
    return {
      display: fields.display,
      timeNs: Number(fields['time-ns']),
      lit: fields.lit === '1',
      width,
      height,
      rgb,
    };
  }
}
