//! Channels shared by every guest of a board, and the per-guest context built from them.

use crate::{PwmBackend, PwmError, PwmPolicy};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use wasi_hal_policy::hold::{GuestHold, GuestId, HoldToken, Reopen};

/// One PWM channel of a board, created once and shared by the contexts of every guest that may
/// open it.
///
/// Cloning gives another handle to the same channel. One open handle at a time holds it
/// ([`Reopen::Never`]: two handles would drive one wire); a second open, by this guest or
/// another, gets `already-in-use`. Opening it sets the board's default frequency, a duty cycle
/// of 0 and switches it off; when the handle lets it go (dropped, its [`WasiPwmCtx`] dropped
/// with the store, or [`WasiPwmCtx::release_all`] after a trap) it is switched off again.
#[derive(Clone)]
pub struct SharedPwmChannel {
    inner: Arc<Inner>,
}

struct Inner {
    policy: PwmPolicy,
    max_duty: u16,
    state: Mutex<State>,
}

struct State {
    backend: Box<dyn PwmBackend>,
    hold: GuestHold,
    frequency_hz: u32,
    duty: u16,
    enabled: bool,
}

impl fmt::Debug for SharedPwmChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("SharedPwmChannel")
            .field("policy", &self.inner.policy)
            .field("hold", &state.hold)
            .field("frequency_hz", &state.frequency_hz)
            .field("duty", &state.duty)
            .field("enabled", &state.enabled)
            .finish_non_exhaustive()
    }
}

/// Identifies one open handle: its share of the channel's hold.
pub(crate) type HandleId = HoldToken;

impl SharedPwmChannel {
    /// A channel with `backend` behind it and `policy` over it. It is switched off at the
    /// policy's default frequency now, so a board comes up silent.
    pub fn new(backend: impl PwmBackend, policy: PwmPolicy) -> Result<Self, PwmError> {
        let mut backend: Box<dyn PwmBackend> = Box::new(backend);
        let max_duty = backend.max_duty_cycle().max(1);
        backend.set_enabled(false).map_err(PwmError::from_io)?;
        backend.set_duty_cycle(0).map_err(PwmError::from_io)?;
        let frequency_hz = backend
            .set_frequency(policy.default_frequency_hz, 0)
            .map_err(PwmError::from_io)?;
        Ok(Self {
            inner: Arc::new(Inner {
                policy,
                max_duty,
                state: Mutex::new(State {
                    backend,
                    hold: GuestHold::new(Reopen::Never),
                    frequency_hz,
                    duty: 0,
                    enabled: false,
                }),
            }),
        })
    }

    /// The board's policy for this channel.
    pub fn policy(&self) -> &PwmPolicy {
        &self.inner.policy
    }

    /// The duty cycle that means always high.
    pub fn max_duty_cycle(&self) -> u16 {
        self.inner.max_duty
    }

    /// Whether an open handle holds the channel now.
    pub fn is_held(&self) -> bool {
        self.lock().hold.is_held()
    }

    /// The frequency in force, in hertz.
    pub fn frequency_hz(&self) -> u32 {
        self.lock().frequency_hz
    }

    /// The duty cycle set.
    pub fn duty_cycle(&self) -> u16 {
        self.lock().duty
    }

    /// Whether the output is switched on.
    pub fn is_enabled(&self) -> bool {
        self.lock().enabled
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic in a backend must not make the channel unusable for every later guest.
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Opens the channel for `guest`: off, at the default frequency, duty 0.
    pub(crate) fn open(&self, guest: GuestId) -> Result<HandleId, PwmError> {
        let mut state = self.lock();
        let handle = state.hold.acquire(guest)?;
        if let Err(e) = reset(&mut state, &self.inner.policy) {
            state.hold.release(handle);
            return Err(e);
        }
        Ok(handle)
    }

    fn release_with(&self, release: impl FnOnce(&mut GuestHold) -> bool) {
        let mut state = self.lock();
        if release(&mut state.hold) {
            // Nobody is left to report a failure to; the channel is let go either way.
            if let Err(e) = switch_off(&mut state) {
                tracing::warn!(error = %e, "could not switch a PWM channel off");
            }
        }
    }

    pub(crate) fn release_handle(&self, handle: HandleId) {
        self.release_with(|hold| hold.release(handle));
    }

    pub(crate) fn release_guest(&self, guest: GuestId) {
        self.release_with(|hold| hold.release_guest(guest));
    }

    /// Runs `f` when `handle` still holds the channel.
    fn with_state<R>(
        &self,
        handle: HandleId,
        f: impl FnOnce(&mut State) -> Result<R, PwmError>,
    ) -> Result<R, PwmError> {
        let mut state = self.lock();
        // A handle whose hold ended (after `release_all`) must not touch the channel again.
        if state.hold.holds(handle) {
            f(&mut state)
        } else {
            Err(PwmError::Other)
        }
    }

    pub(crate) fn set_duty_cycle(&self, handle: HandleId, duty: u16) -> Result<(), PwmError> {
        if duty > self.inner.max_duty {
            return Err(PwmError::DutyCycleOutOfRange);
        }
        self.with_state(handle, |state| {
            state
                .backend
                .set_duty_cycle(duty)
                .map_err(PwmError::from_io)?;
            state.duty = duty;
            Ok(())
        })
    }

    pub(crate) fn set_frequency(&self, handle: HandleId, hz: u32) -> Result<u32, PwmError> {
        let hz = self.inner.policy.check_frequency(hz)?;
        self.with_state(handle, |state| {
            let made = state
                .backend
                .set_frequency(hz, state.duty)
                .map_err(PwmError::from_io)?;
            state.frequency_hz = made;
            Ok(made)
        })
    }

    pub(crate) fn set_enabled(&self, handle: HandleId, enabled: bool) -> Result<(), PwmError> {
        self.with_state(handle, |state| {
            state
                .backend
                .set_enabled(enabled)
                .map_err(PwmError::from_io)?;
            state.enabled = enabled;
            Ok(())
        })
    }
}

fn switch_off(state: &mut State) -> Result<(), PwmError> {
    state
        .backend
        .set_enabled(false)
        .map_err(PwmError::from_io)?;
    state.enabled = false;
    state.backend.set_duty_cycle(0).map_err(PwmError::from_io)?;
    state.duty = 0;
    Ok(())
}

fn reset(state: &mut State, policy: &PwmPolicy) -> Result<(), PwmError> {
    switch_off(state)?;
    state.frequency_hz = state
        .backend
        .set_frequency(policy.default_frequency_hz, 0)
        .map_err(PwmError::from_io)?;
    Ok(())
}

/// One guest's view of the board's PWM channels: the names it may open.
///
/// Build one per guest store with [`WasiPwmCtx::builder`]. Dropping it (with the store)
/// switches off every channel the guest holds and lets them go.
pub struct WasiPwmCtx {
    pub(crate) guest: GuestId,
    pub(crate) channels: BTreeMap<String, SharedPwmChannel>,
}

impl fmt::Debug for WasiPwmCtx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WasiPwmCtx")
            .field("channels", &self.channels.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl WasiPwmCtx {
    /// A builder for a context that offers no channel yet.
    pub fn builder() -> WasiPwmCtxBuilder {
        WasiPwmCtxBuilder::default()
    }

    /// The virtual names this guest may open, in order.
    pub fn channel_names(&self) -> impl Iterator<Item = &str> {
        self.channels.keys().map(String::as_str)
    }

    /// Switches off every channel this guest holds and lets them go, at once: for a host that
    /// keeps a store after the guest trapped. Handles the guest still has fail with `other`
    /// afterwards.
    pub fn release_all(&mut self) {
        for channel in self.channels.values() {
            channel.release_guest(self.guest);
        }
    }
}

impl Drop for WasiPwmCtx {
    fn drop(&mut self) {
        self.release_all();
    }
}

/// Builds a [`WasiPwmCtx`] from the board's channels.
#[derive(Default)]
pub struct WasiPwmCtxBuilder {
    channels: BTreeMap<String, SharedPwmChannel>,
}

impl fmt::Debug for WasiPwmCtxBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WasiPwmCtxBuilder")
            .field("channels", &self.channels.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl WasiPwmCtxBuilder {
    /// Offers `channel` to the guest under the virtual name `name` (replacing an earlier
    /// channel of that name).
    pub fn channel(&mut self, name: impl Into<String>, channel: &SharedPwmChannel) -> &mut Self {
        self.channels.insert(name.into(), channel.clone());
        self
    }

    /// The context. The builder is left empty.
    pub fn build(&mut self) -> WasiPwmCtx {
        WasiPwmCtx {
            guest: GuestId::fresh(),
            channels: std::mem::take(&mut self.channels),
        }
    }
}
