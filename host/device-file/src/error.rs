//! The one error type of this crate: what went wrong, in which file, where, and under which key.

use std::fmt;
use std::path::{Path, PathBuf};
pub use wasi_hal_board_file::Location;

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
///
/// Its `Display` is one line in the usual compiler form, for example
/// ``devices/x.toml:9:10: key `component.weather.grants[1]`: the board has no name `oled```.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceError {
    file: PathBuf,
    location: Option<Location>,
    key: Option<String>,
    kind: ErrorKind,
    message: String,
}

impl DeviceError {
    /// An error about `file` with no position.
    pub fn new(file: impl Into<PathBuf>, kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            location: None,
            key: None,
            kind,
            message: message.into(),
        }
    }

    /// Adds the position.
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    /// Adds the key (a dotted path such as `component.weather.grants[1]`).
    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// The file the error is about (the device file, or for [`ErrorKind::Board`] the board
    /// file).
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Where in the file, when known.
    pub fn location(&self) -> Option<Location> {
        self.location
    }

    /// The key path, when the error is about one key.
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }

    /// What kind of error it is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message alone, without file, position or key.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for DeviceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(location) = self.location {
            write!(f, ":{location}")?;
        }
        f.write_str(": ")?;
        if let Some(key) = &self.key {
            write!(f, "key `{key}`: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeviceError {}
