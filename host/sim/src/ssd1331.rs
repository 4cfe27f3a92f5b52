//! The SSD1331 colour OLED controller (Solomon Systech SSD1331, 96x64 RGB, as on the Digilent
//! Pmod OLEDrgb), with its 4-wire SPI interface.
//!
//! # Pieces
//! - [`Ssd1331`]: the controller: command parser, 96x64x16-bit GDDRAM, the drawing engine
//!   (line, rectangle, copy, clear), registers, and [`Ssd1331::frame`], what the glass shows.
//! - [`Ssd1331Spi`]: the [`DcSpi`] front end that samples a D/C line, with
//!   the RES and VCCEN lines watched.
//!
//! # What is modelled, and the choices the datasheet leaves open
//! - Pixel formats (0xA0 bits 7:6): 256 colours (one byte `RRRGGGBB`), 65k colours (two bytes,
//!   `CCCCCBBB BBBAAAAA`, most significant first) and 65k format 2 (three bytes, `C[5:1]`,
//!   `B[5:0]`, `A[5:1]`). The GDDRAM keeps 16 bits per pixel: C (5 bits), B (6), A (5). On the
//!   Pmod OLEDrgb, C is red, B green and A blue, so a 65k pixel is RGB565, big-endian.
//! - Remap (0xA0) applies when data is written, as on the SSD1306: bit 0 vertical address
//!   increment, bit 1 column remap (column address 0 to SEG95), bit 2 colour order (C and A
//!   swapped). The RAM is indexed by segment. COM remap (bit 4) and the odd/even COM split
//!   (bit 5) act at once on the displayed image.
//! - Glass orientation: the Pmod OLEDrgb shows the image upright with column remap, COM remap
//!   and the COM split on (0xA0 0x72, what Digilent's reference driver sends); the power-on
//!   value (0x40) shows it mirrored left to right, upside down and with rows interleaved, as on
//!   the real module.
//! - Row mapping: glass row `y` is driven by COM `y` (or `63 - y` without COM remap); without
//!   the COM split, COMs 0-31 drive the even glass rows and 32-63 the odd ones. COM `c` shows RAM
//!   line `(c + start line (0xA1) + offset (0xA2)) % 64`; COMs at or past the multiplex ratio
//!   (0xA8) are dark.
//! - Brightness: the master current (0x87, 0 to 15) scales every channel by
//!   `sqrt((current + 1) / 16)`; the per-channel contrasts (0x81-0x83) balance the three OLED
//!   materials on the real panel and are kept in [`Ssd1331Registers`] but not applied, so a white
//!   pixel shows white.
//! - The drawing commands (0x21-0x25) act at once; the time the real engine takes is not
//!   modelled. Scrolling (0x27, 0x2E, 0x2F) is parsed and kept, not shown.
//! - The command lock (0xFD 0x16) makes the controller ignore every command but 0xFD 0x12.
//! - Datasheet violations never fail: they are kept as [`Ssd1331Warning`]s.

use crate::SimClock;
use crate::frame::Frame;
use crate::gpio::SimLine;
use crate::spi::{DcController, DcSpi, SpiLimits, SpiSettingProblem};
use serde::Serialize;
use std::sync::{Arc, Mutex};

/// Columns of the GDDRAM and the glass.
pub const WIDTH: u32 = 96;
/// Rows of the GDDRAM and the glass.
pub const HEIGHT: u32 = 64;
/// Fastest SPI clock the SSD1331 accepts: serial clock cycle time >= 150 ns.
pub const MAX_SPI_CLOCK_HZ: u32 = 6_666_666;
/// At most this many warnings are kept; later ones are only counted.
const MAX_WARNINGS: usize = 1000;

/// What kind of misuse an [`Ssd1331Warning`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ssd1331WarningKind {
    /// A command byte the SSD1331 command table does not define (ignored).
    UnknownCommand,
    /// A command argument outside the range the datasheet allows (a column past 95, a row past
    /// 63, a start after its end).
    ArgumentOutOfRange,
    /// A command other than the unlock sent while the command lock is on (ignored).
    CommandLocked,
    /// Data bytes arrived while a command still waited for argument bytes.
    DataDuringCommand,
    /// SPI clock faster than the 150 ns minimum cycle.
    SpiClockTooFast,
    /// SPI mode other than 0 or 3, or LSB-first bit order.
    SpiFormat,
    /// Bytes sent while the RES# line held the controller in reset (ignored).
    WriteDuringReset,
    /// Display switched on (0xAF) while the panel supply (VCCEN) is off.
    NoPanelSupply,
}

/// One datasheet violation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ssd1331Warning {
    /// Simulated time when it happened, in nanoseconds.
    pub time_ns: u64,
    /// What kind of violation.
    pub kind: Ssd1331WarningKind,
    /// A description for people, naming the command or value involved.
    pub message: String,
}

/// What the display shows besides the RAM (0xA4-0xA7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DisplayMode {
    /// The RAM (0xA4).
    Normal,
    /// Every pixel at full scale (0xA5).
    AllOn,
    /// Every pixel off (0xA6).
    AllOff,
    /// The RAM inverted (0xA7).
    Inverse,
}

/// The controller's registers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ssd1331Registers {
    /// Column window (0x15), start and end.
    pub columns: (u8, u8),
    /// Row window (0x75), start and end.
    pub rows: (u8, u8),
    /// Remap and colour depth (0xA0).
    pub remap: u8,
    /// Display start line (0xA1).
    pub start_line: u8,
    /// Display offset (0xA2).
    pub offset: u8,
    /// Display mode (0xA4-0xA7).
    pub mode: DisplayMode,
    /// Multiplex ratio (0xA8): rows driven minus one.
    pub multiplex: u8,
    /// Display on (0xAF) or off (0xAE).
    pub on: bool,
    /// Contrast of colours A, B and C (0x81-0x83).
    pub contrast: [u8; 3],
    /// Master current (0x87), 0 to 15.
    pub master_current: u8,
    /// Fill enable of the rectangle command (0x26 bit 0).
    pub fill: bool,
    /// Command lock (0xFD 0x16 on, 0x12 off).
    pub locked: bool,
    /// Scrolling set up (0x27) and active (0x2F).
    pub scroll: Option<[u8; 5]>,
    /// Whether scrolling is active.
    pub scrolling: bool,
}

impl Default for Ssd1331Registers {
    fn default() -> Self {
        Self {
            columns: (0, 95),
            rows: (0, 63),
            remap: 0x40,
            start_line: 0,
            offset: 0,
            mode: DisplayMode::Normal,
            multiplex: 63,
            on: false,
            contrast: [0x80; 3],
            master_current: 0x0F,
            fill: false,
            locked: false,
            scroll: None,
            scrolling: false,
        }
    }
}

/// A command waiting for its argument bytes.
#[derive(Clone, Copy, Debug)]
struct Pending {
    opcode: u8,
    args: [u8; 10],
    have: usize,
    need: usize,
}

/// Argument bytes each command takes, `None` for a byte that is no command.
fn argument_count(opcode: u8) -> Option<usize> {
    Some(match opcode {
        0x15 | 0x75 => 2,
        0x81..=0x83 | 0x87 | 0x8A..=0x8C => 1,
        0xA0..=0xA2 | 0xA8 | 0xAD | 0xB0 | 0xB1 | 0xB3 | 0xBB | 0xBE | 0xFD => 1,
        0xA4..=0xA7 | 0xAC | 0xAE | 0xAF | 0xB9 | 0xE3 | 0x2E | 0x2F => 0,
        0xAB => 5,
        0xB8 => 32,
        0x21 => 7,
        0x22 => 10,
        0x23 => 6,
        0x24 | 0x25 => 4,
        0x26 => 1,
        0x27 => 5,
        _ => return None,
    })
}

/// The SSD1331: registers, 96x64 pixels of RAM (C5 B6 A5 each), and what it has been told.
pub struct Ssd1331 {
    clock: SimClock,
    regs: Ssd1331Registers,
    /// Pixels by segment and row: `row * 96 + segment`, 16 bits each.
    gddram: Vec<u16>,
    /// Column and row of the next data pixel (column address, before remap).
    pointer: (u8, u8),
    /// Bytes of a pixel received so far.
    partial: [u8; 3],
    partial_len: usize,
    /// A command waiting for arguments; the grey-scale table (0xB8, 32 bytes) is counted, only
    /// its first ten bytes kept.
    pending: Option<Pending>,
    in_reset: bool,
    panel_supply: bool,
    warnings: Vec<Ssd1331Warning>,
    warnings_dropped: u64,
}

/// A controller shared between its SPI front end and whoever watches it.
pub type SharedSsd1331 = Arc<Mutex<Ssd1331>>;

impl Ssd1331 {
    /// A controller in its power-on state, with the panel supply on.
    pub fn new(clock: SimClock) -> Self {
        Self {
            clock,
            regs: Ssd1331Registers::default(),
            gddram: vec![0; (WIDTH * HEIGHT) as usize],
            pointer: (0, 0),
            partial: [0; 3],
            partial_len: 0,
            pending: None,
            in_reset: false,
            panel_supply: true,
            warnings: Vec::new(),
            warnings_dropped: 0,
        }
    }

    /// [`Ssd1331::new`] in a [`SharedSsd1331`].
    pub fn new_shared(clock: SimClock) -> SharedSsd1331 {
        Arc::new(Mutex::new(Self::new(clock)))
    }

    /// The registers.
    pub fn registers(&self) -> &Ssd1331Registers {
        &self.regs
    }

    /// The GDDRAM, `row * 96 + segment`, each pixel C in bits 15-11, B in 10-5, A in 4-0.
    pub fn gddram(&self) -> &[u16] {
        &self.gddram
    }

    /// Every warning so far (at most 1000 are kept, see [`Ssd1331::warnings_dropped`]).
    pub fn warnings(&self) -> &[Ssd1331Warning] {
        &self.warnings
    }

    /// Warnings that were not kept because the list was full.
    pub fn warnings_dropped(&self) -> u64 {
        self.warnings_dropped
    }

    /// Records a datasheet violation at the current simulated time.
    pub fn warn(&mut self, kind: Ssd1331WarningKind, message: impl Into<String>) {
        if self.warnings.len() >= MAX_WARNINGS {
            self.warnings_dropped += 1;
            return;
        }
        self.warnings.push(Ssd1331Warning {
            time_ns: self.clock.now_ns(),
            kind,
            message: message.into(),
        });
    }

    /// The RES# input: low holds the controller in reset (registers to their power-on values,
    /// RAM kept), high lets it run.
    pub fn drive_reset(&mut self, high: bool) {
        if !high && !self.in_reset {
            self.regs = Ssd1331Registers::default();
            self.pending = None;
            self.pointer = (0, 0);
            self.partial_len = 0;
        }
        self.in_reset = !high;
    }

    /// The panel supply (VCCEN on the Pmod OLEDrgb): without it the glass stays dark.
    pub fn set_panel_supply(&mut self, on: bool) {
        self.panel_supply = on;
    }

    /// Command bytes (D/C# low), in order. Arguments may continue in a later call.
    pub fn write_commands(&mut self, bytes: &[u8]) {
        if self.refuse_in_reset(bytes.len(), "command") {
            return;
        }
        for &byte in bytes {
            self.command_byte(byte);
        }
    }

    /// Pixel data (D/C# high) for the window at the address pointer.
    pub fn write_data(&mut self, bytes: &[u8]) {
        if bytes.is_empty() || self.refuse_in_reset(bytes.len(), "data") {
            return;
        }
        if let Some(p) = self.pending {
            self.warn(
                Ssd1331WarningKind::DataDuringCommand,
                format!(
                    "{} data byte(s) while command 0x{:02X} waits for {} more argument byte(s)",
                    bytes.len(),
                    p.opcode,
                    p.need - p.have
                ),
            );
        }
        let per_pixel = match self.regs.remap >> 6 {
            0 => 1,
            1 => 2,
            _ => 3,
        };
        for &byte in bytes {
            self.partial[self.partial_len] = byte;
            self.partial_len += 1;
            if self.partial_len == per_pixel {
                self.partial_len = 0;
                let pixel = self.decode_pixel(per_pixel);
                self.store_pixel(pixel);
            }
        }
    }

    fn refuse_in_reset(&mut self, len: usize, what: &str) -> bool {
        if self.in_reset {
            self.warn(
                Ssd1331WarningKind::WriteDuringReset,
                format!("{len} {what} byte(s) while RES# holds the controller in reset"),
            );
        }
        self.in_reset
    }

    /// The pixel in the received bytes as C5 B6 A5.
    fn decode_pixel(&self, per_pixel: usize) -> u16 {
        let p = self.partial;
        match per_pixel {
            1 => {
                // RRRGGGBB: 3, 3 and 2 bits, widened by repeating their top bits.
                let c3 = u16::from(p[0] >> 5);
                let b3 = u16::from(p[0] >> 2 & 7);
                let a2 = u16::from(p[0] & 3);
                let c = c3 << 2 | c3 >> 1;
                let b = b3 << 3 | b3;
                let a = a2 << 3 | a2 << 1 | a2 >> 1;
                c << 11 | b << 5 | a
            }
            2 => u16::from_be_bytes([p[0], p[1]]),
            _ => {
                let c = u16::from(p[0] >> 1 & 0x1F);
                let b = u16::from(p[1] & 0x3F);
                let a = u16::from(p[2] >> 1 & 0x1F);
                c << 11 | b << 5 | a
            }
        }
    }

    /// Swaps C and A when the colour order bit (0xA0 bit 2) says so.
    fn ordered(&self, pixel: u16) -> u16 {
        if self.regs.remap & 0x04 == 0 {
            return pixel;
        }
        let c = pixel >> 11;
        let a = pixel & 0x1F;
        a << 11 | (pixel & 0x07E0) | c
    }

    /// The segment a column address drives (column remap, 0xA0 bit 1).
    fn segment(&self, column: u8) -> usize {
        if self.regs.remap & 0x02 != 0 {
            95 - usize::from(column.min(95))
        } else {
            usize::from(column.min(95))
        }
    }

    fn put(&mut self, column: u8, row: u8, pixel: u16) {
        if column > 95 || row > 63 {
            return;
        }
        let i = usize::from(row) * WIDTH as usize + self.segment(column);
        self.gddram[i] = pixel;
    }

    fn get(&self, column: u8, row: u8) -> u16 {
        self.gddram[usize::from(row) * WIDTH as usize + self.segment(column)]
    }

    fn store_pixel(&mut self, pixel: u16) {
        let pixel = self.ordered(pixel);
        let (column, row) = self.pointer;
        self.put(column, row, pixel);
        let (c0, c1) = self.regs.columns;
        let (r0, r1) = self.regs.rows;
        let next_column = |c: u8| if c >= c1 { c0 } else { c + 1 };
        let next_row = |r: u8| if r >= r1 { r0 } else { r + 1 };
        self.pointer = if self.regs.remap & 0x01 == 0 {
            // Horizontal increment: along the row, then down.
            if column >= c1 {
                (c0, next_row(row))
            } else {
                (next_column(column), row)
            }
        } else if row >= r1 {
            (next_column(column), r0)
        } else {
            (column, next_row(row))
        };
    }

    fn command_byte(&mut self, byte: u8) {
        if let Some(mut p) = self.pending {
            if p.have < p.args.len() {
                p.args[p.have] = byte;
            }
            p.have += 1;
            if p.have == p.need {
                self.pending = None;
                self.execute(p.opcode, &p.args[..p.need.min(p.args.len())]);
            } else {
                self.pending = Some(p);
            }
            return;
        }
        match argument_count(byte) {
            None => self.warn(
                Ssd1331WarningKind::UnknownCommand,
                format!("0x{byte:02X} is not an SSD1331 command (ignored)"),
            ),
            Some(0) => self.execute(byte, &[]),
            Some(need) => {
                self.pending = Some(Pending {
                    opcode: byte,
                    args: [0; 10],
                    have: 0,
                    need,
                })
            }
        }
    }

    /// A column and row window from two argument pairs, checked.
    fn window(&mut self, opcode: u8, c0: u8, r0: u8, c1: u8, r1: u8) -> Option<(u8, u8, u8, u8)> {
        if c0 > 95 || c1 > 95 || r0 > 63 || r1 > 63 {
            self.warn(
                Ssd1331WarningKind::ArgumentOutOfRange,
                format!("0x{opcode:02X}: ({c0}, {r0})-({c1}, {r1}) is outside 96x64 (ignored)"),
            );
            return None;
        }
        Some((c0.min(c1), r0.min(r1), c0.max(c1), r0.max(r1)))
    }

    fn execute(&mut self, opcode: u8, args: &[u8]) {
        if self.regs.locked && opcode != 0xFD {
            self.warn(
                Ssd1331WarningKind::CommandLocked,
                format!("0x{opcode:02X} while the command lock is on (0xFD 0x16): ignored"),
            );
            return;
        }
        let arg = |i: usize| args.get(i).copied().unwrap_or(0);
        match opcode {
            0x15 | 0x75 => {
                let (start, end) = (arg(0), arg(1));
                let limit = if opcode == 0x15 { 95 } else { 63 };
                if start > limit || end > limit || start > end {
                    self.warn(
                        Ssd1331WarningKind::ArgumentOutOfRange,
                        format!("0x{opcode:02X} {start} {end}: not a window within 0-{limit}"),
                    );
                    return;
                }
                if opcode == 0x15 {
                    self.regs.columns = (start, end);
                    self.pointer.0 = start;
                } else {
                    self.regs.rows = (start, end);
                    self.pointer.1 = start;
                }
                self.partial_len = 0;
            }
            0x81..=0x83 => self.regs.contrast[usize::from(opcode - 0x81)] = arg(0),
            0x87 => self.regs.master_current = arg(0) & 0x0F,
            0xA0 => self.regs.remap = arg(0),
            0xA1 => self.regs.start_line = arg(0) & 0x3F,
            0xA2 => self.regs.offset = arg(0) & 0x3F,
            0xA4 => self.regs.mode = DisplayMode::Normal,
            0xA5 => self.regs.mode = DisplayMode::AllOn,
            0xA6 => self.regs.mode = DisplayMode::AllOff,
            0xA7 => self.regs.mode = DisplayMode::Inverse,
            0xA8 => {
                if !(15..=63).contains(&arg(0)) {
                    self.warn(
                        Ssd1331WarningKind::ArgumentOutOfRange,
                        format!("0xA8 {}: the multiplex ratio is 15 to 63", arg(0)),
                    );
                } else {
                    self.regs.multiplex = arg(0);
                }
            }
            0xAE => self.regs.on = false,
            0xAF => {
                if !self.panel_supply {
                    self.warn(
                        Ssd1331WarningKind::NoPanelSupply,
                        "display on (0xAF) with the panel supply (VCCEN) off: the glass stays dark",
                    );
                }
                self.regs.on = true;
            }
            0xFD => match arg(0) {
                0x12 => self.regs.locked = false,
                0x16 => self.regs.locked = true,
                v => self.warn(
                    Ssd1331WarningKind::ArgumentOutOfRange,
                    format!("0xFD 0x{v:02X}: the lock command takes 0x12 or 0x16"),
                ),
            },
            0x21 if self
                .window(opcode, arg(0), arg(1), arg(2), arg(3))
                .is_some() =>
            {
                let colour = colour_from_args(arg(4), arg(5), arg(6));
                self.draw_line((arg(0), arg(1)), (arg(2), arg(3)), colour);
            }
            0x22 => {
                if let Some((c0, r0, c1, r1)) = self.window(opcode, arg(0), arg(1), arg(2), arg(3))
                {
                    let outline = colour_from_args(arg(4), arg(5), arg(6));
                    let fill = colour_from_args(arg(7), arg(8), arg(9));
                    for r in r0..=r1 {
                        for c in c0..=c1 {
                            let edge = r == r0 || r == r1 || c == c0 || c == c1;
                            if edge {
                                self.put(c, r, outline);
                            } else if self.regs.fill {
                                self.put(c, r, fill);
                            }
                        }
                    }
                }
            }
            0x23 => {
                if let Some((c0, r0, c1, r1)) = self.window(opcode, arg(0), arg(1), arg(2), arg(3))
                {
                    let (dc, dr) = (arg(4), arg(5));
                    let copy: Vec<(u8, u8, u16)> = (r0..=r1)
                        .flat_map(|r| (c0..=c1).map(move |c| (c, r)))
                        .map(|(c, r)| (c - c0, r - r0, self.get(c, r)))
                        .collect();
                    for (c, r, pixel) in copy {
                        self.put(dc.saturating_add(c), dr.saturating_add(r), pixel);
                    }
                }
            }
            0x25 => {
                if let Some((c0, r0, c1, r1)) = self.window(opcode, arg(0), arg(1), arg(2), arg(3))
                {
                    for r in r0..=r1 {
                        for c in c0..=c1 {
                            self.put(c, r, 0);
                        }
                    }
                }
            }
            0x26 => self.regs.fill = arg(0) & 0x01 != 0,
            0x27 => self.regs.scroll = Some([arg(0), arg(1), arg(2), arg(3), arg(4)]),
            0x2E => self.regs.scrolling = false,
            0x2F => self.regs.scrolling = true,
            // Timing, power and grey-scale settings: accepted, not shown.
            _ => {}
        }
    }

    /// A line by Bresenham's algorithm, both ends included.
    fn draw_line(&mut self, from: (u8, u8), to: (u8, u8), colour: u16) {
        let (mut x, mut y) = (i32::from(from.0), i32::from(from.1));
        let (x1, y1) = (i32::from(to.0), i32::from(to.1));
        let (dx, dy) = ((x1 - x).abs(), -(y1 - y).abs());
        let (sx, sy) = (if x < x1 { 1 } else { -1 }, if y < y1 { 1 } else { -1 });
        let mut err = dx + dy;
        loop {
            self.put(x as u8, y as u8, colour);
            if x == x1 && y == y1 {
                break;
            }
            let e2 = 2 * err;
            if e2 >= dy {
                err += dy;
                x += sx;
            }
            if e2 <= dx {
                err += dx;
                y += sy;
            }
        }
    }

    /// The RAM line glass row `y` shows, or `None` when its COM is not driven.
    pub fn ram_line_at_row(&self, y: u32) -> Option<u32> {
        let split = self.regs.remap & 0x20 != 0;
        let com_remap = self.regs.remap & 0x10 != 0;
        // The Pmod's glass rows are wired for the split: without it, COMs 0-31 land on the
        // even rows and COMs 32-63 on the odd ones.
        let com = if split {
            y
        } else if y.is_multiple_of(2) {
            y / 2
        } else {
            32 + y / 2
        };
        let com = if com_remap { com } else { HEIGHT - 1 - com };
        if com > u32::from(self.regs.multiplex) {
            return None;
        }
        Some((com + u32::from(self.regs.start_line) + u32::from(self.regs.offset)) % HEIGHT)
    }

    /// Whether the glass shows anything: the display on, the panel supplied, not in reset.
    pub fn is_lit(&self) -> bool {
        self.regs.on && self.panel_supply && !self.in_reset
    }

    /// What the glass shows now.
    pub fn frame(&self) -> Frame {
        let mut frame = Frame::black(WIDTH, HEIGHT);
        if !self.is_lit() {
            return frame;
        }
        let scale = ((f64::from(self.regs.master_current) + 1.0) / 16.0).sqrt();
        for y in 0..HEIGHT {
            let Some(line) = self.ram_line_at_row(y) else {
                continue;
            };
            for x in 0..WIDTH {
                // The glass is mounted so that column remap shows column 0 on the left.
                let segment = 95 - x as usize;
                let pixel = match self.regs.mode {
                    DisplayMode::Normal => self.gddram[line as usize * 96 + segment],
                    DisplayMode::Inverse => !self.gddram[line as usize * 96 + segment],
                    DisplayMode::AllOn => 0xFFFF,
                    DisplayMode::AllOff => 0,
                };
                let [r, g, b] = rgb888(pixel);
                let dim = |v: u8| (f64::from(v) * scale).round() as u8;
                frame.set_pixel(x, y, [dim(r), dim(g), dim(b)]);
            }
        }
        frame
    }
}

/// A drawing command's colour bytes (C[5:1], B[5:0], A[5:1]) as a RAM pixel.
fn colour_from_args(c: u8, b: u8, a: u8) -> u16 {
    u16::from(c >> 1 & 0x1F) << 11 | u16::from(b & 0x3F) << 5 | u16::from(a >> 1 & 0x1F)
}

/// A C5 B6 A5 pixel as 8-bit red, green and blue (C red, A blue, as the Pmod OLEDrgb is wired).
pub fn rgb888(pixel: u16) -> [u8; 3] {
    let c = (pixel >> 11) as u8;
    let b = (pixel >> 5 & 0x3F) as u8;
    let a = (pixel & 0x1F) as u8;
    [c << 3 | c >> 2, b << 2 | b >> 4, a << 3 | a >> 2]
}

/// An SSD1331 behind an SPI chip select, for [`SimSpiDevice::new`](crate::SimSpiDevice::new):
/// the [`DcSpi`] front end (D/C# sampled for each run of bytes; clock above 6.67 MHz, a mode other
/// than 0 or 3, or LSB first recorded as warnings, once per distinct setting), with RES# and
/// VCCEN, when given, watched.
pub type Ssd1331Spi = DcSpi<Ssd1331>;

impl DcController for Ssd1331 {
    const LIMITS: SpiLimits = SpiLimits {
        part: "SSD1331",
        max_frequency_hz: MAX_SPI_CLOCK_HZ,
        limit: "6.67 MHz (150 ns cycle)",
    };

    fn setting_problem(&mut self, problem: SpiSettingProblem) {
        match problem {
            SpiSettingProblem::ClockTooFast(m) => self.warn(Ssd1331WarningKind::SpiClockTooFast, m),
            SpiSettingProblem::Format(m) => self.warn(Ssd1331WarningKind::SpiFormat, m),
        }
    }

    fn write_commands(&mut self, bytes: &[u8]) {
        Ssd1331::write_commands(self, bytes);
    }

    fn write_data(&mut self, bytes: &[u8]) {
        Ssd1331::write_data(self, bytes);
    }
}

/// Runs `apply` on the controller with `line`'s level now and after every change.
fn follow_line(display: &SharedSsd1331, line: &SimLine, apply: fn(&mut Ssd1331, bool)) {
    apply(
        &mut display.lock().unwrap_or_else(|e| e.into_inner()),
        line.is_high_now(),
    );
    let watched = display.clone();
    line.watch(Box::new(move |high, _| {
        apply(&mut watched.lock().unwrap_or_else(|e| e.into_inner()), high);
    }));
}

impl DcSpi<Ssd1331> {
    /// An SPI front end for `display` with its D/C# input on `dc` and, if given, its RES# input
    /// on `res` and the panel supply enable on `vcc_en` (high = on).
    pub fn new(
        display: SharedSsd1331,
        dc: SimLine,
        res: Option<&SimLine>,
        vcc_en: Option<&SimLine>,
    ) -> Self {
        if let Some(res) = res {
            follow_line(&display, res, Ssd1331::drive_reset);
        }
        if let Some(vcc) = vcc_en {
            follow_line(&display, vcc, Ssd1331::set_panel_supply);
        }
        DcSpi::with_dc(display, dc)
    }
}
