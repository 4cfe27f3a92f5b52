//! Frames on stdout: what the board's displays show, for any host that can read a stream.
//!
//! The environment variable `WASI_HAL_FRAMES` chooses the format:
//! - `ppm` (the default): each frame is one binary PPM image (Netpbm `P6`, 8 bits per channel),
//!   the images back to back, which is itself a valid multi-image Netpbm stream:
//!   ```text
//!   P6\n
//!   # wasi-hal-frame display=<name> time-ns=<simulated ns> lit=<0|1>\n
//!   <width> <height>\n
//!   255\n
//!   <width * height * 3 bytes: red, green, blue per pixel, rows top to bottom>
//!   ```
//!   The comment line is always there and always in this form, so a reader may rely on it.
//! - `text`: each frame drawn with Unicode half blocks (two pixel rows per character row, a
//!   pixel counts as lit when any channel is above 0), preceded by a line
//!   `wasi-hal-frame display=<name> time-ns=<ns> lit=<0|1>`: for a person watching
//!   `wasmtime run` in a terminal.
//! - `none`: nothing is written.
//!
//! Any other value is reported once on stderr and treated as `ppm`.

use std::io::Write;
use wasi_hal_sim::Frame;

/// The output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Binary PPM images.
    Ppm,
    /// Unicode half blocks.
    Text,
    /// No output.
    None,
}

/// What has been written so far, per display.
#[derive(Debug)]
pub struct FrameOut {
    format: Format,
    /// The last frame written for each display (by index), once one has been.
    last: Vec<Option<Frame>>,
}

impl FrameOut {
    /// The format `WASI_HAL_FRAMES` asks for.
    pub fn from_env() -> Self {
        let format = match std::env::var("WASI_HAL_FRAMES").as_deref() {
            Err(_) | Ok("ppm") | Ok("") => Format::Ppm,
            Ok("text") => Format::Text,
            Ok("none") => Format::None,
            Ok(other) => {
                eprintln!(
                    "virtual board: WASI_HAL_FRAMES=`{other}` is not one of ppm, text, none; \
                     writing ppm"
                );
                Format::Ppm
            }
        };
        Self::new(format)
    }

    /// Frames written in `format`.
    pub fn new(format: Format) -> Self {
        Self {
            format,
            last: Vec::new(),
        }
    }

    /// One sample of display number `index`: written to stdout when it is due (see
    /// [`FrameOut::due`]).
    pub fn sample(&mut self, index: usize, name: &str, now_ns: u64, frame: &Frame, lit: bool) {
        if !self.due(index, frame, lit) {
            return;
        }
        let bytes = encode(self.format, name, now_ns, frame, lit);
        if bytes.is_empty() {
            return;
        }
        let mut stdout = std::io::stdout().lock();
        // A host that closed stdout does not want frames; the board goes on regardless.
        let _ = stdout.write_all(&bytes).and_then(|()| stdout.flush());
    }
}

impl FrameOut {
    /// Whether a sample of display number `index` is written: when it is the display's first
    /// sample, or when the glass is lit and shows something other than the last frame written
    /// (which it then becomes). So the last frame written is the last sample taken while lit,
    /// or the first sample if the glass never lit: what `wasi-hal run --screenshot` saves.
    pub fn due(&mut self, index: usize, frame: &Frame, lit: bool) -> bool {
        if self.last.len() <= index {
            self.last.resize(index + 1, None);
        }
        let due = match &self.last[index] {
            None => true,
            Some(last) => lit && last != frame,
        };
        if due {
            self.last[index] = Some(frame.clone());
        }
        due
    }
}

/// One frame in `format`.
pub fn encode(format: Format, name: &str, now_ns: u64, frame: &Frame, lit: bool) -> Vec<u8> {
    let lit = u8::from(lit);
    match format {
        Format::None => Vec::new(),
        Format::Ppm => {
            let mut out = format!(
                "P6\n# wasi-hal-frame display={name} time-ns={now_ns} lit={lit}\n{} {}\n255\n",
                frame.width, frame.height
            )
            .into_bytes();
            out.extend_from_slice(&frame.rgb);
            out
        }
        Format::Text => {
            let mut out = format!("wasi-hal-frame display={name} time-ns={now_ns} lit={lit}\n");
            let on = |x: u32, y: u32| frame.pixel(x, y).is_some_and(|p| p != [0, 0, 0]);
            for y in (0..frame.height).step_by(2) {
                for x in 0..frame.width {
                    out.push(match (on(x, y), on(x, y + 1)) {
                        (true, true) => '█',
                        (true, false) => '▀',
                        (false, true) => '▄',
                        (false, false) => ' ',
                    });
                }
                out.push('\n');
            }
            out.into_bytes()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(lit: &[(u32, u32)]) -> Frame {
        let mut f = Frame::black(4, 3);
        for &(x, y) in lit {
            f.set_pixel(x, y, [10, 20, 30]);
        }
        f
    }

    #[test]
    fn ppm_is_the_documented_header_and_the_rgb_bytes() {
        let f = frame(&[(1, 0)]);
        let bytes = encode(Format::Ppm, "oled", 42, &f, true);
        let header = b"P6\n# wasi-hal-frame display=oled time-ns=42 lit=1\n4 3\n255\n";
        assert_eq!(&bytes[..header.len()], header);
        assert_eq!(&bytes[header.len()..], &f.rgb[..]);
    }

    #[test]
    fn text_draws_two_rows_per_line_with_half_blocks() {
        let f = frame(&[(0, 0), (0, 1), (1, 0), (2, 1), (3, 2)]);
        let text = String::from_utf8(encode(Format::Text, "d", 7, &f, false)).unwrap();
        assert_eq!(
            text,
            "wasi-hal-frame display=d time-ns=7 lit=0\n\u{2588}\u{2580}\u{2584} \n   \u{2580}\n"
        );
        assert!(encode(Format::None, "d", 7, &f, true).is_empty());
    }

    #[test]
    fn a_frame_is_due_first_then_only_when_lit_and_changed() {
        let mut out = FrameOut::new(Format::None);
        let (dark, a, b) = (frame(&[]), frame(&[(0, 0)]), frame(&[(1, 1)]));
        assert!(out.due(0, &dark, false), "the first sample");
        assert!(!out.due(0, &a, false), "not lit");
        assert!(out.due(0, &a, true));
        assert!(!out.due(0, &a, true), "unchanged");
        assert!(out.due(0, &b, true));
        assert!(out.due(1, &b, false), "another display's first sample");
        assert!(
            !out.due(0, &dark, false),
            "a dark panel after the last lit frame"
        );
    }
}
