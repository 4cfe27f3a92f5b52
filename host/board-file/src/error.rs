//! The error type of this crate, and of every TOML file of the project: what went wrong, in
//! which file, where, and under which key.

use std::fmt;
use std::path::{Path, PathBuf};

/// A position in a board file: 1-based line and column (the column counts characters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1, in characters.
    pub column: usize,
}

impl Location {
    /// The location of byte `offset` in `text` (clamped to the end of the text, and to a
    /// character boundary).
    pub fn of_offset(text: &str, offset: usize) -> Self {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Self {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// The kinds of [`BoardError`], for callers that react differently to them.
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
    /// A value has the wrong TOML type (a string where an integer belongs, say).
    WrongType,
    /// A value has the right type but is not allowed (an unknown mode, an out-of-range number).
    InvalidValue,
    /// A virtual name or part name is defined twice.
    DuplicateName,
    /// One physical device or line is mapped under two names.
    DuplicateDevice,
    /// A reference to a name that the board does not define (a part's `dc` naming no GPIO).
    UndefinedName,
    /// A policy that no guest could ever satisfy (no allowed modes, a maximum frequency of 0).
    ImpossiblePolicy,
    /// Parts wired in a way that cannot work (two parts at one I2C address, a D/C line that is
    /// not an output).
    Wiring,
    /// Scanning for devices (`[discovery]`) failed.
    Discovery,
    /// Building a backend failed, or the backend is not available in this build.
    Backend,
}

/// An error about a board file: the file, the position and key when known, and what is wrong.
///
/// Its `Display` is one line in the usual compiler form, for example
/// ``boards/x.toml:12:5: key `spi.oled.max-frequency-hz`: expected an integer, found a string``.
pub type BoardError = FileError<ErrorKind>;

/// An error about a TOML file of this project (a board file here, a device file in
/// `wasi-hal-device-file`, with its own kinds `K`): the file, the position and key when known,
/// the kind, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError<K> {
    file: PathBuf,
    location: Option<Location>,
    key: Option<String>,
    kind: K,
    message: String,
}

impl<K: Copy> FileError<K> {
    /// An error about `file` with no position.
    pub fn new(file: impl Into<PathBuf>, kind: K, message: impl Into<String>) -> Self {
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

    /// Adds the key (a dotted path such as `spi.oled.modes` or `part[1].dc`).
    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// The file the error is about.
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
    pub fn kind(&self) -> K {
        self.kind
    }

    /// The message alone, without file, position or key.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl<K> fmt::Display for FileError<K> {
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

impl<K: fmt::Debug> std::error::Error for FileError<K> {}

/// A TOML file's text and name, for turning byte offsets into located errors.
#[derive(Clone, Copy)]
pub struct TomlSource<'a> {
    /// The whole text.
    pub text: &'a str,
    /// The file name errors carry.
    pub path: &'a Path,
}

impl TomlSource<'_> {
    /// An error at byte `offset` about the key path `key` (no key when it is empty).
    pub fn error<K: Copy>(
        &self,
        key: &str,
        offset: usize,
        kind: K,
        message: impl Into<String>,
    ) -> FileError<K> {
        let error =
            FileError::new(self.path, kind, message).at(Location::of_offset(self.text, offset));
        if key.is_empty() {
            error
        } else {
            error.with_key(key)
        }
    }
}

/// A TOML value's type as error messages name it ("an integer", "a table", ...).
pub fn toml_type_name(value: &toml::de::DeValue<'_>) -> &'static str {
    use toml::de::DeValue;
    match value {
        DeValue::String(..) => "a string",
        DeValue::Integer(..) => "an integer",
        DeValue::Float(..) => "a float",
        DeValue::Boolean(..) => "a boolean",
        DeValue::Datetime(..) => "a date-time",
        DeValue::Array(..) => "an array",
        DeValue::Table(..) => "a table",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_counts_lines_and_characters() {
        let text = "a = 1\nbé = \"x\"\n";
        assert_eq!(
            Location::of_offset(text, 0),
            Location { line: 1, column: 1 }
        );
        // 'b' 'é' ' ' '=' ' ' then the quote at byte 12 (é is two bytes).
        assert_eq!(
            Location::of_offset(text, 12),
            Location { line: 2, column: 6 }
        );
        // Offsets past the end clamp to the end.
        assert_eq!(
            Location::of_offset(text, 999),
            Location { line: 3, column: 1 }
        );
    }

    #[test]
    fn display_has_file_position_key_and_message() {
        let e = BoardError::new("boards/x.toml", ErrorKind::WrongType, "expected an integer")
            .at(Location {
                line: 12,
                column: 5,
            })
            .with_key("max-frequency-hz");
        assert_eq!(
            e.to_string(),
            "boards/x.toml:12:5: key `max-frequency-hz`: expected an integer"
        );
        let e = BoardError::new("missing.toml", ErrorKind::Io, "cannot read: not found");
        assert_eq!(e.to_string(), "missing.toml: cannot read: not found");
    }
}
