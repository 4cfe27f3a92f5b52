//! What stands behind a virtual bus name: anything that implements embedded-hal 1.0's
//! [`I2c`], through the [`Hal`] adapter, or a backend of its own.

use crate::I2cError;
use embedded_hal::i2c::{Error as _, I2c, Operation, SevenBitAddress};

/// A bus backend.
///
/// One guest call (`read`, `write`, `write-read` or `transaction`) becomes exactly one call of
/// [`I2cBackend::transaction`], with all the guest's segments in it.
pub trait I2cBackend: Send + 'static {
    /// Runs `operations` against the target at the 7-bit `address` as one transaction:
    /// repeated STARTs between segments, one STOP at the end.
    fn transaction(
        &mut self,
        address: u8,
        operations: &mut [Operation<'_>],
    ) -> Result<(), I2cError>;
}

/// The blanket adapter: any embedded-hal [`I2c`] bus (7-bit addresses) as a backend; errors
/// map through [`I2cError::from_kind`].
#[derive(Debug)]
pub struct Hal<B>(pub B);

impl<B: I2c<SevenBitAddress> + Send + 'static> I2cBackend for Hal<B> {
    fn transaction(
        &mut self,
        address: u8,
        operations: &mut [Operation<'_>],
    ) -> Result<(), I2cError> {
        self.0
            .transaction(address, operations)
            .map_err(|e| I2cError::from_kind(e.kind()))
    }
}
