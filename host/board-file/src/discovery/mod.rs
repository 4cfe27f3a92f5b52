//! `[discovery]`: the policies given to every device found by scanning a `/dev` directory, and
//! the scan ([`scan`], [`BoardFile::with_discovery`](crate::BoardFile::with_discovery)).

mod scan;

pub use scan::*;

use crate::document::Table;
use crate::error::{BoardError, ErrorKind};
use crate::gpio::{self, GpioPolicy};
use crate::i2c::{self, I2cPolicy};
use crate::load::Context;
use crate::model::Backend;
use crate::spi::{self, SpiPolicy};
use std::path::PathBuf;

/// `[discovery]` with `enabled = true`: every spidev, i2c-dev and gpiochip line found under `dev`
/// is offered too, with these policies, under the names `spidevB.C`, `i2c-N` and `gpiochipN-L`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Discovery {
    /// `dev`: the directory to scan (default `/dev`).
    pub dev: PathBuf,
    /// `[discovery.spi]`: the policy of every discovered SPI device.
    pub spi: SpiPolicy,
    /// `[discovery.i2c]`: the policy of every discovered I2C bus.
    pub i2c: I2cPolicy,
    /// `[discovery.gpio]`: the policy of every discovered GPIO line.
    pub gpio: GpioPolicy,
}

/// Reads `[discovery]`: `Some` when enabled. A disabled table is checked too, so a typo does not
/// wait for the day it is enabled.
pub(crate) fn read(
    root: &Table<'_, '_>,
    backend: Backend,
) -> Result<Option<Discovery>, BoardError> {
    let Some(table) = root.table("discovery")? else {
        return Ok(None);
    };
    table.only(&["enabled", "dev", "spi", "i2c", "gpio"])?;
    let enabled = table.require::<bool>("enabled")?;
    if enabled && backend != Backend::Linux {
        return Err(table.value_error(
            "enabled",
            ErrorKind::InvalidValue,
            "discovery scans Linux device nodes: it needs board.backend = \"linux\"",
        ));
    }
    let dev = PathBuf::from(table.get::<String>("dev")?.as_deref().unwrap_or("/dev"));
    if !dev.is_absolute() {
        return Err(table.value_error(
            "dev",
            ErrorKind::InvalidValue,
            "the directory to scan must be an absolute path",
        ));
    }
    // A policy table that is absent is read as an empty one: all defaults.
    let policy_table = |key: &str| -> Result<Table<'_, '_>, BoardError> {
        Ok(table.table(key)?.unwrap_or_else(|| table.empty_child(key)))
    };
    let discovery = Discovery {
        dev,
        spi: spi::read_policy(&policy_table("spi")?, Context::Discovery)?,
        i2c: i2c::read_policy(&policy_table("i2c")?, Context::Discovery)?,
        gpio: gpio::read_policy(&policy_table("gpio")?, Context::Discovery)?,
    };
    Ok(enabled.then_some(discovery))
}
