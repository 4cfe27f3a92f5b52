//! What is behind a channel: the [`PwmBackend`] trait, and [`Hal`] for any
//! [`PwmOutput`] such as the simulated channel.

use std::io;
use wasi_hal_policy::PwmOutput;

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

/// Any [`PwmOutput`] (such as the simulator's channel) as a backend. Its errors reach the log
/// with their embedded-hal kind.
#[derive(Debug)]
pub struct Hal<P>(pub P);

fn hal_error(e: impl embedded_hal::pwm::Error) -> io::Error {
    io::Error::other(format!("PWM output failed: {:?}", e.kind()))
}

impl<P: PwmOutput + Send + 'static> PwmBackend for Hal<P> {
    fn max_duty_cycle(&self) -> u16 {
        self.0.max_duty_cycle()
    }

    fn set_frequency(&mut self, frequency_hz: u32, duty: u16) -> io::Result<u32> {
        self.0.set_frequency(frequency_hz, duty).map_err(hal_error)
    }

    fn set_duty_cycle(&mut self, duty: u16) -> io::Result<()> {
        self.0.set_duty_cycle(duty).map_err(hal_error)
    }

    fn set_enabled(&mut self, enabled: bool) -> io::Result<()> {
        self.0.set_enabled(enabled).map_err(hal_error)
    }
}
