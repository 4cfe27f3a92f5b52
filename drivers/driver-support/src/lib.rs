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

use embedded_hal_wasi::spi;

/// Asks the host for `requested` bus settings: the settings in force afterwards, and whether the
/// host refused (`not-permitted`: a board that does not let guests configure this device, or a
/// setting its policy refuses), in which case its own settings stay and the driver decides
/// whether it can use them. Any other error is the bus's.
pub fn request_spi_config(
    device: &mut spi::Device,
    requested: spi::Config,
) -> Result<(spi::Config, bool), spi::Error> {
    match device.configure(requested) {
        Ok(config) => Ok((config, false)),
        Err(spi::Error(spi::ErrorCode::NotPermitted)) => Ok((device.config(), true)),
        Err(e) => Err(e),
    }
}
