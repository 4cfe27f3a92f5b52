//! A `display:pixels` driver component for an SSD1306 OLED on 4-wire SPI.
//!
//! Exports `display:pixels/display@0.1.1`; imports `wasi:spi/spi@0.1.0`,
//! `wasi:gpio/gpio@0.1.0`, `wasi:delay/delay@0.1.0` and `wasi:config/store@0.2.0-rc.1`,
//! nothing else. Commands go with the D/C# output low, pixel data with it high; each transfer
//! is one SPI write (split only at the device's `max-transfer-bytes`). The bus is asked for
//! mode 0, MSB first, at the configured clock. With a RES# output, `open` pulses it low for
//! 1 ms before initialising.
//!
//! # Configuration (`wasi:config/store`; a missing key means the default)
//! | key | default | meaning |
//! | --- | --- | --- |
//! | `display.spi-device` | `display` | the virtual name of the SPI device |
//! | `display.dc` | `display-dc` | the D/C# output pin |
//! | `display.reset` | `display-reset` | the RES# output pin; `none` (or empty) for none. When the key is missing and the host offers no such pin, the display is used without reset |
//! | `display.panel` | `128x64` | `128x64`, `128x32`, `96x16`, `72x40`, `64x48` or `64x32` |
//! | `display.spi-frequency-hz` | `10000000` | SPI clock to ask for, 1 to 10000000 (the SSD1306's 100 ns cycle) |
//!
//! An invalid value makes `open` fail with `other`.
#![no_std]

extern crate alloc;

use component_runtime as _;

use embedded_hal_wasi::delay::Delay;
use embedded_hal_wasi::gpio::{self, Level, OutputPin};
use embedded_hal_wasi::spi::Device;
use ssd1306_core::{Error, PanelSize, SpiInterface, Ssd1306, config};
use wasi_hal_driver_support::config::{parsed, text, text_or};
use wasi_hal_driver_support::display::open_spi;
use wasi_hal_driver_support::{pin_error, spi_error};

/// The open display, holding its RES# pin.
type Display = Ssd1306<SpiInterface<Device, OutputPin>>;

fn open() -> Result<Display, Error> {
    let device_name = text_or("display.spi-device", "display")?;
    let dc_name = text_or("display.dc", "display-dc")?;
    let reset_key = text("display.reset")?;
    let panel = parsed("display.panel", "128x64", |v| {
        PanelSize::from_name(v.trim())
    })?;

    let (device, max) = open_spi(&device_name, config::spi_frequency_hz()?)?;
    let dc = OutputPin::open(&dc_name, Level::Low).map_err(|e| pin_error::<Error>(&e))?;
    let mut reset = match &reset_key {
        // Named explicitly: it must be there.
        Some(value) => match config::optional_name(value) {
            Some(name) => {
                Some(OutputPin::open(name, Level::High).map_err(|e| pin_error::<Error>(&e))?)
            }
            None => None,
        },
        // The default name: used when the host offers it.
        None => match OutputPin::open("display-reset", Level::High) {
            Ok(pin) => Some(pin),
            Err(gpio::Error(gpio::ErrorCode::PinNotAllowed)) => None,
            Err(e) => return Err(pin_error(&e)),
        },
    };
    if let Some(res) = reset.as_mut() {
        ssd1306_core::reset(res, &mut Delay).map_err(|e| pin_error::<Error>(&e))?;
    }
    let iface = SpiInterface::new(device, dc)
        .with_dc_level(false)
        .with_max_transfer(max)
        .with_error_maps(spi_error, pin_error)
        .with_reset_held(reset);
    let mut display = Ssd1306::new(iface, panel);
    display.init()?;
    Ok(display)
}

wasi_hal_driver_support::export_display!(Display, open);
