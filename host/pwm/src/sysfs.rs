//! The Linux backend: one channel of a PWM chip under `/sys/class/pwm`.
//!
//! The kernel's sysfs PWM interface (Documentation/driver-api/pwm.rst): writing the channel
//! number to `pwmchipN/export` makes `pwmchipN/pwmM/` appear with `period`, `duty_cycle` (both
//! in nanoseconds) and `enable` (`0` or `1`). The kernel refuses a duty cycle longer than the
//! period (`EINVAL`), so a change of period writes the two in the order that keeps
//! `duty_cycle <= period` at every step.

use crate::PwmBackend;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The duty cycle value that means always high on a sysfs channel.
pub const SYSFS_MAX_DUTY_CYCLE: u16 = u16::MAX;

/// How long [`SysfsPwmChannel::open`] waits for `pwmM/` to appear after the export (udev may
/// still be changing its permissions).
const EXPORT_WAIT: Duration = Duration::from_millis(500);

/// One channel of a sysfs PWM chip (`/sys/class/pwm/pwmchipN`, channel `M`).
#[derive(Debug)]
pub struct SysfsPwmChannel {
    dir: PathBuf,
    period_ns: u64,
    duty: u16,
}

fn context(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

fn write_value(path: &Path, value: impl ToString) -> io::Result<()> {
    fs::write(path, value.to_string()).map_err(|e| context(path, e))
}

/// The period in nanoseconds for `frequency_hz` (at least 1 ns).
fn period_ns(frequency_hz: u32) -> u64 {
    (1_000_000_000 / u64::from(frequency_hz.max(1))).max(1)
}

/// The frequency a period of `period_ns` makes, rounded to the nearest hertz.
fn frequency_of(period_ns: u64) -> u32 {
    let hz = (1_000_000_000 + period_ns / 2) / period_ns.max(1);
    u32::try_from(hz).unwrap_or(u32::MAX)
}

fn duty_ns(period_ns: u64, duty: u16) -> u64 {
    // u64 holds period (< 2^30 for 1 Hz) times 2^16.
    period_ns * u64::from(duty) / u64::from(SYSFS_MAX_DUTY_CYCLE)
}

impl SysfsPwmChannel {
    /// Opens channel `channel` of the chip at `chip` (e.g. `/sys/class/pwm/pwmchip0`): exports
    /// it unless it is already exported, then switches it off at `frequency_hz` with a duty
    /// cycle of 0.
    pub fn open(chip: impl AsRef<Path>, channel: u32, frequency_hz: u32) -> io::Result<Self> {
        let chip = chip.as_ref();
        let npwm = chip.join("npwm");
        if let Ok(text) = fs::read_to_string(&npwm) {
            let count: u32 = text.trim().parse().map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{}: not a channel count: {:?}", npwm.display(), text.trim()),
                )
            })?;
            if channel >= count {
                return Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    format!(
                        "{} has {count} channels, no channel {channel}",
                        chip.display()
                    ),
                ));
            }
        } else if !chip.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("no PWM chip at {}", chip.display()),
            ));
        }
        let dir = chip.join(format!("pwm{channel}"));
        if !dir.is_dir() {
            write_value(&chip.join("export"), channel)?;
            let start = Instant::now();
            while !dir.join("enable").exists() {
                if start.elapsed() > EXPORT_WAIT {
                    return Err(io::Error::new(
                        io::ErrorKind::NotFound,
                        format!("{} did not appear after the export", dir.display()),
                    ));
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        let mut channel = Self {
            dir,
            period_ns: 0,
            duty: 0,
        };
        channel.set_enabled(false)?;
        // Whatever was left there: the duty first, so it never exceeds a shorter period.
        write_value(&channel.dir.join("duty_cycle"), 0)?;
        channel.period_ns = period_ns(frequency_hz);
        write_value(&channel.dir.join("period"), channel.period_ns)?;
        Ok(channel)
    }

    /// The channel's directory (`pwmchipN/pwmM`).
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl PwmBackend for SysfsPwmChannel {
    fn max_duty_cycle(&self) -> u16 {
        SYSFS_MAX_DUTY_CYCLE
    }

    fn set_frequency(&mut self, frequency_hz: u32, duty: u16) -> io::Result<u32> {
        let period = period_ns(frequency_hz);
        let duty_then = duty_ns(period, duty);
        if period < self.period_ns {
            // Shorter: the duty shrinks first, so it never exceeds the period in force.
            write_value(&self.dir.join("duty_cycle"), duty_then)?;
            write_value(&self.dir.join("period"), period)?;
        } else {
            // Longer (or the same): the period grows first, for the same reason.
            write_value(&self.dir.join("period"), period)?;
            write_value(&self.dir.join("duty_cycle"), duty_then)?;
        }
        self.period_ns = period;
        self.duty = duty;
        Ok(frequency_of(period))
    }

    fn set_duty_cycle(&mut self, duty: u16) -> io::Result<()> {
        write_value(&self.dir.join("duty_cycle"), duty_ns(self.period_ns, duty))?;
        self.duty = duty;
        Ok(())
    }

    fn set_enabled(&mut self, enabled: bool) -> io::Result<()> {
        write_value(&self.dir.join("enable"), u8::from(enabled))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_and_frequencies() {
        assert_eq!(period_ns(1_000), 1_000_000);
        assert_eq!(frequency_of(1_000_000), 1_000);
        // 3 kHz is 333_333 ns, which makes 3_000 Hz again when rounded.
        assert_eq!(frequency_of(period_ns(3_000)), 3_000);
        assert_eq!(duty_ns(1_000_000, SYSFS_MAX_DUTY_CYCLE), 1_000_000);
        assert_eq!(duty_ns(1_000_000, SYSFS_MAX_DUTY_CYCLE / 2), 499_992);
    }
}
