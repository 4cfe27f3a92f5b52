//! [`embedded_hal::i2c::I2c`] over `wasi:i2c`.

use crate::bindings::wasi::i2c::i2c as wit;
use alloc::vec::Vec;
use embedded_hal::i2c::{ErrorKind, NoAcknowledgeSource, Operation};
pub use wit::{ErrorCode, NoAcknowledgeSource as WitNoAcknowledgeSource};

bus_error!(
    "I2C",
    ErrorCode::NotPermitted | ErrorCode::AddressNotPermitted => NotPermitted,
    ErrorCode::InUse => InUse,
    ErrorCode::TooLarge => TooLarge,
);

/// The closest embedded-hal kind: the bus faults by name, a policy refusal (see
/// [`Error::refusal`]) and `other` as `Other`.
impl embedded_hal::i2c::Error for Error {
    fn kind(&self) -> ErrorKind {
        match self.0 {
            ErrorCode::Bus => ErrorKind::Bus,
            ErrorCode::ArbitrationLoss => ErrorKind::ArbitrationLoss,
            ErrorCode::NoAcknowledge(source) => ErrorKind::NoAcknowledge(match source {
                WitNoAcknowledgeSource::Address => NoAcknowledgeSource::Address,
                WitNoAcknowledgeSource::Data => NoAcknowledgeSource::Data,
                WitNoAcknowledgeSource::Unknown => NoAcknowledgeSource::Unknown,
            }),
            ErrorCode::Overrun => ErrorKind::Overrun,
            _ => ErrorKind::Other,
        }
    }
}

/// The names of the I2C buses the host offers to this component.
pub fn bus_names() -> Vec<alloc::string::String> {
    wit::get_bus_names()
}

/// An open I2C bus.
#[derive(Debug)]
pub struct Bus(wit::Bus);

impl Bus {
    /// Opens the bus with virtual name `name`.
    pub fn open(name: &str) -> Result<Self, Error> {
        wit::open_bus(name).map(Self).map_err(Error)
    }

    /// The largest number of bytes one call may move.
    pub fn max_transfer_bytes(&self) -> u32 {
        self.0.max_transfer_bytes()
    }
}

impl embedded_hal::i2c::ErrorType for Bus {
    type Error = Error;
}

impl embedded_hal::i2c::I2c for Bus {
    /// One embedded-hal transaction is one `bus.transaction` call.
    fn transaction(&mut self, address: u8, operations: &mut [Operation<'_>]) -> Result<(), Error> {
        let mut ops = Vec::with_capacity(operations.len());
        for op in operations.iter() {
            ops.push(match op {
                Operation::Read(buf) => wit::Operation::Read(len_u32(buf.len())?),
                Operation::Write(bytes) => wit::Operation::Write(bytes),
            });
        }
        let results = self.0.transaction(address, &ops).map_err(Error)?;
        let mut results = results.into_iter();
        for op in operations.iter_mut() {
            if let Operation::Read(buf) = op {
                let data = results.next().ok_or(Error(ErrorCode::Other))?;
                if data.len() != buf.len() {
                    return Err(Error(ErrorCode::Other));
                }
                buf.copy_from_slice(&data);
            }
        }
        Ok(())
    }
}

fn len_u32(len: usize) -> Result<u32, Error> {
    u32::try_from(len).map_err(|_| Error(ErrorCode::TooLarge))
}
