//! What stands behind a virtual pin name: embedded-hal 1.0 pins through the adapters here, a
//! simulated line, or a backend of its own.

use crate::{Edge, GpioError, Level, PinModes};
use embedded_hal::digital::{InputPin, OutputPin};
use std::time::{Duration, Instant};
use wasi_hal_delay::DelayBackend;
use wasi_hal_policy::gpio::RecordedLine;

/// How often a polled input is sampled while a guest waits for an edge in real time.
const POLL_INTERVAL: Duration = Duration::from_millis(1);

/// A pin backend.
///
/// The host only calls the output methods when [`GpioBackend::capabilities`] includes output,
/// and the input methods when it includes input.
pub trait GpioBackend: Send + 'static {
    /// The directions the hardware can do.
    fn capabilities(&self) -> PinModes;

    /// Makes the pin an output driven to `level` (a guest opened it as an output).
    fn open_output(&mut self, level: Level) -> Result<(), GpioError> {
        self.set_level(level)
    }

    /// Drives the output to `level`.
    fn set_level(&mut self, level: Level) -> Result<(), GpioError>;

    /// Makes the pin an input (a guest opened it as an input). Edges that
    /// [`GpioBackend::wait_for_edge`] reports are those after this call.
    fn open_input(&mut self) -> Result<(), GpioError> {
        Ok(())
    }

    /// The level on the input now.
    fn read_level(&mut self) -> Result<Level, GpioError>;

    /// Waits until `edge` happens or `timeout_ns` passes; `true` when the edge came.
    ///
    /// An edge that happened since the pin was opened or since the previous wait returned
    /// counts, so an edge between two calls is not lost.
    fn wait_for_edge(&mut self, edge: Edge, timeout_ns: u64) -> Result<bool, GpioError>;
}

fn hal_error<E>(_: E) -> GpioError {
    // embedded-hal's digital `ErrorKind` has only `Other`.
    GpioError::Other
}

/// Polls `read` in real time until a change to a level that matches `edge`, or the timeout.
/// `last` is the level seen last; it is updated with every sample.
fn poll_for_edge(
    mut read: impl FnMut() -> Result<Level, GpioError>,
    last: &mut Level,
    edge: Edge,
    timeout_ns: u64,
) -> Result<bool, GpioError> {
    // A deadline too far away to represent is no deadline.
    let deadline = Instant::now().checked_add(Duration::from_nanos(timeout_ns));
    loop {
        let level = read()?;
        if level != *last {
            *last = level;
            if edge.matches_change_to(level) {
                return Ok(true);
            }
        }
        let now = Instant::now();
        let left = match deadline {
            Some(deadline) if now >= deadline => return Ok(false),
            Some(deadline) => deadline - now,
            None => POLL_INTERVAL,
        };
        std::thread::sleep(left.min(POLL_INTERVAL));
    }
}

/// An embedded-hal [`OutputPin`] as an output-only pin.
#[derive(Debug)]
pub struct HalOutput<P>(pub P);

impl<P: OutputPin + Send + 'static> GpioBackend for HalOutput<P> {
    fn capabilities(&self) -> PinModes {
        PinModes::OUTPUT
    }

    fn set_level(&mut self, level: Level) -> Result<(), GpioError> {
        match level {
            Level::High => self.0.set_high().map_err(hal_error),
            Level::Low => self.0.set_low().map_err(hal_error),
        }
    }

    fn read_level(&mut self) -> Result<Level, GpioError> {
        Err(GpioError::ModeNotAllowed)
    }

    fn wait_for_edge(&mut self, _: Edge, _: u64) -> Result<bool, GpioError> {
        Err(GpioError::ModeNotAllowed)
    }
}

/// An embedded-hal [`InputPin`] as an input-only pin. Waiting for an edge polls it in real
/// time (every millisecond).
#[derive(Debug)]
pub struct HalInput<P> {
    pin: P,
    last: Level,
}

impl<P> HalInput<P> {
    /// Wraps `pin`.
    pub fn new(pin: P) -> Self {
        Self {
            pin,
            last: Level::Low,
        }
    }
}

fn read_hal<P: InputPin>(pin: &mut P) -> Result<Level, GpioError> {
    pin.is_high().map(Level::from).map_err(hal_error)
}

impl<P: InputPin + Send + 'static> GpioBackend for HalInput<P> {
    fn capabilities(&self) -> PinModes {
        PinModes::INPUT
    }

    fn set_level(&mut self, _: Level) -> Result<(), GpioError> {
        Err(GpioError::ModeNotAllowed)
    }

    fn open_input(&mut self) -> Result<(), GpioError> {
        self.last = read_hal(&mut self.pin)?;
        Ok(())
    }

    fn read_level(&mut self) -> Result<Level, GpioError> {
        read_hal(&mut self.pin)
    }

    fn wait_for_edge(&mut self, edge: Edge, timeout_ns: u64) -> Result<bool, GpioError> {
        let pin = &mut self.pin;
        poll_for_edge(|| read_hal(pin), &mut self.last, edge, timeout_ns)
    }
}

/// A pin that implements both [`OutputPin`] and [`InputPin`] (such as a simulated line or an
/// open-drain pin) as an input and output. Waiting for an edge polls it in real time.
#[derive(Debug)]
pub struct HalInOut<P> {
    pin: P,
    last: Level,
}

impl<P> HalInOut<P> {
    /// Wraps `pin`.
    pub fn new(pin: P) -> Self {
        Self {
            pin,
            last: Level::Low,
        }
    }
}

impl<P: InputPin + OutputPin + Send + 'static> GpioBackend for HalInOut<P> {
    fn capabilities(&self) -> PinModes {
        PinModes::BOTH
    }

    fn set_level(&mut self, level: Level) -> Result<(), GpioError> {
        match level {
            Level::High => self.pin.set_high().map_err(hal_error),
            Level::Low => self.pin.set_low().map_err(hal_error),
        }
    }

    fn open_input(&mut self) -> Result<(), GpioError> {
        self.last = read_hal(&mut self.pin)?;
        Ok(())
    }

    fn read_level(&mut self) -> Result<Level, GpioError> {
        read_hal(&mut self.pin)
    }

    fn wait_for_edge(&mut self, edge: Edge, timeout_ns: u64) -> Result<bool, GpioError> {
        let pin = &mut self.pin;
        poll_for_edge(|| read_hal(pin), &mut self.last, edge, timeout_ns)
    }
}

/// A line of the simulated board (any [`RecordedLine`]), in its time base.
///
/// Waiting for an edge looks at the line's level history: an edge recorded since the pin was
/// opened (or since the previous wait returned) that matches is reported at once, without
/// moving time. Otherwise, in virtual time, nothing can change the line while the guest
/// waits, so the timeout passes at once: the clock advances by `timeout-ns` (paced, when the
/// time base is) and the wait returns `false`. In real time the history is polled every
/// millisecond until the timeout, so another thread can drive the line.
#[derive(Debug)]
pub struct SimPin {
    line: Box<dyn RecordedLine>,
    time: DelayBackend,
    /// How many of the line's levels have been looked at (counted over the line's life).
    seen: u64,
}

impl SimPin {
    /// The line `line`, waiting in the time base `time` (normally the board's virtual clock).
    pub fn new(line: impl RecordedLine, time: DelayBackend) -> Self {
        let seen = line.level_count();
        Self {
            line: Box::new(line),
            time,
            seen,
        }
    }

    /// Looks for a matching edge among the levels not seen yet and marks them seen up to the
    /// edge found (or all of them). The line keeps only its newest levels
    /// (the simulator's `HISTORY_WINDOW`): older unseen ones are skipped.
    fn take_edge(&mut self, edge: Edge) -> bool {
        // Every level after the first (index 0) is a change of level.
        let (first, levels) = self.line.levels_since(self.seen.max(1));
        for (i, &(_, high)) in levels.iter().enumerate() {
            if edge.matches_change_to(Level::from(high)) {
                self.seen = first + i as u64 + 1;
                return true;
            }
        }
        self.seen = first + levels.len() as u64;
        false
    }
}

impl GpioBackend for SimPin {
    fn capabilities(&self) -> PinModes {
        PinModes::BOTH
    }

    fn set_level(&mut self, level: Level) -> Result<(), GpioError> {
        self.line.set_high(level.is_high());
        Ok(())
    }

    fn open_input(&mut self) -> Result<(), GpioError> {
        self.seen = self.line.level_count();
        Ok(())
    }

    fn read_level(&mut self) -> Result<Level, GpioError> {
        Ok(Level::from(self.line.is_high()))
    }

    fn wait_for_edge(&mut self, edge: Edge, timeout_ns: u64) -> Result<bool, GpioError> {
        if self.take_edge(edge) {
            return Ok(true);
        }
        if self.time.is_virtual() {
            self.time.delay_ns(timeout_ns);
            return Ok(self.take_edge(edge));
        }
        let deadline = Instant::now().checked_add(Duration::from_nanos(timeout_ns));
        loop {
            let now = Instant::now();
            let left = match deadline {
                Some(deadline) if now >= deadline => return Ok(false),
                Some(deadline) => deadline - now,
                None => POLL_INTERVAL,
            };
            std::thread::sleep(left.min(POLL_INTERVAL));
            if self.take_edge(edge) {
                return Ok(true);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasi_hal_sim::{SimClock, SimLine, Trace};

    #[test]
    fn sim_edges_come_from_the_history_and_timeouts_pass_in_virtual_time() {
        let clock = SimClock::new();
        let line = SimLine::new("button", false, clock.clone(), Trace::new());
        let mut pin = SimPin::new(line.clone(), DelayBackend::virtual_time(clock.clone()));
        pin.open_input().unwrap();
        // No edge: the timeout passes in virtual time at once.
        assert_eq!(pin.wait_for_edge(Edge::Both, 5_000), Ok(false));
        assert_eq!(clock.now_ns(), 5_000);
        // Edges between waits are not lost, and are taken one at a time.
        line.set(true);
        line.set(false);
        assert_eq!(pin.wait_for_edge(Edge::Falling, 1_000), Ok(true));
        assert_eq!(clock.now_ns(), 5_000);
        assert_eq!(pin.wait_for_edge(Edge::Rising, 1_000), Ok(false));
        assert_eq!(clock.now_ns(), 6_000);
        line.set(true);
        assert_eq!(pin.wait_for_edge(Edge::Rising, 1_000), Ok(true));
        assert_eq!(pin.read_level(), Ok(Level::High));
    }

    #[test]
    fn polled_input_sees_a_change() {
        struct Flip(u32);
        impl embedded_hal::digital::ErrorType for Flip {
            type Error = core::convert::Infallible;
        }
        impl InputPin for Flip {
            fn is_high(&mut self) -> Result<bool, Self::Error> {
                self.0 += 1;
                Ok(self.0 > 3)
            }
            fn is_low(&mut self) -> Result<bool, Self::Error> {
                Ok(!self.is_high()?)
            }
        }
        let mut pin = HalInput::new(Flip(0));
        pin.open_input().unwrap();
        assert_eq!(pin.wait_for_edge(Edge::Falling, 3_000_000), Ok(false));
        let mut pin = HalInput::new(Flip(0));
        pin.open_input().unwrap();
        assert_eq!(pin.wait_for_edge(Edge::Rising, 1_000_000_000), Ok(true));
    }
}
