//! Every wasi-hal package in one Wasmtime [`Linker`], the way `wasmtime-wasi-http` bundles
//! `wasi:http`: one context for a guest ([`WasiHalCtx`]: its SPI devices, I2C buses, GPIO pins,
//! PWM channels, time base, host-read sensor and `wasi:config` values), one view trait
//! ([`WasiHalView`]) the store's data implements, and one call that links them all
//! ([`add_to_linker_sync`], or [`add_only_hal_to_linker_sync`] for a host without WASI 0.2).
//!
//! A host that links the packages one by one (`wasi_hal_spi::add_to_linker` and so on) still
//! can; this crate is that, done once.
//!
//! # Example
//!
//! ```
//! use wasi_hal_delay::WasiDelayCtx;
//! use wasi_hal_gpio::WasiGpioCtx;
//! use wasi_hal_i2c::WasiI2cCtx;
//! use wasi_hal_iio::WasiIioCtx;
//! use wasi_hal_linker::{WasiHalCtx, WasiHalCtxView, WasiHalView};
//! use wasi_hal_pwm::WasiPwmCtx;
//! use wasi_hal_spi::WasiSpiCtx;
//! use wasmtime_wasi_config::WasiConfigVariables;
//! use wasmtime::component::{Linker, ResourceTable};
//! use wasmtime::{Engine, Store};
//! use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
//!
//! struct Host {
//!     table: ResourceTable,
//!     wasi: WasiCtx,
//!     hal: WasiHalCtx,
//! }
//!
//! impl WasiView for Host {
//!     fn ctx(&mut self) -> WasiCtxView<'_> {
//!         WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
//!     }
//! }
//!
//! impl WasiHalView for Host {
//!     fn hal(&mut self) -> WasiHalCtxView<'_> {
//!         WasiHalCtxView { ctx: &mut self.hal, table: &mut self.table }
//!     }
//! }
//!
//! fn main() -> anyhow::Result<()> {
//!     let engine = Engine::default();
//!     let mut linker = Linker::<Host>::new(&engine);
//!     wasi_hal_linker::add_to_linker_sync(&mut linker)?;
//!     let host = Host {
//!         table: ResourceTable::new(),
//!         wasi: WasiCtx::builder().build(),
//!         // A board fills the contexts (`wasi_hal_board::Board::guest_ctx`); empty here.
//!         hal: WasiHalCtx {
//!             spi: WasiSpiCtx::builder().build(),
//!             i2c: WasiI2cCtx::builder().build(),
//!             gpio: WasiGpioCtx::builder().build(),
//!             pwm: WasiPwmCtx::builder().build(),
//!             delay: WasiDelayCtx::builder().build(),
//!             sensor: WasiIioCtx::builder().build(),
//!             config: WasiConfigVariables::new(),
//!         },
//!     };
//!     let store = Store::new(&engine, host);
//!     // ... instantiate a component with `linker` ...
//!     # drop(store);
//!     Ok(())
//! }
//! ```

use std::fmt;
use wasi_hal_delay::{WasiDelayCtx, WasiDelayView};
use wasi_hal_gpio::{WasiGpioCtx, WasiGpioView};
use wasi_hal_i2c::{WasiI2cCtx, WasiI2cView};
use wasi_hal_iio::{WasiIioCtx, WasiIioView};
use wasi_hal_pwm::{WasiPwmCtx, WasiPwmView};
use wasi_hal_spi::{WasiSpiCtx, WasiSpiView};
use wasmtime::component::{Linker, ResourceTable};
use wasmtime_wasi::WasiView;
use wasmtime_wasi_config::{WasiConfig, WasiConfigVariables};

/// Everything one guest gets: one context per wasi-hal package and its `wasi:config` values.
/// Dropping it releases every device the guest holds and restores its outputs to their safe
/// levels.
pub struct WasiHalCtx {
    /// `wasi:spi`.
    pub spi: WasiSpiCtx,
    /// `wasi:i2c`.
    pub i2c: WasiI2cCtx,
    /// `wasi:gpio`.
    pub gpio: WasiGpioCtx,
    /// `wasi:pwm`.
    pub pwm: WasiPwmCtx,
    /// `wasi:delay`.
    pub delay: WasiDelayCtx,
    /// `sensor:environment` served by the host (a kernel IIO sensor or a simulated DHT22);
    /// without a source, the guest's `open` answers `not-connected`.
    pub sensor: WasiIioCtx,
    /// `wasi:config/store` values.
    pub config: WasiConfigVariables,
}

impl fmt::Debug for WasiHalCtx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `WasiConfigVariables` does not show its values.
        f.debug_struct("WasiHalCtx")
            .field("spi", &self.spi)
            .field("i2c", &self.i2c)
            .field("gpio", &self.gpio)
            .field("pwm", &self.pwm)
            .field("delay", &self.delay)
            .field("sensor", &self.sensor)
            .finish_non_exhaustive()
    }
}

/// What the host functions work on: the guest's [`WasiHalCtx`] and the [`ResourceTable`] its
/// open devices live in (the same table as WASI's, usually).
pub struct WasiHalCtxView<'a> {
    /// The guest's contexts.
    pub ctx: &'a mut WasiHalCtx,
    /// The table open devices, buses and pins live in.
    pub table: &'a mut ResourceTable,
}

/// A store's data that holds a [`WasiHalCtx`].
pub trait WasiHalView: Send {
    /// The guest's contexts and resource table, borrowed from the store's data.
    fn hal(&mut self) -> WasiHalCtxView<'_>;
}

/// Adds WASI 0.2 (`wasmtime_wasi::p2::add_to_linker_sync`), `wasi:config/store` and every
/// wasi-hal package (`wasi:spi`, `wasi:i2c`, `wasi:gpio`, `wasi:pwm`, `wasi:delay`, and the
/// host-served `sensor:environment`) to `linker`: what `wasi-hal run` links.
pub fn add_to_linker_sync<T: WasiHalView + WasiView + 'static>(
    linker: &mut Linker<T>,
) -> anyhow::Result<()> {
    wasmtime_wasi::p2::add_to_linker_sync(linker)?;
    add_only_hal_to_linker_sync(linker)
}

/// Adds `wasi:config/store` and every wasi-hal package to `linker`, without WASI 0.2: for a
/// host whose guests import nothing else (or that links WASI some other way).
pub fn add_only_hal_to_linker_sync<T: WasiHalView + 'static>(
    linker: &mut Linker<T>,
) -> anyhow::Result<()> {
    wasmtime_wasi_config::add_to_linker(linker, |s: &mut T| WasiConfig::from(&s.hal().ctx.config))?;
    wasi_hal_spi::add_to_linker(linker, |s: &mut T| {
        let view = s.hal();
        WasiSpiView {
            ctx: &mut view.ctx.spi,
            table: view.table,
        }
    })?;
    wasi_hal_i2c::add_to_linker(linker, |s: &mut T| {
        let view = s.hal();
        WasiI2cView {
            ctx: &mut view.ctx.i2c,
            table: view.table,
        }
    })?;
    wasi_hal_gpio::add_to_linker(linker, |s: &mut T| {
        let view = s.hal();
        WasiGpioView {
            ctx: &mut view.ctx.gpio,
            table: view.table,
        }
    })?;
    wasi_hal_pwm::add_to_linker(linker, |s: &mut T| {
        let view = s.hal();
        WasiPwmView {
            ctx: &mut view.ctx.pwm,
            table: view.table,
        }
    })?;
    wasi_hal_delay::add_to_linker(linker, |s: &mut T| {
        let view = s.hal();
        WasiDelayView {
            ctx: &mut view.ctx.delay,
            table: view.table,
        }
    })?;
    wasi_hal_iio::add_to_linker(linker, |s: &mut T| {
        let view = s.hal();
        WasiIioView {
            ctx: &mut view.ctx.sensor,
            table: view.table,
        }
    })?;
    Ok(())
}
