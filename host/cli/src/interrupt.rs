//! Stopping a running guest from outside it: the live view's `q` and Ctrl-C.
//!
//! A [`StopFlag`] is shared by whoever may ask to stop (the live view, on the delay hook) and
//! the store's epoch-deadline callback ([`crate::limits`]). [`StopFlag::request`] records why and
//! advances the engine's epoch, so the guest is stopped at its next epoch check (at once when it
//! is running, or as soon as the host call it is in returns). The guest's call then fails with a
//! [`Stopped`] error; the run ends as any other (outputs restored to their safe levels, files
//! written) with [`crate::Outcome::Stopped`].
//!
//! This is the smallest interrupt the live view needs; a signal handler (SIGINT, SIGTERM) asks
//! the same way.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use wasmtime::Engine;

/// Why a run was stopped from outside the guest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The person quit the live view (`q`): a clean end, exit code 0.
    Quit,
    /// Ctrl-C: exit code 130 (128 + SIGINT, as shells report it).
    Interrupt,
}

impl StopReason {
    fn code(self) -> u8 {
        match self {
            StopReason::Quit => 1,
            StopReason::Interrupt => 2,
        }
    }

    fn from_code(code: u8) -> Option<StopReason> {
        match code {
            1 => Some(StopReason::Quit),
            2 => Some(StopReason::Interrupt),
            _ => None,
        }
    }
}

/// A request to stop the guest, shared between threads. The first request wins.
#[derive(Clone)]
pub(crate) struct StopFlag {
    reason: Arc<AtomicU8>,
    engine: Engine,
}

impl StopFlag {
    pub(crate) fn new(engine: &Engine) -> Self {
        Self {
            reason: Arc::new(AtomicU8::new(0)),
            engine: engine.clone(),
        }
    }

    /// Asks the guest to stop, for `why`.
    pub(crate) fn request(&self, why: StopReason) {
        let _ = self
            .reason
            .compare_exchange(0, why.code(), Ordering::SeqCst, Ordering::SeqCst);
        self.engine.increment_epoch();
    }

    /// Why a stop was asked for, if it was.
    pub(crate) fn requested(&self) -> Option<StopReason> {
        StopReason::from_code(self.reason.load(Ordering::SeqCst))
    }
}

/// The error a stopped guest's call fails with.
#[derive(Debug)]
pub(crate) struct Stopped(pub(crate) StopReason);

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            StopReason::Quit => write!(f, "stopped: the live view was quit"),
            StopReason::Interrupt => write!(f, "stopped: interrupted (Ctrl-C)"),
        }
    }
}

impl std::error::Error for Stopped {}
