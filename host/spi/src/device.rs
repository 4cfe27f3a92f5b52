//! Devices shared by every guest of a board, and the per-guest context built from them.

use crate::{ApplySpiSettings, Hal, HalWithSettings, SpiBackend, SpiConfig, SpiError, SpiPolicy};
use embedded_hal::spi::{Operation, SpiDevice};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use wasi_hal_policy::hold::{GuestHold, Reopen};

/// One SPI device of a board (a bus and one chip select), created once and shared by the
/// contexts of every guest that may open it.
///
/// Cloning gives another handle to the same device. Who may open it is a [`GuestHold`] under
/// [`Reopen::SameGuest`]: at most one guest holds it at a time and may open it again; a guest
/// that opens it while another guest's context holds it gets `in-use`. The hold ends when the
/// guest drops its last handle or its [`WasiSpiCtx`] is dropped; the settings then return to
/// [`SpiPolicy::default_config`].
#[derive(Clone)]
pub struct SharedSpiDevice {
    inner: Arc<Inner>,
}

struct Inner {
    policy: SpiPolicy,
    state: Mutex<State>,
}

struct State {
    backend: Box<dyn SpiBackend>,
    config: SpiConfig,
    /// Whether `config` has been given to the backend.
    applied: bool,
    /// The guest holding the device and how many open handles it has.
    hold: GuestHold,
}

impl fmt::Debug for SharedSpiDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("SharedSpiDevice")
            .field("policy", &self.inner.policy)
            .field("config", &state.config)
            .field("hold", &state.hold)
            .finish_non_exhaustive()
    }
}

impl SharedSpiDevice {
    /// A device with `backend` behind it and `policy` over it.
    pub fn new(backend: impl SpiBackend, policy: SpiPolicy) -> Self {
        Self {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    backend: Box::new(backend),
                    config: policy.default_config,
                    applied: false,
                    hold: GuestHold::new(Reopen::SameGuest),
                }),
                policy,
            }),
        }
    }

    /// Any embedded-hal [`SpiDevice`] as a device (through [`Hal`]): settings a guest chooses
    /// are checked and reported but cannot reach the device.
    pub fn from_hal<D: SpiDevice<u8> + Send + 'static>(device: D, policy: SpiPolicy) -> Self {
        Self::new(Hal(device), policy)
    }

    /// An embedded-hal [`SpiDevice`] that can also apply bus settings (through
    /// [`HalWithSettings`]), such as the simulator's SPI device.
    pub fn from_hal_with_settings<D>(device: D, policy: SpiPolicy) -> Self
    where
        D: SpiDevice<u8> + ApplySpiSettings + Send + 'static,
    {
        Self::new(HalWithSettings(device), policy)
    }

    /// The board's policy for this device.
    pub fn policy(&self) -> &SpiPolicy {
        &self.inner.policy
    }

    /// The settings in force.
    pub fn current_config(&self) -> SpiConfig {
        self.lock().config
    }

    /// Whether a guest holds the device now.
    pub fn is_held(&self) -> bool {
        self.lock().hold.is_held()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic in a backend must not make the device unusable for every later guest.
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn acquire(&self, guest: GuestId) -> Result<(), SpiError> {
        self.lock().hold.acquire(guest)?;
        Ok(())
    }

    /// Ends one of `guest`'s holds (`all`: every one of them).
    pub(crate) fn release(&self, guest: GuestId, all: bool) {
        let mut state = self.lock();
        // A handle keeps only its guest: every handle of a hold has the same token.
        let ended = match state.hold.token_of(guest) {
            Some(_) if all => state.hold.release_guest(guest),
            Some(token) => state.hold.release(token),
            None => false,
        };
        if ended {
            // The next guest starts from the board's settings.
            let default = self.inner.policy.default_config;
            if state.config != default {
                state.config = default;
                state.applied = false;
            }
        }
    }

    pub(crate) fn configure(&self, requested: SpiConfig) -> Result<SpiConfig, SpiError> {
        let mut state = self.lock();
        let effective = self
            .inner
            .policy
            .effective_config(state.config, requested)?;
        if effective != state.config || !state.applied {
            state.backend.apply_config(&effective)?;
            state.config = effective;
            state.applied = true;
        }
        Ok(effective)
    }

    /// Runs one transaction, giving the backend the settings first when they are new.
    pub(crate) fn transaction(&self, operations: &mut [Operation<'_, u8>]) -> Result<(), SpiError> {
        let mut state = self.lock();
        if !state.applied {
            let config = state.config;
            state.backend.apply_config(&config)?;
            state.applied = true;
        }
        state.backend.transaction(operations)
    }
}

/// Identifies one guest's context, so holds of different guests can be told apart.
pub(crate) use wasi_hal_policy::hold::GuestId;

/// One guest's view of the board's SPI devices: the names it may open.
///
/// Build one per guest store with [`WasiSpiCtx::builder`]. Dropping it releases every device
/// the guest still holds.
pub struct WasiSpiCtx {
    pub(crate) guest: GuestId,
    pub(crate) devices: BTreeMap<String, SharedSpiDevice>,
}

impl fmt::Debug for WasiSpiCtx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WasiSpiCtx")
            .field("devices", &self.devices.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl WasiSpiCtx {
    /// A builder for a context that offers no device yet.
    pub fn builder() -> WasiSpiCtxBuilder {
        WasiSpiCtxBuilder::default()
    }

    /// The virtual names this guest may open, in order.
    pub fn device_names(&self) -> impl Iterator<Item = &str> {
        self.devices.keys().map(String::as_str)
    }
}

impl Drop for WasiSpiCtx {
    fn drop(&mut self) {
        for device in self.devices.values() {
            device.release(self.guest, true);
        }
    }
}

/// Builds a [`WasiSpiCtx`] from the board's devices.
#[derive(Default)]
pub struct WasiSpiCtxBuilder {
    devices: BTreeMap<String, SharedSpiDevice>,
}

impl fmt::Debug for WasiSpiCtxBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WasiSpiCtxBuilder")
            .field("devices", &self.devices.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl WasiSpiCtxBuilder {
    /// Offers `device` to the guest under the virtual name `name` (replacing an earlier device
    /// of that name).
    pub fn device(&mut self, name: impl Into<String>, device: &SharedSpiDevice) -> &mut Self {
        self.devices.insert(name.into(), device.clone());
        self
    }

    /// The context. The builder is left empty.
    pub fn build(&mut self) -> WasiSpiCtx {
        WasiSpiCtx {
            guest: GuestId::fresh(),
            devices: std::mem::take(&mut self.devices),
        }
    }
}
