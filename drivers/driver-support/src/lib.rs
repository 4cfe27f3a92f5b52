//! The glue every wasi-hal driver component shares, written once: [`config`] values from
//! `wasi:config/store` with errors that name the key, the [`SingleOpen`] guard, [`Fault`] and the
//! bus error maps into any device error, and the `display:pixels` class in [`display`] (its
//! export bindings, generated once, behind the feature `display-pixels`). See docs/drivers.md.
#![no_std]

extern crate alloc;

pub mod config;
pub mod display;
mod fault;
mod single_open;

pub use fault::{Fault, i2c_error, pin_error, spi_error};
pub use single_open::{OpenClaim, SingleOpen};
