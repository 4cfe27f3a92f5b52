//! The `display:pixels` semantics over a Solomon Systech SSD1306, shared by the driver
//! components `ssd1306-i2c`, `ssd1306-spi` and `pmod-oled`.
//!
//! This crate has no WIT types and no bus of its own: it is plain `no_std` Rust over
//! embedded-hal 1.0, so it runs inside a component (through `embedded-hal-wasi`) and in native
//! unit tests alike. The pieces:
//!
//! - [`PanelSize`]: the glass sizes an SSD1306 drives (128x64, 128x32, 96x16, 72x40, 64x48, 64x32),
//!   with the column offsets of the small ones (as the `ssd1306` crate's `size.rs` has them).
//! - [`mono1`]: the packed pixel format of `display:pixels` (rows top to bottom, each row on a
//!   byte boundary, most significant bit = leftmost pixel).
//! - [`Gddram`]: the driver's copy of the picture in GDDRAM layout (one byte = 8 rows of one
//!   column, bit 0 = top row of the page) with the area that changed since the last presentation.
//! - [`command`]: the command bytes, the initialisation sequence and the address window.
//! - [`Interface`] with [`I2cInterface`] (control bytes 0x00 / 0x40) and [`SpiInterface`]
//!   (4-wire SPI with a D/C# line), and [`reset`] for a RES# pulse.
//! - [`Ssd1306`]: `write-region`, `fill-rect`, `present`, `present-region` (also with the
//!   pixels in 64-bit words, `word-pixels`), power and brightness, with bounds and length
//!   checks.
//! - [`config`]: parsing of the configuration values the driver components read.
//!
//! See `docs/drivers.md` for the driver components built on it.
//!
//! # Bus traffic
//! The controller runs in horizontal addressing mode. Presenting sets the column and page
//! window to the bounding box of the bytes that changed (`0x21 start end`, `0x22 start end`, one
//! command transfer) and sends the box's bytes in one data transfer: two transfers per
//! presentation, none when nothing changed. After a data transfer fills a window the
//! controller's pointer is back at its start, so a presentation of the same window is the data
//! transfer alone; the window goes again at least once in every [`RESYNC_PRESENTATIONS`].
#![no_std]

extern crate alloc;

pub mod command;
pub mod config;
mod display;
mod gddram;
mod interface;
pub mod mono1;
mod panel;

pub use display::{RESYNC_PRESENTATIONS, Ssd1306};
pub use gddram::{Dirty, Gddram};
pub use interface::{
    CONTROL_COMMANDS, CONTROL_DATA, I2cInterface, Interface, SpiInterface, i2c_error_kind,
    pin_error_kind, reset, spi_error_kind,
};
pub use panel::PanelSize;
pub use wasi_hal_driver_support::display::{DisplayDevice, Error, Rect};
