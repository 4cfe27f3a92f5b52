//! `sensor:environment` served by the host itself, for sensors the Linux kernel reads.
//!
//! Some sensors need timing no guest can get: a DHT22 answers in pulses of 26-70 µs, which Linux
//! measures in an interrupt handler (its `dht11` driver). Linux already has drivers for many
//! environmental sensors (dht11 for the DHT11/DHT22, bme680, bme280, ...) and shows their readings
//! through IIO in sysfs. This crate gives a guest the `sensor:environment/environment@0.1.0`
//! import straight from such a device ([`SysfsIio`]) or any other [`EnvironmentSource`] (a
//! simulated part), so an app cannot tell a kernel sensor from a driver component: the same
//! weather app runs on the BME680 driver component or on the kernel's DHT22.
//!
//! Every guest store gets a [`WasiIioCtx`] built with [`WasiIioCtx::builder`], and
//! [`add_to_linker`] gives a [`Linker`] the interface. Errors the device reports come back to the
//! guest as `sensor:environment` error codes (`EIO` is `bus-error`); host faults trap.

mod host;
mod source;
mod sysfs;

pub use source::{EnvironmentSource, Quantities, Reading, SourceError, SourceInfo};
pub use sysfs::{IIO_DEVICES, OpenError, SysfsIio};

use std::fmt;
use std::sync::{Arc, Mutex};
use wasmtime::component::{HasData, Linker, ResourceTable};

mod bindings {
    wasmtime::component::bindgen!({
        // `wit` links to wit/sensor-environment.
        path: "wit",
        world: "sensor:environment/app",
        imports: { default: trappable },
        with: {
            "sensor:environment/environment.sensor": crate::host::Sensor,
        },
        trappable_error_type: {
            "sensor:environment/environment.error-code" => crate::host::SensorError,
        },
    });
}

/// A source shared by the board (which owns the device) and the guest that reads it.
pub type SharedSource = Arc<Mutex<dyn EnvironmentSource>>;

/// One guest's host-provided sensor: the source behind `open`, if the board has one, and
/// whether the guest holds it open.
#[derive(Clone, Default)]
pub struct WasiIioCtx {
    source: Option<SharedSource>,
    open: bool,
}

impl fmt::Debug for WasiIioCtx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WasiIioCtx")
            .field("source", &self.source.is_some())
            .field("open", &self.open)
            .finish()
    }
}

impl WasiIioCtx {
    /// A builder; without a source, `open` answers `not-connected`.
    pub fn builder() -> WasiIioCtxBuilder {
        WasiIioCtxBuilder::default()
    }
}

/// Builds a [`WasiIioCtx`].
#[derive(Default)]
pub struct WasiIioCtxBuilder {
    source: Option<SharedSource>,
}

impl WasiIioCtxBuilder {
    /// Serves `source` to the guest.
    pub fn source(&mut self, source: SharedSource) -> &mut Self {
        self.source = Some(source);
        self
    }

    /// The context. The builder is left empty.
    pub fn build(&mut self) -> WasiIioCtx {
        WasiIioCtx {
            source: self.source.take(),
            open: false,
        }
    }
}

/// The [`HasData`] type of this interface: its data is a [`WasiIioView`].
pub struct WasiIio;

impl HasData for WasiIio {
    type Data<'a> = WasiIioView<'a>;
}

/// What the host functions work on, borrowed from the store's data.
pub struct WasiIioView<'a> {
    /// The guest's sensor.
    pub ctx: &'a mut WasiIioCtx,
    /// The guest's resource table.
    pub table: &'a mut ResourceTable,
}

/// Adds `sensor:environment/environment@0.1.0` to `linker`; `f` finds the view in the store's
/// data.
pub fn add_to_linker<T: Send>(
    linker: &mut Linker<T>,
    f: fn(&mut T) -> WasiIioView<'_>,
) -> wasmtime::Result<()> {
    bindings::sensor::environment::environment::add_to_linker::<T, WasiIio>(linker, f)
}
