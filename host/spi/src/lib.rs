//! The `wasi:spi@0.1.0` interface for Wasmtime hosts.
//!
//! A board creates each SPI device once, as a [`SharedSpiDevice`]: a backend (anything that
//! implements embedded-hal 1.0's [`SpiDevice`](embedded_hal::spi::SpiDevice), the simulated
//! board's simulated SPI device, or on Linux a spidev device) and the
//! board's [`SpiPolicy`] for it. For every guest it builds a [`WasiSpiCtx`] that offers some of
//! those devices under virtual names, and [`add_to_linker`] gives a [`Linker`] the interface's
//! functions.
//!
//! What the host enforces:
//! - A name the guest's context does not offer is refused with `not-permitted`; a device held
//!   by another guest's context with `in-use` (the same guest may open a device again).
//! - `configure` applies the [`SpiPolicy`]: allowed modes and bit order, the maximum frequency
//!   (clamped or refused), or fixed board settings; it returns the settings in force.
//! - A call that would move more than [`SpiPolicy::max_transfer_bytes`] (the sum over a
//!   transaction's operations) is refused with `too-large` before anything is allocated.
//! - One guest call is exactly one [`SpiBackend::transaction`]: one chip-select period, one
//!   ioctl on Linux (see [`LinuxSpiDevice`] for what happens above spidev's message size).
//! - Errors the guest caused or the device reported come back as `error-code`; host faults
//!   (such as a handle missing from the [`ResourceTable`]) trap.
//!
//! # Example
//!
//! ```
//! use embedded_hal::spi::{ErrorType, Operation, SpiDevice};
//! use wasi_hal_spi::{SharedSpiDevice, SpiPolicy, WasiSpiCtx, WasiSpiView};
//! use wasmtime::component::{Linker, ResourceTable};
//! use wasmtime::{Engine, Store};
//!
//! /// A device that answers with zeros: any embedded-hal `SpiDevice` will do.
//! struct Quiet;
//! impl ErrorType for Quiet {
//!     type Error = core::convert::Infallible;
//! }
//! impl SpiDevice for Quiet {
//!     fn transaction(&mut self, _ops: &mut [Operation<'_, u8>]) -> Result<(), Self::Error> {
//!         Ok(())
//!     }
//! }
//!
//! struct HostState {
//!     spi: WasiSpiCtx,
//!     table: ResourceTable,
//! }
//!
//! fn main() -> anyhow::Result<()> {
//!     // Once per board.
//!     let display = SharedSpiDevice::from_hal(Quiet, SpiPolicy::default());
//!     let engine = Engine::default();
//!     let mut linker = Linker::<HostState>::new(&engine);
//!     wasi_hal_spi::add_to_linker(&mut linker, |s| WasiSpiView {
//!         ctx: &mut s.spi,
//!         table: &mut s.table,
//!     })?;
//!
//!     // Once per guest.
//!     let state = HostState {
//!         spi: WasiSpiCtx::builder().device("display", &display).build(),
//!         table: ResourceTable::new(),
//!     };
//!     let store = Store::new(&engine, state);
//!     // ... instantiate a component that imports `wasi:spi/spi@0.1.0` with `linker` ...
//!     # drop(store);
//!     Ok(())
//! }
//! ```

mod backend;
mod device;
mod host;
#[cfg(all(feature = "linux", target_os = "linux"))]
mod linux;
mod policy;

pub use backend::{Hal, HalWithSettings, SpiBackend};
pub use device::{SharedSpiDevice, WasiSpiCtx, WasiSpiCtxBuilder};
#[cfg(all(feature = "linux", target_os = "linux"))]
pub use linux::{DEFAULT_SPIDEV_BUFSIZ, LinuxSpiDevice, spi_error_from_errno, spidev_bufsiz};
pub use policy::SpiError;
pub use wasi_hal_policy::spi::{
    AboveMaximum, ApplySpiSettings, BitOrder, ConfigRefused, SpiConfig, SpiMode, SpiPolicy,
};

use wasmtime::component::{HasData, Linker, ResourceTable};

mod bindings {
    wasmtime::component::bindgen!({
        // `wit` links to wit/wasi-spi: inside the crate, so the packaged crate has it too.
        path: "wit",
        world: "wasi:spi/imports",
        imports: { default: trappable },
        // Functions that return `result<_, error-code>` return `Result<_, SpiHostError>`
        // (Wasmtime's `wasmtime_wasi::TrappableError<ErrorCode>`, as the wasi-* crates use): a
        // guest-caused error becomes the WIT error, a host fault traps.
        trappable_error_type: {
            "wasi:spi/spi.error-code" => crate::host::SpiHostError,
        },
        with: {
            "wasi:spi/spi.device": crate::host::Device,
        },
    });
}

/// The [`HasData`] type of this interface: its data is a [`WasiSpiView`].
pub struct WasiSpi;

impl HasData for WasiSpi {
    type Data<'a> = WasiSpiView<'a>;
}

/// What the host functions work on: the guest's [`WasiSpiCtx`] and its [`ResourceTable`],
/// borrowed from the store's data.
pub struct WasiSpiView<'a> {
    /// The guest's devices.
    pub ctx: &'a mut WasiSpiCtx,
    /// The table open devices live in.
    pub table: &'a mut ResourceTable,
}

/// Adds `wasi:spi/spi@0.1.0` to `linker`; `f` finds the view in the store's data.
pub fn add_to_linker<T: Send>(
    linker: &mut Linker<T>,
    f: fn(&mut T) -> WasiSpiView<'_>,
) -> anyhow::Result<()> {
    bindings::wasi::spi::spi::add_to_linker::<T, WasiSpi>(linker, f)?;
    Ok(())
}
