//! The virtual board of `boards/sim-weather.toml` as a component: a simulated BME680 at 0x76
//! and a simulated SSD1306 128x64 at 0x3C on one I2C bus `i2c0`, with the board file's policy
//! and `[config]`, so the `bme680` and `ssd1306-i2c` drivers and the `weather-station` app
//! composed onto it behave as on `wasi-hal run`.
//!
//! Composed by `compositions/weather-bme680-ssd1306-virtual.wac`; see `docs/hosts.md`.

use virtual_board::{AllowedAddresses, BoardSpec, I2cPolicy, I2cSpec, PartSpec};
use wasi_hal_sim::bme680::Conditions;
use wasi_hal_sim::ssd1306::Panel;

/// The board file's wiring.
fn spec() -> BoardSpec {
    BoardSpec {
        name: "sim-weather",
        spi: Vec::new(),
        i2c: vec![I2cSpec {
            name: "i2c0",
            policy: I2cPolicy {
                allowed_addresses: AllowedAddresses::Only(vec![0x3c, 0x76]),
                max_transfer_bytes: 4096,
            },
            frequency_hz: 400_000,
        }],
        gpio: Vec::new(),
        parts: vec![
            PartSpec::Bme680 {
                name: "sensor",
                bus: "i2c0",
                address: 0x76,
                conditions: Conditions {
                    temperature_celsius: 21.5,
                    pressure_pa: 101_325.0,
                    humidity_percent: 45.0,
                    gas_resistance_ohm: 120_000.0,
                },
            },
            PartSpec::Ssd1306I2c {
                name: "display",
                panel: Panel::W128H64,
                bus: "i2c0",
                address: 0x3c,
            },
        ],
        // As the board file's [config], in key order, numbers in decimal.
        config: vec![
            ("display.address", "60"),
            ("display.i2c-bus", "i2c0"),
            ("display.panel", "128x64"),
            ("sensor.address", "118"),
            ("sensor.i2c-bus", "i2c0"),
        ],
    }
}

virtual_board::export_board!(spec());
