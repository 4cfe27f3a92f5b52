//! Bus settings, errors and the board's policy for one SPI device.

use std::fmt;

/// Clock polarity and phase, numbered as on every datasheet (`wasi:spi/spi.mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SpiMode {
    /// CPOL = 0, CPHA = 0.
    Mode0,
    /// CPOL = 0, CPHA = 1.
    Mode1,
    /// CPOL = 1, CPHA = 0.
    Mode2,
    /// CPOL = 1, CPHA = 1.
    Mode3,
}

impl SpiMode {
    /// All four modes.
    pub const ALL: [SpiMode; 4] = [Self::Mode0, Self::Mode1, Self::Mode2, Self::Mode3];

    /// The same mode as embedded-hal spells it.
    pub fn to_hal(self) -> embedded_hal::spi::Mode {
        match self {
            Self::Mode0 => embedded_hal::spi::MODE_0,
            Self::Mode1 => embedded_hal::spi::MODE_1,
            Self::Mode2 => embedded_hal::spi::MODE_2,
            Self::Mode3 => embedded_hal::spi::MODE_3,
        }
    }
}

/// Bus settings for a device (`wasi:spi/spi.config`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SpiConfig {
    /// SCLK frequency in hertz.
    pub frequency_hz: u32,
    /// Clock polarity and phase.
    pub mode: SpiMode,
    /// `true` when the least significant bit of each byte goes first.
    pub lsb_first: bool,
}

impl Default for SpiConfig {
    /// 1 MHz, mode 0, most significant bit first.
    fn default() -> Self {
        Self {
            frequency_hz: 1_000_000,
            mode: SpiMode::Mode0,
            lsb_first: false,
        }
    }
}

/// Why an SPI operation failed (`wasi:spi/spi.error-code`).
///
/// Backends return it; the host crate turns it into the WIT error the guest sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SpiError {
    /// The peripheral's receive buffer overran.
    Overrun,
    /// Multiple controllers drove the bus.
    ModeFault,
    /// The received frame was malformed.
    FrameFormat,
    /// The chip select line could not be driven.
    ChipSelectFault,
    /// Refused by policy or by the operating system's permissions.
    NotPermitted,
    /// Held by another guest, or busy in the operating system.
    InUse,
    /// Longer than the host or the operating system allows; nothing was sent.
    TooLarge,
    /// Any other failure.
    Other,
}

impl SpiError {
    /// Maps an embedded-hal error kind to the error the guest sees.
    pub fn from_kind(kind: embedded_hal::spi::ErrorKind) -> Self {
        use embedded_hal::spi::ErrorKind;
        match kind {
            ErrorKind::Overrun => Self::Overrun,
            ErrorKind::ModeFault => Self::ModeFault,
            ErrorKind::FrameFormat => Self::FrameFormat,
            ErrorKind::ChipSelectFault => Self::ChipSelectFault,
            // `ErrorKind` is non-exhaustive: kinds added later are reported as `other`.
            _ => Self::Other,
        }
    }
}

impl fmt::Display for SpiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Self::Overrun => "receive overrun",
            Self::ModeFault => "mode fault",
            Self::FrameFormat => "frame format error",
            Self::ChipSelectFault => "chip select fault",
            Self::NotPermitted => "not permitted",
            Self::InUse => "in use",
            Self::TooLarge => "transfer too large",
            Self::Other => "SPI error",
        };
        f.write_str(s)
    }
}

impl std::error::Error for SpiError {}

/// What `configure` does with a frequency above [`SpiPolicy::max_frequency_hz`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AboveMaximum {
    /// Lower it to the maximum and report the lowered value in the effective configuration.
    #[default]
    Clamp,
    /// Refuse the request with `not-permitted`; the settings stay as they were.
    Refuse,
}

/// The board's rules for one SPI device. Build it with a struct literal over
/// [`SpiPolicy::default`]:
///
/// ```
/// use wasi_hal_spi::{AboveMaximum, SpiMode, SpiPolicy};
/// let policy = SpiPolicy {
///     max_frequency_hz: 10_000_000,
///     allowed_modes: vec![SpiMode::Mode0, SpiMode::Mode3],
///     above_maximum: AboveMaximum::Refuse,
///     ..SpiPolicy::default()
/// };
/// assert!(policy.allows_mode(SpiMode::Mode3));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpiPolicy {
    /// The settings in force when a guest opens the device (and after the last holder lets it
    /// go). They are the fixed settings when [`SpiPolicy::guest_may_configure`] is `false`.
    pub default_config: SpiConfig,
    /// Whether a guest may change the settings. When `false`, `configure` succeeds without
    /// changing anything and returns the board's settings.
    pub guest_may_configure: bool,
    /// The highest SCLK frequency a guest may ask for.
    pub max_frequency_hz: u32,
    /// What happens to a request above [`SpiPolicy::max_frequency_hz`].
    pub above_maximum: AboveMaximum,
    /// The modes a guest may ask for; any other is refused with `not-permitted`.
    pub allowed_modes: Vec<SpiMode>,
    /// Whether a guest may ask for least-significant-bit-first order.
    pub allow_lsb_first: bool,
    /// The most bytes one call may move: the sum of the read, write and transfer lengths of a
    /// transaction. Longer requests are refused with `too-large` before anything is allocated.
    pub max_transfer_bytes: u32,
}

impl Default for SpiPolicy {
    /// The default settings of [`SpiConfig::default`], guest configuration allowed in any mode
    /// and bit order up to 10 MHz (clamped above), 4096 bytes per call (Linux spidev's default
    /// message limit, so a call is one chip-select period there too).
    fn default() -> Self {
        Self {
            default_config: SpiConfig::default(),
            guest_may_configure: true,
            max_frequency_hz: 10_000_000,
            above_maximum: AboveMaximum::Clamp,
            allowed_modes: SpiMode::ALL.to_vec(),
            allow_lsb_first: true,
            max_transfer_bytes: 4096,
        }
    }
}

impl SpiPolicy {
    /// Whether a guest may ask for `mode`.
    pub fn allows_mode(&self, mode: SpiMode) -> bool {
        self.allowed_modes.contains(&mode)
    }

    /// The settings that a guest's request for `requested` results in, given the settings
    /// `current` in force: the request as given, with the frequency clamped, the current
    /// settings unchanged (fixed settings), or an error (the request is refused).
    pub fn effective_config(
        &self,
        current: SpiConfig,
        requested: SpiConfig,
    ) -> Result<SpiConfig, SpiError> {
        if !self.guest_may_configure {
            return Ok(current);
        }
        if !self.allows_mode(requested.mode) || (requested.lsb_first && !self.allow_lsb_first) {
            return Err(SpiError::NotPermitted);
        }
        // A zero clock cannot move a bit: refused rather than guessed at.
        if requested.frequency_hz == 0 {
            return Err(SpiError::NotPermitted);
        }
        let mut effective = requested;
        if requested.frequency_hz > self.max_frequency_hz {
            match self.above_maximum {
                AboveMaximum::Clamp => effective.frequency_hz = self.max_frequency_hz,
                AboveMaximum::Refuse => return Err(SpiError::NotPermitted),
            }
        }
        Ok(effective)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(frequency_hz: u32, mode: SpiMode, lsb_first: bool) -> SpiConfig {
        SpiConfig {
            frequency_hz,
            mode,
            lsb_first,
        }
    }

    #[test]
    fn clamps_or_refuses_above_the_maximum() {
        let mut policy = SpiPolicy {
            max_frequency_hz: 8_000_000,
            ..SpiPolicy::default()
        };
        let current = SpiConfig::default();
        let asked = cfg(20_000_000, SpiMode::Mode3, false);
        assert_eq!(
            policy.effective_config(current, asked),
            Ok(cfg(8_000_000, SpiMode::Mode3, false))
        );
        policy.above_maximum = AboveMaximum::Refuse;
        assert_eq!(
            policy.effective_config(current, asked),
            Err(SpiError::NotPermitted)
        );
        assert_eq!(
            policy.effective_config(current, cfg(8_000_000, SpiMode::Mode3, false)),
            Ok(cfg(8_000_000, SpiMode::Mode3, false))
        );
    }

    #[test]
    fn refuses_modes_bit_order_and_zero_clock() {
        let policy = SpiPolicy {
            allowed_modes: vec![SpiMode::Mode0],
            allow_lsb_first: false,
            ..SpiPolicy::default()
        };
        let current = SpiConfig::default();
        for asked in [
            cfg(1_000, SpiMode::Mode1, false),
            cfg(1_000, SpiMode::Mode0, true),
            cfg(0, SpiMode::Mode0, false),
        ] {
            assert_eq!(
                policy.effective_config(current, asked),
                Err(SpiError::NotPermitted),
                "{asked:?}"
            );
        }
    }

    #[test]
    fn fixed_settings_stay() {
        let policy = SpiPolicy {
            guest_may_configure: false,
            ..SpiPolicy::default()
        };
        let current = cfg(2_000_000, SpiMode::Mode3, false);
        assert_eq!(
            policy.effective_config(current, cfg(5, SpiMode::Mode1, true)),
            Ok(current)
        );
    }
}
