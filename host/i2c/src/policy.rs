//! Errors of I2C operations. The board's policy for a bus is [`wasi_hal_policy::i2c`]'s.

use std::fmt;
use wasi_hal_policy::hold::InUse;

/// Which part of a transfer was not acknowledged (`wasi:i2c/i2c.no-acknowledge-source`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NoAcknowledgeSource {
    /// The target did not acknowledge its address.
    Address,
    /// The target did not acknowledge a data byte.
    Data,
    /// The bus cannot tell which.
    Unknown,
}

/// Why an I2C operation failed (`wasi:i2c/i2c.error-code`).
///
/// Backends return it; the host crate turns it into the WIT error the guest sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum I2cError {
    /// An unexpected START or STOP condition.
    Bus,
    /// Another controller won arbitration.
    ArbitrationLoss,
    /// A byte was not acknowledged.
    NoAcknowledge(NoAcknowledgeSource),
    /// The peripheral's receive buffer overran.
    Overrun,
    /// The policy does not let this guest reach the address; nothing was sent.
    AddressNotPermitted,
    /// Refused by policy or by the operating system's permissions.
    NotPermitted,
    /// Held by another guest, or busy in the operating system.
    InUse,
    /// Longer than the host or the operating system allows; nothing was sent.
    TooLarge,
    /// Any other failure.
    Other,
}

impl I2cError {
    /// Maps an embedded-hal error kind to the error the guest sees.
    pub fn from_kind(kind: embedded_hal::i2c::ErrorKind) -> Self {
        use embedded_hal::i2c::{ErrorKind, NoAcknowledgeSource as Src};
        match kind {
            ErrorKind::Bus => Self::Bus,
            ErrorKind::ArbitrationLoss => Self::ArbitrationLoss,
            ErrorKind::NoAcknowledge(src) => Self::NoAcknowledge(match src {
                Src::Address => NoAcknowledgeSource::Address,
                Src::Data => NoAcknowledgeSource::Data,
                Src::Unknown => NoAcknowledgeSource::Unknown,
            }),
            ErrorKind::Overrun => Self::Overrun,
            // `ErrorKind` is non-exhaustive: kinds added later are reported as `other`.
            _ => Self::Other,
        }
    }
}

impl fmt::Display for I2cError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bus => f.write_str("bus error"),
            Self::ArbitrationLoss => f.write_str("arbitration lost"),
            Self::NoAcknowledge(src) => write!(f, "no acknowledge ({src:?})"),
            Self::Overrun => f.write_str("receive overrun"),
            Self::AddressNotPermitted => f.write_str("address not permitted"),
            Self::NotPermitted => f.write_str("not permitted"),
            Self::InUse => f.write_str("in use"),
            Self::TooLarge => f.write_str("transfer too large"),
            Self::Other => f.write_str("I2C error"),
        }
    }
}

impl std::error::Error for I2cError {}

impl From<InUse> for I2cError {
    /// Held by another guest.
    fn from(_: InUse) -> Self {
        Self::InUse
    }
}
