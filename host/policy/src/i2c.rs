//! The addresses a guest may reach on an I2C bus, and how much one call may move.

use alloc::vec::Vec;

/// The highest 7-bit address.
pub const MAX_SEVEN_BIT_ADDRESS: u8 = 0x7f;

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
/// use wasi_hal_policy::{AllowedAddresses, I2cPolicy};
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
        if address > MAX_SEVEN_BIT_ADDRESS {
            return false;
        }
        match &self.allowed_addresses {
            AllowedAddresses::AnyButGeneralCall => address != 0,
            AllowedAddresses::Only(list) => list.contains(&address),
        }
    }

    /// Whether one call may move `bytes` bytes (the sum over its segments, counted before
    /// anything is allocated).
    pub fn allows_transfer(&self, bytes: u64) -> bool {
        bytes <= u64::from(self.max_transfer_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

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

    #[test]
    fn transfer_cap_counts_bytes_inclusively() {
        let policy = I2cPolicy {
            max_transfer_bytes: 32,
            ..I2cPolicy::default()
        };
        assert!(policy.allows_transfer(32));
        assert!(!policy.allows_transfer(33));
    }
}
