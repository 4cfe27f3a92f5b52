//! A `display:pixels` driver component for the Digilent Pmod OLEDrgb: an SSD1331 with a 96x64
//! RGB panel on SPI, plus three outputs: D/C#, RES# (active low) and VCCEN (the panel's 13 V
//! supply, active high), and optionally PMODEN (the module's logic supply, active high).
//!
//! Exports `display:pixels/display@0.1.1` in the `rgb565` format; imports `wasi:spi/spi@0.1.0`,
//! `wasi:gpio/gpio@0.1.0`, `wasi:delay/delay@0.1.0` and `wasi:config/store@0.2.0-rc.1`, nothing
//! else. The frame is kept in the driver; a presentation sends the rectangle that changed.
//!
//! # Power sequences (Digilent's reference driver, waits through `wasi:delay`)
//! - Up (`open`, and `set-power(true)` after a power-down): PMODEN high, 20 ms; RES# low 1 ms,
//!   high, 1 ms; [`controller::INIT`] and the whole frame; VCCEN high, 25 ms; display on (`AF`),
//!   100 ms.
//! - Down (`set-power(false)`, and when the display is dropped powered): display off (`AE`);
//!   VCCEN low, 400 ms; PMODEN low.
//!
//! # Configuration (`wasi:config/store`; a missing key means the default)
//! | key | default | meaning |
//! | --- | --- | --- |
//! | `display.spi-device` | `oledrgb` | the virtual name of the SPI device |
//! | `display.dc` | `oledrgb-dc` | the D/C# output pin |
//! | `display.reset` | `oledrgb-res` | the RES# output pin |
//! | `display.vccen` | `oledrgb-vccen` | the panel supply enable |
//! | `display.pmoden` | `oledrgb-pmoden` | the logic supply enable; `none` when it is wired to 3V3 |
//! | `display.spi-frequency-hz` | `6666666` | SPI clock to ask for, 1 to 6666666 (150 ns) |
//!
//! An invalid value makes `open` fail with `other`.
#![no_std]

extern crate alloc;

pub mod controller;

#[cfg(target_arch = "wasm32")]
mod component;
