//! The glue every wasi-hal driver component shares, written once.
//!
//! A driver component imports its buses (through `embedded-hal-wasi`), `wasi:delay` and
//! `wasi:config`, and exports one device class. Around its own logic it needs the same few
//! pieces each time; they live here:
//!
//! - [`config`]: reading `wasi:config/store` values, with defaults and errors that name the key.
//! - [`SingleOpen`]: the guard that lets a component open its one device once at a time.
//! - [`Fault`]: what a bus error means to a device, the same for every bus and device class;
//!   [`spi_error`], [`i2c_error`] and [`pin_error`] map the bus errors of `embedded-hal-wasi`
//!   into any device error that converts from it.
//! - [`display`]: the `display:pixels` error and rectangle without WIT types, the
//!   [`PixelDevice`](display::PixelDevice) trait a display driver implements, and (feature
//!   `display-pixels`) the export bindings, generated once, with
//!   [`export_display!`](crate::export_display) to export a driver.
//!
//! The crate is `no_std` (with `alloc`), like the drivers.
#![no_std]

extern crate alloc;

pub mod config;
pub mod display;
mod fault;
mod single_open;

pub use fault::{Fault, i2c_error, i2c_fault, pin_error, pin_fault, spi_error, spi_fault};
pub use single_open::{OpenClaim, SingleOpen};
