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
    /// A PWM channel's setting changed (switched on or off, frequency, or duty cycle).
    Pwm {
        /// The channel's name on the board.
        channel: String,
        /// Whether the output pulses (`false`: held low).
        enabled: bool,
        /// Pulses per second.
        frequency_hz: u32,
        /// High time as a share of `max_duty`.
        duty: u16,
        /// The duty value that means always high.
        max_duty: u16,
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

/// Where a streamed trace sends each event as it is recorded ([`Trace::stream_to`]).
pub type TraceSink = Box<dyn FnMut(&TraceEvent) + Send>;

/// A shared, append-only trace. Cloning gives another handle to the same trace.
///
/// Recording is off until [`Trace::enable`] or [`Trace::stream_to`] is called, so a long run that
/// nobody traces does not grow without bound. [`Trace::enable`] keeps every event in memory,
/// for tests and short runs that look at them with [`Trace::events`] / [`Trace::take`];
/// [`Trace::stream_to`] hands each event to a sink (a file writer, say) and keeps none, for runs
/// of any length.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    inner: Arc<Mutex<TraceInner>>,
}

#[derive(Default)]
struct TraceInner {
    enabled: bool,
    events: Vec<TraceEvent>,
    sink: Option<TraceSink>,
    /// Events recorded since recording was first turned on, kept or streamed.
    recorded: u64,
}

impl std::fmt::Debug for TraceInner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TraceInner")
            .field("enabled", &self.enabled)
            .field("events", &self.events.len())
            .field("streaming", &self.sink.is_some())
            .field("recorded", &self.recorded)
            .finish()
    }
}

impl Trace {
    /// A trace that records nothing until enabled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts recording into memory (unless a sink is set: then events go to the sink).
    pub fn enable(&self) {
        self.lock().enabled = true;
    }

    /// Starts recording into `sink`: from now on each event is passed to it as it happens and is
    /// not kept, so memory stays flat however long the run. The sink runs with the trace locked:
    /// it must not use this trace. Events already kept in memory stay there.
    pub fn stream_to(&self, sink: impl FnMut(&TraceEvent) + Send + 'static) {
        let mut inner = self.lock();
        inner.enabled = true;
        inner.sink = Some(Box::new(sink));
    }

    /// Stops recording and drops the sink set by [`Trace::stream_to`], if any (a writer in it is
    /// dropped here, so its owner can finish the file).
    pub fn stop(&self) {
        let sink = {
            let mut inner = self.lock();
            inner.enabled = false;
            inner.sink.take()
        };
        drop(sink);
    }

    /// Whether events are being recorded.
    pub fn is_enabled(&self) -> bool {
        self.lock().enabled
    }

    /// Whether events go to a sink rather than into memory.
    pub fn is_streaming(&self) -> bool {
        self.lock().sink.is_some()
    }

    /// Appends an event (or passes it to the sink) if recording is on.
    pub fn record(&self, time_ns: u64, kind: TraceKind) {
        let mut inner = self.lock();
        if !inner.enabled {
            return;
        }
        inner.recorded += 1;
        let event = TraceEvent { time_ns, kind };
        match &mut inner.sink {
            Some(sink) => sink(&event),
            None => inner.events.push(event),
        }
    }

    /// How many events have been recorded in all, kept or streamed.
    pub fn recorded_count(&self) -> u64 {
        self.lock().recorded
    }

    /// How many events are kept in memory now (always 0 while streaming from the start).
    pub fn kept_count(&self) -> usize {
        self.lock().events.len()
    }

    /// A copy of every event kept in memory so far.
    pub fn events(&self) -> Vec<TraceEvent> {
        self.lock().events.clone()
    }

    /// Removes and returns every event kept in memory so far.
    pub fn take(&self) -> Vec<TraceEvent> {
        std::mem::take(&mut self.lock().events)
    }

    fn lock(&self) -> MutexGuard<'_, TraceInner> {
        // A panic while holding the lock cannot leave a half-written event behind (push is
        // atomic from our point of view), so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}
