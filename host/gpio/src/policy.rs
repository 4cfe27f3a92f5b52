//! Edges and errors of GPIO operations. Levels and the board's policy for a pin are
//! [`wasi_hal_policy::gpio`]'s.

use std::fmt;
use wasi_hal_policy::gpio::Level;
use wasi_hal_policy::hold::InUse;

/// A change of level to wait for (`wasi:gpio/gpio.edge`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Edge {
    /// Low to high.
    Rising,
    /// High to low.
    Falling,
    /// Either.
    Both,
}

impl Edge {
    /// Whether a change to level `now` is an edge of this kind.
    pub fn matches_change_to(self, now: Level) -> bool {
        match self {
            Edge::Rising => now == Level::High,
            Edge::Falling => now == Level::Low,
            Edge::Both => true,
        }
    }
}

/// Why a GPIO operation failed (`wasi:gpio/gpio.error-code`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GpioError {
    /// The pin is not offered to this guest.
    PinNotAllowed,
    /// The pin is offered, but not in this direction.
    ModeNotAllowed,
    /// Another guest or another open handle holds the pin (or, on Linux, another process).
    AlreadyInUse,
    /// Any other failure.
    Other,
}

impl fmt::Display for GpioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::PinNotAllowed => "pin not allowed",
            Self::ModeNotAllowed => "mode not allowed",
            Self::AlreadyInUse => "pin already in use",
            Self::Other => "GPIO error",
        })
    }
}

impl std::error::Error for GpioError {}

impl From<InUse> for GpioError {
    /// Another open handle holds the pin.
    fn from(_: InUse) -> Self {
        Self::AlreadyInUse
    }
}
