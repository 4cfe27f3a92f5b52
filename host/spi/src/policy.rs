//! Errors of SPI operations. The settings and the board's policy for a device are
//! [`wasi_hal_policy::spi`]'s.

use std::fmt;
use wasi_hal_policy::hold::InUse;
use wasi_hal_policy::spi::ConfigRefused;

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

impl From<ConfigRefused> for SpiError {
    /// Every refusal of the board's policy is `not-permitted` to the guest.
    fn from(_: ConfigRefused) -> Self {
        Self::NotPermitted
    }
}

impl From<InUse> for SpiError {
    /// Held by another guest.
    fn from(_: InUse) -> Self {
        Self::InUse
    }
}
