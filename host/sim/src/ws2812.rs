//! An addressable LED strip (WS2812B, SK6812 RGBW) whose data input is wired to an SPI MOSI pin.
//!
//! The LEDs have no clock input: each data bit is one high pulse whose length says 0 or 1, and a
//! long low level (the reset) latches what arrived. Drivers on a Raspberry Pi make those pulses
//! with SPI: at about 2.4 MHz a data bit becomes three SPI bits (`100` is a 0, `110` a 1); at
//! about 3.2 MHz four (`1000`, `1110`); a run of zero bytes is the reset. The model here sees
//! what the strip would see: the MOSI bit stream turned into a waveform at the transaction's
//! clock frequency, pulse by pulse, checked against the datasheet's timing:
//!
//! | | WS2812B | SK6812 |
//! | --- | --- | --- |
//! | 0: high time | 400 ns ± 150 | 300 ns ± 150 |
//! | 1: high time | 800 ns ± 150 | 600 ns ± 150 |
//! | low time between bits | 300 ns to the reset | 300 ns to the reset |
//! | reset (latch) | low for at least 280 µs | low for at least 80 µs |
//!
//! A high pulse outside both windows is still read as the real chip reads it (longer than the
//! midpoint between the windows is a 1) and recorded as a [`StripWarning`]: at a wrong SPI clock
//! the strip shows wrong colours and the warnings say why, as an oscilloscope would. Colours go
//! green, red, blue (, white) in each LED's bits, most significant bit first; the first LED keeps
//! the first 24 (32) bits and passes the rest on; bits past the last LED leave the strip and are
//! counted. Between SPI transactions MOSI idles low; the time between transactions is not known
//! here, so it neither latches nor counts as part of a pulse (a driver sends its reset in-stream).

use crate::SimClock;
use crate::frame::Frame;
use crate::spi::{SpiConfig, SpiTarget};
use serde::Serialize;
use std::sync::{Arc, Mutex};

/// At most this many warnings are kept; later ones are only counted.
const MAX_WARNINGS: usize = 1000;

/// Picoseconds per second: pulse lengths are kept in picoseconds so that a bit period at any
/// clock is exact enough and a run is deterministic.
const PS_PER_S: u64 = 1_000_000_000_000;

pub use wasi_hal_policy::parts::StripModel;

/// Pulse lengths a strip's datasheet allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PulseTiming {
    /// High time of a 0 bit.
    pub zero_high_ns: u64,
    /// High time of a 1 bit.
    pub one_high_ns: u64,
    /// How far a high time may be from its nominal value.
    pub tolerance_ns: u64,
    /// Shortest low time between two bits.
    pub min_low_ns: u64,
    /// Low time that latches the data (the reset code).
    pub reset_ns: u64,
}

impl PulseTiming {
    /// The datasheet's pulse timing of `model`.
    pub fn of(model: StripModel) -> PulseTiming {
        match model {
            StripModel::Ws2812b => PulseTiming {
                zero_high_ns: 400,
                one_high_ns: 800,
                tolerance_ns: 150,
                min_low_ns: 300,
                reset_ns: 280_000,
            },
            StripModel::Sk6812Rgbw => PulseTiming {
                zero_high_ns: 300,
                one_high_ns: 600,
                tolerance_ns: 150,
                min_low_ns: 300,
                reset_ns: 80_000,
            },
        }
    }

    /// The bit a high pulse of `high_ps` carries, as the chip reads it, and whether the pulse
    /// was within the datasheet's window for that bit.
    fn read_bit(&self, high_ps: u64) -> (bool, bool) {
        let ns = |v: u64| v * 1000;
        let midpoint = ns(self.zero_high_ns + self.one_high_ns) / 2;
        let one = high_ps > midpoint;
        let nominal = if one {
            self.one_high_ns
        } else {
            self.zero_high_ns
        };
        let within = high_ps.abs_diff(ns(nominal)) <= ns(self.tolerance_ns);
        (one, within)
    }
}

/// What kind of datasheet violation a [`StripWarning`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StripWarningKind {
    /// High pulses outside both the 0 and the 1 window: wrong SPI clock or wrong encoding.
    PulseOutOfTolerance,
    /// A low time between two bits shorter than the datasheet allows.
    LowTooShort,
    /// A reset arrived in the middle of an LED's bits: that LED kept its old colour.
    IncompleteLed,
    /// SPI settings a strip's data line cannot make sense of (LSB first).
    SpiFormat,
}

/// One datasheet violation seen on the data line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StripWarning {
    /// Simulated time when it happened, in nanoseconds.
    pub time_ns: u64,
    /// What kind of violation.
    pub kind: StripWarningKind,
    /// A description for people, with the values involved.
    pub message: String,
}

impl std::fmt::Display for StripWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{} ns] {:?}: {}", self.time_ns, self.kind, self.message)
    }
}

/// One LED's latched colour: red, green, blue and white (0 on an RGB part).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LedColor {
    /// Red, 0-255.
    pub red: u8,
    /// Green, 0-255.
    pub green: u8,
    /// Blue, 0-255.
    pub blue: u8,
    /// White, 0-255 (RGBW parts only).
    pub white: u8,
}

/// Pulse counts of one transaction, reported as one warning each so a wrong clock over a whole
/// frame is one line, not thousands.
#[derive(Default)]
struct TransactionCounts {
    pulses: u64,
    bad_pulses: u64,
    example_bad_ps: u64,
    short_lows: u64,
    example_short_ps: u64,
}

/// A simulated LED strip on an SPI MOSI line.
pub struct Ws2812Strip {
    model: StripModel,
    timing: PulseTiming,
    clock: SimClock,
    /// The latched colours, one per LED.
    shown: Vec<LedColor>,
    /// Colours received since the last latch (at most one per LED).
    received: Vec<LedColor>,
    /// Bits of the LED being received, most significant first.
    shift: u32,
    /// How many bits of that LED arrived.
    shift_bits: u32,
    /// Level of the data line and how long it has held it, in picoseconds.
    line_high: bool,
    run_ps: u64,
    /// Whether the current low run already latched.
    latched_this_low: bool,
    /// Picoseconds per SPI bit in the current transaction.
    bit_ps: u64,
    lsb_first: bool,
    latches: u64,
    bits_passed_on: u64,
    counts: TransactionCounts,
    warned_lsb_first: bool,
    warnings: Vec<StripWarning>,
    warnings_dropped: u64,
}

/// A strip shared between its SPI front end and whoever watches it.
pub type SharedWs2812Strip = Arc<Mutex<Ws2812Strip>>;

impl Ws2812Strip {
    /// A strip of `length` LEDs of `model`, all off, on the board's `clock`.
    pub fn new(model: StripModel, length: u32, clock: SimClock) -> Self {
        Self {
            model,
            timing: PulseTiming::of(model),
            clock,
            shown: vec![LedColor::default(); length as usize],
            received: Vec::with_capacity(length as usize),
            shift: 0,
            shift_bits: 0,
            line_high: false,
            run_ps: 0,
            latched_this_low: true,
            bit_ps: PS_PER_S / 1_000_000,
            lsb_first: false,
            latches: 0,
            bits_passed_on: 0,
            counts: TransactionCounts::default(),
            warned_lsb_first: false,
            warnings: Vec::new(),
            warnings_dropped: 0,
        }
    }

    /// The part on the strip.
    pub fn model(&self) -> StripModel {
        self.model
    }

    /// The colours the LEDs show now, from the data input on.
    pub fn shown(&self) -> &[LedColor] {
        &self.shown
    }

    /// How many times the strip latched new data.
    pub fn latches(&self) -> u64 {
        self.latches
    }

    /// Data bits that went past the last LED (sent to a longer strip than this one).
    pub fn bits_passed_on(&self) -> u64 {
        self.bits_passed_on
    }

    /// Every warning so far (at most 1000 are kept, see [`Ws2812Strip::warnings_dropped`]).
    pub fn warnings(&self) -> &[StripWarning] {
        &self.warnings
    }

    /// Warnings that were not kept because the list was full.
    pub fn warnings_dropped(&self) -> u64 {
        self.warnings_dropped
    }

    /// What a person sees: each LED an 8x8 block of its colour (white added to each channel)
    /// with a one-pixel dark border, in one row.
    pub fn frame(&self) -> Frame {
        const CELL: u32 = 8;
        let mut frame = Frame::black(CELL * self.shown.len() as u32, CELL);
        for (i, led) in self.shown.iter().enumerate() {
            let add = |c: u8| c.saturating_add(led.white);
            let rgb = [add(led.red), add(led.green), add(led.blue)];
            for y in 1..CELL - 1 {
                for x in 1..CELL - 1 {
                    frame.set_pixel(i as u32 * CELL + x, y, rgb);
                }
            }
        }
        frame
    }

    fn warn(&mut self, kind: StripWarningKind, message: String) {
        if self.warnings.len() >= MAX_WARNINGS {
            self.warnings_dropped += 1;
            return;
        }
        self.warnings.push(StripWarning {
            time_ns: self.clock.now_ns(),
            kind,
            message,
        });
    }

    /// The line changes level (or the transaction ends): the run that just finished is a pulse.
    fn end_run(&mut self) {
        if self.line_high {
            let (bit, within) = self.timing.read_bit(self.run_ps);
            self.counts.pulses += 1;
            if !within {
                self.counts.bad_pulses += 1;
                self.counts.example_bad_ps = self.run_ps;
            }
            self.push_bit(bit);
        } else if !self.latched_this_low && self.run_ps < self.timing.min_low_ns * 1000 {
            self.counts.short_lows += 1;
            self.counts.example_short_ps = self.run_ps;
        }
    }

    fn push_bit(&mut self, bit: bool) {
        let per_led = self.model.bits_per_led();
        if self.received.len() >= self.shown.len() {
            self.bits_passed_on += 1;
            return;
        }
        self.shift = (self.shift << 1) | u32::from(bit);
        self.shift_bits += 1;
        if self.shift_bits == per_led {
            let byte = |n: u32| (self.shift >> (per_led - 8 * (n + 1))) as u8;
            let color = LedColor {
                green: byte(0),
                red: byte(1),
                blue: byte(2),
                white: if per_led == 32 { byte(3) } else { 0 },
            };
            self.received.push(color);
            self.shift = 0;
            self.shift_bits = 0;
        }
    }

    /// The line has been low for the reset time: what arrived is shown.
    fn latch(&mut self) {
        self.latched_this_low = true;
        if self.shift_bits != 0 {
            let message = format!(
                "reset after {} of LED {}'s {} bits: that LED keeps its old colour",
                self.shift_bits,
                self.received.len(),
                self.model.bits_per_led()
            );
            self.warn(StripWarningKind::IncompleteLed, message);
            self.shift = 0;
            self.shift_bits = 0;
        }
        if self.received.is_empty() {
            return;
        }
        for (shown, received) in self.shown.iter_mut().zip(self.received.drain(..)) {
            *shown = received;
        }
        self.latches += 1;
    }

    /// One SPI bit on MOSI.
    fn line_bit(&mut self, high: bool) {
        if high != self.line_high {
            self.end_run();
            self.line_high = high;
            self.run_ps = 0;
            if high {
                self.latched_this_low = false;
            }
        }
        self.run_ps += self.bit_ps;
        if !self.line_high && !self.latched_this_low && self.run_ps >= self.timing.reset_ns * 1000 {
            self.latch();
        }
    }

    fn report_transaction(&mut self) {
        let counts = std::mem::take(&mut self.counts);
        let ns = |ps: u64| ps as f64 / 1000.0;
        if counts.bad_pulses > 0 {
            let t = self.timing;
            let message = format!(
                "{} of {} high pulses were neither a 0 ({}±{} ns) nor a 1 ({}±{} ns), e.g. {:.0} ns \
                 at an SPI clock of {} Hz: wrong clock or encoding, the LEDs show wrong colours",
                counts.bad_pulses,
                counts.pulses,
                t.zero_high_ns,
                t.tolerance_ns,
                t.one_high_ns,
                t.tolerance_ns,
                ns(counts.example_bad_ps),
                PS_PER_S / self.bit_ps.max(1)
            );
            self.warn(StripWarningKind::PulseOutOfTolerance, message);
        }
        if counts.short_lows > 0 {
            let message = format!(
                "{} low times between bits were shorter than {} ns, e.g. {:.0} ns",
                counts.short_lows,
                self.timing.min_low_ns,
                ns(counts.example_short_ps)
            );
            self.warn(StripWarningKind::LowTooShort, message);
        }
    }
}

impl SpiTarget for Ws2812Strip {
    fn select(&mut self, config: &SpiConfig) {
        self.bit_ps = PS_PER_S / u64::from(config.frequency_hz.max(1));
        self.lsb_first = config.lsb_first;
        if config.lsb_first && !self.warned_lsb_first {
            self.warned_lsb_first = true;
            self.warn(
                StripWarningKind::SpiFormat,
                "LSB-first SPI: the pulses leave in the reverse order of the bytes' bits".into(),
            );
        }
    }

    fn exchange(&mut self, mosi: &[u8], miso: &mut [u8]) {
        for &byte in mosi {
            for i in 0..8 {
                let bit = if self.lsb_first { i } else { 7 - i };
                self.line_bit(byte >> bit & 1 == 1);
            }
        }
        // The strip has no output towards the controller: MISO floats, read as 0.
        miso.fill(0);
    }

    fn deselect(&mut self) {
        // MOSI idles low between transactions: a high pulse in flight ends here.
        if self.line_high {
            self.end_run();
            self.line_high = false;
            self.run_ps = 0;
        }
        self.report_transaction();
    }
}

/// The strip's SPI front end for [`SimSpiDevice::new`](crate::SimSpiDevice::new): it feeds the
/// shared strip, so a watcher can read the colours while the device holds the front end.
pub struct Ws2812Spi(pub SharedWs2812Strip);

impl SpiTarget for Ws2812Spi {
    fn select(&mut self, config: &SpiConfig) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .select(config);
    }

    fn exchange(&mut self, mosi: &[u8], miso: &mut [u8]) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .exchange(mosi, miso);
    }

    fn deselect(&mut self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).deselect();
    }
}
