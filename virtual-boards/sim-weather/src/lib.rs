//! The virtual board of `boards/sim-weather.toml` as a component: a simulated BME680 at 0x76
//! and a simulated SSD1306 128x64 at 0x3C on one I2C bus `i2c0`, with the board file's policy
//! and `[config]`, so the `bme680` and `ssd1306-i2c` drivers and the `weather-station` app
//! composed onto it behave as on `wasi-hal run`.
//!
//! Composed by `compositions/weather-bme680-ssd1306-virtual.wac`; see `docs/hosts.md`.

// `fn spec()`: the wiring of `boards/sim-weather.toml`, read by the build script.
include!(concat!(env!("OUT_DIR"), "/spec.rs"));

virtual_board::export_board!(spec());
