//! Errors and the board's policy for one I2C bus.

use std::fmt;

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

/// The target addresses a guest may reach on a bus.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum AllowedAddresses {
    /// Every 7-bit address except the general-call address 0.
    #[default]
    AnyButGeneralCall,
    /// Only these (0 included only when listed; values above 0x7f are never reachable).
    Only(Vec<u8>),
}

/// The board's rules for one I2C bus. Build it with a struct literal over
/// [`I2cPolicy::default`]:
///
/// ```
/// use wasi_hal_i2c::{AllowedAddresses, I2cPolicy};
/// let policy = I2cPolicy {
///     allowed_addresses: AllowedAddresses::Only(vec![0x3c, 0x76]),
///     max_transfer_bytes: 1024,
/// };
/// assert!(policy.allows(0x3c));
/// assert!(!policy.allows(0x3d));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct I2cPolicy {
    /// The addresses a guest may reach; any other is refused with `address-not-permitted` and
    /// nothing reaches the bus.
    pub allowed_addresses: AllowedAddresses,
    /// The most bytes one call may move (the sum of its segments' lengths). Longer requests are
    /// refused with `too-large` before anything is allocated.
    pub max_transfer_bytes: u32,
}

impl Default for I2cPolicy {
    /// Every address but the general call, 4096 bytes per call.
    fn default() -> Self {
        Self {
            allowed_addresses: AllowedAddresses::default(),
            max_transfer_bytes: 4096,
        }
    }
}

impl I2cPolicy {
    /// Whether a guest may reach `address`.
    pub fn allows(&self, address: u8) -> bool {
        if address > 0x7f {
            return false;
        }
        match &self.allowed_addresses {
            AllowedAddresses::AnyButGeneralCall => address != 0,
            AllowedAddresses::Only(list) => list.contains(&address),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn general_call_and_ten_bit_values() {
        let any = I2cPolicy::default();
        assert!(!any.allows(0));
        assert!(any.allows(1));
        assert!(any.allows(0x7f));
        assert!(!any.allows(0x80));
        let listed = I2cPolicy {
            allowed_addresses: AllowedAddresses::Only(vec![0, 0x90, 0x3c]),
            ..I2cPolicy::default()
        };
        assert!(listed.allows(0));
        assert!(listed.allows(0x3c));
        assert!(!listed.allows(0x90));
        assert!(!listed.allows(0x3d));
    }
}
