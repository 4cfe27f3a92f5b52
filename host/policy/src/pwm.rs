//! PWM channels: the frequencies a guest may set and the frequency a channel starts at.

use core::fmt;

/// The board's policy for one PWM channel (`[pwm.NAME]` in the board file).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PwmPolicy {
    /// The lowest frequency a guest may set, in hertz (at least 1).
    pub min_frequency_hz: u32,
    /// The highest frequency a guest may set, in hertz.
    pub max_frequency_hz: u32,
    /// The frequency a channel has when a guest opens it, in hertz (within the range).
    pub default_frequency_hz: u32,
}

/// A frequency outside the channel's range (`frequency-not-allowed`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FrequencyNotAllowed {
    /// The frequency asked for.
    pub requested_hz: u32,
}

impl fmt::Display for FrequencyNotAllowed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} Hz is outside the channel's range", self.requested_hz)
    }
}

impl core::error::Error for FrequencyNotAllowed {}

/// A PWM output whose frequency and on/off a host sets as well as its duty cycle: what
/// embedded-hal's [`SetDutyCycle`](embedded_hal::pwm::SetDutyCycle) lacks.
///
/// The simulator implements it for its channel (`wasi_hal_sim::SimPwm`); a host wraps an
/// implementor in its backend adapter (`wasi_hal_pwm::Hal`).
pub trait PwmOutput: embedded_hal::pwm::SetDutyCycle {
    /// Sets the period to `1 / frequency_hz`, keeping `duty` of the maximum duty cycle high,
    /// and returns the frequency the controller made.
    fn set_frequency(&mut self, frequency_hz: u32, duty: u16) -> Result<u32, Self::Error>;

    /// Switches the output on or off (held low).
    fn set_enabled(&mut self, enabled: bool) -> Result<(), Self::Error>;
}

impl PwmPolicy {
    /// A policy that allows `min_hz..=max_hz` and starts at `default_hz`, or `None` when the
    /// range is empty, starts at 0 or does not contain the default.
    pub fn new(min_hz: u32, max_hz: u32, default_hz: u32) -> Option<Self> {
        let policy = Self {
            min_frequency_hz: min_hz,
            max_frequency_hz: max_hz,
            default_frequency_hz: default_hz,
        };
        (min_hz >= 1 && min_hz <= max_hz && policy.allows(default_hz)).then_some(policy)
    }

    /// Whether a guest may set `frequency_hz`.
    pub fn allows(&self, frequency_hz: u32) -> bool {
        (self.min_frequency_hz..=self.max_frequency_hz).contains(&frequency_hz)
    }

    /// `frequency_hz` when the policy allows it.
    pub fn check_frequency(&self, frequency_hz: u32) -> Result<u32, FrequencyNotAllowed> {
        if self.allows(frequency_hz) {
            Ok(frequency_hz)
        } else {
            Err(FrequencyNotAllowed {
                requested_hz: frequency_hz,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_range_is_inclusive_and_the_default_must_be_in_it() {
        let policy = PwmPolicy::new(100, 5_000, 1_000).unwrap();
        assert_eq!(policy.check_frequency(100), Ok(100));
        assert_eq!(policy.check_frequency(5_000), Ok(5_000));
        assert_eq!(
            policy.check_frequency(5_001),
            Err(FrequencyNotAllowed {
                requested_hz: 5_001
            })
        );
        assert!(!policy.allows(99));
        assert_eq!(PwmPolicy::new(100, 5_000, 50), None);
        assert_eq!(PwmPolicy::new(0, 5_000, 1_000), None);
        assert_eq!(PwmPolicy::new(6_000, 5_000, 5_500), None);
    }
}
