//! The one error type of this crate: what went wrong, in which file, where, and under which key.

use wasi_hal_board_file::document::Problem;
pub use wasi_hal_board_file::{FileError, Location};

/// The kinds of [`DeviceError`], for callers that react differently to them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file could not be read.
    Io,
    /// The text is not valid TOML.
    Syntax,
    /// A key the schema does not know (often a typo).
    UnknownKey,
    /// A required key is absent.
    MissingKey,
    /// A value has the wrong TOML type.
    WrongType,
    /// A value has the right type but is not allowed (an unknown kind, a bad duration).
    InvalidValue,
    /// A grant names something the board does not have.
    UndefinedName,
    /// One board name (or one I2C address of a bus) is granted to two components.
    GrantConflict,
    /// The board file the device file names is wrong; the message is the board file's error.
    Board,
}

/// An error about a device file: the file, the position and key when known, and what is wrong.
/// (For [`ErrorKind::Board`] the file is the board file.)
///
/// Its `Display` is one line in the usual compiler form, for example
/// ``devices/x.toml:9:10: key `component.weather.grants[1]`: the board has no name `oled```.
pub type DeviceError = FileError<ErrorKind>;

impl From<Problem> for ErrorKind {
    fn from(problem: Problem) -> Self {
        match problem {
            Problem::WrongType => Self::WrongType,
            Problem::InvalidValue => Self::InvalidValue,
            Problem::UnknownKey => Self::UnknownKey,
            Problem::MissingKey => Self::MissingKey,
        }
    }
}
