//! SPI settings and the rule that decides which settings a guest's request results in.

use alloc::vec::Vec;
use core::fmt;

/// Clock polarity and phase, numbered as on every datasheet (`wasi:spi/spi.mode`). The board
/// file spells them `"mode0"` to `"mode3"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "kebab-case")
)]
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

    /// The mode embedded-hal's `mode` is.
    pub fn from_hal(mode: embedded_hal::spi::Mode) -> Self {
        Self::ALL
            .into_iter()
            .find(|m| m.to_hal() == mode)
            .unwrap_or(Self::Mode0)
    }
}

/// The order of the bits within a byte (`wasi:spi/spi.bit-order`). The board file spells them
/// `"msb-first"` and `"lsb-first"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "kebab-case")
)]
pub enum BitOrder {
    /// Most significant bit first.
    #[default]
    MsbFirst,
    /// Least significant bit first.
    LsbFirst,
}

impl BitOrder {
    /// `LsbFirst` when `lsb_first`, else `MsbFirst`.
    pub fn from_lsb_first(lsb_first: bool) -> Self {
        if lsb_first {
            Self::LsbFirst
        } else {
            Self::MsbFirst
        }
    }

    /// `true` for [`BitOrder::LsbFirst`].
    pub fn is_lsb_first(self) -> bool {
        self == Self::LsbFirst
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

impl SpiConfig {
    /// The bit order of these settings.
    pub fn bit_order(&self) -> BitOrder {
        BitOrder::from_lsb_first(self.lsb_first)
    }
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

/// What `configure` does with a frequency above [`SpiPolicy::max_frequency_hz`]. The board
/// file's `above-max` spells them `"clamp"` and `"refuse"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "kebab-case")
)]
pub enum AboveMaximum {
    /// Lower it to the maximum and report the lowered value in the effective configuration.
    #[default]
    Clamp,
    /// Refuse the request with `not-permitted`; the settings stay as they were.
    Refuse,
}

/// Why [`SpiPolicy::effective_config`] refused a request. Every reason is `not-permitted` to
/// the guest; the reason is for logs and tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConfigRefused {
    /// The mode is not in [`SpiPolicy::allowed_modes`].
    ModeNotAllowed,
    /// Least-significant-bit-first order, which [`SpiPolicy::allow_lsb_first`] forbids.
    LsbFirstNotAllowed,
    /// A zero clock, which cannot move a bit.
    ZeroFrequency,
    /// Above [`SpiPolicy::max_frequency_hz`] under [`AboveMaximum::Refuse`].
    AboveMaximum,
}

impl fmt::Display for ConfigRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ModeNotAllowed => "mode not allowed",
            Self::LsbFirstNotAllowed => "least-significant-bit-first order not allowed",
            Self::ZeroFrequency => "zero frequency",
            Self::AboveMaximum => "frequency above the maximum",
        })
    }
}

impl core::error::Error for ConfigRefused {}

/// The board's rules for one SPI device. Build it with a struct literal over
/// [`SpiPolicy::default`]:
///
/// ```
/// use wasi_hal_policy::{AboveMaximum, SpiMode, SpiPolicy};
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

    /// Whether one call may move `bytes` bytes (the sum over its operations, counted before
    /// anything is allocated).
    pub fn allows_transfer(&self, bytes: u64) -> bool {
        bytes <= u64::from(self.max_transfer_bytes)
    }

    /// The settings that a guest's request for `requested` results in, given the settings
    /// `current` in force: the request as given, with the frequency clamped, the current
    /// settings unchanged (fixed settings), or a refusal.
    pub fn effective_config(
        &self,
        current: SpiConfig,
        requested: SpiConfig,
    ) -> Result<SpiConfig, ConfigRefused> {
        if !self.guest_may_configure {
            return Ok(current);
        }
        if !self.allows_mode(requested.mode) {
            return Err(ConfigRefused::ModeNotAllowed);
        }
        if requested.lsb_first && !self.allow_lsb_first {
            return Err(ConfigRefused::LsbFirstNotAllowed);
        }
        // A zero clock cannot move a bit: refused rather than guessed at.
        if requested.frequency_hz == 0 {
            return Err(ConfigRefused::ZeroFrequency);
        }
        let mut effective = requested;
        if requested.frequency_hz > self.max_frequency_hz {
            match self.above_maximum {
                AboveMaximum::Clamp => effective.frequency_hz = self.max_frequency_hz,
                AboveMaximum::Refuse => return Err(ConfigRefused::AboveMaximum),
            }
        }
        Ok(effective)
    }
}

/// The settings hook that embedded-hal's [`SpiDevice`](embedded_hal::spi::SpiDevice) lacks: a
/// device that can change mode, frequency and bit order between transactions.
///
/// The simulator implements it for its SPI device; a host wraps an implementor in its
/// settings-applying adapter (`wasi_hal_spi::HalWithSettings`).
pub trait ApplySpiSettings: embedded_hal::spi::ErrorType {
    /// Sets mode, frequency and bit order for the transactions that follow.
    fn apply_spi_settings(&mut self, config: &SpiConfig) -> Result<(), Self::Error>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

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
            Err(ConfigRefused::AboveMaximum)
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
        for (asked, why) in [
            (
                cfg(1_000, SpiMode::Mode1, false),
                ConfigRefused::ModeNotAllowed,
            ),
            (
                cfg(1_000, SpiMode::Mode0, true),
                ConfigRefused::LsbFirstNotAllowed,
            ),
            (cfg(0, SpiMode::Mode0, false), ConfigRefused::ZeroFrequency),
        ] {
            assert_eq!(
                policy.effective_config(current, asked),
                Err(why),
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

    #[test]
    fn transfer_cap_counts_bytes_inclusively() {
        let policy = SpiPolicy {
            max_transfer_bytes: 16,
            ..SpiPolicy::default()
        };
        assert!(policy.allows_transfer(16));
        assert!(!policy.allows_transfer(17));
        assert!(!policy.allows_transfer(u64::MAX));
    }

    #[test]
    fn modes_and_bit_orders_convert_both_ways() {
        for mode in SpiMode::ALL {
            assert_eq!(SpiMode::from_hal(mode.to_hal()), mode);
        }
        assert_eq!(SpiMode::Mode2.to_hal(), embedded_hal::spi::MODE_2);
        assert_eq!(BitOrder::from_lsb_first(true), BitOrder::LsbFirst);
        assert!(!BitOrder::from_lsb_first(false).is_lsb_first());
        assert_eq!(cfg(1, SpiMode::Mode0, true).bit_order(), BitOrder::LsbFirst);
    }
}
