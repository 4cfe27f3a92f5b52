//! What a bus error means to a device.

use embedded_hal::i2c::{Error as _, ErrorKind, NoAcknowledgeSource};
use embedded_hal_wasi::{Refusal, gpio, i2c, spi};

/// Why talking to a device through its bus failed, in the terms every device class's
/// `error-code` shares (`not-connected`, `bus-error`, `not-permitted`, `in-use`, `other`).
/// [`spi_error`], [`i2c_error`] and [`pin_error`] map bus errors into any `From<Fault>` error.
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

/// Gives a device error type `From<Fault>` (each case to the variant of the same name) and
/// `From<ConfigError>` (an invalid setting is `Other`). The type needs the variants
/// `NotConnected`, `BusError`, `NotPermitted`, `InUse` and `Other`.
#[macro_export]
macro_rules! device_error_from_fault {
    ($error:ty) => {
        impl From<$crate::Fault> for $error {
            fn from(fault: $crate::Fault) -> Self {
                match fault {
                    $crate::Fault::NotConnected => Self::NotConnected,
                    $crate::Fault::BusError => Self::BusError,
                    $crate::Fault::NotPermitted => Self::NotPermitted,
                    $crate::Fault::InUse => Self::InUse,
                    $crate::Fault::Other => Self::Other,
                }
            }
        }

        /// An invalid setting fails `open` with `other`.
        impl From<$crate::config::ConfigError> for $error {
            fn from(_: $crate::config::ConfigError) -> Self {
                Self::Other
            }
        }
    };
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
pub fn spi_error<E: From<Fault>>(error: &spi::Error) -> E {
    error.refusal().map_or(Fault::BusError, Fault::from).into()
}

/// What an I2C error means: a policy refusal as such; no acknowledge of the address (or from an
/// unknown source, as Linux reports a missing device) is nobody there; an unnamed failure is
/// `other`; the rest is a bus error.
pub fn i2c_error<E: From<Fault>>(error: &i2c::Error) -> E {
    let fault = match (error.refusal(), error.kind()) {
        (Some(refusal), _) => refusal.into(),
        (
            None,
            ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address | NoAcknowledgeSource::Unknown),
        ) => Fault::NotConnected,
        (None, ErrorKind::Other) => Fault::Other,
        (None, _) => Fault::BusError,
    };
    fault.into()
}

/// What a GPIO error means: a policy refusal as such, anything else a bus error.
pub fn pin_error<E: From<Fault>>(error: &gpio::Error) -> E {
    error.refusal().map_or(Fault::BusError, Fault::from).into()
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
            assert_eq!(spi_error::<Fault>(&spi::Error(code)), fault, "{code:?}");
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
            assert_eq!(i2c_error::<Fault>(&i2c::Error(code)), fault, "{code:?}");
        }
        for (code, fault) in [
            (gpio::ErrorCode::PinNotAllowed, NotPermitted),
            (gpio::ErrorCode::ModeNotAllowed, NotPermitted),
            (gpio::ErrorCode::AlreadyInUse, InUse),
            (gpio::ErrorCode::Other, BusError),
        ] {
            assert_eq!(pin_error::<Fault>(&gpio::Error(code)), fault, "{code:?}");
        }
    }
}
