//! `kind = "ws2812"`: an addressable LED strip (WS2812B, SK6812 RGBW) whose data input is wired
//! to an SPI device's MOSI.

use super::{Names, PartTable, Wiring};
use crate::error::{BoardError, ErrorKind};

/// The keys of an LED strip part besides `kind` and `name`.
pub(super) const KEYS: &[&str] = &["spi", "model", "length"];

/// The longest strip a board file may describe.
pub const MAX_STRIP_LENGTH: u32 = 4096;

pub use wasi_hal_policy::parts::StripModel;

crate::document::named_values!(StripModel);

/// An LED strip on an SPI device's MOSI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ws2812Part {
    /// `spi`: the SPI name whose MOSI drives the strip's data input.
    pub spi: String,
    /// `model`: the LEDs.
    pub model: StripModel,
    /// `length`: how many LEDs, 1 to 4096.
    pub length: u32,
}

/// Reads an LED strip part and wires it.
pub(super) fn read(
    part: &PartTable<'_, '_, '_>,
    names: &Names<'_>,
    wiring: &mut Wiring,
) -> Result<Ws2812Part, BoardError> {
    let table = part.table;
    let Some(spi) = table.get::<String>("spi")? else {
        return Err(table.key_error(
            "spi",
            ErrorKind::MissingKey,
            "missing required key: the SPI name whose MOSI drives the strip, e.g. spi = \"strip\"",
        ));
    };
    let model = table
        .get::<StripModel>("model")?
        .unwrap_or(StripModel::Ws2812b);
    let Some(length) = table.get::<u32>("length")? else {
        return Err(table.key_error(
            "length",
            ErrorKind::MissingKey,
            "missing required key: how many LEDs the strip has, e.g. length = 11",
        ));
    };
    if !(1..=MAX_STRIP_LENGTH).contains(&length) {
        return Err(table.value_error(
            "length",
            ErrorKind::InvalidValue,
            format!("a strip has 1 to {MAX_STRIP_LENGTH} LEDs, not {length}"),
        ));
    }
    part.spi_device(&spi, names, wiring)?;
    Ok(Ws2812Part { spi, model, length })
}
