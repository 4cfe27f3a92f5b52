//! The part on an I2C bus.

use super::SharedBme680;
use crate::i2c::{I2cTarget, I2cTargetError, SharedI2cTarget, SimI2cBus};
use std::sync::{Arc, Mutex, MutexGuard};

/// The part's I2C address, set by its SDO pin.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Bme680Address {
    /// SDO to GND: `0x76`.
    #[default]
    Primary,
    /// SDO to VDDIO: `0x77`.
    Secondary,
}

impl Bme680Address {
    /// The 7-bit address.
    pub fn address(self) -> u8 {
        match self {
            Bme680Address::Primary => 0x76,
            Bme680Address::Secondary => 0x77,
        }
    }
}

/// The I2C interface of a [`super::Bme680`]: an [`I2cTarget`] to attach to a [`SimI2cBus`].
///
/// A write segment is a register address followed by a value, optionally followed by more
/// address/value pairs (writes do not auto-increment). The register pointer is the last address
/// sent; it survives between transactions, so a driver can set it with one write and read with a
/// separate transaction. Reads auto-increment the pointer, wrapping from `0xFF` to `0x00`.
///
/// During the start-up after a soft reset the part does not acknowledge its address. Bytes that
/// follow a reset command in the same write are not acknowledged either.
pub struct Bme680I2c {
    part: SharedBme680,
    address: Bme680Address,
    pointer: u8,
}

impl Bme680I2c {
    /// The I2C interface of `part`, strapped to `address`.
    pub fn new(part: SharedBme680, address: Bme680Address) -> Self {
        Self {
            part,
            address,
            pointer: 0,
        }
    }

    /// Puts `part` on `bus` at `address`; returns the part that was there before, if any.
    pub fn attach(
        part: &SharedBme680,
        bus: &SimI2cBus,
        address: Bme680Address,
    ) -> Option<SharedI2cTarget> {
        let target = Self::new(part.clone(), address);
        bus.attach(address.address(), Arc::new(Mutex::new(target)))
    }

    /// The 7-bit address the part is strapped to.
    pub fn address(&self) -> u8 {
        self.address.address()
    }

    /// The register pointer.
    pub fn pointer(&self) -> u8 {
        self.pointer
    }

    fn lock(&self) -> MutexGuard<'_, super::Bme680> {
        // The model keeps no invariant a panic elsewhere could break half-way.
        self.part.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl I2cTarget for Bme680I2c {
    fn write(&mut self, bytes: &[u8]) -> Result<(), I2cTargetError> {
        let part = self.part.clone();
        let mut part = part.lock().unwrap_or_else(|e| e.into_inner());
        if !part.ready() {
            return Err(I2cTargetError::AddressNack);
        }
        for (i, pair) in bytes.chunks(2).enumerate() {
            if i > 0 && !part.ready() {
                return Err(I2cTargetError::DataNack);
            }
            match *pair {
                [register, value] => {
                    self.pointer = register;
                    part.store(register, value);
                }
                [register] => self.pointer = register,
                _ => {}
            }
        }
        Ok(())
    }

    fn read(&mut self, buf: &mut [u8]) -> Result<(), I2cTargetError> {
        let start = self.pointer;
        let mut part = self.lock();
        if !part.ready() {
            return Err(I2cTargetError::AddressNack);
        }
        for (i, byte) in buf.iter_mut().enumerate() {
            *byte = part.register_value(start.wrapping_add(i as u8), i == 0);
        }
        drop(part);
        self.pointer = start.wrapping_add(buf.len() as u8);
        Ok(())
    }
}
