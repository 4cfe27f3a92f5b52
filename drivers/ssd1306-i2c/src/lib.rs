//! A `display:pixels` driver component for an SSD1306 OLED on I2C.
//!
//! Exports `display:pixels/display@0.1.1`; imports `wasi:i2c/i2c@0.1.0` and
//! `wasi:config/store@0.2.0-rc.1`, nothing else. Each transfer is one I2C write of a control
//! byte (0x00 commands, 0x40 data) and the bytes; transfers longer than the bus's
//! `max-transfer-bytes` are split.
//!
//! # Configuration (`wasi:config/store`; a missing key means the default)
//! | key | default | meaning |
//! | --- | --- | --- |
//! | `display.i2c-bus` | `i2c0` | the virtual name of the I2C bus |
//! | `display.address` | `0x3c` | the controller's address: `0x3c` or `0x3d` (or `60`, `61`) |
//! | `display.panel` | `128x64` | `128x64`, `128x32`, `96x16`, `72x40`, `64x48` or `64x32` |
//!
//! An invalid value makes `open` fail with `other`.
#![no_std]

extern crate alloc;

use component_runtime as _;

use embedded_hal_wasi::i2c::Bus;
use ssd1306_core::{Error, I2cInterface, PanelSize, Ssd1306, config};
use wasi_hal_driver_support::config::{parsed, text_or};
use wasi_hal_driver_support::i2c_error;

/// The open display.
type Display = Ssd1306<I2cInterface<Bus>>;

fn open() -> Result<Display, Error> {
    let bus_name = text_or("display.i2c-bus", "i2c0")?;
    let address = parsed("display.address", "0x3c", config::parse_i2c_address)?;
    let panel = parsed("display.panel", "128x64", |v| {
        PanelSize::from_name(v.trim())
    })?;
    let bus = Bus::open(&bus_name).map_err(|e| i2c_error::<Error>(&e))?;
    let max = usize::try_from(bus.max_transfer_bytes()).unwrap_or(usize::MAX);
    let iface = I2cInterface::new(bus, address)
        .with_max_transfer(max)
        .with_error_map(i2c_error);
    let mut display = Ssd1306::new(iface, panel);
    display.init()?;
    Ok(display)
}

wasi_hal_driver_support::export_display!(Display, open);
