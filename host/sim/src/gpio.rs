//! GPIO lines: a level, who drives it, and its whole history in simulated time.

use crate::{SimClock, Trace, TraceKind};
use std::convert::Infallible;
use std::sync::{Arc, Mutex, MutexGuard};

/// A callback run after a line changes level: `(high, time_ns)`.
pub type LineWatcher = Box<dyn FnMut(bool, u64) + Send>;

/// One GPIO line of the simulated board.
///
/// Cloning gives another handle to the same line, so a guest's output pin and the part wired to
/// it (a display's D/C input, say) see the same level. Every change is kept with its time.
#[derive(Clone)]
pub struct SimLine {
    name: Arc<str>,
    clock: SimClock,
    trace: Trace,
    state: Arc<Mutex<LineState>>,
}

struct LineState {
    high: bool,
    history: Vec<(u64, bool)>,
    watchers: Vec<LineWatcher>,
}

impl std::fmt::Debug for SimLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimLine")
            .field("name", &self.name)
            .field("high", &self.is_high_now())
            .finish()
    }
}

impl SimLine {
    /// A line at `initial` level (`true` = high) at the clock's current time.
    pub fn new(name: &str, initial_high: bool, clock: SimClock, trace: Trace) -> Self {
        let now = clock.now_ns();
        Self {
            name: name.into(),
            clock,
            trace,
            state: Arc::new(Mutex::new(LineState {
                high: initial_high,
                history: vec![(now, initial_high)],
                watchers: Vec::new(),
            })),
        }
    }

    /// The line's name on the board.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The current level: `true` is high.
    pub fn is_high_now(&self) -> bool {
        self.lock().high
    }

    /// Drives the line. A change is time-stamped, traced and reported to the watchers; driving
    /// the level it already has changes nothing.
    pub fn set(&self, high: bool) {
        let now = self.clock.now_ns();
        let mut watchers = {
            let mut state = self.lock();
            if state.high == high {
                return;
            }
            state.high = high;
            state.history.push((now, high));
            std::mem::take(&mut state.watchers)
        };
        self.trace.record(
            now,
            TraceKind::Gpio {
                line: self.name.to_string(),
                high,
            },
        );
        // Watchers run without the lock held, so they may read this line.
        for watcher in &mut watchers {
            watcher(high, now);
        }
        let mut state = self.lock();
        watchers.append(&mut state.watchers);
        state.watchers = watchers;
    }

    /// Runs `watcher` after every later change of level.
    pub fn watch(&self, watcher: LineWatcher) {
        self.lock().watchers.push(watcher);
    }

    /// Every level the line has had, as `(time_ns, high)`, oldest first.
    pub fn history(&self) -> Vec<(u64, bool)> {
        self.lock().history.clone()
    }

    fn lock(&self) -> MutexGuard<'_, LineState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl embedded_hal::digital::ErrorType for SimLine {
    type Error = Infallible;
}

impl embedded_hal::digital::OutputPin for SimLine {
    fn set_low(&mut self) -> Result<(), Infallible> {
        self.set(false);
        Ok(())
    }

    fn set_high(&mut self) -> Result<(), Infallible> {
        self.set(true);
        Ok(())
    }
}

impl embedded_hal::digital::StatefulOutputPin for SimLine {
    fn is_set_high(&mut self) -> Result<bool, Infallible> {
        Ok(self.is_high_now())
    }

    fn is_set_low(&mut self) -> Result<bool, Infallible> {
        Ok(!self.is_high_now())
    }
}

impl embedded_hal::digital::InputPin for SimLine {
    fn is_high(&mut self) -> Result<bool, Infallible> {
        Ok(self.is_high_now())
    }

    fn is_low(&mut self) -> Result<bool, Infallible> {
        Ok(!self.is_high_now())
    }
}
