//! Pins shared by every guest of a board, and the per-guest context built from them.

use crate::{Edge, SimPin};
use crate::{GpioBackend, GpioError, HalInOut, HalInput, HalOutput, Level, PinModes, PinPolicy};
use embedded_hal::digital::{InputPin, OutputPin};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use wasi_hal_delay::DelayBackend;
use wasi_hal_policy::gpio::RecordedLine;
use wasi_hal_policy::hold::{GuestHold, HoldToken, Reopen};

/// One pin of a board, created once and shared by the contexts of every guest that may open
/// it.
///
/// Cloning gives another handle to the same pin. Who may open it is a [`GuestHold`] under
/// [`Reopen::Never`]: one open handle at a time holds it, and a second open, by this guest or
/// another, gets `already-in-use`. When the handle that drove the pin as
/// an output lets it go (the guest drops it, its [`WasiGpioCtx`] is dropped with its store, or
/// [`WasiGpioCtx::release_all`] is called after a trap), the pin returns to
/// [`PinPolicy::safe_level`].
#[derive(Clone)]
pub struct SharedPin {
    inner: Arc<Inner>,
}

struct Inner {
    policy: PinPolicy,
    /// The policy's modes that the backend can do.
    modes: PinModes,
    state: Mutex<State>,
}

struct State {
    backend: Box<dyn GpioBackend>,
    /// The open handle holding the pin.
    hold: GuestHold,
    /// Whether the handle holding the pin opened it as an output.
    held_as_output: bool,
    /// The level the pin is driven to, when it is an output.
    driven: Option<Level>,
}

impl fmt::Debug for SharedPin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("SharedPin")
            .field("policy", &self.inner.policy)
            .field("modes", &self.inner.modes)
            .field("hold", &state.hold)
            .field("held_as_output", &state.held_as_output)
            .field("driven", &state.driven)
            .finish_non_exhaustive()
    }
}

impl SharedPin {
    /// A pin with `backend` behind it and `policy` over it. A guest may open it in the
    /// directions both the policy and the backend allow. When the policy has an initial level
    /// and output is allowed, the pin is driven to it now.
    pub fn new(backend: impl GpioBackend, policy: PinPolicy) -> Result<Self, GpioError> {
        let mut backend: Box<dyn GpioBackend> = Box::new(backend);
        let modes = policy.modes.intersect(backend.capabilities());
        let mut driven = None;
        if let (true, Some(level)) = (modes.output, policy.initial_level) {
            backend.open_output(level)?;
            driven = Some(level);
        }
        Ok(Self {
            inner: Arc::new(Inner {
                policy,
                modes,
                state: Mutex::new(State {
                    backend,
                    hold: GuestHold::new(Reopen::Never),
                    held_as_output: false,
                    driven,
                }),
            }),
        })
    }

    /// An embedded-hal [`OutputPin`] as an output-only pin (through [`HalOutput`]).
    pub fn from_hal_output<P: OutputPin + Send + 'static>(
        pin: P,
        policy: PinPolicy,
    ) -> Result<Self, GpioError> {
        Self::new(HalOutput(pin), policy)
    }

    /// An embedded-hal [`InputPin`] as an input-only pin (through [`HalInput`]).
    pub fn from_hal_input<P: InputPin + Send + 'static>(
        pin: P,
        policy: PinPolicy,
    ) -> Result<Self, GpioError> {
        Self::new(HalInput::new(pin), policy)
    }

    /// A pin that is both an embedded-hal [`InputPin`] and [`OutputPin`] (through
    /// [`HalInOut`]).
    pub fn from_hal_io<P: InputPin + OutputPin + Send + 'static>(
        pin: P,
        policy: PinPolicy,
    ) -> Result<Self, GpioError> {
        Self::new(HalInOut::new(pin), policy)
    }

    /// A simulated line (through [`SimPin`]), waiting for edges in the time base `time`.
    pub fn from_sim_line(
        line: impl RecordedLine,
        time: DelayBackend,
        policy: PinPolicy,
    ) -> Result<Self, GpioError> {
        Self::new(SimPin::new(line, time), policy)
    }

    /// The board's policy for this pin.
    pub fn policy(&self) -> &PinPolicy {
        &self.inner.policy
    }

    /// The directions a guest may open the pin in: the policy's, as far as the backend can.
    pub fn modes(&self) -> PinModes {
        self.inner.modes
    }

    /// Whether an open handle holds the pin now.
    pub fn is_held(&self) -> bool {
        self.lock().hold.is_held()
    }

    /// The level the pin is driven to, when it is an output.
    pub fn driven_level(&self) -> Option<Level> {
        self.lock().driven
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic in a backend must not make the pin unusable for every later guest.
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Opens the pin for `guest`: as an output driven to `level`, or as an input (`None`).
    pub(crate) fn open(
        &self,
        guest: GuestId,
        output: Option<Level>,
    ) -> Result<HandleId, GpioError> {
        let allowed = match output {
            Some(_) => self.inner.modes.output,
            None => self.inner.modes.input,
        };
        if !allowed {
            return Err(GpioError::ModeNotAllowed);
        }
        let mut state = self.lock();
        let handle = state.hold.acquire(guest)?;
        let opened = match output {
            Some(level) => state.backend.open_output(level),
            None => state.backend.open_input(),
        };
        if let Err(e) = opened {
            // Nothing was opened: the pin is let go as it was.
            state.hold.release(handle);
            return Err(e);
        }
        state.driven = output;
        state.held_as_output = output.is_some();
        Ok(handle)
    }

    /// Ends a hold with `release` (true when it ended one): an output returns to its safe level.
    fn release_with(&self, release: impl FnOnce(&mut GuestHold) -> bool) {
        let mut state = self.lock();
        if !release(&mut state.hold) {
            return;
        }
        if std::mem::take(&mut state.held_as_output) {
            let safe = self.inner.policy.safe_level;
            // Nobody is left to report a failure to; the pin is let go either way.
            let _ = state.backend.set_level(safe);
            state.driven = Some(safe);
        }
    }

    pub(crate) fn release_handle(&self, handle: HandleId) {
        self.release_with(|hold| hold.release(handle));
    }

    pub(crate) fn release_guest(&self, guest: GuestId) {
        self.release_with(|hold| hold.release_guest(guest));
    }

    /// Runs `f` on the backend when `handle` still holds the pin.
    fn with_backend<R>(
        &self,
        handle: HandleId,
        f: impl FnOnce(&mut State) -> Result<R, GpioError>,
    ) -> Result<R, GpioError> {
        let mut state = self.lock();
        // A handle whose hold ended (after `release_all`) must not touch the pin again.
        if state.hold.holds(handle) {
            f(&mut state)
        } else {
            Err(GpioError::Other)
        }
    }

    pub(crate) fn set_level(&self, handle: HandleId, level: Level) -> Result<(), GpioError> {
        self.with_backend(handle, |state| {
            state.backend.set_level(level)?;
            state.driven = Some(level);
            Ok(())
        })
    }

    pub(crate) fn read_level(&self, handle: HandleId) -> Result<Level, GpioError> {
        self.with_backend(handle, |state| state.backend.read_level())
    }

    pub(crate) fn wait_for_edge(
        &self,
        handle: HandleId,
        edge: Edge,
        timeout_ns: u64,
    ) -> Result<bool, GpioError> {
        self.with_backend(handle, |state| {
            state.backend.wait_for_edge(edge, timeout_ns)
        })
    }
}

/// Identifies one guest's context.
pub(crate) use wasi_hal_policy::hold::GuestId;
/// Identifies one open handle: its share of the pin's hold.
pub(crate) type HandleId = HoldToken;

/// One guest's view of the board's pins: the names it may open.
///
/// Build one per guest store with [`WasiGpioCtx::builder`]. Dropping it (with the store)
/// returns every output the guest drove to its safe level and lets its pins go.
pub struct WasiGpioCtx {
    pub(crate) guest: GuestId,
    pub(crate) pins: BTreeMap<String, SharedPin>,
}

impl fmt::Debug for WasiGpioCtx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WasiGpioCtx")
            .field("pins", &self.pins.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl WasiGpioCtx {
    /// A builder for a context that offers no pin yet.
    pub fn builder() -> WasiGpioCtxBuilder {
        WasiGpioCtxBuilder::default()
    }

    /// The virtual names this guest may open, in order.
    pub fn pin_names(&self) -> impl Iterator<Item = &str> {
        self.pins.keys().map(String::as_str)
    }

    /// Returns every output this guest drives to its safe level and lets all its pins go, at
    /// once. For a host that keeps a store after the guest trapped: a trapped instance cannot
    /// be called again, so its pins should not wait for the store to be dropped. Handles the
    /// guest still has fail with `other` afterwards.
    pub fn release_all(&mut self) {
        for pin in self.pins.values() {
            pin.release_guest(self.guest);
        }
    }
}

impl Drop for WasiGpioCtx {
    fn drop(&mut self) {
        self.release_all();
    }
}

/// Builds a [`WasiGpioCtx`] from the board's pins.
#[derive(Default)]
pub struct WasiGpioCtxBuilder {
    pins: BTreeMap<String, SharedPin>,
}

impl fmt::Debug for WasiGpioCtxBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WasiGpioCtxBuilder")
            .field("pins", &self.pins.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl WasiGpioCtxBuilder {
    /// Offers `pin` to the guest under the virtual name `name` (replacing an earlier pin of
    /// that name).
    pub fn pin(&mut self, name: impl Into<String>, pin: &SharedPin) -> &mut Self {
        self.pins.insert(name.into(), pin.clone());
        self
    }

    /// The context. The builder is left empty.
    pub fn build(&mut self) -> WasiGpioCtx {
        WasiGpioCtx {
            guest: GuestId::fresh(),
            pins: std::mem::take(&mut self.pins),
        }
    }
}
