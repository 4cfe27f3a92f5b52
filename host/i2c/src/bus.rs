//! Buses shared by every guest of a board, and the per-guest context built from them.

use crate::{Hal, I2cBackend, I2cError, I2cPolicy};
use embedded_hal::i2c::{I2c, Operation, SevenBitAddress};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// One I2C bus of a board, created once and shared by the contexts of every guest that may
/// open it.
///
/// Cloning gives another handle to the same bus. At most one guest holds it at a time; that
/// guest may open it several times (two drivers composed into one component share their bus),
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
    holder: Option<(GuestId, usize)>,
}

impl fmt::Debug for SharedI2cBus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedI2cBus")
            .field("policy", &self.inner.policy)
            .field("holder", &self.lock().holder)
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
                    holder: None,
                }),
                policy,
            }),
        }
    }

    /// Any embedded-hal [`I2c`] bus as a bus (through [`Hal`]), for example
    /// [`wasi_hal_sim::SimI2cBus`].
    pub fn from_hal<B: I2c<SevenBitAddress> + Send + 'static>(bus: B, policy: I2cPolicy) -> Self {
        Self::new(Hal(bus), policy)
    }

    /// The board's policy for this bus.
    pub fn policy(&self) -> &I2cPolicy {
        &self.inner.policy
    }

    /// Whether a guest holds the bus now.
    pub fn is_held(&self) -> bool {
        self.lock().holder.is_some()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic in a backend must not make the bus unusable for every later guest.
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn acquire(&self, guest: GuestId) -> Result<(), I2cError> {
        let mut state = self.lock();
        match &mut state.holder {
            None => state.holder = Some((guest, 1)),
            Some((holder, count)) if *holder == guest => *count += 1,
            Some(_) => return Err(I2cError::InUse),
        }
        Ok(())
    }

    /// Ends one of `guest`'s holds (`all`: every one of them).
    pub(crate) fn release(&self, guest: GuestId, all: bool) {
        let mut state = self.lock();
        if let Some((holder, count)) = &mut state.holder
            && *holder == guest
        {
            *count = count.saturating_sub(1);
            if all || *count == 0 {
                state.holder = None;
            }
        }
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
pub(crate) type GuestId = u64;

fn next_guest_id() -> GuestId {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

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
            guest: next_guest_id(),
            buses: std::mem::take(&mut self.buses),
        }
    }
}
