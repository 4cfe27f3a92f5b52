//! Why a display operation failed.

/// The failures of `display:pixels`' `error-code`, one for one, without WIT types, so a driver
/// maps them to its generated bindings with a plain `match`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Error {
    /// The display did not answer (I2C address not acknowledged) or its bus is missing.
    NotConnected,
    /// The bus reported an error while talking to the display.
    BusError,
    /// The host's policy refused access to the display's bus or pins.
    NotPermitted,
    /// The display, its bus or one of its pins is held by someone else.
    InUse,
    /// The rectangle does not lie inside the display.
    OutOfBounds,
    /// The pixel data is not the length the rectangle and `mono1` require.
    WrongLength,
    /// The display cannot do this.
    Unsupported,
    /// Any other failure (for example an invalid configuration value or colour).
    Other,
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Error::NotConnected => "the display did not answer",
            Error::BusError => "bus error",
            Error::NotPermitted => "not permitted by the host's policy",
            Error::InUse => "in use",
            Error::OutOfBounds => "rectangle out of bounds",
            Error::WrongLength => "pixel data of the wrong length",
            Error::Unsupported => "unsupported",
            Error::Other => "other error",
        })
    }
}

impl core::error::Error for Error {}
