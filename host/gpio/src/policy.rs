//! Levels, edges, errors and the board's policy for one pin.

use std::fmt;

/// A logic level (`wasi:gpio/gpio.level`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Level {
    /// Logic low.
    #[default]
    Low,
    /// Logic high.
    High,
}

impl Level {
    /// `true` for [`Level::High`].
    pub fn is_high(self) -> bool {
        self == Level::High
    }
}

impl From<bool> for Level {
    /// `true` is high.
    fn from(high: bool) -> Self {
        if high { Level::High } else { Level::Low }
    }
}

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

/// The directions a pin may be opened in (`wasi:gpio/gpio.pin-modes`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PinModes {
    /// May be opened as an input.
    pub input: bool,
    /// May be opened as an output.
    pub output: bool,
}

impl PinModes {
    /// Input only.
    pub const INPUT: Self = Self {
        input: true,
        output: false,
    };
    /// Output only.
    pub const OUTPUT: Self = Self {
        input: false,
        output: true,
    };
    /// Input and output.
    pub const BOTH: Self = Self {
        input: true,
        output: true,
    };

    /// The directions allowed by both `self` and `other`.
    pub fn intersect(self, other: Self) -> Self {
        Self {
            input: self.input && other.input,
            output: self.output && other.output,
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

/// The board's rules for one pin.
///
/// ```
/// use wasi_hal_gpio::{Level, PinModes, PinPolicy};
/// // A reset line, active low: held high (inactive) unless a guest drives it.
/// let reset = PinPolicy {
///     modes: PinModes::OUTPUT,
///     initial_level: Some(Level::High),
///     safe_level: Level::High,
/// };
/// assert!(!reset.modes.input);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PinPolicy {
    /// The directions a guest may open the pin in (further limited by what the backend can
    /// do).
    pub modes: PinModes,
    /// The level the board drives the pin to when the pin is set up, before any guest opens
    /// it; `None` leaves the pin alone until a guest opens it. Ignored for input-only pins.
    pub initial_level: Option<Level>,
    /// The level an output returns to when the guest that drove it lets it go: drops its
    /// handle, traps, or ends.
    pub safe_level: Level,
}

impl Default for PinPolicy {
    /// Input and output, not driven at setup, safe level low.
    fn default() -> Self {
        Self {
            modes: PinModes::BOTH,
            initial_level: None,
            safe_level: Level::Low,
        }
    }
}
