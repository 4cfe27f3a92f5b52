//! The controller proper: registers, the command parser and the GDDRAM.
//!
//! Section and command references are to the SSD1306 datasheet rev 1.1 (chapters 9 and 10).

use super::{PanelSize, Warning, WarningKind};
use crate::SimClock;
use std::sync::{Arc, Mutex};

/// A controller shared between its bus adapter(s) and whoever looks at the display.
pub type SharedSsd1306 = Arc<Mutex<Ssd1306>>;

/// Bytes of display RAM: 8 pages of 128 columns, one byte = 8 rows of one column.
pub const GDDRAM_BYTES: usize = 1024;

/// At most this many warnings are kept; later ones are only counted.
const MAX_WARNINGS: usize = 1000;

/// Shortest RES# low pulse the datasheet allows (section 8.9 / Table 13-x: t1 >= 3 us).
const MIN_RESET_PULSE_NS: u64 = 3_000;

/// What the display RAM holds at power-on. The datasheet leaves it undefined; real parts show
/// noise until a driver clears the RAM.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PowerOnRam {
    /// All zeros (dark), so a run is easy to read.
    Zeroed,
    /// Deterministic pseudo-random bytes from this seed, to catch drivers that never clear.
    Noise(u64),
}

/// How a simulated module is built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ssd1306Config {
    /// The glass behind the controller.
    pub panel: PanelSize,
    /// `true` when the module supplies VCC itself (no charge pump needed, e.g. a 7-15 V rail);
    /// `false` (the usual breakout) when the glass only lights with the charge pump on (0x8D 0x14).
    pub external_vcc: bool,
    /// Colour of a lit pixel at full contrast (white by default; many modules are blue or yellow).
    pub lit_rgb: [u8; 3],
    /// RAM contents at power-on.
    pub power_on_ram: PowerOnRam,
}

impl Ssd1306Config {
    /// A usual breakout: no external VCC, white pixels, RAM zeroed at power-on.
    pub fn new(panel: PanelSize) -> Self {
        Self {
            panel,
            external_vcc: false,
            lit_rgb: [0xFF, 0xFF, 0xFF],
            power_on_ram: PowerOnRam::Zeroed,
        }
    }
}

impl Default for Ssd1306Config {
    fn default() -> Self {
        Self::new(PanelSize::W128H64)
    }
}

/// GDDRAM addressing mode (command 0x20).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressingMode {
    /// 0x20 0x00: column first, then page.
    Horizontal,
    /// 0x20 0x01: page first, then column.
    Vertical,
    /// 0x20 0x02 (reset): column only, within one page.
    Page,
}

/// A scroll set up with 0x26/0x27 or 0x29/0x2A.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScrollSetup {
    /// 0x26 (right) / 0x27 (left) continuous horizontal scroll.
    Horizontal {
        /// `true` for 0x27 (scroll left).
        left: bool,
        /// First page of the scrolled band.
        start_page: u8,
        /// Last page of the scrolled band.
        end_page: u8,
        /// Frame interval code (3 bits, datasheet Table 9-1).
        interval: u8,
    },
    /// 0x29 (vertical and right) / 0x2A (vertical and left) continuous diagonal scroll.
    Diagonal {
        /// `true` for 0x2A (scroll left).
        left: bool,
        /// First page of the horizontally scrolled band.
        start_page: u8,
        /// Last page of the horizontally scrolled band.
        end_page: u8,
        /// Frame interval code (3 bits).
        interval: u8,
        /// Rows moved vertically per step (0..63).
        vertical_offset: u8,
    },
}

/// Scroll registers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScrollState {
    /// The last scroll setup command, if any since reset.
    pub setup: Option<ScrollSetup>,
    /// Scrolling active (0x2F) or not (0x2E, reset).
    pub active: bool,
    /// 0xA3 first argument: rows in the fixed area at the top (reset 0).
    pub fixed_rows: u8,
    /// 0xA3 second argument: rows in the vertical scroll area (reset 64).
    pub scroll_rows: u8,
}

/// The controller's registers as a driver has set them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Registers {
    /// Addressing mode (0x20).
    pub addressing_mode: AddressingMode,
    /// Column window start (0x21), 0..127.
    pub column_start: u8,
    /// Column window end (0x21), 0..127.
    pub column_end: u8,
    /// Page window start (0x22), 0..7.
    pub page_start: u8,
    /// Page window end (0x22), 0..7.
    pub page_end: u8,
    /// Column address pointer, 0..127, before segment remap.
    pub column: u8,
    /// Page address pointer, 0..7.
    pub page: u8,
    /// Contrast (0x81), reset 0x7F.
    pub contrast: u8,
    /// Display on (0xAF) or off (0xAE, reset).
    pub display_on: bool,
    /// Inverse display (0xA7) or normal (0xA6, reset).
    pub inverse: bool,
    /// Entire display on (0xA5) or following RAM (0xA4, reset).
    pub entire_display_on: bool,
    /// Segment remap: column address 127 to SEG0 (0xA1) or column 0 to SEG0 (0xA0, reset).
    pub segment_remap: bool,
    /// COM scan from COM[N-1] to COM0 (0xC8) or COM0 to COM[N-1] (0xC0, reset).
    pub com_scan_reversed: bool,
    /// Multiplex ratio N, the number of scanned rows, 16..64 (0xA8 argument + 1; reset 64).
    pub multiplex: u8,
    /// Display offset (0xD3), 0..63.
    pub display_offset: u8,
    /// Display start line (0x40..0x7F), 0..63.
    pub start_line: u8,
    /// COM pins hardware configuration (0xDA argument as sent; reset 0x12).
    pub com_pins: u8,
    /// Clock divide ratio and oscillator frequency (0xD5 argument; reset 0x80).
    pub clock_divide: u8,
    /// Pre-charge periods (0xD9 argument; reset 0x22).
    pub precharge: u8,
    /// VCOMH deselect level (0xDB argument; reset 0x20).
    pub vcomh: u8,
    /// Charge pump enabled (0x8D 0x14) or not (0x8D 0x10, reset).
    pub charge_pump: bool,
    /// IREF selection (0xAD argument, an SSD1306B/SSD1315 command; reset 0x00, external).
    pub iref: u8,
    /// Scroll registers.
    pub scroll: ScrollState,
}

impl Default for Registers {
    /// The state after RES# (datasheet section 8.8 and the reset values in Table 9-1).
    fn default() -> Self {
        Self {
            addressing_mode: AddressingMode::Page,
            column_start: 0,
            column_end: 127,
            page_start: 0,
            page_end: 7,
            column: 0,
            page: 0,
            contrast: 0x7F,
            display_on: false,
            inverse: false,
            entire_display_on: false,
            segment_remap: false,
            com_scan_reversed: false,
            multiplex: 64,
            display_offset: 0,
            start_line: 0,
            com_pins: 0x12,
            clock_divide: 0x80,
            precharge: 0x22,
            vcomh: 0x20,
            charge_pump: false,
            iref: 0x00,
            scroll: ScrollState {
                setup: None,
                active: false,
                fixed_rows: 0,
                scroll_rows: 64,
            },
        }
    }
}

/// A command waiting for its argument bytes.
#[derive(Clone, Copy, Debug)]
struct Pending {
    opcode: u8,
    args: [u8; 6],
    have: usize,
    need: usize,
}

/// Number of argument bytes after a command byte (datasheet Table 9-1; 0xAD from the SSD1306B).
fn argument_count(opcode: u8) -> usize {
    match opcode {
        0x20 | 0x81 | 0x8D | 0xA8 | 0xAD | 0xD3 | 0xD5 | 0xD9 | 0xDA | 0xDB => 1,
        0x21 | 0x22 | 0xA3 => 2,
        0x29 | 0x2A => 5,
        0x26 | 0x27 => 6,
        _ => 0,
    }
}

/// The SSD1306 controller with its panel.
///
/// Interfaces feed it with [`Ssd1306::write_commands`] and [`Ssd1306::write_data`]; a command
/// and its arguments may be split over any number of calls.
#[derive(Debug)]
pub struct Ssd1306 {
    pub(super) config: Ssd1306Config,
    clock: SimClock,
    pub(super) ram: [u8; GDDRAM_BYTES],
    pub(super) regs: Registers,
    pending: Option<Pending>,
    in_reset: bool,
    reset_since_ns: u64,
    /// Data bytes written since the address window or pointer was last set, or since a
    /// transfer that rewrote the whole window began a new pass.
    run_bytes: usize,
    overrun_warned: bool,
    scroll_write_warned: bool,
    warnings: Vec<Warning>,
    warnings_dropped: u64,
}

impl Ssd1306 {
    /// A controller just powered on: registers in their reset state, RAM as configured.
    pub fn new(config: Ssd1306Config, clock: SimClock) -> Self {
        let mut ram = [0u8; GDDRAM_BYTES];
        if let PowerOnRam::Noise(seed) = config.power_on_ram {
            // splitmix64: deterministic, good enough to look like noise.
            let mut state = seed;
            for chunk in ram.chunks_mut(8) {
                state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                z ^= z >> 31;
                chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
            }
        }
        Self {
            config,
            clock,
            ram,
            regs: Registers::default(),
            pending: None,
            in_reset: false,
            reset_since_ns: 0,
            run_bytes: 0,
            overrun_warned: false,
            scroll_write_warned: false,
            warnings: Vec::new(),
            warnings_dropped: 0,
        }
    }

    /// [`Ssd1306::new`] in a [`SharedSsd1306`] handle.
    pub fn new_shared(config: Ssd1306Config, clock: SimClock) -> SharedSsd1306 {
        Arc::new(Mutex::new(Self::new(config, clock)))
    }

    /// How the module is built.
    pub fn config(&self) -> &Ssd1306Config {
        &self.config
    }

    /// The panel behind the controller.
    pub fn panel(&self) -> PanelSize {
        self.config.panel
    }

    /// Changes the colour of a lit pixel at full contrast.
    pub fn set_lit_rgb(&mut self, rgb: [u8; 3]) {
        self.config.lit_rgb = rgb;
    }

    /// The display RAM, `page * 128 + segment`; bit 0 of a byte is the top row of its page.
    /// Columns are stored by segment: with segment remap on (0xA1), column address `c` is
    /// stored at segment `127 - c`.
    pub fn gddram(&self) -> &[u8; GDDRAM_BYTES] {
        &self.ram
    }

    /// The registers.
    pub fn registers(&self) -> &Registers {
        &self.regs
    }

    /// The command byte still waiting for argument bytes, if any.
    pub fn pending_command(&self) -> Option<u8> {
        self.pending.map(|p| p.opcode)
    }

    /// `true` while RES# holds the controller in reset.
    pub fn in_reset(&self) -> bool {
        self.in_reset
    }

    /// Every warning so far (at most 1000 are kept, see [`Ssd1306::warnings_dropped`]).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Removes and returns the warnings kept so far.
    pub fn take_warnings(&mut self) -> Vec<Warning> {
        std::mem::take(&mut self.warnings)
    }

    /// Warnings that were not kept because the list was full.
    pub fn warnings_dropped(&self) -> u64 {
        self.warnings_dropped
    }

    /// Records a datasheet violation at the current simulated time.
    pub fn warn(&mut self, kind: WarningKind, message: impl Into<String>) {
        let time_ns = self.clock.now_ns();
        self.warn_at(time_ns, kind, message);
    }

    fn warn_at(&mut self, time_ns: u64, kind: WarningKind, message: impl Into<String>) {
        if self.warnings.len() >= MAX_WARNINGS {
            self.warnings_dropped += 1;
            return;
        }
        self.warnings.push(Warning {
            time_ns,
            kind,
            message: message.into(),
        });
    }

    /// The level of the RES# input changed at `time_ns` (`high` = released). Low puts the
    /// controller in its reset state and keeps it there; the RAM keeps its contents (the
    /// datasheet's list of what reset initialises, section 8.8, does not include the RAM).
    pub fn drive_reset(&mut self, high: bool, time_ns: u64) {
        if !high {
            if !self.in_reset {
                self.in_reset = true;
                self.reset_since_ns = time_ns;
                self.apply_reset();
            }
        } else if self.in_reset {
            self.in_reset = false;
            let width = time_ns.saturating_sub(self.reset_since_ns);
            if width < MIN_RESET_PULSE_NS {
                self.warn_at(
                    time_ns,
                    WarningKind::ResetPulseTooShort,
                    format!("RES# was low for {width} ns; the datasheet requires at least 3 us"),
                );
            }
        }
    }

    fn apply_reset(&mut self) {
        self.regs = Registers::default();
        self.pending = None;
        self.run_bytes = 0;
        self.overrun_warned = false;
        self.scroll_write_warned = false;
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

    /// Data bytes (D/C# high) for the GDDRAM at the address pointer, which moves on by the
    /// rules of the addressing mode.
    pub fn write_data(&mut self, bytes: &[u8]) {
        if bytes.is_empty() || self.refuse_in_reset(bytes.len(), "data") {
            return;
        }
        if let Some(p) = self.pending {
            self.warn(
                WarningKind::DataDuringCommand,
                format!(
                    "{} data byte(s) while command 0x{:02X} waits for {} more argument byte(s)",
                    bytes.len(),
                    p.opcode,
                    p.need - p.have
                ),
            );
        }
        if self.regs.scroll.active && !self.scroll_write_warned {
            self.scroll_write_warned = true;
            self.warn(
                WarningKind::ScrollingActive,
                "RAM written while scrolling is active (0x2F); the datasheet prohibits RAM access \
                 until scrolling is deactivated with 0x2E",
            );
        }
        let window = self.window_bytes();
        // A transfer of exactly one window, just after a whole pass over it, is a new pass: the
        // pointer wrapped back to the window's start, which is how a driver rewrites the same
        // window without setting it again. Any other data past the window still warns.
        if self.run_bytes == window && bytes.len() == window {
            self.run_bytes = 0;
        }
        for &byte in bytes {
            let column = self.regs.column & 0x7F;
            let segment = if self.regs.segment_remap {
                127 - column
            } else {
                column
            };
            let index = usize::from(self.regs.page & 0x07) * 128 + usize::from(segment);
            self.ram[index] = byte;
            self.advance_pointer();
        }
        self.run_bytes = self.run_bytes.saturating_add(bytes.len());
        if self.run_bytes > window && !self.overrun_warned {
            self.overrun_warned = true;
            self.warn(
                WarningKind::WindowOverrun,
                format!(
                    "{} data bytes since the address window was set, which holds {window}: the \
                     pointer wrapped around and overwrote this run's earlier bytes",
                    self.run_bytes
                ),
            );
        }
    }

    fn refuse_in_reset(&mut self, count: usize, what: &str) -> bool {
        if self.in_reset {
            self.warn(
                WarningKind::WriteDuringReset,
                format!("{count} {what} byte(s) sent while RES# is low; ignored"),
            );
        }
        self.in_reset
    }

    /// Bytes one pass over the address window takes in the current addressing mode.
    fn window_bytes(&self) -> usize {
        let columns =
            usize::from(self.regs.column_end.wrapping_sub(self.regs.column_start) & 0x7F) + 1;
        let pages = usize::from(self.regs.page_end.wrapping_sub(self.regs.page_start) & 0x07) + 1;
        match self.regs.addressing_mode {
            AddressingMode::Page => columns,
            AddressingMode::Horizontal | AddressingMode::Vertical => columns * pages,
        }
    }

    /// Moves the address pointer after a data byte (datasheet 10.1.3 to 10.1.5). A counter wraps
    /// to the window start when it equals the window end, otherwise it counts up (modulo the
    /// counter width, for a pointer set outside the window).
    fn advance_pointer(&mut self) {
        let r = &mut self.regs;
        let (column_start, column_end) = (r.column_start, r.column_end);
        let (page_start, page_end) = (r.page_start, r.page_end);
        let next_column = |c: u8| {
            if c == column_end {
                column_start
            } else {
                (c + 1) & 0x7F
            }
        };
        let next_page = |p: u8| {
            if p == page_end {
                page_start
            } else {
                (p + 1) & 0x07
            }
        };
        match r.addressing_mode {
            AddressingMode::Page => r.column = next_column(r.column),
            AddressingMode::Horizontal => {
                if r.column == column_end {
                    r.page = next_page(r.page);
                }
                r.column = next_column(r.column);
            }
            AddressingMode::Vertical => {
                if r.page == page_end {
                    r.column = next_column(r.column);
                }
                r.page = next_page(r.page);
            }
        }
    }

    fn command_byte(&mut self, byte: u8) {
        if let Some(mut p) = self.pending.take() {
            p.args[p.have] = byte;
            p.have += 1;
            if p.have == p.need {
                let args = p.args;
                self.execute(p.opcode, &args[..p.need]);
            } else {
                self.pending = Some(p);
            }
            return;
        }
        let need = argument_count(byte);
        if need == 0 {
            self.execute(byte, &[]);
        } else {
            self.pending = Some(Pending {
                opcode: byte,
                args: [0; 6],
                have: 0,
                need,
            });
        }
    }

    fn out_of_range(&mut self, message: String) {
        self.warn(WarningKind::ArgumentOutOfRange, message);
    }

    fn only_in(&mut self, opcode: u8, modes: &str, ok: bool) {
        if !ok {
            let mode = self.regs.addressing_mode;
            self.warn(
                WarningKind::WrongAddressingMode,
                format!("command 0x{opcode:02X} is for {modes} addressing mode only (mode is {mode:?}); accepted"),
            );
        }
    }

    /// Restarts the count of data bytes in a run (the pointer or the window was set).
    fn pointer_set(&mut self) {
        self.run_bytes = 0;
        self.overrun_warned = false;
    }

    fn execute(&mut self, opcode: u8, args: &[u8]) {
        let arg = |i: usize| args.get(i).copied().unwrap_or(0);
        let page_mode = self.regs.addressing_mode == AddressingMode::Page;
        match opcode {
            // 00h-0Fh: lower nibble of the page-mode column start address.
            0x00..=0x0F => {
                self.only_in(opcode, "page", page_mode);
                self.regs.column = (self.regs.column & 0x70) | (opcode & 0x0F);
                self.pointer_set();
            }
            // 10h-17h: higher nibble (columns end at 127, so 18h-1Fh are out of range).
            0x10..=0x1F => {
                self.only_in(opcode, "page", page_mode);
                if opcode & 0x08 != 0 {
                    self.out_of_range(format!(
                        "command 0x{opcode:02X} sets a column above 127; bit 3 ignored"
                    ));
                }
                self.regs.column = ((opcode & 0x07) << 4) | (self.regs.column & 0x0F);
                self.pointer_set();
            }
            // 20h: memory addressing mode, A[1:0]; 11b is invalid.
            0x20 => {
                self.regs.addressing_mode = match arg(0) & 0x03 {
                    0 => AddressingMode::Horizontal,
                    1 => AddressingMode::Vertical,
                    2 => AddressingMode::Page,
                    _ => {
                        self.out_of_range(format!(
                            "0x20 0x{:02X}: addressing mode 11b is invalid; mode unchanged",
                            arg(0)
                        ));
                        self.regs.addressing_mode
                    }
                };
                self.pointer_set();
            }
            // 21h: column window A[6:0]..B[6:0]; the pointer goes to the start.
            0x21 => {
                self.only_in(opcode, "horizontal or vertical", !page_mode);
                let (start, end) = (arg(0) & 0x7F, arg(1) & 0x7F);
                if start > end {
                    self.out_of_range(format!(
                        "0x21: column start {start} is after column end {end}"
                    ));
                }
                self.regs.column_start = start;
                self.regs.column_end = end;
                self.regs.column = start;
                self.pointer_set();
            }
            // 22h: page window A[2:0]..B[2:0]. Vendor drivers send it in page mode too.
            0x22 => {
                self.only_in(opcode, "horizontal or vertical", !page_mode);
                let (start, end) = (arg(0) & 0x07, arg(1) & 0x07);
                if start > end {
                    self.out_of_range(format!("0x22: page start {start} is after page end {end}"));
                }
                self.regs.page_start = start;
                self.regs.page_end = end;
                self.regs.page = start;
                self.pointer_set();
            }
            // 26h/27h: horizontal scroll setup: 00h, start page, interval, end page, 00h, FFh.
            0x26 | 0x27 => {
                self.scroll_setup_allowed(opcode);
                let (start_page, interval, end_page) = (arg(1) & 7, arg(2) & 7, arg(3) & 7);
                if arg(0) != 0x00 || arg(4) != 0x00 || arg(5) != 0xFF {
                    self.out_of_range(format!(
                        "0x{opcode:02X}: dummy bytes must be 00h, 00h, FFh; got 0x{:02X}, 0x{:02X}, 0x{:02X}",
                        arg(0),
                        arg(4),
                        arg(5)
                    ));
                }
                self.check_scroll_pages(opcode, start_page, end_page);
                self.regs.scroll.setup = Some(ScrollSetup::Horizontal {
                    left: opcode == 0x27,
                    start_page,
                    end_page,
                    interval,
                });
            }
            // 29h/2Ah: vertical and horizontal scroll setup: 00h, start, interval, end, offset.
            0x29 | 0x2A => {
                self.scroll_setup_allowed(opcode);
                let (start_page, interval, end_page) = (arg(1) & 7, arg(2) & 7, arg(3) & 7);
                if arg(0) != 0x00 {
                    self.out_of_range(format!(
                        "0x{opcode:02X}: dummy byte must be 00h; got 0x{:02X}",
                        arg(0)
                    ));
                }
                self.check_scroll_pages(opcode, start_page, end_page);
                self.regs.scroll.setup = Some(ScrollSetup::Diagonal {
                    left: opcode == 0x2A,
                    start_page,
                    end_page,
                    interval,
                    vertical_offset: arg(4) & 0x3F,
                });
            }
            0x2E => {
                self.regs.scroll.active = false;
                self.scroll_write_warned = false;
            }
            0x2F => {
                if self.regs.scroll.setup.is_none() {
                    self.warn(
                        WarningKind::ScrollMisuse,
                        "0x2F activates scrolling with no scroll setup (0x26/0x27/0x29/0x2A) since reset",
                    );
                }
                self.regs.scroll.active = true;
            }
            0x40..=0x7F => self.regs.start_line = opcode & 0x3F,
            0x81 => self.regs.contrast = arg(0),
            // 8Dh: charge pump, A = 0x10 | A[2] << 2 (0x14 enable, 0x10 disable).
            0x8D => {
                if arg(0) & !0x04 != 0x10 {
                    self.out_of_range(format!(
                        "0x8D 0x{:02X}: charge pump setting must be 0x10 or 0x14; bit 2 used",
                        arg(0)
                    ));
                }
                self.regs.charge_pump = arg(0) & 0x04 != 0;
            }
            0xA0 | 0xA1 => self.regs.segment_remap = opcode == 0xA1,
            // A3h: vertical scroll area; A[5:0] fixed rows, B[6:0] scrolled rows, A + B <= mux.
            0xA3 => {
                if self.regs.scroll.active {
                    self.warn(
                        WarningKind::ScrollMisuse,
                        "0xA3 vertical scroll area changed while scrolling is active",
                    );
                }
                let (fixed, rows) = (arg(0) & 0x3F, arg(1) & 0x7F);
                if u16::from(fixed) + u16::from(rows) > u16::from(self.regs.multiplex) {
                    self.warn(
                        WarningKind::ScrollMisuse,
                        format!(
                            "0xA3: {fixed} fixed + {rows} scrolled rows exceed the multiplex ratio {}",
                            self.regs.multiplex
                        ),
                    );
                }
                self.regs.scroll.fixed_rows = fixed;
                self.regs.scroll.scroll_rows = rows;
            }
            0xA4 | 0xA5 => self.regs.entire_display_on = opcode == 0xA5,
            0xA6 | 0xA7 => self.regs.inverse = opcode == 0xA7,
            // A8h: multiplex ratio A[5:0] + 1; 0..14 are invalid.
            0xA8 => {
                let value = arg(0) & 0x3F;
                if value < 15 {
                    self.out_of_range(format!(
                        "0xA8 0x{:02X}: multiplex ratio {} is invalid (16..64); unchanged",
                        arg(0),
                        value + 1
                    ));
                } else {
                    self.regs.multiplex = value + 1;
                }
            }
            // ADh: IREF selection (SSD1306B/SSD1315; the ssd1306 crate sends it for 72x40):
            // A = 00 A5 A4 0000.
            0xAD => {
                if arg(0) & !0x30 != 0 {
                    self.out_of_range(format!(
                        "0xAD 0x{:02X}: only bits 5 and 4 may be set",
                        arg(0)
                    ));
                }
                self.regs.iref = arg(0);
            }
            0xAE => self.regs.display_on = false,
            0xAF => {
                self.regs.display_on = true;
                if !self.regs.charge_pump && !self.config.external_vcc {
                    self.warn(
                        WarningKind::NoPanelSupply,
                        "display on (0xAF) with the charge pump off (0x8D 0x14 not sent) and no \
                         external VCC: the panel stays dark",
                    );
                }
            }
            0xB0..=0xBF => {
                self.only_in(opcode, "page", page_mode);
                if opcode & 0x08 != 0 {
                    self.out_of_range(format!(
                        "command 0x{opcode:02X} selects a page above 7; bit 3 ignored"
                    ));
                }
                self.regs.page = opcode & 0x07;
                self.pointer_set();
            }
            // C0h/C8h: COM output scan direction, X[3].
            0xC0..=0xCF => {
                if opcode & 0x07 != 0 {
                    self.out_of_range(format!(
                        "command 0x{opcode:02X}: COM scan direction is 0xC0 or 0xC8; bit 3 used"
                    ));
                }
                self.regs.com_scan_reversed = opcode & 0x08 != 0;
            }
            0xD3 => self.regs.display_offset = arg(0) & 0x3F,
            0xD5 => self.regs.clock_divide = arg(0),
            // D9h: pre-charge, phase 1 A[3:0] and phase 2 A[7:4]; 0 is invalid for either.
            0xD9 => {
                if arg(0) & 0x0F == 0 || arg(0) & 0xF0 == 0 {
                    self.out_of_range(format!(
                        "0xD9 0x{:02X}: a pre-charge phase of 0 is invalid; unchanged",
                        arg(0)
                    ));
                } else {
                    self.regs.precharge = arg(0);
                }
            }
            // DAh: COM pins, 00 A5 A4 0010: A[1] always 1, A[4] alternative, A[5] left/right.
            0xDA => {
                let value = arg(0);
                if value & 0x02 == 0 {
                    self.out_of_range(format!(
                        "0xDA 0x{value:02X}: bit 1 of the COM pins configuration must be 1; accepted"
                    ));
                }
                if value & 0xCD != 0 {
                    self.out_of_range(format!(
                        "0xDA 0x{value:02X}: bits 7, 6, 3, 2 and 0 must be 0; ignored"
                    ));
                }
                self.regs.com_pins = value;
            }
            // DBh: VCOMH deselect level, A[6:4] = 000b, 010b or 011b.
            0xDB => {
                if !matches!(arg(0), 0x00 | 0x20 | 0x30) {
                    self.out_of_range(format!(
                        "0xDB 0x{:02X}: VCOMH level must be 0x00, 0x20 or 0x30; accepted",
                        arg(0)
                    ));
                }
                self.regs.vcomh = arg(0);
            }
            0xE3 => {}
            _ => self.warn(
                WarningKind::UnknownCommand,
                format!("unknown command byte 0x{opcode:02X}; ignored"),
            ),
        }
    }

    /// Datasheet 10.2.1: scroll parameters must not change while scrolling is active.
    fn scroll_setup_allowed(&mut self, opcode: u8) {
        if self.regs.scroll.active {
            self.warn(
                WarningKind::ScrollMisuse,
                format!("scroll setup 0x{opcode:02X} while scrolling is active; send 0x2E first"),
            );
        }
    }

    fn check_scroll_pages(&mut self, opcode: u8, start: u8, end: u8) {
        if end < start {
            self.out_of_range(format!(
                "0x{opcode:02X}: scroll end page {end} is before start page {start}"
            ));
        }
    }
}
