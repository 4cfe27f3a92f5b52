//! A record of everything that crossed a simulated wire, with its simulated time.

use serde::Serialize;
use std::sync::{Arc, Mutex, MutexGuard};

/// One SPI or I2C operation as it went over the wire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "op")]
pub enum TraceOp {
    /// Bytes written by the controller.
    Write {
        /// The bytes, in wire order.
        bytes: Vec<u8>,
    },
    /// Bytes read by the controller.
    Read {
        /// The bytes, in wire order.
        bytes: Vec<u8>,
    },
    /// A full-duplex exchange.
    Transfer {
        /// What the controller sent.
        written: Vec<u8>,
        /// What the controller received.
        read: Vec<u8>,
    },
    /// A pause with chip select held.
    Delay {
        /// Length of the pause.
        ns: u32,
    },
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum TraceKind {
    /// One SPI transaction (chip select asserted for all of it).
    Spi {
        /// The device's name on the board.
        device: String,
        /// The operations in order.
        ops: Vec<TraceOp>,
    },
    /// One I2C transaction (START .. STOP) to one address.
    I2c {
        /// The bus's name on the board.
        bus: String,
        /// The 7-bit target address.
        address: u8,
        /// The operations in order (what was actually transferred before any error).
        ops: Vec<TraceOp>,
        /// `None` when every byte was acknowledged, otherwise what went wrong.
        error: Option<String>,
    },
    /// A GPIO line changed level.
    Gpio {
        /// The line's name on the board.
        line: String,
        /// The new level: `true` is high.
        high: bool,
    },
}

/// One trace entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TraceEvent {
    /// Simulated time at the start of the event, in nanoseconds.
    pub time_ns: u64,
    /// What happened.
    #[serde(flatten)]
    pub kind: TraceKind,
}

/// A shared, append-only trace. Cloning gives another handle to the same trace.
///
/// Recording is off until [`Trace::enable`] is called, so a long run that nobody traces does not
/// grow without bound.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    inner: Arc<Mutex<TraceInner>>,
}

#[derive(Debug, Default)]
struct TraceInner {
    enabled: bool,
    events: Vec<TraceEvent>,
}

impl Trace {
    /// A trace that records nothing until enabled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts recording.
    pub fn enable(&self) {
        self.lock().enabled = true;
    }

    /// Whether events are being recorded.
    pub fn is_enabled(&self) -> bool {
        self.lock().enabled
    }

    /// Appends an event if recording is on.
    pub fn record(&self, time_ns: u64, kind: TraceKind) {
        let mut inner = self.lock();
        if inner.enabled {
            inner.events.push(TraceEvent { time_ns, kind });
        }
    }

    /// A copy of every event recorded so far.
    pub fn events(&self) -> Vec<TraceEvent> {
        self.lock().events.clone()
    }

    /// Removes and returns every event recorded so far.
    pub fn take(&self) -> Vec<TraceEvent> {
        std::mem::take(&mut self.lock().events)
    }

    fn lock(&self) -> MutexGuard<'_, TraceInner> {
        // A panic while holding the lock cannot leave a half-written event behind (push is
        // atomic from our point of view), so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}
