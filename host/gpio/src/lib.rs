//! The `wasi:gpio@0.1.0` interface for Wasmtime hosts.
//!
//! A board creates each pin once, as a [`SharedPin`]: a backend (an embedded-hal 1.0
//! [`OutputPin`](embedded_hal::digital::OutputPin) and/or
//! [`InputPin`](embedded_hal::digital::InputPin), a simulated line (a [`RecordedLine`]),
//! or on Linux a line of a GPIO character device) and the board's [`PinPolicy`] for it. For
//! every guest it builds a [`WasiGpioCtx`] that offers some of those pins under virtual names,
//! and [`add_to_linker`] gives a [`Linker`] the interface's functions.
//!
//! What the host enforces:
//! - A name the guest's context does not offer is refused with `pin-not-allowed`, a direction
//!   the policy (or the backend) does not allow with `mode-not-allowed`, and a pin that an open
//!   handle holds (of this guest or another) with `already-in-use`.
//! - Safe levels: when the handle that drove a pin as an output lets it go, the pin returns to
//!   [`PinPolicy::safe_level`]. That happens when the guest drops the handle, when its store
//!   (with its [`WasiGpioCtx`]) is dropped, which is what a host does after a trap, or when
//!   the host calls [`WasiGpioCtx::release_all`] because it keeps a trapped store.
//! - `wait-for-edge` counts edges since the pin was opened or the previous wait returned. On
//!   a simulated line in virtual time it looks at the line's history and otherwise lets the
//!   timeout pass in virtual time at once (see [`SimPin`]); real pins are polled or, on Linux,
//!   wait for the kernel's edge events.
//! - Errors the guest caused or the pin reported come back as `error-code`; host faults (such
//!   as a handle missing from the [`ResourceTable`]) trap.
//!
//! # Example
//!
//! ```
//! use wasi_hal_delay::DelayBackend;
//! use wasi_hal_gpio::{Level, PinModes, PinPolicy, SharedPin, WasiGpioCtx, WasiGpioView};
//! use wasi_hal_sim::{SimClock, SimLine, Trace};
//! use wasmtime::component::{Linker, ResourceTable};
//! use wasmtime::{Engine, Store};
//!
//! struct HostState {
//!     gpio: WasiGpioCtx,
//!     table: ResourceTable,
//! }
//!
//! fn main() -> anyhow::Result<()> {
//!     // Once per board: here a line of the simulated board.
//!     let clock = SimClock::new();
//!     let line = SimLine::new("led", false, clock.clone(), Trace::new());
//!     let policy = PinPolicy {
//!         modes: PinModes::OUTPUT,
//!         initial_level: Some(Level::Low),
//!         safe_level: Level::Low,
//!     };
//!     let led = SharedPin::from_sim_line(line, DelayBackend::virtual_time(clock), policy)?;
//!     let engine = Engine::default();
//!     let mut linker = Linker::<HostState>::new(&engine);
//!     wasi_hal_gpio::add_to_linker(&mut linker, |s| WasiGpioView {
//!         ctx: &mut s.gpio,
//!         table: &mut s.table,
//!     })?;
//!
//!     // Once per guest.
//!     let state = HostState {
//!         gpio: WasiGpioCtx::builder().pin("led", &led).build(),
//!         table: ResourceTable::new(),
//!     };
//!     let store = Store::new(&engine, state);
//!     // ... instantiate a component that imports `wasi:gpio/gpio@0.1.0` with `linker` ...
//!     # drop(store);
//!     Ok(())
//! }
//! ```

mod backend;
mod host;
#[cfg(all(feature = "linux", target_os = "linux"))]
mod linux;
mod pin;
mod policy;

pub use backend::{GpioBackend, HalInOut, HalInput, HalOutput, SimPin};
#[cfg(all(feature = "linux", target_os = "linux"))]
pub use linux::{LinuxGpioLine, gpio_error_from_errno};
pub use pin::{SharedPin, WasiGpioCtx, WasiGpioCtxBuilder};
pub use policy::{Edge, GpioError};
pub use wasi_hal_policy::gpio::{Level, PinMode, PinModes, PinPolicy, RecordedLine};

use wasmtime::component::{HasData, Linker, ResourceTable};

mod bindings {
    wasmtime::component::bindgen!({
        // `wit` links to wit/wasi-gpio: inside the crate, so the packaged crate has it too.
        path: "wit",
        world: "wasi:gpio/imports",
        imports: { default: trappable },
        // Functions that return `result<_, error-code>` return `Result<_, GpioHostError>`
        // (Wasmtime's `wasmtime_wasi::TrappableError<ErrorCode>`, as the wasi-* crates use): a
        // guest-caused error becomes the WIT error, a host fault traps.
        trappable_error_type: {
            "wasi:gpio/gpio.error-code" => crate::host::GpioHostError,
        },
        with: {
            "wasi:gpio/gpio.output-pin": crate::host::OutputPin,
            "wasi:gpio/gpio.input-pin": crate::host::InputPin,
        },
    });
}

/// The [`HasData`] type of this interface: its data is a [`WasiGpioView`].
pub struct WasiGpio;

impl HasData for WasiGpio {
    type Data<'a> = WasiGpioView<'a>;
}

/// What the host functions work on: the guest's [`WasiGpioCtx`] and its [`ResourceTable`],
/// borrowed from the store's data.
pub struct WasiGpioView<'a> {
    /// The guest's pins.
    pub ctx: &'a mut WasiGpioCtx,
    /// The table open pins live in.
    pub table: &'a mut ResourceTable,
}

/// Adds `wasi:gpio/gpio@0.1.0` to `linker`; `f` finds the view in the store's data.
pub fn add_to_linker<T: Send>(
    linker: &mut Linker<T>,
    f: fn(&mut T) -> WasiGpioView<'_>,
) -> anyhow::Result<()> {
    bindings::wasi::gpio::gpio::add_to_linker::<T, WasiGpio>(linker, f)?;
    Ok(())
}
