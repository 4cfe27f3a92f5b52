//! The board file as data: what [`BoardFile::parse`](crate::BoardFile::parse) returns. The
//! types of each bus and part are in their own modules ([`crate::spi`], [`crate::i2c`],
//! [`crate::gpio`], [`crate::parts`], [`crate::discovery`]).

use crate::discovery::Discovery;
use crate::gpio::GpioEntry;
use crate::i2c::I2cEntry;
use crate::parts::Part;
use crate::pwm::PwmEntry;
use crate::sensor::SensorEntry;
use crate::spi::SpiEntry;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One `[BUS.NAME]` entry (`[spi.NAME]`, `[i2c.NAME]`, `[gpio.NAME]`, `[pwm.NAME]`): what is
/// behind the name, what a guest may do with it, and where it is in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry<Source, Policy> {
    /// What is behind the name.
    pub backend: Source,
    /// What a guest may do with it.
    pub policy: Policy,
    /// Where the entry is in the file.
    pub location: crate::error::Location,
}

/// A parsed and checked board file: which virtual names exist, what is behind each one, the
/// policy for each, and the simulated parts and their wiring.
#[derive(Clone, Debug, PartialEq)]
pub struct BoardFile {
    /// The file it came from (as given to [`BoardFile::load`] or [`BoardFile::parse`]).
    pub path: PathBuf,
    /// `board.name`.
    pub name: String,
    /// `board.description`.
    pub description: Option<String>,
    /// `board.backend`: simulated parts or Linux devices.
    pub backend: Backend,
    /// SPI devices by virtual name (`[spi.NAME]`).
    pub spi: BTreeMap<String, SpiEntry>,
    /// I2C buses by virtual name (`[i2c.NAME]`).
    pub i2c: BTreeMap<String, I2cEntry>,
    /// GPIO lines by virtual name (`[gpio.NAME]`).
    pub gpio: BTreeMap<String, GpioEntry>,
    /// PWM channels by virtual name (`[pwm.NAME]`).
    pub pwm: BTreeMap<String, PwmEntry>,
    /// The host-read sensor (`[sensor.NAME]`, at most one), served as `sensor:environment`.
    pub sensors: BTreeMap<String, SensorEntry>,
    /// Simulated parts (`[[part]]`), in file order.
    pub parts: Vec<Part>,
    /// `[discovery]` when `enabled = true`: offer every device found under a directory as well.
    pub discovery: Option<Discovery>,
    /// `[config]`: values handed to every guest through `wasi:config/store` (driver settings
    /// such as a panel size or the names a driver opens). Numbers and booleans are kept as
    /// their TOML text.
    pub config: BTreeMap<String, String>,
}

/// What the names of a board are backed by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Backend {
    /// Simulated parts from `wasi-hal-sim`, in virtual time.
    Simulated,
    /// Linux character devices (`/dev/spidevB.C`, `/dev/i2c-N`, `/dev/gpiochipN`).
    Linux,
}

crate::document::named_values!(Backend);

impl BoardFile {
    /// Every virtual name with what it names (`"spi"`, `"i2c"`, `"gpio"`, `"pwm"` or
    /// `"sensor"`).
    pub fn names(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let spi = self.spi.keys().map(|n| ("spi", n.as_str()));
        let i2c = self.i2c.keys().map(|n| ("i2c", n.as_str()));
        let gpio = self.gpio.keys().map(|n| ("gpio", n.as_str()));
        let pwm = self.pwm.keys().map(|n| ("pwm", n.as_str()));
        let sensor = self.sensors.keys().map(|n| ("sensor", n.as_str()));
        spi.chain(i2c).chain(gpio).chain(pwm).chain(sensor)
    }

    /// The part named `name`.
    pub fn part(&self, name: &str) -> Option<&Part> {
        self.parts.iter().find(|p| p.name == name)
    }
}
