//! Pin levels and directions, and the board's rules for one pin.

/// A logic level (`wasi:gpio/gpio.level`). The board file spells them `"low"` and `"high"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "kebab-case")
)]
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

    /// The other level.
    pub fn opposite(self) -> Level {
        match self {
            Level::Low => Level::High,
            Level::High => Level::Low,
        }
    }
}

impl From<bool> for Level {
    /// `true` is high.
    fn from(high: bool) -> Self {
        if high { Level::High } else { Level::Low }
    }
}

impl From<Level> for bool {
    /// High is `true`.
    fn from(level: Level) -> Self {
        level.is_high()
    }
}

/// One direction a pin may be opened in (`wasi:gpio`'s `open-input` and `open-output`). The
/// board file's `modes` list spells them `"input"` and `"output"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "kebab-case")
)]
pub enum PinMode {
    /// The guest may read the pin.
    Input,
    /// The guest may drive the pin.
    Output,
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

    /// Whether the pin may be opened in direction `mode`.
    pub fn allows(self, mode: PinMode) -> bool {
        match mode {
            PinMode::Input => self.input,
            PinMode::Output => self.output,
        }
    }
}

impl FromIterator<PinMode> for PinModes {
    /// The directions listed (a board file's `modes`).
    fn from_iter<I: IntoIterator<Item = PinMode>>(modes: I) -> Self {
        modes
            .into_iter()
            .fold(Self::default(), |acc, mode| match mode {
                PinMode::Input => Self { input: true, ..acc },
                PinMode::Output => Self {
                    output: true,
                    ..acc
                },
            })
    }
}

/// The board's rules for one pin.
///
/// ```
/// use wasi_hal_policy::{Level, PinModes, PinPolicy};
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

/// A line that keeps the levels it has had, in order: what a host needs to drive a simulated
/// GPIO line and to report edges without losing one between two waits.
///
/// The simulator implements it for its line (`wasi_hal_sim::SimLine`); a host wraps an
/// implementor in its pin backend (`wasi_hal_gpio::SimPin`).
pub trait RecordedLine: Send + core::fmt::Debug + 'static {
    /// Drives the line high (`true`) or low.
    fn set_high(&self, high: bool);

    /// The level now: `true` is high.
    fn is_high(&self) -> bool;

    /// How many levels the line has had: the initial level and one per change, never
    /// forgetting.
    fn level_count(&self) -> u64;

    /// The levels kept from the `from`-th on (0 is the initial level), as `(time_ns, high)`,
    /// with the index of the first one returned (later than `from` when older levels have been
    /// forgotten).
    fn levels_since(&self, from: u64) -> (u64, alloc::vec::Vec<(u64, bool)>);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_convert_and_flip() {
        assert_eq!(Level::from(true), Level::High);
        assert!(!bool::from(Level::Low));
        assert_eq!(Level::High.opposite(), Level::Low);
        assert_eq!(Level::Low.opposite(), Level::High);
        assert_eq!(Level::default(), Level::Low);
    }

    #[test]
    fn modes_from_a_list_and_intersected() {
        let listed: PinModes = [PinMode::Output].into_iter().collect();
        assert_eq!(listed, PinModes::OUTPUT);
        let both: PinModes = [PinMode::Output, PinMode::Input].into_iter().collect();
        assert_eq!(both, PinModes::BOTH);
        assert_eq!(
            core::iter::empty().collect::<PinModes>(),
            PinModes::default()
        );
        assert!(both.allows(PinMode::Input));
        assert!(!listed.allows(PinMode::Input));
        assert_eq!(both.intersect(PinModes::INPUT), PinModes::INPUT);
    }
}
