//! A `led:strip` driver component for WS2812B and SK6812 RGBW LED strips on SPI MOSI.
//!
//! Exports `led:strip/strip@0.1.0`; imports `wasi:spi/spi@0.1.0` and
//! `wasi:config/store@0.2.0-rc.1`, nothing else. The strip's data input is wired to the SPI
//! controller's MOSI pin (on a Raspberry Pi, GPIO 10 on header pin 19; SCLK and CS stay
//! unconnected). Each data bit becomes a few SPI bits whose high run is the pulse the strip
//! reads ([`encode`]), chosen for the clock the host grants; `show` sends the whole strip and the
//! reset in one write (split only at the device's `max-transfer-bytes`).
//!
//! # Configuration (`wasi:config/store`; a missing key means the default)
//! | key | default | meaning |
//! | --- | --- | --- |
//! | `strip.spi-device` | `strip` | the virtual name of the SPI device |
//! | `strip.model` | `ws2812b` | `ws2812b` or `sk6812-rgbw` |
//! | `strip.length` | `8` | LEDs on the strip, 1 to 4096 |
//! | `strip.spi-frequency-hz` | 2400000 (WS2812B), 3200000 (SK6812) | SPI clock to ask for |
//!
//! An invalid value, or a clock in force at which no encoding fits, makes `open` fail with
//! `other` (`not-permitted` when the host refused the clock the driver asked for).
#![no_std]

extern crate alloc;

pub mod encode;

#[cfg(target_arch = "wasm32")]
mod component;
