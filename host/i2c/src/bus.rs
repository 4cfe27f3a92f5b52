//! Buses shared by every guest of a board, and the per-guest context built from them.

use crate::{Hal, I2cBackend, I2cError, I2cPolicy};
use embedded_hal::i2c::{I2c, Operation, SevenBitAddress};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use wasi_hal_policy::hold::{GuestHold, Reopen};

/// One I2C bus of a board, created once and shared by the contexts of every guest that may
/// open it.
///
/// Cloning gives another handle to the same bus. Who may open it is a [`GuestHold`] under
/// [`Reopen::SameGuest`]: at most one guest holds it at a time; that guest may open it several
/// times (two drivers composed into one component share their bus),
/// while a guest with another context gets `in-use`. The hold ends when the guest drops its
/// last handle or its [`WasiI2cCtx`] is dropped.
#[derive(Clone)]
pub struct SharedI2cBus {
    inner: Arc<Inner>,
}

struct Inner {
    policy: I2cPolicy,
    state: Mutex<State>,
}

struct State {
    backend: Box<dyn I2cBackend>,
    /// The guest holding the bus and how many open handles it has.
    hold: GuestHold,
}

impl fmt::Debug for SharedI2cBus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedI2cBus")
            .field("policy", &self.inner.policy)
            .field("hold", &self.lock().hold)
            .finish_non_exhaustive()
    }
}

impl SharedI2cBus {
    /// A bus with `backend` behind it and `policy` over it.
    pub fn new(backend: impl I2cBackend, policy: I2cPolicy) -> Self {
        Self {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    backend: Box::new(backend),
                    hold: GuestHold::new(Reopen::SameGuest),
                }),
                policy,
            }),
        }
    }

    /// Any embedded-hal [`I2c`] bus as a bus (through [`Hal`]), for example
    /// the simulator's I2C bus.
    pub fn from_hal<B: I2c<SevenBitAddress> + Send + 'static>(bus: B, policy: I2cPolicy) -> Self {
        Self::new(Hal(bus), policy)
    }

    /// The board's policy for this bus.
    pub fn policy(&self) -> &I2cPolicy {
        &self.inner.policy
    }

    /// Whether a guest holds the bus now.
    pub fn is_held(&self) -> bool {
        self.lock().hold.is_held()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic in a backend must not make the bus unusable for every later guest.
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn acquire(&self, guest: GuestId) -> Result<(), I2cError> {
        self.lock().hold.acquire(guest)?;
        Ok(())
    }

    /// Ends one of `guest`'s holds (`all`: every one of them).
    pub(crate) fn release(&self, guest: GuestId, all: bool) {
        let hold = &mut self.lock().hold;
        // A handle keeps only its guest: every handle of a hold has the same token.
        match hold.token_of(guest) {
            Some(_) if all => hold.release_guest(guest),
            Some(token) => hold.release(token),
            None => false,
        };
    }

    pub(crate) fn transaction(
        &self,
        address: u8,
        operations: &mut [Operation<'_>],
    ) -> Result<(), I2cError> {
        self.lock().backend.transaction(address, operations)
    }
}

/// Identifies one guest's context, so holds of different guests can be told apart.
pub(crate) use wasi_hal_policy::hold::GuestId;

/// One guest's view of the board's I2C buses: the names it may open.
///
/// Build one per guest store with [`WasiI2cCtx::builder`]. Dropping it releases every bus the
/// guest still holds.
pub struct WasiI2cCtx {
    pub(crate) guest: GuestId,
    pub(crate) buses: BTreeMap<String, SharedI2cBus>,
}

impl fmt::Debug for WasiI2cCtx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WasiI2cCtx")
            .field("buses", &self.buses.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl WasiI2cCtx {
    /// A builder for a context that offers no bus yet.
    pub fn builder() -> WasiI2cCtxBuilder {
        WasiI2cCtxBuilder::default()
    }

    /// The virtual names this guest may open, in order.
    pub fn bus_names(&self) -> impl Iterator<Item = &str> {
        self.buses.keys().map(String::as_str)
    }
}

impl Drop for WasiI2cCtx {
    fn drop(&mut self) {
        for bus in self.buses.values() {
            bus.release(self.guest, true);
        }
    }
}

/// Builds a [`WasiI2cCtx`] from the board's buses.
#[derive(Default)]
pub struct WasiI2cCtxBuilder {
    buses: BTreeMap<String, SharedI2cBus>,
}

impl fmt::Debug for WasiI2cCtxBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WasiI2cCtxBuilder")
            .field("buses", &self.buses.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl WasiI2cCtxBuilder {
    /// Offers `bus` to the guest under the virtual name `name` (replacing an earlier bus of
    /// that name).
    pub fn bus(&mut self, name: impl Into<String>, bus: &SharedI2cBus) -> &mut Self {
        self.buses.insert(name.into(), bus.clone());
        self
    }

    /// The context. The builder is left empty.
    pub fn build(&mut self) -> WasiI2cCtx {
        WasiI2cCtx {
            guest: GuestId::fresh(),
            buses: std::mem::take(&mut self.buses),
        }
    }
}
