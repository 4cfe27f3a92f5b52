//! GPIO lines: a level, who drives it, and its recent history in simulated time.

use crate::{SimClock, Trace, TraceKind};
use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{Arc, Mutex, MutexGuard};

/// How many levels a [`SimLine`] keeps in its history: the newest ones. A guest may toggle a
/// line for months, so older levels are forgotten (the trace, when streamed to a file, keeps
/// every edge). Edge waits look at levels they have not seen yet, so they miss an edge only when
/// more than this many changes happen between two waits.
pub const HISTORY_WINDOW: usize = 1024;

/// A callback run after a line changes level: `(high, time_ns)`.
pub type LineWatcher = Box<dyn FnMut(bool, u64) + Send>;

/// One GPIO line of the simulated board.
///
/// Cloning gives another handle to the same line, so a guest's output pin and the part wired to
/// it (a display's D/C input, say) see the same level. Every change is counted, and the newest
/// [`HISTORY_WINDOW`] levels are kept with their times.
#[derive(Clone)]
pub struct SimLine {
    name: Arc<str>,
    clock: SimClock,
    trace: Trace,
    state: Arc<Mutex<LineState>>,
}

struct LineState {
    high: bool,
    /// The newest levels, `(time_ns, high)`, oldest first: at most [`HISTORY_WINDOW`].
    history: VecDeque<(u64, bool)>,
    /// How many levels the line has had since it was made (the initial one included).
    levels: u64,
    watchers: Vec<LineWatcher>,
}

impl LineState {
    /// The index (counted over the line's whole life) of the oldest level kept.
    fn oldest_kept(&self) -> u64 {
        self.levels - self.history.len() as u64
    }
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
                history: VecDeque::from([(now, initial_high)]),
                levels: 1,
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
            if state.history.len() == HISTORY_WINDOW {
                state.history.pop_front();
            }
            state.history.push_back((now, high));
            state.levels += 1;
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

    /// The newest levels the line has had (at most [`HISTORY_WINDOW`], all of them for a line
    /// changed fewer times), as `(time_ns, high)`, oldest first.
    pub fn history(&self) -> Vec<(u64, bool)> {
        self.lock().history.iter().copied().collect()
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

/// What a host drives and watches ([`SimLine::set`], [`SimLine::is_high_now`]) and the level
/// history it reports edges from, counted over the line's whole life (unlike
/// [`SimLine::history`], the count never forgets).
impl wasi_hal_policy::gpio::RecordedLine for SimLine {
    fn set_high(&self, high: bool) {
        self.set(high);
    }

    fn is_high(&self) -> bool {
        self.is_high_now()
    }

    fn level_count(&self) -> u64 {
        self.lock().levels
    }

    fn levels_since(&self, from: u64) -> (u64, Vec<(u64, bool)>) {
        let state = self.lock();
        let first = from.clamp(state.oldest_kept(), state.levels);
        let skip = (first - state.oldest_kept()) as usize;
        (first, state.history.iter().skip(skip).copied().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasi_hal_policy::gpio::RecordedLine;

    #[test]
    fn history_keeps_a_window_and_the_count_goes_on() {
        let clock = SimClock::new();
        let line = SimLine::new("led", false, clock.clone(), Trace::new());
        let changes = 3 * HISTORY_WINDOW as u64;
        for i in 0..changes {
            clock.advance_ns(10);
            line.set(i % 2 == 0);
        }
        assert_eq!(line.level_count(), changes + 1);
        let history = line.history();
        assert_eq!(history.len(), HISTORY_WINDOW);
        // The newest levels, oldest first, with their times.
        assert_eq!(history.last(), Some(&(changes * 10, false)));
        assert_eq!(
            history[0],
            ((changes + 1 - HISTORY_WINDOW as u64) * 10, true)
        );
        // Asking from a forgotten index gives the oldest kept; from the end gives nothing.
        let (first, levels) = line.levels_since(5);
        assert_eq!(first, changes + 1 - HISTORY_WINDOW as u64);
        assert_eq!(levels, history);
        let (first, levels) = line.levels_since(changes - 1);
        assert_eq!((first, levels.len()), (changes - 1, 2));
        let (first, levels) = line.levels_since(changes + 7);
        assert_eq!((first, levels.len()), (changes + 1, 0));
    }
}
