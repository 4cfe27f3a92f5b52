//! `[[part]]`: the simulated parts of a board and how they are wired to its names. Each kind has
//! its module; this one reads the common keys and checks the wiring shared by all kinds (one
//! part per chip select, per I2C address, per line).

mod bme680;
mod button;
mod buzzer;
mod led;
mod ssd1306;
mod ssd1331;
mod ws2812;

pub use bme680::{Bme680Part, Bme680Variant, Conditions};
pub use button::ButtonPart;
pub(crate) use button::hold_released;
pub use buzzer::{BuzzerPart, BuzzerWiring, DEFAULT_ACTIVE_PITCH_HZ};
pub use led::LedPart;
pub use ssd1306::{PanelSize, Ssd1306Interface, Ssd1306Part};
pub use ssd1331::Ssd1331Part;
pub use ws2812::{MAX_STRIP_LENGTH, StripModel, Ws2812Part};

use crate::document::Table;
use crate::error::{BoardError, ErrorKind, Location};
use crate::gpio::{GpioEntry, PinMode};
use crate::i2c::I2cEntry;
use crate::load::{check_name, kebab};
use crate::model::Backend;
use crate::pwm::PwmEntry;
use crate::spi::SpiEntry;
use serde::Deserialize;
use std::collections::BTreeMap;

/// One simulated part (`[[part]]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    /// `name`: how the host and tests refer to the part (unique among parts).
    pub name: String,
    /// `kind` and the keys of that kind.
    pub kind: PartKind,
    /// Where the `[[part]]` table is in the file.
    pub location: Location,
}

/// The kinds of simulated parts and their settings.
#[derive(Clone, Debug, PartialEq)]
pub enum PartKind {
    /// `kind = "ssd1306"`: a monochrome OLED controller with its panel.
    Ssd1306(Ssd1306Part),
    /// `kind = "bme680"`: a temperature, pressure, humidity and gas sensor.
    Bme680(Bme680Part),
    /// `kind = "led"`: an LED on a line.
    Led(LedPart),
    /// `kind = "button"`: a push button on a line.
    Button(ButtonPart),
    /// `kind = "ssd1331"`: a colour OLED controller with its 96x64 panel.
    Ssd1331(Ssd1331Part),
    /// `kind = "ws2812"`: an addressable LED strip on an SPI device's MOSI.
    Ws2812(Ws2812Part),
    /// `kind = "buzzer"`: an active buzzer on a line or a passive one on a PWM channel.
    Buzzer(BuzzerPart),
}

/// `kind` as the file spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Kind {
    Ssd1306,
    Bme680,
    Led,
    Button,
    Ssd1331,
    Ws2812,
    Buzzer,
}

crate::document::named_values!(Kind);

/// Every key a part may have, whatever its kind.
const KEYS: &[&str] = &[
    "kind",
    "name",
    "panel",
    "spi",
    "dc",
    "res",
    "vbat",
    "vdd",
    "i2c",
    "address",
    "variant",
    "temperature-c",
    "pressure-pa",
    "humidity-percent",
    "gas-ohms",
    "line",
    "active",
    "vccen",
    "pmoden",
    "model",
    "length",
    "pitch-hz",
    "pwm",
];

/// The names a part's wiring may refer to.
pub(crate) struct Names<'b> {
    pub spi: &'b BTreeMap<String, SpiEntry>,
    pub i2c: &'b BTreeMap<String, I2cEntry>,
    pub gpio: &'b BTreeMap<String, GpioEntry>,
    pub pwm: &'b BTreeMap<String, PwmEntry>,
}

/// Who uses what, to catch two parts on one chip select, one address or one line.
#[derive(Default)]
pub(crate) struct Wiring {
    spi: BTreeMap<String, String>,
    addresses: BTreeMap<(String, u8), String>,
    lines: BTreeMap<String, (String, &'static str)>,
    pwm: BTreeMap<String, String>,
}

/// One `[[part]]` table being read: the table and the part's name.
pub(crate) struct PartTable<'t, 'r, 'a> {
    pub table: &'t Table<'r, 'a>,
    pub name: &'t str,
}

/// Reads `[[part]]`, in file order, and checks their wiring against the board's names.
pub(crate) fn read(
    root: &Table<'_, '_>,
    backend: Backend,
    names: &Names<'_>,
) -> Result<Vec<Part>, BoardError> {
    let tables = root.array_of_tables("part")?;
    if let (Backend::Linux, Some(first)) = (backend, tables.first()) {
        return Err(first.key_error(
            "kind",
            ErrorKind::InvalidValue,
            "parts are simulated models: a linux board's parts are real hardware (describe their \
             wiring in comments)",
        ));
    }
    let mut parts: Vec<Part> = Vec::new();
    let mut wiring = Wiring::default();
    for table in &tables {
        table.only(KEYS)?;
        let kind = table.require::<Kind>("kind")?;
        let name = table.require::<String>("name")?;
        check_name(&name).map_err(|m| table.value_error("name", ErrorKind::InvalidValue, m))?;
        if let Some(first) = parts.iter().find(|p| p.name == name) {
            return Err(table.value_error(
                "name",
                ErrorKind::DuplicateName,
                format!(
                    "a part named `{name}` is already defined at line {}",
                    first.location.line
                ),
            ));
        }
        let allowed = match kind {
            Kind::Ssd1306 => ssd1306::KEYS,
            Kind::Bme680 => bme680::KEYS,
            Kind::Led => led::KEYS,
            Kind::Button => button::KEYS,
            Kind::Ssd1331 => ssd1331::KEYS,
            Kind::Ws2812 => ws2812::KEYS,
            Kind::Buzzer => buzzer::KEYS,
        };
        if let Some(key) = table
            .keys_in_order()
            .into_iter()
            .find(|k| !["kind", "name"].contains(k) && !allowed.contains(k))
        {
            return Err(table.key_error(
                key,
                ErrorKind::UnknownKey,
                format!(
                    "unknown key for a `{}` part (known keys: kind, name, {})",
                    kebab(&kind),
                    allowed.join(", ")
                ),
            ));
        }
        let part = PartTable { table, name: &name };
        let kind = match kind {
            Kind::Ssd1306 => PartKind::Ssd1306(ssd1306::read(&part, names, &mut wiring)?),
            Kind::Bme680 => PartKind::Bme680(bme680::read(&part, names, &mut wiring)?),
            Kind::Led => PartKind::Led(led::read(&part, names, &mut wiring)?),
            Kind::Button => PartKind::Button(button::read(&part, names, &mut wiring)?),
            Kind::Ssd1331 => PartKind::Ssd1331(ssd1331::read(&part, names, &mut wiring)?),
            Kind::Ws2812 => PartKind::Ws2812(ws2812::read(&part, names, &mut wiring)?),
            Kind::Buzzer => PartKind::Buzzer(buzzer::read(&part, names, &mut wiring)?),
        };
        parts.push(Part {
            name,
            kind,
            location: table.location(),
        });
    }
    Ok(parts)
}

impl PartTable<'_, '_, '_> {
    /// A reference to a GPIO name at `key`: defined, in the direction the part needs, and used
    /// by one part only.
    pub(crate) fn line(
        &self,
        key: &'static str,
        line: &str,
        needs: PinMode,
        names: &Names<'_>,
        wiring: &mut Wiring,
    ) -> Result<(), BoardError> {
        let Some(entry) = names.gpio.get(line) else {
            return Err(self.table.value_error(
                key,
                ErrorKind::UndefinedName,
                format!("no GPIO named `{line}` is defined (add a [gpio.{line}] table)"),
            ));
        };
        if !entry.policy.allows(needs) {
            let why = match needs {
                PinMode::Output => "the part reads this line, so a guest must drive it",
                PinMode::Input => "the part drives this line, so a guest must read it",
            };
            return Err(self.table.value_error(
                key,
                ErrorKind::Wiring,
                format!("GPIO `{line}` must allow mode \"{}\": {why}", kebab(&needs)),
            ));
        }
        if let Some((other, other_key)) = wiring.lines.get(line) {
            return Err(self.table.value_error(
                key,
                ErrorKind::Wiring,
                format!("GPIO `{line}` is already wired to part `{other}` ({other_key})"),
            ));
        }
        wiring
            .lines
            .insert(line.to_owned(), (self.name.to_owned(), key));
        Ok(())
    }

    /// A place on an I2C bus: the bus is defined and nobody else is at the address.
    pub(crate) fn i2c_address(
        &self,
        bus: &str,
        address: u8,
        names: &Names<'_>,
        wiring: &mut Wiring,
    ) -> Result<(), BoardError> {
        if !names.i2c.contains_key(bus) {
            return Err(self.table.value_error(
                "i2c",
                ErrorKind::UndefinedName,
                format!("no I2C bus named `{bus}` is defined (add an [i2c.{bus}] table)"),
            ));
        }
        let place = (bus.to_owned(), address);
        if let Some(other) = wiring.addresses.get(&place) {
            let at = if self.table.has("address") {
                "address"
            } else {
                "i2c"
            };
            return Err(self.table.value_error(
                at,
                ErrorKind::Wiring,
                format!("part `{other}` already answers at {address:#04x} on I2C bus `{bus}`"),
            ));
        }
        wiring.addresses.insert(place, self.name.to_owned());
        Ok(())
    }

    /// A place on an SPI device (one chip select): defined and not taken.
    pub(crate) fn spi_device(
        &self,
        device: &str,
        names: &Names<'_>,
        wiring: &mut Wiring,
    ) -> Result<(), BoardError> {
        if !names.spi.contains_key(device) {
            return Err(self.table.value_error(
                "spi",
                ErrorKind::UndefinedName,
                format!("no SPI device named `{device}` is defined (add a [spi.{device}] table)"),
            ));
        }
        if let Some(other) = wiring.spi.get(device) {
            return Err(self.table.value_error(
                "spi",
                ErrorKind::Wiring,
                format!(
                    "SPI device `{device}` (one chip select) already has part `{other}` behind it"
                ),
            ));
        }
        wiring.spi.insert(device.to_owned(), self.name.to_owned());
        Ok(())
    }

    /// A PWM channel at `pwm`: defined and driving one part only.
    pub(crate) fn pwm_channel(
        &self,
        channel: &str,
        names: &Names<'_>,
        wiring: &mut Wiring,
    ) -> Result<(), BoardError> {
        if !names.pwm.contains_key(channel) {
            return Err(self.table.value_error(
                "pwm",
                ErrorKind::UndefinedName,
                format!(
                    "no PWM channel named `{channel}` is defined (add a [pwm.{channel}] table)"
                ),
            ));
        }
        if let Some(other) = wiring.pwm.get(channel) {
            return Err(self.table.value_error(
                "pwm",
                ErrorKind::Wiring,
                format!("PWM channel `{channel}` is already wired to part `{other}`"),
            ));
        }
        wiring.pwm.insert(channel.to_owned(), self.name.to_owned());
        Ok(())
    }
}
