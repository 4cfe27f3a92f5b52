//! Displays drawn in a terminal with Unicode half blocks.

use std::fmt::Write as _;
use std::io::{self, Write};
use wasi_hal_sim::Frame;

/// The pixel at (`x`, `y`), black if the frame's buffer is too short to hold it (a malformed
/// frame draws as black rather than panicking).
fn pixel(frame: &Frame, x: u32, y: u32) -> [u8; 3] {
    if x >= frame.width || y >= frame.height {
        return [0; 3];
    }
    let i = (y as usize * frame.width as usize + x as usize) * 3;
    match frame.rgb.get(i..i + 3) {
        Some(p) => [p[0], p[1], p[2]],
        None => [0; 3],
    }
}

/// Whether a pixel is "on" for monochrome output: its luma (Rec. 601: 0.299 R + 0.587 G +
/// 0.114 B) is above half of full scale (127.5).
fn is_on([r, g, b]: [u8; 3]) -> bool {
    // 1000 * luma > 127_500, in integers.
    2 * (299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b)) > 255_000
}

/// Draws a frame as text, two pixel rows per line, one character per pixel column.
///
/// Every line ends with `\n`, and a frame `h` pixels high gives `ceil(h / 2)` lines; an odd last
/// pixel row is drawn as if a black row followed it.
///
/// - `color == false`: each character is ` ` (both pixels off), `▀` (upper on), `▄` (lower on)
///   or `█` (both on), where a pixel is on when its luma (Rec. 601) is above half.
/// - `color == true`: every character is `▀` with the upper pixel as 24-bit foreground colour
///   (`ESC[38;2;R;G;Bm`) and the lower as background (`ESC[48;2;R;G;Bm`). A colour code is
///   written only when it changes from the previous character on the line, and every line ends
///   with a reset (`ESC[0m`) before the `\n`, so the terminal's colours are never left changed.
///
/// ```
/// use wasi_hal_sim::Frame;
/// let mut frame = Frame::black(3, 2);
/// frame.set_pixel(0, 0, [255, 255, 255]);
/// frame.set_pixel(1, 1, [255, 255, 255]);
/// frame.set_pixel(2, 0, [255, 255, 255]);
/// frame.set_pixel(2, 1, [255, 255, 255]);
/// assert_eq!(wasi_hal_sim_render::half_blocks(&frame, false), "▀▄█\n");
/// ```
pub fn half_blocks(frame: &Frame, color: bool) -> String {
    let mut out = String::new();
    for row in 0..frame.height.div_ceil(2) {
        let (y_upper, y_lower) = (row * 2, row * 2 + 1);
        let mut current: (Option<[u8; 3]>, Option<[u8; 3]>) = (None, None);
        for x in 0..frame.width {
            let upper = pixel(frame, x, y_upper);
            let lower = pixel(frame, x, y_lower);
            if color {
                if current.0 != Some(upper) {
                    let [r, g, b] = upper;
                    // Writing to a String cannot fail.
                    let _ = write!(out, "\x1b[38;2;{r};{g};{b}m");
                    current.0 = Some(upper);
                }
                if current.1 != Some(lower) {
                    let [r, g, b] = lower;
                    let _ = write!(out, "\x1b[48;2;{r};{g};{b}m");
                    current.1 = Some(lower);
                }
                out.push('▀');
            } else {
                out.push(match (is_on(upper), is_on(lower)) {
                    (false, false) => ' ',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    (true, true) => '█',
                });
            }
        }
        if color {
            out.push_str("\x1b[0m");
        }
        out.push('\n');
    }
    out
}

/// A live view of one or more displays that redraws in place in a terminal (anything that
/// understands ANSI escape codes).
///
/// Each [`TerminalView::draw`] writes, in one `write_all` followed by a flush: cursor home
/// (`ESC[H`), then for every display a title line (cleared to the end of the line with `ESC[K`)
/// followed by the display in [`half_blocks`], and finally `ESC[J` to clear whatever an earlier,
/// taller drawing left below. The first draw also clears the screen (`ESC[2J`).
#[derive(Debug)]
pub struct TerminalView<W: Write> {
    out: W,
    color: bool,
    started: bool,
}

impl<W: Write> TerminalView<W> {
    /// A view writing to `out` (usually `std::io::stdout()`), in 24-bit colour if `color`, else
    /// in monochrome (see [`half_blocks`]).
    pub fn new(out: W, color: bool) -> Self {
        Self {
            out,
            color,
            started: false,
        }
    }

    /// The text one [`TerminalView::draw`] of these displays would write (without the
    /// clear-screen of the first draw).
    pub fn render(&self, displays: &[(&str, &Frame)]) -> String {
        let mut text = String::from("\x1b[H");
        for (title, frame) in displays {
            // A title is one line of plain text: control characters would break the layout.
            text.extend(title.chars().map(|c| if c.is_control() { '?' } else { c }));
            text.push_str("\x1b[K\n");
            text.push_str(&half_blocks(frame, self.color));
        }
        text.push_str("\x1b[J");
        text
    }

    /// Redraws every display, each under its title.
    pub fn draw(&mut self, displays: &[(&str, &Frame)]) -> io::Result<()> {
        let mut text = String::new();
        if !self.started {
            text.push_str("\x1b[2J");
        }
        text.push_str(&self.render(displays));
        self.out.write_all(text.as_bytes())?;
        self.out.flush()?;
        self.started = true;
        Ok(())
    }

    /// The writer, for example to check what was drawn.
    pub fn get_ref(&self) -> &W {
        &self.out
    }

    /// Gives the writer back.
    pub fn into_inner(self) -> W {
        self.out
    }
}
