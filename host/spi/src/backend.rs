//! What stands behind a virtual device name: anything that implements embedded-hal 1.0's
//! [`SpiDevice`], through the [`Hal`] adapter, or a backend of its own.

use crate::{ApplySpiSettings, SpiConfig, SpiError};
use embedded_hal::spi::{Error as _, Operation, SpiDevice};

/// A device backend: runs transactions and, optionally, applies bus settings.
///
/// One guest call (`read`, `write`, `transfer` or `transaction`) becomes exactly one call of
/// [`SpiBackend::transaction`], with all the guest's operations in it.
pub trait SpiBackend: Send + 'static {
    /// Runs `operations` as one transaction, chip select asserted from the first to the last.
    fn transaction(&mut self, operations: &mut [Operation<'_, u8>]) -> Result<(), SpiError>;

    /// Applies bus settings before the next transaction. The host calls it after a guest's
    /// `configure` and before the first transaction after a device is opened.
    ///
    /// The default does nothing: plain embedded-hal has no way to change settings, so a backend
    /// without this hook keeps whatever the device was set up with.
    fn apply_config(&mut self, config: &SpiConfig) -> Result<(), SpiError> {
        let _ = config;
        Ok(())
    }
}

/// The blanket adapter: any embedded-hal [`SpiDevice`] as a backend. Bus settings are not
/// applied (see [`HalWithSettings`] for devices that can take them); errors map through
/// [`SpiError::from_kind`].
#[derive(Debug)]
pub struct Hal<D>(pub D);

impl<D: SpiDevice<u8> + Send + 'static> SpiBackend for Hal<D> {
    fn transaction(&mut self, operations: &mut [Operation<'_, u8>]) -> Result<(), SpiError> {
        self.0
            .transaction(operations)
            .map_err(|e| SpiError::from_kind(e.kind()))
    }
}

/// An embedded-hal [`SpiDevice`] that can also apply bus settings, as a backend.
#[derive(Debug)]
pub struct HalWithSettings<D>(pub D);

impl<D: SpiDevice<u8> + ApplySpiSettings + Send + 'static> SpiBackend for HalWithSettings<D> {
    fn transaction(&mut self, operations: &mut [Operation<'_, u8>]) -> Result<(), SpiError> {
        self.0
            .transaction(operations)
            .map_err(|e| SpiError::from_kind(e.kind()))
    }

    fn apply_config(&mut self, config: &SpiConfig) -> Result<(), SpiError> {
        self.0
            .apply_spi_settings(config)
            .map_err(|e| SpiError::from_kind(e.kind()))
    }
}
