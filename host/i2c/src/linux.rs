//! The Linux backend: an i2c-dev bus (`/dev/i2c-N`) through linux-embedded-hal.
//!
//! One guest transaction is one `I2C_RDWR` ioctl. The kernel takes at most
//! [`I2C_RDWR_MAX_MESSAGES`] segments of at most [`I2C_RDWR_MAX_MESSAGE_BYTES`] bytes in one
//! ioctl; splitting a transaction would put a STOP where the guest asked for a repeated START,
//! so a larger one is refused with `too-large` before anything is sent.

use crate::{I2cBackend, I2cError, NoAcknowledgeSource};
use embedded_hal::i2c::{I2c, Operation};
use linux_embedded_hal::I2cdev;
use linux_embedded_hal::i2cdev::linux::LinuxI2CError;
use std::io;
use std::path::Path;

/// The most segments one `I2C_RDWR` ioctl takes (`I2C_RDWR_IOCTL_MAX_MSGS`).
pub const I2C_RDWR_MAX_MESSAGES: usize = 42;

/// The most bytes one segment of an `I2C_RDWR` ioctl takes.
pub const I2C_RDWR_MAX_MESSAGE_BYTES: usize = 8192;

/// Maps an errno from i2c-dev to the error the guest sees (after the kernel's
/// Documentation/i2c/fault-codes).
///
/// `ENXIO`/`EREMOTEIO` (the address was not acknowledged) → `no-acknowledge(address)`,
/// `EAGAIN` → `arbitration-loss`, `EPROTO` → `bus`, `EMSGSIZE` → `too-large`, `EBUSY` (for
/// example an address claimed by a kernel driver) → `in-use`, `EPERM`/`EACCES` →
/// `not-permitted`, anything else → `other`.
pub fn i2c_error_from_errno(errno: i32) -> I2cError {
    match errno {
        libc::ENXIO | libc::EREMOTEIO => I2cError::NoAcknowledge(NoAcknowledgeSource::Address),
        libc::EAGAIN => I2cError::ArbitrationLoss,
        libc::EPROTO => I2cError::Bus,
        libc::EMSGSIZE => I2cError::TooLarge,
        libc::EBUSY => I2cError::InUse,
        libc::EPERM | libc::EACCES => I2cError::NotPermitted,
        _ => I2cError::Other,
    }
}

fn linux_error(e: &LinuxI2CError) -> I2cError {
    match e {
        LinuxI2CError::Errno(errno) => i2c_error_from_errno(*errno),
        LinuxI2CError::Io(e) => e
            .raw_os_error()
            .map(i2c_error_from_errno)
            .unwrap_or(I2cError::Other),
    }
}

/// A Linux i2c-dev bus as a backend.
pub struct LinuxI2cBus {
    bus: I2cdev,
}

impl std::fmt::Debug for LinuxI2cBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinuxI2cBus").finish_non_exhaustive()
    }
}

impl LinuxI2cBus {
    /// Opens `path` (for example `/dev/i2c-1`).
    pub fn open(path: impl AsRef<Path>) -> io::Result<Self> {
        let bus = I2cdev::new(path).map_err(io::Error::from)?;
        Ok(Self { bus })
    }
}

/// Whether `operations` fit in one `I2C_RDWR` ioctl.
fn fits_one_ioctl(operations: &[Operation<'_>]) -> bool {
    operations.len() <= I2C_RDWR_MAX_MESSAGES
        && operations.iter().all(|op| match op {
            Operation::Read(buf) => buf.len() <= I2C_RDWR_MAX_MESSAGE_BYTES,
            Operation::Write(buf) => buf.len() <= I2C_RDWR_MAX_MESSAGE_BYTES,
        })
}

impl I2cBackend for LinuxI2cBus {
    fn transaction(
        &mut self,
        address: u8,
        operations: &mut [Operation<'_>],
    ) -> Result<(), I2cError> {
        if !fits_one_ioctl(operations) {
            return Err(I2cError::TooLarge);
        }
        I2c::transaction(&mut self.bus, address, operations).map_err(|e| linux_error(e.inner()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_mapping() {
        let nack = I2cError::NoAcknowledge(NoAcknowledgeSource::Address);
        assert_eq!(i2c_error_from_errno(libc::ENXIO), nack);
        assert_eq!(i2c_error_from_errno(libc::EREMOTEIO), nack);
        assert_eq!(
            i2c_error_from_errno(libc::EAGAIN),
            I2cError::ArbitrationLoss
        );
        assert_eq!(i2c_error_from_errno(libc::EPROTO), I2cError::Bus);
        assert_eq!(i2c_error_from_errno(libc::EMSGSIZE), I2cError::TooLarge);
        assert_eq!(i2c_error_from_errno(libc::EBUSY), I2cError::InUse);
        assert_eq!(i2c_error_from_errno(libc::EPERM), I2cError::NotPermitted);
        assert_eq!(i2c_error_from_errno(libc::EACCES), I2cError::NotPermitted);
        assert_eq!(i2c_error_from_errno(libc::EIO), I2cError::Other);
        assert_eq!(linux_error(&LinuxI2CError::Errno(libc::ENXIO)), nack);
        assert_eq!(
            linux_error(&LinuxI2CError::Io(io::Error::from_raw_os_error(
                libc::EREMOTEIO
            ))),
            nack
        );
        assert_eq!(
            linux_error(&LinuxI2CError::Io(io::Error::other("no errno"))),
            I2cError::Other
        );
    }

    #[test]
    fn ioctl_limits() {
        let mut big = vec![0u8; I2C_RDWR_MAX_MESSAGE_BYTES + 1];
        assert!(!fits_one_ioctl(&[Operation::Read(&mut big)]));
        let ok = [0u8; 4];
        let many: Vec<Operation<'_>> = (0..=I2C_RDWR_MAX_MESSAGES)
            .map(|_| Operation::Write(&ok))
            .collect();
        assert!(!fits_one_ioctl(&many));
        assert!(fits_one_ioctl(&many[..I2C_RDWR_MAX_MESSAGES]));
    }

    #[test]
    fn a_missing_bus_is_an_error() {
        assert!(LinuxI2cBus::open("/dev/i2c-does-not-exist").is_err());
    }
}
