//! What the host reads a sensor from: a Linux IIO device or a simulated part.

use std::fmt;

/// The quantities a source measures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Quantities {
    /// Air temperature.
    pub temperature: bool,
    /// Barometric pressure.
    pub pressure: bool,
    /// Relative humidity.
    pub humidity: bool,
    /// Gas sensor resistance.
    pub gas_resistance: bool,
}

/// What a source is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceInfo {
    /// The part or the kernel driver's name, for example `dht11` (the kernel driver that also
    /// reads the DHT22).
    pub model: String,
    /// What its readings contain.
    pub quantities: Quantities,
}

/// One reading, in the units of `sensor:environment`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Reading {
    /// Degrees Celsius.
    pub temperature_celsius: Option<f64>,
    /// Pascals.
    pub pressure_pa: Option<f64>,
    /// Percent relative humidity.
    pub humidity_percent: Option<f64>,
    /// Ohms.
    pub gas_resistance_ohm: Option<f64>,
}

/// Why a reading failed. The text says what happened, for the host's log; the guest gets the
/// matching `sensor:environment` error code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceError {
    /// The device is gone or never answered (`ENODEV`, `ENOENT`, `ENXIO`): `not-connected`.
    NotConnected(String),
    /// The transfer failed (`EIO`: a DHT22's missed edge or bad checksum): `bus-error`.
    Bus(String),
    /// The device did not answer in time (`ETIMEDOUT`): `timeout`.
    Timeout(String),
    /// Anything else: `other`.
    Other(String),
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceError::NotConnected(s)
            | SourceError::Bus(s)
            | SourceError::Timeout(s)
            | SourceError::Other(s) => f.write_str(s),
        }
    }
}

impl std::error::Error for SourceError {}

/// A sensor the host reads itself and serves as `sensor:environment`.
pub trait EnvironmentSource: Send {
    /// What it is and what it measures.
    fn info(&self) -> SourceInfo;
    /// Takes one reading.
    fn measure(&mut self) -> Result<Reading, SourceError>;
}
