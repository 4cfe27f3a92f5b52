//! A DHT22 (AM2302) temperature and humidity sensor, as the Linux kernel's `dht11` IIO driver
//! shows it.
//!
//! The DHT22's one-wire protocol needs microsecond timing, so on Linux the kernel reads it (the
//! `dht11` driver handles the DHT22 too) and offers the result in sysfs: `in_temp_input` in
//! milli-degrees Celsius and `in_humidityrelative_input` in milli-percent. This model is that
//! view of the part, with its quirks:
//! - Resolution 0.1 °C and 0.1 %RH; range -40 to 80 °C and 0 to 100 %RH (values outside are
//!   clamped, as the part saturates).
//! - A read takes the part about 5 ms of bus time (advanced on the board's clock).
//! - The kernel keeps a good reading for 2 s and answers from it (the part must not be read more
//!   often than every 2 s).
//! - Real reads fail now and then (a missed edge, a bad checksum): the kernel then returns `EIO`.
//!   [`SimDht22::fail_every`] makes every n-th read fail, deterministically.

use crate::SimClock;
use std::sync::{Arc, Mutex};

/// A simulated DHT22 shared between the board (which sets its air and failures) and the
/// host-read source a guest reads.
pub type SharedSimDht22 = Arc<Mutex<SimDht22>>;

/// How long the kernel driver answers from its last good reading, in nanoseconds.
pub const DATA_VALID_NS: u64 = 2_000_000_000;
/// Bus time of one read: start pulse, response and 40 data bits.
pub const READ_NS: u64 = 5_000_000;

/// One reading as the kernel gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dht22Reading {
    /// Temperature in milli-degrees Celsius (a multiple of 100).
    pub temperature_milli_celsius: i32,
    /// Relative humidity in milli-percent (a multiple of 100).
    pub humidity_milli_percent: i32,
}

/// Why a read failed, as the kernel reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dht22Error {
    /// `EIO`: the transfer went wrong (missed edge, bad checksum).
    Io,
}

/// A simulated DHT22.
#[derive(Debug)]
pub struct SimDht22 {
    clock: SimClock,
    temperature_celsius: f64,
    humidity_percent: f64,
    fail_every: Option<u32>,
    reads: u64,
    last_good: Option<(u64, Dht22Reading)>,
}

impl SimDht22 {
    /// A sensor in air at `temperature_celsius` and `humidity_percent`.
    pub fn new(clock: SimClock, temperature_celsius: f64, humidity_percent: f64) -> Self {
        Self {
            clock,
            temperature_celsius,
            humidity_percent,
            fail_every: None,
            reads: 0,
            last_good: None,
        }
    }

    /// Changes the air around the sensor.
    pub fn set_conditions(&mut self, temperature_celsius: f64, humidity_percent: f64) {
        self.temperature_celsius = temperature_celsius;
        self.humidity_percent = humidity_percent;
    }

    /// Makes every `n`-th read of the part fail with `EIO` (`0`: none fail).
    pub fn fail_every(&mut self, n: u32) {
        self.fail_every = (n > 0).then_some(n);
    }

    /// How many times the part itself was read (cached answers not counted).
    pub fn reads(&self) -> u64 {
        self.reads
    }

    /// What reading `in_temp_input` / `in_humidityrelative_input` gives now.
    pub fn read(&mut self) -> Result<Dht22Reading, Dht22Error> {
        let now = self.clock.now_ns();
        if let Some((at, reading)) = self.last_good
            && now.saturating_sub(at) < DATA_VALID_NS
        {
            return Ok(reading);
        }
        self.reads += 1;
        self.clock.advance_ns(READ_NS);
        if self
            .fail_every
            .is_some_and(|n| self.reads.is_multiple_of(u64::from(n)))
        {
            return Err(Dht22Error::Io);
        }
        let tenths = |v: f64, lo: f64, hi: f64| (v.clamp(lo, hi) * 10.0).round() as i32 * 100;
        let reading = Dht22Reading {
            temperature_milli_celsius: tenths(self.temperature_celsius, -40.0, 80.0),
            humidity_milli_percent: tenths(self.humidity_percent, 0.0, 100.0),
        };
        self.last_good = Some((self.clock.now_ns(), reading));
        Ok(reading)
    }
}
