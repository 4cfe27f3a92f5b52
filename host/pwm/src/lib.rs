//! The `wasi:pwm@0.1.0` interface for Wasmtime hosts.
//!
//! A board creates each channel once, as a [`SharedPwmChannel`]: a backend (a simulated
//! channel, or on Linux a [`SysfsPwmChannel`] under `/sys/class/pwm`)
//! and the board's [`PwmPolicy`] for it (the frequency range and the default). For every guest
//! it builds a [`WasiPwmCtx`] that offers some of those channels under virtual names, and
//! [`add_to_linker`] gives a [`Linker`] the interface's functions.
//!
//! What the host enforces:
//! - A name the guest's context does not offer is refused with `channel-not-allowed`, a
//!   frequency outside the policy's range with `frequency-not-allowed`, a duty cycle above
//!   `max-duty-cycle` with `duty-cycle-out-of-range`, and a channel that an open handle holds
//!   (of this guest or another) with `already-in-use`.
//! - A channel is opened switched off at the default frequency with a duty cycle of 0, and is
//!   switched off again when the handle lets it go: the guest drops it, its store (with its
//!   [`WasiPwmCtx`]) is dropped, or the host calls [`WasiPwmCtx::release_all`] after a trap.
//! - What the controller or the operating system refuses (a sysfs write that fails) comes back
//!   as `other` and is logged with `tracing`; host faults (such as a handle missing from the
//!   [`ResourceTable`]) trap.
//!
//! # Example
//!
//! ```
//! use wasi_hal_pwm::{PwmPolicy, SharedPwmChannel, WasiPwmCtx, WasiPwmView};
//! use wasi_hal_sim::{SimClock, SimPwm};
//! use wasmtime::component::{Linker, ResourceTable};
//! use wasmtime::{Engine, Store};
//!
//! struct HostState {
//!     pwm: WasiPwmCtx,
//!     table: ResourceTable,
//! }
//!
//! fn main() -> anyhow::Result<()> {
//!     // Once per board: here a channel of the simulated board.
//!     let policy = PwmPolicy::new(100, 10_000, 2_000).expect("a valid range");
//!     let sim = SimPwm::new("buzzer", 2_000, 1_000, SimClock::new());
//!     let buzzer = SharedPwmChannel::new(wasi_hal_pwm::Hal(sim), policy)?;
//!     let engine = Engine::default();
//!     let mut linker = Linker::<HostState>::new(&engine);
//!     wasi_hal_pwm::add_to_linker(&mut linker, |s| WasiPwmView {
//!         ctx: &mut s.pwm,
//!         table: &mut s.table,
//!     })?;
//!
//!     // Once per guest.
//!     let state = HostState {
//!         pwm: WasiPwmCtx::builder().channel("buzzer", &buzzer).build(),
//!         table: ResourceTable::new(),
//!     };
//!     let store = Store::new(&engine, state);
//!     // ... instantiate a component that imports `wasi:pwm/pwm@0.1.0` with `linker` ...
//!     # drop(store);
//!     Ok(())
//! }
//! ```

mod backend;
mod channel;
mod host;
mod sysfs;

pub use backend::{Hal, PwmBackend};
pub use channel::{SharedPwmChannel, WasiPwmCtx, WasiPwmCtxBuilder};
pub use sysfs::{SYSFS_MAX_DUTY_CYCLE, SysfsPwmChannel};
pub use wasi_hal_policy::pwm::{FrequencyNotAllowed, PwmPolicy};

use std::fmt;
use wasi_hal_policy::hold::InUse;
use wasmtime::component::{HasData, Linker, ResourceTable};

mod bindings {
    wasmtime::component::bindgen!({
        // `wit` links to wit/wasi-pwm: inside the crate, so the packaged crate has it too.
        path: "wit",
        world: "wasi:pwm/imports",
        imports: { default: trappable },
        // Functions that return `result<_, error-code>` return `Result<_, PwmHostError>`
        // (Wasmtime's `wasmtime_wasi::TrappableError<ErrorCode>`, as the wasi-* crates use): a
        // guest-caused error becomes the WIT error, a host fault traps.
        trappable_error_type: {
            "wasi:pwm/pwm.error-code" => crate::host::PwmHostError,
        },
        with: {
            "wasi:pwm/pwm.channel": crate::host::Channel,
        },
    });
}

/// Why a PWM operation failed (`wasi:pwm/pwm.error-code`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PwmError {
    /// The channel is not offered to this guest.
    ChannelNotAllowed,
    /// The frequency is outside the channel's range.
    FrequencyNotAllowed,
    /// A duty cycle above the maximum.
    DutyCycleOutOfRange,
    /// Another guest or another open handle holds the channel.
    AlreadyInUse,
    /// The controller or the operating system refused, or the handle's hold has ended.
    Other,
}

impl PwmError {
    /// A backend's failure: logged, and `other` for the guest.
    pub(crate) fn from_io(e: std::io::Error) -> Self {
        tracing::warn!(error = %e, "a PWM channel failed");
        Self::Other
    }
}

impl fmt::Display for PwmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ChannelNotAllowed => "channel not allowed",
            Self::FrequencyNotAllowed => "frequency not allowed",
            Self::DutyCycleOutOfRange => "duty cycle out of range",
            Self::AlreadyInUse => "channel already in use",
            Self::Other => "PWM error",
        })
    }
}

impl std::error::Error for PwmError {}

impl From<InUse> for PwmError {
    /// Another open handle holds the channel.
    fn from(_: InUse) -> Self {
        Self::AlreadyInUse
    }
}

impl From<FrequencyNotAllowed> for PwmError {
    fn from(_: FrequencyNotAllowed) -> Self {
        Self::FrequencyNotAllowed
    }
}

/// The [`HasData`] type of this interface: its data is a [`WasiPwmView`].
pub struct WasiPwm;

impl HasData for WasiPwm {
    type Data<'a> = WasiPwmView<'a>;
}

/// What the host functions work on: the guest's [`WasiPwmCtx`] and its [`ResourceTable`],
/// borrowed from the store's data.
pub struct WasiPwmView<'a> {
    /// The guest's channels.
    pub ctx: &'a mut WasiPwmCtx,
    /// The table open channels live in.
    pub table: &'a mut ResourceTable,
}

/// Adds `wasi:pwm/pwm@0.1.0` to `linker`; `f` finds the view in the store's data.
pub fn add_to_linker<T: Send>(
    linker: &mut Linker<T>,
    f: fn(&mut T) -> WasiPwmView<'_>,
) -> anyhow::Result<()> {
    bindings::wasi::pwm::pwm::add_to_linker::<T, WasiPwm>(linker, f)?;
    Ok(())
}
