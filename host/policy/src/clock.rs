//! Virtual time shared by every part of a simulated board, and by the hosts that advance it.

use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, Ordering};

/// The simulated clock: nanoseconds since the board was created.
///
/// Cloning gives another handle to the same clock. Delays advance it at once; nothing else moves it
/// except the time transfers take on a simulated wire.
#[derive(Clone, Debug, Default)]
pub struct SimClock {
    now_ns: Arc<AtomicU64>,
}

impl SimClock {
    /// A clock at time zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// The current simulated time in nanoseconds.
    pub fn now_ns(&self) -> u64 {
        self.now_ns.load(Ordering::SeqCst)
    }

    /// Moves simulated time forward by `ns` nanoseconds (saturating at `u64::MAX`).
    pub fn advance_ns(&self, ns: u64) {
        let _ = self
            .now_ns
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |t| {
                Some(t.saturating_add(ns))
            });
    }
}

impl embedded_hal::delay::DelayNs for SimClock {
    fn delay_ns(&mut self, ns: u32) {
        self.advance_ns(u64::from(ns));
    }
}
