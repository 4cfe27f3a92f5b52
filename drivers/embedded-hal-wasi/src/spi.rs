//! [`embedded_hal::spi::SpiDevice`] over `wasi:spi`.

use crate::bindings::wasi::spi::spi as wit;
use alloc::vec::Vec;
use embedded_hal::spi::{ErrorKind, Operation};
pub use wit::{BitOrder, Config, ErrorCode, Mode};

bus_error!(
    "SPI",
    ErrorCode::NotPermitted => NotPermitted,
    ErrorCode::InUse => InUse,
    ErrorCode::TooLarge => TooLarge,
);

/// The closest embedded-hal kind: the bus faults by name, a policy refusal (see
/// [`Error::refusal`]) and `other` as `Other`.
impl embedded_hal::spi::Error for Error {
    fn kind(&self) -> ErrorKind {
        match self.0 {
            ErrorCode::Overrun => ErrorKind::Overrun,
            ErrorCode::ModeFault => ErrorKind::ModeFault,
            ErrorCode::FrameFormat => ErrorKind::FrameFormat,
            ErrorCode::ChipSelectFault => ErrorKind::ChipSelectFault,
            _ => ErrorKind::Other,
        }
    }
}

/// The names of the SPI devices the host offers to this component.
pub fn device_names() -> Vec<alloc::string::String> {
    wit::get_device_names()
}

/// An open SPI device (one chip select).
#[derive(Debug)]
pub struct Device(wit::Device);

impl Device {
    /// Opens the device with virtual name `name`.
    pub fn open(name: &str) -> Result<Self, Error> {
        wit::open_device(name).map(Self).map_err(Error)
    }

    /// Asks for bus settings; returns the settings the host put in force.
    pub fn configure(&mut self, requested: Config) -> Result<Config, Error> {
        self.0.configure(requested).map_err(Error)
    }

    /// The settings in force.
    pub fn config(&self) -> Config {
        self.0.current_config()
    }

    /// The largest number of bytes one transaction may move.
    pub fn max_transfer_bytes(&self) -> u32 {
        self.0.max_transfer_bytes()
    }
}

impl embedded_hal::spi::ErrorType for Device {
    type Error = Error;
}

impl embedded_hal::spi::SpiDevice for Device {
    /// One `device.write` call: a write alone needs no operation list either way.
    fn write(&mut self, buf: &[u8]) -> Result<(), Error> {
        self.0.write(buf).map_err(Error)
    }

    /// One embedded-hal transaction is one `device.transaction` call.
    fn transaction(&mut self, operations: &mut [Operation<'_, u8>]) -> Result<(), Error> {
        // embedded-hal: in a transfer the longer buffer sets the length, and a shorter write
        // is padded. Padded copies are made first (none, and no allocation, in the usual case),
        // so that every operation can borrow its bytes for the call.
        let needs_padding = |op: &Operation<'_, u8>| matches!(op, Operation::Transfer(read, write) if read.len() > write.len());
        let padded: Vec<Vec<u8>> = operations
            .iter()
            .filter_map(|op| match op {
                Operation::Transfer(read, write) if read.len() > write.len() => {
                    let mut out = write.to_vec();
                    out.resize(read.len(), 0);
                    Some(out)
                }
                _ => None,
            })
            .collect();
        let mut padded = padded.iter();
        let mut ops = Vec::with_capacity(operations.len());
        for op in operations.iter() {
            ops.push(match op {
                Operation::Read(buf) => wit::Operation::Read(len_u32(buf.len())?),
                Operation::Write(bytes) => wit::Operation::Write(bytes),
                Operation::Transfer(_, _) if needs_padding(op) => {
                    wit::Operation::Transfer(padded.next().map_or(&[][..], Vec::as_slice))
                }
                Operation::Transfer(_, write) => wit::Operation::Transfer(write),
                Operation::TransferInPlace(buf) => wit::Operation::Transfer(buf),
                Operation::DelayNs(ns) => wit::Operation::DelayNs(*ns),
            });
        }
        let results = self.0.transaction(&ops).map_err(Error)?;
        let mut results = results.into_iter();
        for op in operations.iter_mut() {
            let dest: &mut [u8] = match op {
                Operation::Read(buf) => buf,
                Operation::Transfer(read, _) => read,
                Operation::TransferInPlace(buf) => buf,
                Operation::Write(_) | Operation::DelayNs(_) => continue,
            };
            let data = results.next().ok_or(Error(ErrorCode::Other))?;
            if data.len() < dest.len() {
                return Err(Error(ErrorCode::Other));
            }
            dest.copy_from_slice(&data[..dest.len()]);
        }
        Ok(())
    }
}

fn len_u32(len: usize) -> Result<u32, Error> {
    u32::try_from(len).map_err(|_| Error(ErrorCode::TooLarge))
}
