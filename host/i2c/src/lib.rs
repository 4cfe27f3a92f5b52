//! The `wasi:i2c@0.1.0` interface for Wasmtime hosts.
//!
//! A board creates each I2C bus once, as a [`SharedI2cBus`]: a backend (anything that
//! implements embedded-hal 1.0's [`I2c`](embedded_hal::i2c::I2c), such as the simulated
//! board's simulated I2C bus, or on Linux an i2c-dev bus) and the board's
//! [`I2cPolicy`] for it. For every guest it builds a [`WasiI2cCtx`] that offers some of those
//! buses under virtual names, and [`add_to_linker`] gives a [`Linker`] the interface's
//! functions.
//!
//! What the host enforces:
//! - A name the guest's context does not offer is refused with `not-permitted`; a bus held by
//!   another guest's context with `in-use`. One guest may open the same bus several times.
//! - An address the [`I2cPolicy`] does not allow (the general call 0 unless listed, anything
//!   above 0x7f always) is refused with `address-not-permitted`: nothing reaches the bus.
//! - A call that would move more than [`I2cPolicy::max_transfer_bytes`] (the sum over a
//!   transaction's segments) is refused with `too-large` before anything is allocated.
//! - One guest call is exactly one [`I2cBackend::transaction`] (one `I2C_RDWR` ioctl on
//!   Linux). An empty transaction does not touch the bus.
//! - Errors the guest caused or the bus reported come back as `error-code`; host faults (such
//!   as a handle missing from the [`ResourceTable`]) trap.
//!
//! # Example
//!
//! ```
//! use wasi_hal_i2c::{I2cPolicy, SharedI2cBus, WasiI2cCtx, WasiI2cView};
//! use wasi_hal_sim::{SimClock, SimI2cBus, Trace};
//! use wasmtime::component::{Linker, ResourceTable};
//! use wasmtime::{Engine, Store};
//!
//! struct HostState {
//!     i2c: WasiI2cCtx,
//!     table: ResourceTable,
//! }
//!
//! fn main() -> anyhow::Result<()> {
//!     // Once per board: any embedded-hal `I2c` will do; here the simulated board's bus.
//!     let sim = SimI2cBus::new("i2c-1", SimClock::new(), Trace::new());
//!     let bus = SharedI2cBus::from_hal(sim, I2cPolicy::default());
//!     let engine = Engine::default();
//!     let mut linker = Linker::<HostState>::new(&engine);
//!     wasi_hal_i2c::add_to_linker(&mut linker, |s| WasiI2cView {
//!         ctx: &mut s.i2c,
//!         table: &mut s.table,
//!     })?;
//!
//!     // Once per guest.
//!     let state = HostState {
//!         i2c: WasiI2cCtx::builder().bus("sensors", &bus).build(),
//!         table: ResourceTable::new(),
//!     };
//!     let store = Store::new(&engine, state);
//!     // ... instantiate a component that imports `wasi:i2c/i2c@0.1.0` with `linker` ...
//!     # drop(store);
//!     Ok(())
//! }
//! ```

mod backend;
mod bus;
mod host;
#[cfg(all(feature = "linux", target_os = "linux"))]
mod linux;
mod policy;

pub use backend::{Hal, I2cBackend};
pub use bus::{SharedI2cBus, WasiI2cCtx, WasiI2cCtxBuilder};
#[cfg(all(feature = "linux", target_os = "linux"))]
pub use linux::{
    I2C_RDWR_MAX_MESSAGE_BYTES, I2C_RDWR_MAX_MESSAGES, LinuxI2cBus, i2c_error_from_errno,
};
pub use policy::{I2cError, NoAcknowledgeSource};
pub use wasi_hal_policy::i2c::{AllowedAddresses, I2cPolicy};

use wasmtime::component::{HasData, Linker, ResourceTable};

mod bindings {
    wasmtime::component::bindgen!({
        // `wit` links to wit/wasi-i2c: inside the crate, so the packaged crate has it too.
        path: "wit",
        world: "wasi:i2c/imports",
        imports: { default: trappable },
        // Functions that return `result<_, error-code>` return `Result<_, I2cHostError>`
        // (Wasmtime's `wasmtime_wasi::TrappableError<ErrorCode>`, as the wasi-* crates use): a
        // guest-caused error becomes the WIT error, a host fault traps.
        trappable_error_type: {
            "wasi:i2c/i2c.error-code" => crate::host::I2cHostError,
        },
        with: {
            "wasi:i2c/i2c.bus": crate::host::Bus,
        },
    });
}

/// The [`HasData`] type of this interface: its data is a [`WasiI2cView`].
pub struct WasiI2c;

impl HasData for WasiI2c {
    type Data<'a> = WasiI2cView<'a>;
}

/// What the host functions work on: the guest's [`WasiI2cCtx`] and its [`ResourceTable`],
/// borrowed from the store's data.
pub struct WasiI2cView<'a> {
    /// The guest's buses.
    pub ctx: &'a mut WasiI2cCtx,
    /// The table open buses live in.
    pub table: &'a mut ResourceTable,
}

/// Adds `wasi:i2c/i2c@0.1.0` to `linker`; `f` finds the view in the store's data.
pub fn add_to_linker<T: Send>(
    linker: &mut Linker<T>,
    f: fn(&mut T) -> WasiI2cView<'_>,
) -> anyhow::Result<()> {
    bindings::wasi::i2c::i2c::add_to_linker::<T, WasiI2c>(linker, f)?;
    Ok(())
}
