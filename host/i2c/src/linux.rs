//! The Linux backend: an i2c-dev bus (`/dev/i2c-N`) through linux-embedded-hal.
//!
//! One guest transaction is one `I2C_RDWR` ioctl. The kernel takes at most
//! [`I2C_RDWR_MAX_MESSAGES`] segments of at most [`I2C_RDWR_MAX_MESSAGE_BYTES`] bytes in one
//! ioctl; splitting a transaction would put a STOP where the guest asked for a repeated START,
//! so a larger one is refused with `too-large` before anything is sent.
//!
//! Some adapters speak SMBus only (no `I2C_FUNC_I2C`: many PC SMBus controllers, the kernel's
//! `i2c-stub`), and refuse `I2C_RDWR`. On those, a transaction whose bytes on the wire are
//! exactly those of an SMBus transfer is sent as that transfer ([`SmbusTransfer`]): the register
//! writes and register reads drivers make. Anything else (a read with no register write before
//! it, more than two segments, a block over 32 bytes) cannot be put on such a bus unchanged and
//! is refused before anything is sent: `too-large` for a block over 32 bytes, `other` for a
//! shape SMBus has no transfer for. See docs/kernel-tests.md ("I2C").

use crate::{I2cBackend, I2cError, NoAcknowledgeSource};
use embedded_hal::i2c::{I2c, Operation};
use linux_embedded_hal::I2cdev;
use linux_embedded_hal::i2cdev::core::I2CDevice;
use linux_embedded_hal::i2cdev::linux::{LinuxI2CDevice, LinuxI2CError};
use std::io;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

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

/// The adapter can do plain I2C transfers (`I2C_RDWR`).
pub const I2C_FUNC_I2C: u32 = 0x0000_0001;
/// SMBus quick command (a write of no bytes).
pub const I2C_FUNC_SMBUS_QUICK: u32 = 0x0001_0000;
/// SMBus receive byte (a read of one byte).
pub const I2C_FUNC_SMBUS_READ_BYTE: u32 = 0x0002_0000;
/// SMBus send byte (a write of one byte).
pub const I2C_FUNC_SMBUS_WRITE_BYTE: u32 = 0x0004_0000;
/// SMBus read byte data (write a register, read one byte).
pub const I2C_FUNC_SMBUS_READ_BYTE_DATA: u32 = 0x0008_0000;
/// SMBus write byte data (a write of a register and one byte).
pub const I2C_FUNC_SMBUS_WRITE_BYTE_DATA: u32 = 0x0010_0000;
/// SMBus read word data (write a register, read two bytes, low byte first).
pub const I2C_FUNC_SMBUS_READ_WORD_DATA: u32 = 0x0020_0000;
/// I2C block read (write a register, read 1 to 32 bytes).
pub const I2C_FUNC_SMBUS_READ_I2C_BLOCK: u32 = 0x0400_0000;
/// I2C block write (a write of a register and 1 to 32 bytes).
pub const I2C_FUNC_SMBUS_WRITE_I2C_BLOCK: u32 = 0x0800_0000;

/// The most data bytes an SMBus block transfer moves (`I2C_SMBUS_BLOCK_MAX`).
pub const SMBUS_BLOCK_MAX: usize = 32;

/// `I2C_FUNCS`: asks an i2c-dev adapter what it can do.
const I2C_FUNCS: libc::c_ulong = 0x0705;

/// The SMBus transfer that puts exactly a transaction's bytes on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmbusTransfer {
    /// A write of no bytes.
    Quick,
    /// A write of one byte.
    SendByte(u8),
    /// A read of one byte.
    ReceiveByte,
    /// A write of a register and one byte.
    WriteByteData(u8, u8),
    /// A write of a register and 1 to 32 bytes.
    WriteBlock(u8, Vec<u8>),
    /// Write a register, then (repeated START) read one byte.
    ReadByteData(u8),
    /// Write a register, then read two bytes (low byte first on the wire).
    ReadWordData(u8),
    /// Write a register, then read `n` (1 to 32) bytes.
    ReadBlock(u8, usize),
}

/// The SMBus transfer for `operations` on an adapter that can do `funcs`, or why there is none:
/// `too-large` for a block over [`SMBUS_BLOCK_MAX`] bytes, `other` for a shape (or a transfer
/// the adapter lacks) with no SMBus equivalent.
pub fn smbus_transfer(operations: &[Operation<'_>], funcs: u32) -> Result<SmbusTransfer, I2cError> {
    let has = |f: u32| funcs & f == f;
    let pick = |transfer: SmbusTransfer, f: u32| {
        if has(f) {
            Ok(transfer)
        } else {
            Err(I2cError::Other)
        }
    };
    match operations {
        [Operation::Write(w)] => match **w {
            [] => pick(SmbusTransfer::Quick, I2C_FUNC_SMBUS_QUICK),
            [b] => pick(SmbusTransfer::SendByte(b), I2C_FUNC_SMBUS_WRITE_BYTE),
            [reg, b] if !has(I2C_FUNC_SMBUS_WRITE_I2C_BLOCK) => pick(
                SmbusTransfer::WriteByteData(reg, b),
                I2C_FUNC_SMBUS_WRITE_BYTE_DATA,
            ),
            [reg, ref data @ ..] if data.len() <= SMBUS_BLOCK_MAX => pick(
                SmbusTransfer::WriteBlock(reg, data.to_vec()),
                I2C_FUNC_SMBUS_WRITE_I2C_BLOCK,
            ),
            _ => Err(I2cError::TooLarge),
        },
        [Operation::Read(r)] if r.len() == 1 => {
            pick(SmbusTransfer::ReceiveByte, I2C_FUNC_SMBUS_READ_BYTE)
        }
        [Operation::Write(w), Operation::Read(r)] if w.len() == 1 => {
            let reg = w[0];
            match r.len() {
                0 => Err(I2cError::Other),
                n if n > SMBUS_BLOCK_MAX => Err(I2cError::TooLarge),
                n if has(I2C_FUNC_SMBUS_READ_I2C_BLOCK) => Ok(SmbusTransfer::ReadBlock(reg, n)),
                1 => pick(
                    SmbusTransfer::ReadByteData(reg),
                    I2C_FUNC_SMBUS_READ_BYTE_DATA,
                ),
                2 => pick(
                    SmbusTransfer::ReadWordData(reg),
                    I2C_FUNC_SMBUS_READ_WORD_DATA,
                ),
                _ => Err(I2cError::Other),
            }
        }
        _ => Err(I2cError::Other),
    }
}

/// A Linux i2c-dev bus as a backend.
pub struct LinuxI2cBus {
    bus: I2cdev,
    path: PathBuf,
    /// What the adapter can do (`I2C_FUNCS`).
    funcs: u32,
    /// The device SMBus transfers go through, with the address it is set to.
    smbus: Option<(u8, LinuxI2CDevice)>,
}

impl std::fmt::Debug for LinuxI2cBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinuxI2cBus").finish_non_exhaustive()
    }
}

impl LinuxI2cBus {
    /// Opens `path` (for example `/dev/i2c-1`) and asks the adapter what it can do. A node
    /// that does not answer `I2C_FUNCS` (not an i2c-dev node) is taken as a plain I2C adapter,
    /// as before the SMBus fallback: its transfers fail when they are made.
    pub fn open(path: impl AsRef<Path>) -> io::Result<Self> {
        let bus = I2cdev::new(&path).map_err(io::Error::from)?;
        let mut funcs: libc::c_ulong = 0;
        // SAFETY: I2C_FUNCS writes one unsigned long through the pointer, which points to one.
        let r =
            unsafe { libc::ioctl(bus.as_raw_fd(), I2C_FUNCS, &mut funcs as *mut libc::c_ulong) };
        let funcs = if r < 0 {
            I2C_FUNC_I2C
        } else {
            // The flags all sit in the low 32 bits.
            (funcs & 0xffff_ffff) as u32
        };
        Ok(Self {
            bus,
            path: path.as_ref().to_path_buf(),
            funcs,
            smbus: None,
        })
    }

    /// What the adapter can do: `I2C_FUNC_*` flags from the `I2C_FUNCS` ioctl.
    pub fn functionality(&self) -> u32 {
        self.funcs
    }

    /// Whether the adapter speaks SMBus only, so transactions go as SMBus transfers.
    pub fn smbus_only(&self) -> bool {
        self.funcs & I2C_FUNC_I2C == 0
    }

    fn smbus_device(&mut self, address: u8) -> Result<&mut LinuxI2CDevice, I2cError> {
        if self.smbus.as_ref().is_none_or(|(a, _)| *a != address) {
            self.smbus = None;
            let device =
                LinuxI2CDevice::new(&self.path, u16::from(address)).map_err(|e| linux_error(&e))?;
            self.smbus = Some((address, device));
        }
        match &mut self.smbus {
            Some((_, device)) => Ok(device),
            None => Err(I2cError::Other),
        }
    }

    fn smbus_transaction(
        &mut self,
        address: u8,
        operations: &mut [Operation<'_>],
    ) -> Result<(), I2cError> {
        let transfer = smbus_transfer(operations, self.funcs)?;
        let device = self.smbus_device(address)?;
        let read = match transfer {
            SmbusTransfer::Quick => device.smbus_write_quick(false).map(|()| None),
            SmbusTransfer::SendByte(b) => device.smbus_write_byte(b).map(|()| None),
            SmbusTransfer::ReceiveByte => device.smbus_read_byte().map(|b| Some(vec![b])),
            SmbusTransfer::WriteByteData(reg, b) => {
                device.smbus_write_byte_data(reg, b).map(|()| None)
            }
            SmbusTransfer::WriteBlock(reg, data) => {
                device.smbus_write_i2c_block_data(reg, &data).map(|()| None)
            }
            SmbusTransfer::ReadByteData(reg) => {
                device.smbus_read_byte_data(reg).map(|b| Some(vec![b]))
            }
            SmbusTransfer::ReadWordData(reg) => device
                .smbus_read_word_data(reg)
                .map(|w| Some(w.to_le_bytes().to_vec())),
            SmbusTransfer::ReadBlock(reg, n) => device
                // n <= SMBUS_BLOCK_MAX, checked by smbus_transfer.
                .smbus_read_i2c_block_data(reg, n as u8)
                .map(Some),
        }
        .map_err(|e| linux_error(&e))?;
        if let (Some(bytes), Some(Operation::Read(buf))) = (read, operations.last_mut()) {
            if bytes.len() != buf.len() {
                return Err(I2cError::Other);
            }
            buf.copy_from_slice(&bytes);
        }
        Ok(())
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
        if self.smbus_only() {
            return self.smbus_transaction(address, operations);
        }
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

    /// What i2c-stub offers: quick, byte, byte data, word data and I2C block, no plain I2C.
    const STUB: u32 = I2C_FUNC_SMBUS_QUICK
        | I2C_FUNC_SMBUS_READ_BYTE
        | I2C_FUNC_SMBUS_WRITE_BYTE
        | I2C_FUNC_SMBUS_READ_BYTE_DATA
        | I2C_FUNC_SMBUS_WRITE_BYTE_DATA
        | I2C_FUNC_SMBUS_READ_WORD_DATA
        | I2C_FUNC_SMBUS_READ_I2C_BLOCK
        | I2C_FUNC_SMBUS_WRITE_I2C_BLOCK;

    #[test]
    fn register_reads_and_writes_map_to_smbus() {
        let t = |ops: &[Operation<'_>], funcs| smbus_transfer(ops, funcs);
        assert_eq!(t(&[Operation::Write(&[])], STUB), Ok(SmbusTransfer::Quick));
        assert_eq!(
            t(&[Operation::Write(&[0xe0])], STUB),
            Ok(SmbusTransfer::SendByte(0xe0))
        );
        assert_eq!(
            t(&[Operation::Write(&[0x74, 0x25])], STUB),
            Ok(SmbusTransfer::WriteBlock(0x74, vec![0x25]))
        );
        let byte_data_only =
            STUB & !I2C_FUNC_SMBUS_WRITE_I2C_BLOCK & !I2C_FUNC_SMBUS_READ_I2C_BLOCK;
        assert_eq!(
            t(&[Operation::Write(&[0x74, 0x25])], byte_data_only),
            Ok(SmbusTransfer::WriteByteData(0x74, 0x25))
        );
        assert_eq!(
            t(&[Operation::Write(&[0x72, 1, 2, 3])], STUB),
            Ok(SmbusTransfer::WriteBlock(0x72, vec![1, 2, 3]))
        );
        let mut one = [0u8; 1];
        assert_eq!(
            t(&[Operation::Read(&mut one)], STUB),
            Ok(SmbusTransfer::ReceiveByte)
        );
        let mut buf = [0u8; 32];
        assert_eq!(
            t(
                &[Operation::Write(&[0xd0]), Operation::Read(&mut buf[..1])],
                STUB
            ),
            Ok(SmbusTransfer::ReadBlock(0xd0, 1))
        );
        assert_eq!(
            t(
                &[Operation::Write(&[0xd0]), Operation::Read(&mut buf[..1])],
                byte_data_only
            ),
            Ok(SmbusTransfer::ReadByteData(0xd0))
        );
        assert_eq!(
            t(
                &[Operation::Write(&[0x8a]), Operation::Read(&mut buf[..2])],
                byte_data_only
            ),
            Ok(SmbusTransfer::ReadWordData(0x8a))
        );
        assert_eq!(
            t(
                &[Operation::Write(&[0x89]), Operation::Read(&mut buf)],
                STUB
            ),
            Ok(SmbusTransfer::ReadBlock(0x89, 32))
        );
    }

    #[test]
    fn what_smbus_cannot_carry_is_refused() {
        let t = |ops: &[Operation<'_>]| smbus_transfer(ops, STUB);
        let mut big = [0u8; 33];
        assert_eq!(
            t(&[Operation::Write(&[0x89]), Operation::Read(&mut big)]),
            Err(I2cError::TooLarge)
        );
        let long = [0u8; 34];
        assert_eq!(t(&[Operation::Write(&long)]), Err(I2cError::TooLarge));
        let mut four = [0u8; 4];
        // A read with no register written first.
        assert_eq!(t(&[Operation::Read(&mut four)]), Err(I2cError::Other));
        // Two register bytes, or three segments.
        assert_eq!(
            t(&[Operation::Write(&[0, 1]), Operation::Read(&mut four)]),
            Err(I2cError::Other)
        );
        assert_eq!(
            t(&[
                Operation::Write(&[0]),
                Operation::Read(&mut four),
                Operation::Write(&[0])
            ]),
            Err(I2cError::Other)
        );
        // A transfer the adapter lacks.
        assert_eq!(
            smbus_transfer(&[Operation::Write(&[])], STUB & !I2C_FUNC_SMBUS_QUICK),
            Err(I2cError::Other)
        );
    }

    #[test]
    fn a_missing_bus_is_an_error() {
        assert!(LinuxI2cBus::open("/dev/i2c-does-not-exist").is_err());
    }
}
