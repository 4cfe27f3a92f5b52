//! The virtual board of `boards/sim-weather-dht22.toml` as a component: a simulated DHT22 that the
//! board reads itself, as the host reads it through Linux's `dht11` IIO driver, exported as
//! `sensor:environment` (model `dht11`, temperature and humidity, `EIO` as `bus-error`), and a
//! simulated SSD1306 128x64 at 0x3C on I2C, with the board file's policy and `[config]`. The
//! `weather-station` app and the `ssd1306-i2c` driver composed onto it behave as on `wasi-hal
//! run`; every frame the display shows is written to stdout.
//!
//! Composed by `compositions/weather-dht22-ssd1306-virtual.wac`; see `docs/hosts.md`.

// `fn spec()`: the wiring of `boards/sim-weather-dht22.toml`, read by the build script.
include!(concat!(env!("OUT_DIR"), "/spec.rs"));

virtual_board::export_board!(spec());
