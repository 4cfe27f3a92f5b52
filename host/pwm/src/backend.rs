//! What is behind a channel: the [`PwmBackend`] trait and the simulated backend.

use std::io;
use wasi_hal_sim::SimPwm;

/// One PWM output as the host drives it. The channel ([`SharedPwmChannel`](crate::SharedPwmChannel))
/// checks the board's policy and the guest's values before calling these, so a backend only
/// does what it is told (or reports what the controller or the operating system refused).
pub trait PwmBackend: Send + 'static {
    /// The duty cycle that means always high.
    fn max_duty_cycle(&self) -> u16;

    /// Sets the period to `1 / frequency_hz`, keeping `duty` of `max_duty_cycle` high, and
    /// returns the frequency the controller made.
    fn set_frequency(&mut self, frequency_hz: u32, duty: u16) -> io::Result<u32>;

    /// Sets the duty cycle (at most `max_duty_cycle`).
    fn set_duty_cycle(&mut self, duty: u16) -> io::Result<()>;

    /// Switches the output on or off (held low).
    fn set_enabled(&mut self, enabled: bool) -> io::Result<()>;
}

impl PwmBackend for SimPwm {
    fn max_duty_cycle(&self) -> u16 {
        self.setting().max_duty
    }

    fn set_frequency(&mut self, frequency_hz: u32, _duty: u16) -> io::Result<u32> {
        // The simulated controller keeps the duty value, which is its share of the period.
        Ok(SimPwm::set_frequency(self, frequency_hz))
    }

    fn set_duty_cycle(&mut self, duty: u16) -> io::Result<()> {
        self.set_duty(duty);
        Ok(())
    }

    fn set_enabled(&mut self, enabled: bool) -> io::Result<()> {
        SimPwm::set_enabled(self, enabled);
        Ok(())
    }
}
