//! [`embedded_hal::digital`] pins over `wasi:gpio`.

use crate::bindings::wasi::gpio::gpio as wit;
pub use wit::{Edge, ErrorCode, Level, PinInfo, PinModes};

bus_error!(
    "GPIO",
    ErrorCode::PinNotAllowed | ErrorCode::ModeNotAllowed => NotPermitted,
    ErrorCode::AlreadyInUse => InUse,
);

/// embedded-hal's digital errors have one kind, `Other`; see [`Error::refusal`] for the policy.
impl embedded_hal::digital::Error for Error {
    fn kind(&self) -> embedded_hal::digital::ErrorKind {
        embedded_hal::digital::ErrorKind::Other
    }
}

/// The pins the host offers to this component.
pub fn pins() -> alloc::vec::Vec<PinInfo> {
    wit::get_pins()
}

/// A pin opened as an output.
#[derive(Debug)]
pub struct OutputPin(wit::OutputPin);

impl OutputPin {
    /// Opens the pin `name` as an output, driven to `initial` at once.
    pub fn open(name: &str, initial: Level) -> Result<Self, Error> {
        wit::open_output(name, initial).map(Self).map_err(Error)
    }
}

impl embedded_hal::digital::ErrorType for OutputPin {
    type Error = Error;
}

impl embedded_hal::digital::OutputPin for OutputPin {
    fn set_low(&mut self) -> Result<(), Error> {
        self.0.set_level(Level::Low).map_err(Error)
    }

    fn set_high(&mut self) -> Result<(), Error> {
        self.0.set_level(Level::High).map_err(Error)
    }
}

impl embedded_hal::digital::StatefulOutputPin for OutputPin {
    fn is_set_high(&mut self) -> Result<bool, Error> {
        Ok(self.0.get_level() == Level::High)
    }

    fn is_set_low(&mut self) -> Result<bool, Error> {
        Ok(self.0.get_level() == Level::Low)
    }
}

/// A pin opened as an input.
#[derive(Debug)]
pub struct InputPin(wit::InputPin);

impl InputPin {
    /// Opens the pin `name` as an input.
    pub fn open(name: &str) -> Result<Self, Error> {
        wit::open_input(name).map(Self).map_err(Error)
    }

    /// Waits for `edge` or until `timeout_ns` pass; `true` when the edge came.
    pub fn wait_for_edge(&mut self, edge: Edge, timeout_ns: u64) -> Result<bool, Error> {
        self.0.wait_for_edge(edge, timeout_ns).map_err(Error)
    }
}

impl embedded_hal::digital::ErrorType for InputPin {
    type Error = Error;
}

impl embedded_hal::digital::InputPin for InputPin {
    fn is_high(&mut self) -> Result<bool, Error> {
        Ok(self.0.read_level().map_err(Error)? == Level::High)
    }

    fn is_low(&mut self) -> Result<bool, Error> {
        Ok(self.0.read_level().map_err(Error)? == Level::Low)
    }
}
