//! `kind = "ssd1331"`: a colour OLED controller (96x64 RGB, as on the Digilent Pmod OLEDrgb) on
//! 4-wire SPI with its D/C# line, and optional reset and supply lines.

use super::{Names, PartTable, Wiring};
use crate::error::{BoardError, ErrorKind};
use crate::gpio::PinMode;

/// The keys of an SSD1331 part besides `kind` and `name`.
pub(super) const KEYS: &[&str] = &["spi", "dc", "res", "vccen", "pmoden"];

/// An SSD1331 part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ssd1331Part {
    /// `spi`: the SPI name it sits on.
    pub spi: String,
    /// `dc`: the GPIO name wired to its D/C# input.
    pub dc: String,
    /// `res`: the GPIO name wired to RES# (active low), if any.
    pub res: Option<String>,
    /// `vccen`: the GPIO name that switches the panel supply (active high), if any; without it
    /// the panel is always supplied.
    pub vccen: Option<String>,
    /// `pmoden`: the GPIO name that switches the module's logic supply (active high), if any.
    /// The model does not simulate the logic supply; the line is wired and traced.
    pub pmoden: Option<String>,
}

impl Ssd1331Part {
    /// The GPIO names the part reads, with the key each comes from.
    pub fn input_lines(&self) -> Vec<(&'static str, &str)> {
        let mut lines = vec![("dc", self.dc.as_str())];
        for (key, line) in [
            ("res", &self.res),
            ("vccen", &self.vccen),
            ("pmoden", &self.pmoden),
        ] {
            if let Some(line) = line {
                lines.push((key, line.as_str()));
            }
        }
        lines
    }
}

/// Reads an SSD1331 part and wires it.
pub(super) fn read(
    part: &PartTable<'_, '_, '_>,
    names: &Names<'_>,
    wiring: &mut Wiring,
) -> Result<Ssd1331Part, BoardError> {
    let table = part.table;
    let Some(spi) = table.get::<String>("spi")? else {
        return Err(table.key_error(
            "spi",
            ErrorKind::MissingKey,
            "missing required key: the SPI name it sits on, e.g. spi = \"oledrgb\"",
        ));
    };
    let Some(dc) = table.get::<String>("dc")? else {
        return Err(table.key_error(
            "dc",
            ErrorKind::MissingKey,
            "missing required key: its D/C# line, e.g. dc = \"oledrgb-dc\"",
        ));
    };
    part.spi_device(&spi, names, wiring)?;
    part.line("dc", &dc, PinMode::Output, names, wiring)?;
    let mut optional = [
        ("res", table.get::<String>("res")?),
        ("vccen", table.get::<String>("vccen")?),
        ("pmoden", table.get::<String>("pmoden")?),
    ];
    for (key, line) in &optional {
        if let Some(line) = line {
            part.line(key, line, PinMode::Output, names, wiring)?;
        }
    }
    let [(_, res), (_, vccen), (_, pmoden)] = std::mem::take(&mut optional);
    Ok(Ssd1331Part {
        spi,
        dc,
        res,
        vccen,
        pmoden,
    })
}
