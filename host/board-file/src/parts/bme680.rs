//! `kind = "bme680"`: a temperature, pressure, humidity and gas sensor on I2C, with the air it
//! measures at start.

use super::{Names, PartTable, Wiring};
use crate::error::{BoardError, ErrorKind};

/// The keys of a BME680 part besides `kind` and `name`.
pub(super) const KEYS: &[&str] = &[
    "i2c",
    "address",
    "variant",
    "temperature-c",
    "pressure-pa",
    "humidity-percent",
    "gas-ohms",
];

pub use wasi_hal_policy::parts::Bme680Variant;

crate::document::named_values!(Bme680Variant);

pub use wasi_hal_policy::parts::Conditions;

/// A BME680 part on an I2C bus.
#[derive(Clone, Debug, PartialEq)]
pub struct Bme680Part {
    /// `i2c`: the I2C name it sits on.
    pub bus: String,
    /// `address`: 0x76 (default) or 0x77.
    pub address: u8,
    /// `variant`: `bme680` (default) or `bme688`.
    pub variant: Bme680Variant,
    /// The air it measures at start.
    pub conditions: Conditions,
}

/// Reads a BME680 part and puts it on its bus.
pub(super) fn read(
    part: &PartTable<'_, '_, '_>,
    names: &Names<'_>,
    wiring: &mut Wiring,
) -> Result<Bme680Part, BoardError> {
    let table = part.table;
    let bus = table.get::<String>("i2c")?;
    let address = table.get::<u8>("address")?;
    let variant = table.get::<Bme680Variant>("variant")?;
    let Some(bus) = bus else {
        return Err(table.key_error(
            "i2c",
            ErrorKind::MissingKey,
            "missing required key: the I2C bus the sensor sits on, e.g. i2c = \"i2c0\"",
        ));
    };
    let address = address.unwrap_or(0x76);
    if address != 0x76 && address != 0x77 {
        return Err(table.value_error(
            "address",
            ErrorKind::InvalidValue,
            format!("a BME680 answers at 0x76 or 0x77, not {address:#04x}"),
        ));
    }
    part.i2c_address(&bus, address, names, wiring)?;
    let mut conditions = Conditions::default();
    let ranges: [(&str, &mut f64, f64, f64); 4] = [
        (
            "temperature-c",
            &mut conditions.temperature_celsius,
            -40.0,
            85.0,
        ),
        (
            "pressure-pa",
            &mut conditions.pressure_pa,
            30_000.0,
            110_000.0,
        ),
        (
            "humidity-percent",
            &mut conditions.humidity_percent,
            0.0,
            100.0,
        ),
        ("gas-ohms", &mut conditions.gas_resistance_ohm, 1.0, 1.0e9),
    ];
    for (key, target, min, max) in ranges {
        if let Some(value) = table.get::<f64>(key)? {
            if !(min..=max).contains(&value) {
                return Err(table.value_error(
                    key,
                    ErrorKind::InvalidValue,
                    format!("{value} is outside the sensor's operating range ({min} to {max})"),
                ));
            }
            *target = value;
        }
    }
    Ok(Bme680Part {
        bus,
        address,
        variant: variant.unwrap_or(Bme680Variant::Bme680),
        conditions,
    })
}
