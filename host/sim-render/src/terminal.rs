//! Displays drawn in a terminal: Unicode Braille cells (2x4 pixels a character) for monochrome
//! panels, half blocks (1x2 pixels a character) where colour matters and there is room, fitted
//! to the terminal's size.

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

/// Luma (Rec. 601: 0.299 R + 0.587 G + 0.114 B) times 1000.
fn luma_1000([r, g, b]: [u8; 3]) -> u32 {
    299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b)
}

/// Whether a pixel is "on" for monochrome output: its luma (Rec. 601: 0.299 R + 0.587 G +
/// 0.114 B) is above half of full scale (127.5).
fn is_on(rgb: [u8; 3]) -> bool {
    // 1000 * luma > 127_500, in integers.
    2 * luma_1000(rgb) > 255_000
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
    for line in half_block_lines(frame, 1, color) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// [`half_blocks`] with every pixel drawn as `zoom` x `zoom` (nearest neighbour), one string a
/// line, without the `\n`.
fn half_block_lines(frame: &Frame, zoom: u32, color: bool) -> Vec<String> {
    let zoom = zoom.max(1);
    let (width, height) = (frame.width * zoom, frame.height * zoom);
    let at = |x: u32, y: u32| {
        if y >= height {
            [0; 3]
        } else {
            pixel(frame, x / zoom, y / zoom)
        }
    };
    let mut lines = Vec::new();
    for row in 0..height.div_ceil(2) {
        let mut out = String::new();
        let (y_upper, y_lower) = (row * 2, row * 2 + 1);
        let mut current: (Option<[u8; 3]>, Option<[u8; 3]>) = (None, None);
        for x in 0..width {
            let upper = at(x, y_upper);
            let lower = at(x, y_lower);
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
        lines.push(out);
    }
    lines
}

/// The first of the 256 Braille patterns (U+2800, no dot raised).
const BRAILLE_BASE: u32 = 0x2800;

/// The bit of the Braille dot at column `dx` (0 or 1) and row `dy` (0 to 3) of a cell: dots 1-2-3
/// and 4-5-6 are the upper three rows of the left and right column (bits 0-2 and 3-5), dots 7 and
/// 8 the bottom row (bits 6 and 7).
const BRAILLE_BITS: [[u8; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];

/// How the pixels of a frame are sampled into dots: `zoom` dots a pixel across and down, or one
/// dot for every `shrink` x `shrink` block of pixels (on when any pixel of the block is).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scale {
    /// Dots per pixel across and down (1 or more).
    pub zoom: u32,
    /// Pixels per dot across and down (1 or more).
    pub shrink: u32,
}

impl Scale {
    /// One dot a pixel.
    pub const ONE: Scale = Scale { zoom: 1, shrink: 1 };

    /// Dots across and down for `width` x `height` pixels.
    fn dots(self, width: u32, height: u32) -> (u32, u32) {
        let (z, s) = (self.zoom.max(1), self.shrink.max(1));
        ((width * z).div_ceil(s), (height * z).div_ceil(s))
    }
}

/// Draws a frame with Braille cells, 2 x 4 dots a character (U+2800 to U+28FF), at `scale`: one
/// string a line. A dot is raised when its pixel is lit: when its luma is above half the luma of
/// the frame's brightest pixel (so a dimmed panel stays visible; a black frame has no dot).
///
/// With `color`, each character has the 24-bit foreground colour of its first lit pixel
/// (`ESC[38;2;R;G;Bm`, written only when it changes along the line) and every line ends with
/// a reset (`ESC[0m`); the background is left as it is.
///
/// [`braille_dots`] reads the text back into dots.
///
/// ```
/// use wasi_hal_sim::Frame;
/// use wasi_hal_sim_render::{Scale, braille};
/// let mut frame = Frame::black(4, 4);
/// frame.set_pixel(0, 0, [255, 255, 255]); // dot 1 of the first cell
/// frame.set_pixel(3, 3, [255, 255, 255]); // dot 8 of the second
/// assert_eq!(braille(&frame, Scale::ONE, false), ["⠁⢀"]);
/// ```
pub fn braille(frame: &Frame, scale: Scale, color: bool) -> Vec<String> {
    let (z, s) = (scale.zoom.max(1), scale.shrink.max(1));
    let brightest = (0..frame.height)
        .flat_map(|y| (0..frame.width).map(move |x| (x, y)))
        .map(|(x, y)| luma_1000(pixel(frame, x, y)))
        .max()
        .unwrap_or(0);
    let lit = |rgb: [u8; 3]| brightest > 0 && 2 * luma_1000(rgb) > brightest;
    // The lit pixel a dot stands for, if any.
    let dot = |dx: u32, dy: u32| -> Option<[u8; 3]> {
        let (x0, y0) = (dx * s / z, dy * s / z);
        let block = if s > 1 { s } else { 1 };
        (y0..y0 + block)
            .flat_map(|y| (x0..x0 + block).map(move |x| (x, y)))
            .map(|(x, y)| pixel(frame, x, y))
            .find(|&p| lit(p))
    };
    let (width, height) = scale.dots(frame.width, frame.height);
    let mut lines = Vec::new();
    for row in 0..height.div_ceil(4) {
        let mut line = String::new();
        let mut current = None;
        for col in 0..width.div_ceil(2) {
            let mut bits = 0u8;
            let mut first = None;
            for (dx, column) in BRAILLE_BITS.iter().enumerate() {
                for (dy, bit) in column.iter().enumerate() {
                    let (x, y) = (col * 2 + dx as u32, row * 4 + dy as u32);
                    if x >= width || y >= height {
                        continue;
                    }
                    if let Some(rgb) = dot(x, y) {
                        bits |= bit;
                        first.get_or_insert(rgb);
                    }
                }
            }
            if color
                && let Some(rgb) = first
                && current != Some(rgb)
            {
                let [r, g, b] = rgb;
                let _ = write!(line, "\x1b[38;2;{r};{g};{b}m");
                current = Some(rgb);
            }
            // Every value of BRAILLE_BASE + u8 is a Braille pattern.
            line.push(char::from_u32(BRAILLE_BASE + u32::from(bits)).unwrap_or(' '));
        }
        if color {
            line.push_str("\x1b[0m");
        }
        lines.push(line);
    }
    lines
}

/// Reads Braille text back into dots: `dots[y][x]`, 2 dots across and 4 down for every
/// character. A character that is not a Braille pattern (a space, a letter) counts as no dot
/// raised; ANSI escape sequences (`ESC [ ... letter`) are skipped. Every row is as wide as the
/// longest line.
///
/// ```
/// use wasi_hal_sim_render::braille_dots;
/// let dots = braille_dots(&["⠁⢀"]);
/// assert!(dots[0][0] && dots[3][3]);
/// assert_eq!(dots.iter().flatten().filter(|&&d| d).count(), 2);
/// ```
pub fn braille_dots<S: AsRef<str>>(lines: &[S]) -> Vec<Vec<bool>> {
    let cells: Vec<Vec<u8>> = lines
        .iter()
        .map(|line| {
            let mut cells = Vec::new();
            let mut chars = line.as_ref().chars();
            while let Some(c) = chars.next() {
                if c == '\x1b' {
                    // CSI: ESC [ parameters... final byte (a letter).
                    for c in chars.by_ref() {
                        if c.is_ascii_alphabetic() {
                            break;
                        }
                    }
                    continue;
                }
                let code = u32::from(c);
                cells.push(if (BRAILLE_BASE..BRAILLE_BASE + 256).contains(&code) {
                    (code - BRAILLE_BASE) as u8
                } else {
                    0
                });
            }
            cells
        })
        .collect();
    let width = cells.iter().map(Vec::len).max().unwrap_or(0) * 2;
    let mut dots = vec![vec![false; width]; cells.len() * 4];
    for (row, line) in cells.iter().enumerate() {
        for (col, &bits) in line.iter().enumerate() {
            for (dx, column) in BRAILLE_BITS.iter().enumerate() {
                for (dy, bit) in column.iter().enumerate() {
                    dots[row * 4 + dy][col * 2 + dx] = bits & bit != 0;
                }
            }
        }
    }
    dots
}

/// Whether a frame is monochrome: black and at most one other colour.
pub fn is_monochrome(frame: &Frame) -> bool {
    let mut other: Option<[u8; 3]> = None;
    for p in frame.rgb.chunks_exact(3) {
        let p = [p[0], p[1], p[2]];
        if p == [0; 3] {
            continue;
        }
        match other {
            None => other = Some(p),
            Some(o) if o == p => {}
            Some(_) => return false,
        }
    }
    true
}

/// The characters a display is drawn with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellKind {
    /// Braille patterns: 2 x 4 dots a character.
    Braille,
    /// Half blocks: 1 x 2 pixels a character, each pixel in its own colour.
    HalfBlocks,
}

/// How one display is drawn in a space of character cells: see [`fit`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fit {
    /// The characters.
    pub kind: CellKind,
    /// How pixels become dots (half blocks: `shrink` is always 1).
    pub scale: Scale,
    /// Characters across.
    pub cols: u32,
    /// Lines down.
    pub rows: u32,
    /// Whether even the smallest drawing did not fit, so only its top-left part is shown.
    pub cropped: bool,
}

/// The largest zoom [`fit`] uses: beyond it a panel only gets coarser.
pub const MAX_ZOOM: u32 = 8;

/// How a `width` x `height` display is drawn in `cols` x `rows` character cells:
///
/// 1. a colour display (not [`is_monochrome`]) in half blocks at the largest integer zoom
///    (up to [`MAX_ZOOM`]) that fits;
/// 2. otherwise, and for monochrome displays, in Braille at the largest integer zoom that fits
///    (a 128x32 panel takes 64x8 cells at zoom 1, 192x24 at zoom 3);
/// 3. when even zoom 1 does not fit, in Braille shrunk by the smallest integer factor that fits
///    (each dot then stands for a block of pixels, raised when any of them is lit);
/// 4. when nothing fits (a space 0 wide or high), Braille at zoom 1, cropped.
pub fn fit(width: u32, height: u32, monochrome: bool, cols: u32, rows: u32) -> Fit {
    let size = |kind: CellKind, scale: Scale| {
        let (w, h) = scale.dots(width, height);
        match kind {
            CellKind::Braille => (w.div_ceil(2), h.div_ceil(4)),
            CellKind::HalfBlocks => (w, h.div_ceil(2)),
        }
    };
    let try_fit = |kind: CellKind, scale: Scale| {
        let (c, r) = size(kind, scale);
        (c <= cols && r <= rows).then_some(Fit {
            kind,
            scale,
            cols: c,
            rows: r,
            cropped: false,
        })
    };
    let zooms = |kind| {
        (1..=MAX_ZOOM)
            .rev()
            .find_map(move |zoom| try_fit(kind, Scale { zoom, shrink: 1 }))
    };
    if !monochrome && let Some(fit) = zooms(CellKind::HalfBlocks) {
        return fit;
    }
    if let Some(fit) = zooms(CellKind::Braille) {
        return fit;
    }
    if let Some(fit) = (2..=width.max(height).max(2))
        .find_map(|shrink| try_fit(CellKind::Braille, Scale { zoom: 1, shrink }))
    {
        return fit;
    }
    let (c, r) = size(CellKind::Braille, Scale::ONE);
    Fit {
        kind: CellKind::Braille,
        scale: Scale::ONE,
        cols: c.min(cols),
        rows: r.min(rows),
        cropped: true,
    }
}

/// Whether the terminal shows colours, and how many.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Colors {
    /// No colour codes at all: plain characters.
    Plain,
    /// 24-bit colour codes (`ESC[38;2;R;G;Bm`).
    TrueColor,
}

impl Colors {
    /// What the environment says: [`Colors::Plain`] when `NO_COLOR` is set to anything but the
    /// empty string (<https://no-color.org>), [`Colors::TrueColor`] when `COLORTERM` is
    /// `truecolor` or `24bit`, else [`Colors::Plain`] (a terminal that does not announce 24-bit
    /// colour gets plain characters rather than codes it may draw wrongly).
    pub fn detect(colorterm: Option<&str>, no_color: Option<&str>) -> Colors {
        if no_color.is_some_and(|v| !v.is_empty()) {
            return Colors::Plain;
        }
        match colorterm.map(str::trim) {
            Some(v) if v.eq_ignore_ascii_case("truecolor") || v.eq_ignore_ascii_case("24bit") => {
                Colors::TrueColor
            }
            _ => Colors::Plain,
        }
    }

    /// [`Colors::detect`] on this process's `COLORTERM` and `NO_COLOR`.
    pub fn from_env() -> Colors {
        let colorterm = std::env::var("COLORTERM").ok();
        let no_color = std::env::var("NO_COLOR").ok();
        Colors::detect(colorterm.as_deref(), no_color.as_deref())
    }
}

/// One display for a [`TerminalView`]: its name and what it shows.
#[derive(Clone, Copy, Debug)]
pub struct Display<'a> {
    /// The display's name on the board.
    pub name: &'a str,
    /// What it shows.
    pub frame: &'a Frame,
}

/// Cuts `text` to at most `cols` characters, replacing control characters (which would break
/// the layout) with `?`.
fn one_line(text: &str, cols: u32) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .take(cols as usize)
        .collect()
}

/// A live view of one or more displays that fits a terminal of a given size and redraws in place
/// (in anything that understands ANSI escape codes).
///
/// The screen is shared evenly between the displays. Each gets its drawing as [`fit`] chooses,
/// then a status line: its name, its size in pixels, how it is drawn, the simulated time, and the
/// view's help text (see [`TerminalView::set_help`]), cut to the terminal's width. When the
/// drawing had to be shrunk or cropped, a note line under the status says so. No line is ever
/// longer than the terminal is wide.
///
/// Each [`TerminalView::draw`] writes, in one `write_all` followed by a flush, every line at its
/// own position (`ESC[row;1H`, then the line, then `ESC[K` to clear the rest of it) and finally
/// `ESC[J` to clear whatever an earlier, taller drawing left below. No line ends with `\n`, so
/// the terminal never scrolls. The first draw also clears the screen (`ESC[2J`).
#[derive(Debug)]
pub struct TerminalView<W: Write> {
    out: W,
    colors: Colors,
    cols: u32,
    rows: u32,
    help: String,
    started: bool,
}

impl<W: Write> TerminalView<W> {
    /// A view writing to `out` (usually `std::io::stdout()`) for a terminal of `cols` x `rows`
    /// characters, with `colors`.
    pub fn new(out: W, colors: Colors, cols: u16, rows: u16) -> Self {
        Self {
            out,
            colors,
            cols: u32::from(cols),
            rows: u32::from(rows),
            help: String::new(),
            started: false,
        }
    }

    /// Tells the view the terminal's new size; the next draw fits it.
    pub fn resize(&mut self, cols: u16, rows: u16) {
        (self.cols, self.rows) = (u32::from(cols), u32::from(rows));
    }

    /// The terminal size the view draws for: (columns, lines).
    pub fn size(&self) -> (u16, u16) {
        (self.cols as u16, self.rows as u16)
    }

    /// Text at the end of every status line, e.g. which keys do what.
    pub fn set_help(&mut self, help: &str) {
        self.help = help.to_string();
    }

    /// The lines one draw of these displays at simulated time `time_ns` shows, without escape
    /// codes for positions (colour codes are there when the view is in colour).
    pub fn lines(&self, displays: &[Display<'_>], time_ns: u64) -> Vec<String> {
        let mut lines = Vec::new();
        if displays.is_empty() || self.rows == 0 || self.cols == 0 {
            return lines;
        }
        let color = self.colors == Colors::TrueColor;
        let share = self.rows / displays.len() as u32;
        for display in displays {
            let frame = display.frame;
            let mono = is_monochrome(frame);
            // One line for the status, one more for a note if the drawing does not fit.
            let mut fitted = fit(
                frame.width,
                frame.height,
                mono,
                self.cols,
                share.saturating_sub(1),
            );
            let noted = fitted.cropped || fitted.scale.shrink > 1;
            if noted {
                fitted = fit(
                    frame.width,
                    frame.height,
                    mono,
                    self.cols,
                    share.saturating_sub(2),
                );
            }
            let drawing = match fitted.kind {
                CellKind::Braille => braille(frame, fitted.scale, color),
                CellKind::HalfBlocks => half_block_lines(frame, fitted.scale.zoom, color),
            };
            for line in drawing.into_iter().take(fitted.rows as usize) {
                if fitted.cropped {
                    lines.push(crop_cells(&line, fitted.cols, color));
                } else {
                    lines.push(line);
                }
            }
            let how = match (fitted.kind, fitted.scale) {
                (CellKind::Braille, Scale { shrink: 1, zoom }) => format!("braille x{zoom}"),
                (CellKind::Braille, Scale { shrink, .. }) => format!("braille 1/{shrink}"),
                (CellKind::HalfBlocks, Scale { zoom, .. }) => format!("half blocks x{zoom}"),
            };
            let seconds = time_ns as f64 / 1e9;
            let mut status = format!(
                "{} {}x{} ({how}) | t {seconds:.1} s",
                display.name, frame.width, frame.height
            );
            if !self.help.is_empty() {
                status.push_str(" | ");
                status.push_str(&self.help);
            }
            lines.push(one_line(&status, self.cols));
            if noted {
                // Braille at zoom 1 and its status line.
                let (need_cols, need_rows) =
                    (frame.width.div_ceil(2), frame.height.div_ceil(4) + 1);
                let what = if fitted.cropped {
                    "cropped"
                } else {
                    "scaled down"
                };
                lines.push(one_line(
                    &format!(
                        "{what} to fit {}x{}: the panel needs {need_cols}x{need_rows} characters",
                        self.cols, self.rows
                    ),
                    self.cols,
                ));
            }
        }
        lines.truncate(self.rows as usize);
        lines
    }

    /// The text one [`TerminalView::draw`] would write (without the clear-screen of the first
    /// draw).
    pub fn render(&self, displays: &[Display<'_>], time_ns: u64) -> String {
        let mut text = String::new();
        for (i, line) in self.lines(displays, time_ns).iter().enumerate() {
            let _ = write!(text, "\x1b[{};1H{line}", i + 1);
            text.push_str("\x1b[K");
        }
        text.push_str("\x1b[J");
        text
    }

    /// Redraws every display at simulated time `time_ns`.
    pub fn draw(&mut self, displays: &[Display<'_>], time_ns: u64) -> io::Result<()> {
        let mut text = String::new();
        if !self.started {
            text.push_str("\x1b[2J");
        }
        text.push_str(&self.render(displays, time_ns));
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

/// The first `cols` characters of a drawn line, keeping its colour codes and its final reset.
fn crop_cells(line: &str, cols: u32, color: bool) -> String {
    let mut out = String::new();
    let mut shown = 0;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            out.push(c);
            for c in chars.by_ref() {
                out.push(c);
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
            continue;
        }
        if shown == cols {
            continue;
        }
        out.push(c);
        shown += 1;
    }
    if color && !out.ends_with("\x1b[0m") {
        out.push_str("\x1b[0m");
    }
    out
}
