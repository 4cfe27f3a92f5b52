//! Tests of the SSD1306 model, driven through the simulated buses and lines as a host would.
//!
//! - `commands`: raw command and data streams: addressing modes, windows, wrap-around, split
//!   arguments, I2C control bytes, the row/column mapping to the glass, brightness.
//! - `misuse`: datasheet violations (accepted vendor quirks and real misuse) and the RES# line.
//! - `driver`: the `ssd1306` crate 0.10 over I2C and SPI, every panel size.
//! - `golden`: golden PNGs of scenes drawn with embedded-graphics under the crate's 4 rotations.
//!
//! Expected values are written out by hand from the datasheet, never computed by the model.

#[path = "ssd1306/commands.rs"]
mod commands;
#[path = "ssd1306/driver.rs"]
mod driver;
#[path = "ssd1306/golden.rs"]
mod golden;
#[path = "ssd1306/misuse.rs"]
mod misuse;

use embedded_hal::i2c::I2c;
use embedded_hal::spi::SpiDevice;
use std::sync::{Arc, Mutex, MutexGuard};
use wasi_hal_sim::ssd1306::{
    PanelSize, SharedSsd1306, Ssd1306, Ssd1306Config, Ssd1306I2c, Ssd1306Spi, WarningKind,
};
use wasi_hal_sim::trace::TraceOp;
use wasi_hal_sim::{Frame, SimClock, SimI2cBus, SimLine, SimSpiDevice, Trace, TraceKind};

/// The I2C address of the display in these tests (SA0 low).
pub(crate) const ADDRESS: u8 = 0x3C;

/// A board with one SSD1306 on an I2C bus.
pub(crate) struct I2cBoard {
    pub(crate) clock: SimClock,
    pub(crate) trace: Trace,
    pub(crate) bus: SimI2cBus,
    pub(crate) display: SharedSsd1306,
}

impl I2cBoard {
    pub(crate) fn new(panel: PanelSize) -> Self {
        Self::with_config(Ssd1306Config::new(panel))
    }

    pub(crate) fn with_config(config: Ssd1306Config) -> Self {
        let clock = SimClock::new();
        let trace = Trace::new();
        trace.enable();
        let bus = SimI2cBus::new("i2c0", clock.clone(), trace.clone());
        let display = Ssd1306::new_shared(config, clock.clone());
        bus.attach(
            ADDRESS,
            Arc::new(Mutex::new(Ssd1306I2c::new(display.clone()))),
        );
        Self {
            clock,
            trace,
            bus,
            display,
        }
    }

    /// One I2C write: control byte 0x00 and `bytes` as commands.
    pub(crate) fn commands(&mut self, bytes: &[u8]) {
        let mut message = vec![0x00];
        message.extend_from_slice(bytes);
        self.write(&message);
    }

    /// One I2C write: control byte 0x40 and `bytes` as data.
    pub(crate) fn data(&mut self, bytes: &[u8]) {
        let mut message = vec![0x40];
        message.extend_from_slice(bytes);
        self.write(&message);
    }

    /// One raw I2C write, which must be acknowledged.
    pub(crate) fn write(&mut self, message: &[u8]) {
        self.bus
            .write(ADDRESS, message)
            .expect("the display acknowledges writes");
    }

    pub(crate) fn display(&self) -> MutexGuard<'_, Ssd1306> {
        lock(&self.display)
    }

    /// Every I2C write message to the display, in order.
    pub(crate) fn i2c_writes(&self) -> Vec<Vec<u8>> {
        i2c_writes(&self.trace)
    }
}

/// A board with one SSD1306 on SPI, with D/C# and RES# lines.
pub(crate) struct SpiBoard {
    pub(crate) clock: SimClock,
    pub(crate) trace: Trace,
    pub(crate) spi: SimSpiDevice,
    pub(crate) dc: SimLine,
    pub(crate) res: SimLine,
    pub(crate) display: SharedSsd1306,
}

impl SpiBoard {
    pub(crate) fn new(panel: PanelSize) -> Self {
        let clock = SimClock::new();
        let trace = Trace::new();
        trace.enable();
        let dc = SimLine::new("dc", false, clock.clone(), trace.clone());
        let res = SimLine::new("res", true, clock.clone(), trace.clone());
        let display = Ssd1306::new_shared(Ssd1306Config::new(panel), clock.clone());
        let target = Ssd1306Spi::new(display.clone(), dc.clone(), Some(&res));
        let spi = SimSpiDevice::new(
            "spi0",
            Arc::new(Mutex::new(target)),
            clock.clone(),
            trace.clone(),
        );
        Self {
            clock,
            trace,
            spi,
            dc,
            res,
            display,
        }
    }

    /// D/C# low, then one SPI write of `bytes`.
    pub(crate) fn commands(&mut self, bytes: &[u8]) {
        self.dc.set(false);
        self.spi
            .write(bytes)
            .expect("the simulated wire never fails");
    }

    /// D/C# high, then one SPI write of `bytes`.
    pub(crate) fn data(&mut self, bytes: &[u8]) {
        self.dc.set(true);
        self.spi
            .write(bytes)
            .expect("the simulated wire never fails");
    }

    pub(crate) fn display(&self) -> MutexGuard<'_, Ssd1306> {
        lock(&self.display)
    }
}

pub(crate) fn lock(display: &SharedSsd1306) -> MutexGuard<'_, Ssd1306> {
    display.lock().unwrap_or_else(|e| e.into_inner())
}

/// The payload of every I2C write operation in the trace.
pub(crate) fn i2c_writes(trace: &Trace) -> Vec<Vec<u8>> {
    trace
        .events()
        .into_iter()
        .filter_map(|e| match e.kind {
            TraceKind::I2c { ops, .. } => Some(ops),
            _ => None,
        })
        .flatten()
        .filter_map(|op| match op {
            TraceOp::Write { bytes } => Some(bytes),
            _ => None,
        })
        .collect()
}

/// What went over the SPI wire, as `(D/C# level, bytes)` per SPI write, with the D/C# level
/// taken from the GPIO events traced before it.
pub(crate) fn spi_writes(trace: &Trace, dc_line: &str) -> Vec<(bool, Vec<u8>)> {
    let mut dc = false;
    let mut out = Vec::new();
    for event in trace.events() {
        match event.kind {
            TraceKind::Gpio { line, high } if line == dc_line => dc = high,
            TraceKind::Spi { ops, .. } => {
                for op in ops {
                    if let TraceOp::Write { bytes } = op {
                        out.push((dc, bytes));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The coordinates of every pixel that is not black, row by row.
pub(crate) fn lit_pixels(frame: &Frame) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    for y in 0..frame.height {
        for x in 0..frame.width {
            if frame.pixel(x, y) != Some([0, 0, 0]) {
                out.push((x, y));
            }
        }
    }
    out
}

/// The frame as text, `#` for a lit pixel and `.` for a dark one, for readable failures.
pub(crate) fn ascii(frame: &Frame) -> String {
    let mut out = String::new();
    for y in 0..frame.height {
        for x in 0..frame.width {
            out.push(if frame.pixel(x, y) == Some([0, 0, 0]) {
                '.'
            } else {
                '#'
            });
        }
        out.push('\n');
    }
    out
}

/// The kinds of the warnings recorded so far.
pub(crate) fn warning_kinds(display: &Ssd1306) -> Vec<WarningKind> {
    display.warnings().iter().map(|w| w.kind).collect()
}

/// The index of (page, segment) in the GDDRAM.
pub(crate) fn ram_index(page: usize, segment: usize) -> usize {
    page * 128 + segment
}

/// The commands that make a 128x64 module show RAM upright and lit: charge pump on, segment
/// remap, COM scan reversed, display on.
pub(crate) const UPRIGHT_ON: [u8; 6] = [0x8D, 0x14, 0xA1, 0xC8, 0xAF, 0xE3];

/// The lit level at the reset contrast 0x7F: 255 * sqrt(128 / 256) = 180.3.
pub(crate) const GREY_7F: [u8; 3] = [180, 180, 180];

/// The lit level at the `ssd1306` crate's default contrast 0x5F: 255 * sqrt(96 / 256) = 156.2.
pub(crate) const GREY_5F: [u8; 3] = [156, 156, 156];
