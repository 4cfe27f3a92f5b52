//! The Linux backend: one line of a GPIO character device (`/dev/gpiochipN`) through gpiocdev.
//!
//! The line is requested when a guest opens it (or when the board drives its initial level)
//! and kept requested afterwards, so an output that returned to its safe level stays driven
//! there rather than being handed back to the kernel in an unknown state. An input is
//! requested with edge detection on both edges: the kernel queues edges with their times, and
//! `wait-for-edge` reads that queue with the guest's timeout.

use crate::{Edge, GpioBackend, GpioError, Level, PinModes};
use gpiocdev::Request;
use gpiocdev::line::{EdgeDetection, EdgeKind, Offset, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Maps an errno from the GPIO character device to the error the guest sees.
///
/// `EBUSY` (the line is requested by another process or a kernel driver) → `already-in-use`,
/// anything else (including `EPERM`/`EACCES`: the host may not open the chip) → `other`.
pub fn gpio_error_from_errno(errno: i32) -> GpioError {
    match errno {
        libc::EBUSY => GpioError::AlreadyInUse,
        _ => GpioError::Other,
    }
}

fn errno(e: &gpiocdev::Error) -> Option<i32> {
    match e {
        gpiocdev::Error::Os(errno) => Some(errno.0),
        gpiocdev::Error::Uapi(_, gpiocdev_uapi::Error::Os(errno)) => Some(errno.0),
        _ => None,
    }
}

fn cdev_error(e: &gpiocdev::Error) -> GpioError {
    errno(e).map_or(GpioError::Other, gpio_error_from_errno)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Output,
    Input,
}

/// One line of a GPIO character device as a pin.
pub struct LinuxGpioLine {
    chip: PathBuf,
    offset: Offset,
    consumer: String,
    request: Option<(Request, Direction)>,
}

impl std::fmt::Debug for LinuxGpioLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinuxGpioLine")
            .field("chip", &self.chip)
            .field("offset", &self.offset)
            .finish_non_exhaustive()
    }
}

impl LinuxGpioLine {
    /// Line `offset` of the chip at `chip` (for example `/dev/gpiochip0`). Nothing is
    /// requested until the pin is used; the kernel shows the consumer as `wasi-hal`.
    pub fn new(chip: impl AsRef<Path>, offset: u32) -> Self {
        Self {
            chip: chip.as_ref().to_path_buf(),
            offset,
            consumer: "wasi-hal".into(),
            request: None,
        }
    }

    /// Names the consumer the kernel shows for the line.
    pub fn with_consumer(mut self, consumer: impl Into<String>) -> Self {
        self.consumer = consumer.into();
        self
    }

    fn request(&mut self, direction: Direction, level: Level) -> Result<(), GpioError> {
        // Let the old request go first: the kernel refuses a second request of the same line.
        self.request = None;
        let mut builder = Request::builder();
        builder
            .on_chip(&self.chip)
            .with_consumer(self.consumer.as_str())
            .with_line(self.offset);
        match direction {
            Direction::Output => builder.as_output(value(level)),
            Direction::Input => builder
                .as_input()
                .with_edge_detection(EdgeDetection::BothEdges),
        };
        let request = builder.request().map_err(|e| cdev_error(&e))?;
        self.request = Some((request, direction));
        Ok(())
    }

    fn current(&self, direction: Direction) -> Result<&Request, GpioError> {
        match &self.request {
            Some((request, d)) if *d == direction => Ok(request),
            _ => Err(GpioError::Other),
        }
    }

    /// The guest's error for `e` from the current request. When the chip is gone (`ENODEV`:
    /// unplugged, or its driver unbound) the request is let go at once: its open file keeps
    /// the kernel's record of the removed chip alive, so a chip that comes back would get
    /// another number and the board's `/dev/gpiochipN` would name nothing. The next open
    /// requests the line anew.
    fn failed(&mut self, e: &gpiocdev::Error) -> GpioError {
        if errno(e) == Some(libc::ENODEV) {
            self.request = None;
        }
        cdev_error(e)
    }
}

/// Reads exactly one edge event from the kernel's queue for `request`.
///
/// Not `Request::read_edge_event`: with only the v2 uAPI enabled, gpiocdev 0.8.0 reads into a
/// buffer of as many *words* as an event has *bytes* (room for 8 events), returns the first and
/// drops the rest, so edges queued while the guest was busy were lost (the VM tests caught it:
/// tests/vm/tests/gpio.rs). One event's worth of buffer leaves the others queued.
fn read_one_edge_event(request: &Request) -> Result<gpiocdev::line::EdgeEvent, gpiocdev::Error> {
    let mut buf = [0u64; 16];
    let one = request.edge_event_u64_size().min(buf.len());
    let n = request.read_edge_events_into_slice(&mut buf[..one])?;
    request.edge_event_from_slice(&buf[..n])
}

fn value(level: Level) -> Value {
    match level {
        Level::High => Value::Active,
        Level::Low => Value::Inactive,
    }
}

impl GpioBackend for LinuxGpioLine {
    fn capabilities(&self) -> PinModes {
        PinModes::BOTH
    }

    fn open_output(&mut self, level: Level) -> Result<(), GpioError> {
        if matches!(self.request, Some((_, Direction::Output))) {
            return self.set_level(level);
        }
        self.request(Direction::Output, level)
    }

    fn set_level(&mut self, level: Level) -> Result<(), GpioError> {
        let offset = self.offset;
        let result = self
            .current(Direction::Output)?
            .set_value(offset, value(level));
        result.map_err(|e| self.failed(&e))
    }

    fn open_input(&mut self) -> Result<(), GpioError> {
        // A new request: edges queued for an earlier guest are not this guest's.
        self.request(Direction::Input, Level::Low)
    }

    fn read_level(&mut self) -> Result<Level, GpioError> {
        let offset = self.offset;
        let result = self.current(Direction::Input)?.value(offset);
        let v = result.map_err(|e| self.failed(&e))?;
        Ok(Level::from(v == Value::Active))
    }

    fn wait_for_edge(&mut self, edge: Edge, timeout_ns: u64) -> Result<bool, GpioError> {
        let result = self.wait_on_request(edge, timeout_ns);
        result.map_err(|e| self.failed(&e))
    }
}

impl LinuxGpioLine {
    fn wait_on_request(&self, edge: Edge, timeout_ns: u64) -> Result<bool, gpiocdev::Error> {
        let Ok(request) = self.current(Direction::Input) else {
            return Err(gpiocdev::Error::InvalidArgument(
                "the line is not requested as an input".into(),
            ));
        };
        // A deadline too far away to represent is no deadline.
        let deadline = Instant::now().checked_add(Duration::from_nanos(timeout_ns));
        loop {
            let left = match deadline {
                Some(d) => d.saturating_duration_since(Instant::now()),
                None => Duration::from_secs(3600),
            };
            if !request.wait_edge_event(left)? {
                if deadline.is_some() {
                    return Ok(false);
                }
                continue;
            }
            let event = read_one_edge_event(request)?;
            let to = match event.kind {
                EdgeKind::Rising => Level::High,
                EdgeKind::Falling => Level::Low,
            };
            if edge.matches_change_to(to) {
                return Ok(true);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_mapping() {
        assert_eq!(gpio_error_from_errno(libc::EBUSY), GpioError::AlreadyInUse);
        assert_eq!(gpio_error_from_errno(libc::EPERM), GpioError::Other);
        assert_eq!(gpio_error_from_errno(libc::ENOENT), GpioError::Other);
    }

    #[test]
    fn a_missing_chip_is_an_error_not_a_panic() {
        let mut line = LinuxGpioLine::new("/dev/gpiochip-does-not-exist", 3);
        assert_eq!(line.open_output(Level::High), Err(GpioError::Other));
        assert_eq!(line.set_level(Level::Low), Err(GpioError::Other));
        assert_eq!(line.read_level(), Err(GpioError::Other));
    }
}
