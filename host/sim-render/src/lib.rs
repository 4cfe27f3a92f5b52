//! Rendering of simulated-board output: PNG screenshots, animated recordings, a terminal view
//! and JSON-lines bus traces.
//!
//! Everything here works on the plain data the simulator produces: a display's
//! [`Frame`](wasi_hal_sim::Frame) (what is visible on the glass, RGB, row-major) and the
//! [`TraceEvent`](wasi_hal_sim::TraceEvent)s of a [`Trace`](wasi_hal_sim::Trace). Nothing here
//! reads a clock: all times are the simulation's, so the same run always renders the same way.
//!
//! Every function that saves a file writes it under a temporary name (`.NAME.PID-N.tmp`) in the
//! same directory and renames it into place once it is complete, so a file is either whole or
//! not there (and an earlier version stays intact on failure). Bad input is an error that says
//! what is wrong and, when saving, names the file.
//!
//! # Screenshots: PNG
//!
//! [`encode_png`], [`save_png`] and [`save_png_scaled`] write one frame as an 8-bit RGB PNG with
//! no metadata (no time stamps, no text), using fixed encoder settings, so the same frame always
//! gives the same bytes (for the `png` crate version in the lock file) and golden files can be
//! compared byte for byte. [`save_png_scaled`] draws every pixel as an `n` x `n` square (nearest
//! neighbour), which keeps a 128x64 OLED crisp at a readable size. [`decode_png`] and
//! [`load_png`] read any PNG back into a frame.
//!
//! # Recordings: animated GIF and APNG
//!
//! A [`Recording`] collects one display's frames with their simulated times (identical
//! consecutive frames are stored once) and saves them as an animation that loops forever, each
//! picture shown for as long as it was on the simulated display:
//!
//! - [`Recording::save_gif`]: animated GIF. Delays are in centiseconds, at least 1. Pixels are
//!   exact whenever a frame has at most 256 colours (always true for monochrome displays).
//! - [`Recording::save_apng`]: animated PNG (APNG, read by browsers and most viewers; others show
//!   the first frame). Delays are in milliseconds, at least 1. Pixels are always exact.
//! - [`Recording::save`] picks the format from the extension: `.gif`, or `.png` / `.apng`.
//! - [`Recording::save_scaled`] (and `write_gif_scaled`, `write_apng_scaled`) draw every pixel as
//!   an `n` x `n` square, enlarging one frame at a time while writing, so the recording's memory
//!   does not grow with the scale.
//!
//! A recording is capped at [`Recording::DEFAULT_MAX_FRAMES`] distinct frames (configurable);
//! beyond that it stops adding frames and reports so, see [`Recording`].
//!
//! # Terminal view
//!
//! [`braille`] draws a frame with Unicode Braille patterns, 2 x 4 dots a character, at an integer
//! zoom or shrunk (and [`braille_dots`] reads such text back into dots); [`half_blocks`] draws it
//! with half blocks (`▀ ▄ █` and space), two pixel rows per line, in monochrome or 24-bit ANSI
//! colour. [`fit`] chooses between them for a space of character cells: Braille for a
//! monochrome panel (128x32 in 64x8 characters), half blocks for a colour one when there is
//! room, shrunk when even Braille does not fit. [`TerminalView`] redraws one or more displays in
//! place, fitted to the terminal's size, each with a status line (name, size, simulated time);
//! [`Colors`] says from `COLORTERM` and `NO_COLOR` whether to use colour codes at all.
//!
//! # Traces: JSON lines
//!
//! [`write_trace_jsonl`] and [`save_trace_jsonl`] write a trace with one compact JSON object per
//! line, one line per event, in time order. [`stream_trace_jsonl`] writes the same lines while a
//! run goes, each event as it is recorded, through a bounded buffer: a long run keeps no trace
//! in memory (the file gets its name when the [`TraceStream`] is finished). Each object has:
//!
//! - `time_ns`: simulated time at the start of the event, in nanoseconds;
//! - `kind`: `"spi"`, `"i2c"` or `"gpio"`, and then the fields of that kind:
//!   - `spi`: `device` (name on the board) and `ops`;
//!   - `i2c`: `bus` (name on the board), `address` (7-bit, as a decimal number), `ops`, and
//!     `error` (`null` when every byte was acknowledged, else a message);
//!   - `gpio`: `line` (name on the board) and `high` (`true` or `false`).
//! - Each of `ops` has an `op`: `"write"` or `"read"` with `bytes`, `"transfer"` with `written`
//!   and `read`, or `"delay"` with `ns`. Bytes are plain arrays of decimal numbers.
//!
//! For example, a register read from a sensor at 0x76 and a GPIO edge:
//!
//! ```
//! use wasi_hal_sim::trace::TraceOp;
//! use wasi_hal_sim::{TraceEvent, TraceKind};
//!
//! let events = [
//!     TraceEvent {
//!         time_ns: 1500,
//!         kind: TraceKind::I2c {
//!             bus: "i2c1".into(),
//!             address: 0x76,
//!             ops: vec![
//!                 TraceOp::Write { bytes: vec![0xd0] },
//!                 TraceOp::Read { bytes: vec![0x61] },
//!             ],
//!             error: None,
//!         },
//!     },
//!     TraceEvent {
//!         time_ns: 2000,
//!         kind: TraceKind::Gpio { line: "dc".into(), high: true },
//!     },
//! ];
//! let mut out = Vec::new();
//! wasi_hal_sim_render::write_trace_jsonl(&events, &mut out)?;
//! assert_eq!(
//!     String::from_utf8(out)?,
//!     concat!(
//!         r#"{"time_ns":1500,"kind":"i2c","bus":"i2c1","address":118,"ops":[{"op":"write","bytes":[208]},{"op":"read","bytes":[97]}],"error":null}"#,
//!         "\n",
//!         r#"{"time_ns":2000,"kind":"gpio","line":"dc","high":true}"#,
//!         "\n",
//!     )
//! );
//! # Ok::<(), anyhow::Error>(())
//! ```
//!
//! A line per event makes a trace easy to filter with `grep` or `jq` and to diff between runs.

mod atomic;
mod jsonl;
mod recording;
mod screenshot;
mod terminal;

pub use jsonl::{
    TRACE_STREAM_BUFFER_BYTES, TraceStream, save_trace_jsonl, stream_trace_jsonl, write_trace_jsonl,
};
pub use recording::{Pushed, RecordedFrame, Recording};
pub use screenshot::{
    MAX_SCALED_BYTES, decode_png, encode_png, load_png, save_png, save_png_scaled, scale_nearest,
};
pub use terminal::{
    CellKind, Colors, Display, Fit, MAX_ZOOM, Scale, TerminalView, braille, braille_dots, fit,
    half_blocks, is_monochrome,
};
