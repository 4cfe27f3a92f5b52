//! The one error type of this crate: what went wrong, in which file, where, and under which key.

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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoardError {
    file: PathBuf,
    location: Option<Location>,
    key: Option<String>,
    kind: ErrorKind,
    message: String,
}

impl BoardError {
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

    /// Adds the key (a dotted path such as `spi.oled.modes` or `part[1].dc`).
    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// The board file the error is about.
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

impl fmt::Display for BoardError {
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

impl std::error::Error for BoardError {}

/// Rewrites serde's wording ("invalid type: string \"x\", expected u32") into the board file's
/// ("expected an integer, found a string") and picks the [`ErrorKind`].
pub(crate) fn translate_serde_message(message: &str) -> (ErrorKind, String) {
    // An integer literal past 64 bits: toml hands it over as an i128, which no field accepts.
    if let Some(rest) = message.strip_prefix("invalid type: integer `")
        && let Some((digits, rest)) = rest.split_once("` as i128")
    {
        let expected = rest.strip_prefix(", expected ").unwrap_or("");
        let phrase = expected_phrase(expected, true);
        let message = if phrase.starts_with("an integer from") {
            format!("expected {phrase}, found {digits}")
        } else {
            format!(
                "the integer {digits} is out of range (TOML integers go from {} to {})",
                i64::MIN,
                i64::MAX
            )
        };
        return (ErrorKind::InvalidValue, message);
    }
    if let Some(rest) = message.strip_prefix("invalid type: ")
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        return (
            ErrorKind::WrongType,
            format!(
                "expected {}, found {}",
                expected_phrase(expected, false),
                found_phrase(found)
            ),
        );
    }
    if let Some(rest) = message.strip_prefix("invalid value: ")
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        let found = found
            .split_once(' ')
            .map_or(found, |(_, value)| value)
            .trim_matches('`');
        return (
            ErrorKind::InvalidValue,
            format!(
                "expected {}, found {found}",
                expected_phrase(expected, true)
            ),
        );
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let expected = expected.strip_prefix("one of ").unwrap_or(expected);
        return (
            ErrorKind::InvalidValue,
            format!("unknown value {found}, expected one of {expected}"),
        );
    }
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let expected = expected.strip_prefix("one of ").unwrap_or(expected);
        let known = if expected.is_empty() {
            String::new()
        } else {
            format!(" (known keys: {expected})")
        };
        return (ErrorKind::UnknownKey, format!("unknown key {found}{known}"));
    }
    if message.starts_with("missing field ") {
        return (ErrorKind::MissingKey, "missing required key".to_owned());
    }
    (ErrorKind::InvalidValue, message.to_owned())
}

/// The missing key named by a serde "missing field `x`" message.
pub(crate) fn missing_field_name(message: &str) -> Option<&str> {
    message
        .strip_prefix("missing field `")?
        .split_once('`')
        .map(|(name, _)| name)
}

fn expected_phrase(expected: &str, with_range: bool) -> String {
    let e = expected.trim();
    let phrase = match e {
        "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64" | "usize" | "an integer" => {
            "an integer"
        }
        "f32" | "f64" | "a float" => "a number",
        "a boolean" | "bool" => "a boolean (true or false)",
        "a string" | "a borrowed string" | "string" => "a string",
        "a sequence" => "an array",
        "a map" => "a table",
        _ if e.starts_with("struct ") => "a table",
        _ if e.starts_with("a sequence") || e.starts_with("an array") => "an array",
        _ if e.starts_with("variant identifier") || e.starts_with("enum ") => "a string",
        _ => return e.to_owned(),
    };
    let range = match e {
        _ if !with_range => "",
        "u8" => " from 0 to 255",
        "u16" => " from 0 to 65535",
        "u32" => " from 0 to 4294967295",
        "u64" => " from 0 to 18446744073709551615",
        _ => "",
    };
    format!("{phrase}{range}")
}

fn found_phrase(found: &str) -> &'static str {
    let word = found.split_whitespace().next().unwrap_or("");
    match word {
        "string" => "a string",
        "integer" => "an integer",
        "floating" => "a float",
        "boolean" => "a boolean",
        "sequence" => "an array",
        "map" => "a table",
        "unit" | "Option" => "nothing",
        _ => "a value of another type",
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
    fn serde_messages_are_reworded() {
        assert_eq!(
            translate_serde_message("invalid type: string \"fast\", expected u32"),
            (
                ErrorKind::WrongType,
                "expected an integer, found a string".to_owned()
            )
        );
        assert_eq!(
            translate_serde_message("invalid value: integer `300`, expected u8").1,
            "expected an integer from 0 to 255, found 300"
        );
        assert_eq!(
            translate_serde_message("unknown field `max-freq`, expected `a` or `b`").0,
            ErrorKind::UnknownKey
        );
        assert_eq!(missing_field_name("missing field `device`"), Some("device"));
        assert_eq!(
            translate_serde_message(
                "invalid type: integer `99999999999999999999999` as i128, expected u32"
            ),
            (
                ErrorKind::InvalidValue,
                "expected an integer from 0 to 4294967295, found 99999999999999999999999"
                    .to_owned()
            )
        );
        assert_eq!(
            translate_serde_message(
                "invalid type: integer `-99999999999999999999` as i128, expected any valid \
                 TOML value"
            )
            .1,
            "the integer -99999999999999999999 is out of range (TOML integers go from \
             -9223372036854775808 to 9223372036854775807)"
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
