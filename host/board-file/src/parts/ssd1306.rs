//! `kind = "ssd1306"`: a monochrome OLED controller on 4-wire SPI (with its D/C# line) or on
//! I2C, with its panel and optional reset and supply lines.

use super::{Names, PartTable, Wiring};
use crate::error::{BoardError, ErrorKind};
use crate::gpio::PinMode;

pub use wasi_hal_policy::parts::PanelSize;

/// The keys of an SSD1306 part besides `kind` and `name`.
pub(super) const KEYS: &[&str] = &["panel", "spi", "dc", "res", "vbat", "vdd", "i2c", "address"];

/// How an SSD1306 is connected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ssd1306Interface {
    /// 4-wire SPI: `spi = "NAME"` and `dc = "GPIO"`.
    Spi {
        /// The SPI name it sits on.
        device: String,
        /// The GPIO name wired to its D/C# input.
        dc: String,
    },
    /// I2C: `i2c = "NAME"` and `address` (0x3C or 0x3D).
    I2c {
        /// The I2C name it sits on.
        bus: String,
        /// Its 7-bit address.
        address: u8,
    },
}

/// An SSD1306 part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ssd1306Part {
    /// `panel`: the glass, e.g. `"128x32"`.
    pub panel: PanelSize,
    /// `spi` + `dc`, or `i2c` + `address`.
    pub interface: Ssd1306Interface,
    /// `res`: the GPIO name wired to RES# (active low), if any.
    pub res: Option<String>,
    /// `vbat`: the GPIO name that switches the panel supply (the Pmod OLED's VBATC, active low),
    /// if any. The model does not simulate power; the line is wired and traced.
    pub vbat: Option<String>,
    /// `vdd`: the GPIO name that switches the logic supply (the Pmod OLED's VDDC, active low), if
    /// any. The model does not simulate power; the line is wired and traced.
    pub vdd: Option<String>,
}

impl Ssd1306Part {
    /// The GPIO names the part reads, with the key each comes from.
    pub fn input_lines(&self) -> Vec<(&'static str, &str)> {
        let mut lines = Vec::new();
        if let Ssd1306Interface::Spi { dc, .. } = &self.interface {
            lines.push(("dc", dc.as_str()));
        }
        for (key, line) in [("res", &self.res), ("vbat", &self.vbat), ("vdd", &self.vdd)] {
            if let Some(line) = line {
                lines.push((key, line.as_str()));
            }
        }
        lines
    }
}

/// `"128x32"` to a panel.
pub(crate) fn parse_panel(text: &str) -> Option<PanelSize> {
    let (w, h) = text.trim().split_once(['x', 'X'])?;
    let (w, h): (u32, u32) = (w.parse().ok()?, h.parse().ok()?);
    PanelSize::ALL
        .into_iter()
        .find(|p| p.width() == w && p.height() == h)
}

/// Reads an SSD1306 part and wires it.
pub(super) fn read(
    part: &PartTable<'_, '_, '_>,
    names: &Names<'_>,
    wiring: &mut Wiring,
) -> Result<Ssd1306Part, BoardError> {
    let table = part.table;
    let panel = table.get::<String>("panel")?;
    let spi = table.get::<String>("spi")?;
    let i2c = table.get::<String>("i2c")?;
    let dc = table.get::<String>("dc")?;
    let address = table.get::<u8>("address")?;
    let supplies = [
        ("res", table.get::<String>("res")?),
        ("vbat", table.get::<String>("vbat")?),
        ("vdd", table.get::<String>("vdd")?),
    ];
    let panel = match panel {
        Some(text) => parse_panel(&text).ok_or_else(|| {
            table.value_error(
                "panel",
                ErrorKind::InvalidValue,
                format!(
                    "unknown panel `{text}`, expected one of {}",
                    PanelSize::ALL
                        .iter()
                        .map(|p| format!("\"{}x{}\"", p.width(), p.height()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?,
        None => {
            return Err(table.key_error(
                "panel",
                ErrorKind::MissingKey,
                "missing required key: the panel size, e.g. panel = \"128x64\"",
            ));
        }
    };
    let interface = match (spi, i2c) {
        (Some(_), Some(_)) => {
            return Err(table.key_error(
                "i2c",
                ErrorKind::Wiring,
                "an SSD1306 sits on SPI or on I2C, not both",
            ));
        }
        (None, None) => {
            return Err(table.key_error(
                "spi",
                ErrorKind::MissingKey,
                "missing required key: `spi` (with `dc`) or `i2c` (with `address`)",
            ));
        }
        (Some(device), None) => {
            part.spi_device(&device, names, wiring)?;
            if address.is_some() {
                return Err(table.key_error(
                    "address",
                    ErrorKind::UnknownKey,
                    "`address` is for an SSD1306 on I2C; on SPI the chip select picks the part",
                ));
            }
            let Some(dc) = dc else {
                return Err(table.key_error(
                    "dc",
                    ErrorKind::MissingKey,
                    "missing required key: on SPI an SSD1306 needs its D/C# line, e.g. dc = \
                     \"oled-dc\"",
                ));
            };
            part.line("dc", &dc, PinMode::Output, names, wiring)?;
            Ssd1306Interface::Spi { device, dc }
        }
        (None, Some(bus)) => {
            if dc.is_some() {
                return Err(table.key_error(
                    "dc",
                    ErrorKind::UnknownKey,
                    "`dc` is for an SSD1306 on SPI; on I2C the control byte selects command or \
                     data",
                ));
            }
            let address = address.unwrap_or(0x3C);
            if address != 0x3C && address != 0x3D {
                return Err(table.value_error(
                    "address",
                    ErrorKind::InvalidValue,
                    format!("an SSD1306 answers at 0x3c or 0x3d, not {address:#04x}"),
                ));
            }
            part.i2c_address(&bus, address, names, wiring)?;
            Ssd1306Interface::I2c { bus, address }
        }
    };
    for (key, line) in &supplies {
        if let Some(line) = line {
            part.line(key, line, PinMode::Output, names, wiring)?;
        }
    }
    let [(_, res), (_, vbat), (_, vdd)] = supplies;
    Ok(Ssd1306Part {
        panel,
        interface,
        res,
        vbat,
        vdd,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panels_parse_from_width_x_height() {
        assert_eq!(parse_panel("128x32"), Some(PanelSize::W128H32));
        assert_eq!(parse_panel("64x48"), Some(PanelSize::W64H48));
        assert_eq!(parse_panel("100x10"), None);
        assert_eq!(parse_panel("wide"), None);
    }
}
