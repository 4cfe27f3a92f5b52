//! What a bus error means to a device.

use embedded_hal::i2c::{Error as _, ErrorKind, NoAcknowledgeSource};
use embedded_hal_wasi::{Refusal, gpio, i2c, spi};

/// Why talking to a device through its bus failed, in the terms every device class's
/// `error-code` shares (`not-connected`, `bus-error`, `not-permitted`, `in-use`, `other`).
/// A device error type implements `From<Fault>`; [`spi_error`], [`i2c_error`] and [`pin_error`]
/// then map the bus errors straight into it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fault {
    /// Nobody answered: the I2C address was not acknowledged.
    NotConnected,
    /// The bus reported an error while talking to the device.
    BusError,
    /// The host's policy refused the bus, address, pin or settings.
    NotPermitted,
    /// The bus, device or pin is held by someone else.
    InUse,
    /// Anything else: a transfer longer than the host allows, or a failure the host did not name.
    Other,
}

impl From<Refusal> for Fault {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::NotPermitted => Fault::NotPermitted,
            Refusal::InUse => Fault::InUse,
            Refusal::TooLarge => Fault::Other,
        }
    }
}

/// What an SPI error means: a policy refusal as such, anything else a bus error (SPI has no
/// acknowledge, so a missing device is not seen).
pub fn spi_fault(error: &spi::Error) -> Fault {
    error.refusal().map_or(Fault::BusError, Fault::from)
}

/// What an I2C error means: a policy refusal as such; no acknowledge of the address (or from an
/// unknown source, as Linux reports a missing device) is nobody there; an unnamed failure is
/// `other`; the rest is a bus error.
pub fn i2c_fault(error: &i2c::Error) -> Fault {
    if let Some(refusal) = error.refusal() {
        return refusal.into();
    }
    match error.kind() {
        ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address | NoAcknowledgeSource::Unknown) => {
            Fault::NotConnected
        }
        ErrorKind::Other => Fault::Other,
        _ => Fault::BusError,
    }
}

/// What a GPIO error means: a policy refusal as such, anything else a bus error.
pub fn pin_fault(error: &gpio::Error) -> Fault {
    error.refusal().map_or(Fault::BusError, Fault::from)
}

/// [`spi_fault`] as a device error, for the error maps drivers hand to their bus interfaces.
pub fn spi_error<E: From<Fault>>(error: &spi::Error) -> E {
    spi_fault(error).into()
}

/// [`i2c_fault`] as a device error.
pub fn i2c_error<E: From<Fault>>(error: &i2c::Error) -> E {
    i2c_fault(error).into()
}

/// [`pin_fault`] as a device error.
pub fn pin_error<E: From<Fault>>(error: &gpio::Error) -> E {
    pin_fault(error).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_refusals_keep_their_meaning_on_every_bus() {
        use Fault::*;
        for (code, fault) in [
            (spi::ErrorCode::NotPermitted, NotPermitted),
            (spi::ErrorCode::InUse, InUse),
            (spi::ErrorCode::TooLarge, Other),
            (spi::ErrorCode::Overrun, BusError),
            (spi::ErrorCode::Other, BusError),
        ] {
            assert_eq!(spi_fault(&spi::Error(code)), fault, "{code:?}");
        }
        for (code, fault) in [
            (i2c::ErrorCode::NotPermitted, NotPermitted),
            (i2c::ErrorCode::AddressNotPermitted, NotPermitted),
            (i2c::ErrorCode::InUse, InUse),
            (i2c::ErrorCode::TooLarge, Other),
            (i2c::ErrorCode::Other, Other),
            (i2c::ErrorCode::Bus, BusError),
            (i2c::ErrorCode::ArbitrationLoss, BusError),
            (
                i2c::ErrorCode::NoAcknowledge(i2c::WitNoAcknowledgeSource::Address),
                NotConnected,
            ),
            (
                i2c::ErrorCode::NoAcknowledge(i2c::WitNoAcknowledgeSource::Unknown),
                NotConnected,
            ),
            (
                i2c::ErrorCode::NoAcknowledge(i2c::WitNoAcknowledgeSource::Data),
                BusError,
            ),
        ] {
            assert_eq!(i2c_fault(&i2c::Error(code)), fault, "{code:?}");
        }
        for (code, fault) in [
            (gpio::ErrorCode::PinNotAllowed, NotPermitted),
            (gpio::ErrorCode::ModeNotAllowed, NotPermitted),
            (gpio::ErrorCode::AlreadyInUse, InUse),
            (gpio::ErrorCode::Other, BusError),
        ] {
            assert_eq!(pin_fault(&gpio::Error(code)), fault, "{code:?}");
        }
    }
}
