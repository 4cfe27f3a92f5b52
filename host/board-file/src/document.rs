//! A TOML file of this project as the parser gives it: one parse into toml's spanned document
//! ([`toml::de::DeTable`], whose keys and values are [`toml::Spanned`]), read table by table with
//! the types the schema wants. Every value read carries the span the parser recorded, and every
//! error is located from the key or value being read: there is no second walk of the text and no
//! reading of the library's messages.
//!
//! The board file reads through [`Table`] with its [`ErrorKind`]; the device file
//! (`wasi-hal-device-file`) reads through the same [`Table`] with its own kinds: any `K` that the
//! reader's own [`Problem`]s convert into.

use crate::error::{ErrorKind, FileError, Location, TomlSource as Source, toml_type_name};
use serde::de::{DeserializeOwned, IntoDeserializer};
use std::fmt::{self, Write as _};
use std::marker::PhantomData;
use std::sync::OnceLock;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One step of a key path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Seg {
    /// A key in a table.
    Key(String),
    /// An element of an array (`[[part]]` tables are elements of the `part` array).
    Index(usize),
}

/// A key path as the board file spells it: `spi.oled.modes`, `part[1].dc`,
/// `spi."spidev0.0".mode`.
pub(crate) fn display_path(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                let bare = !key.is_empty()
                    && key
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                if bare {
                    out.push_str(key);
                } else {
                    let _ = write!(out, "{key:?}");
                }
            }
            Seg::Index(i) => {
                let _ = write!(out, "[{i}]");
            }
        }
    }
    out
}

/// The key path of a named entry, `spi.oled` or `spi."spidev0.0"`.
pub(crate) fn entry_path(table: &str, name: &str) -> String {
    display_path(&[Seg::Key(table.to_owned()), Seg::Key(name.to_owned())])
}

/// What the reader itself finds wrong; each file's error kinds take these in ([`From`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Problem {
    /// A value has the wrong TOML type.
    WrongType,
    /// A value has the right type but is not allowed (out of range, an unknown spelling).
    InvalidValue,
    /// A key the table does not know.
    UnknownKey,
    /// A required key is absent.
    MissingKey,
}

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

/// A value that does not have the type or range the schema wants: the problem and the message.
pub type Mismatch = (Problem, String);

fn wrong_type(expected: &str, found: &DeValue<'_>) -> Mismatch {
    (
        Problem::WrongType,
        format!("expected {expected}, found {}", toml_type_name(found)),
    )
}

/// A TOML integer as the widest integer Rust has, or its text when it does not fit even that.
pub fn integer(value: &toml::de::DeInteger<'_>) -> Result<i128, String> {
    i128::from_str_radix(value.as_str(), value.radix()).map_err(|_| value.to_string())
}

/// A schema value read from one TOML value ([`Table::get`] and the others read through it):
/// integers, booleans, strings, numbers, and the board file's names spelled as strings.
pub trait FromToml: Sized {
    /// The value, or what is wrong with it.
    fn from_toml(value: &DeValue<'_>) -> Result<Self, Mismatch>;
}

macro_rules! unsigned_from_toml {
    ($($t:ty),*) => {$(
        impl FromToml for $t {
            fn from_toml(value: &DeValue<'_>) -> Result<Self, Mismatch> {
                let DeValue::Integer(i) = value else {
                    return Err(wrong_type("an integer", value));
                };
                let n = integer(i);
                n.as_ref().ok().and_then(|&n| <$t>::try_from(n).ok()).ok_or_else(|| {
                    let found = n.map_or_else(|text| text, |n| n.to_string());
                    (
                        Problem::InvalidValue,
                        format!("expected an integer from 0 to {}, found {found}", <$t>::MAX),
                    )
                })
            }
        }
    )*};
}
unsigned_from_toml!(u8, u32);

impl FromToml for bool {
    fn from_toml(value: &DeValue<'_>) -> Result<Self, Mismatch> {
        value
            .as_bool()
            .ok_or_else(|| wrong_type("a boolean (true or false)", value))
    }
}

impl FromToml for String {
    fn from_toml(value: &DeValue<'_>) -> Result<Self, Mismatch> {
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| wrong_type("a string", value))
    }
}

impl FromToml for f64 {
    fn from_toml(value: &DeValue<'_>) -> Result<Self, Mismatch> {
        match value {
            DeValue::Float(f) => f.as_str().parse().map_err(|_| {
                (
                    Problem::InvalidValue,
                    format!("`{}` is not a number", f.as_str()),
                )
            }),
            // An integer is a number too (`temperature-c = 21`).
            DeValue::Integer(i) => integer(i).map(|n| n as f64).map_err(|text| {
                (
                    Problem::InvalidValue,
                    format!("the number {text} is out of range"),
                )
            }),
            _ => Err(wrong_type("a number", value)),
        }
    }
}

/// A schema value spelled as a string (a mode, a level, a kind): read with its serde
/// `Deserialize`, so the spellings are the type's own.
pub(crate) fn named_value<T: DeserializeOwned>(value: &DeValue<'_>) -> Result<T, Mismatch> {
    let text = value
        .as_str()
        .ok_or_else(|| wrong_type("a string", value))?;
    T::deserialize(text.into_deserializer()).map_err(|e: NamedValueError| e.0)
}

/// Implements [`FromToml`] for enums spelled as strings, through [`named_value`].
macro_rules! named_values {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::document::FromToml for $t {
            fn from_toml(value: &toml::de::DeValue<'_>) -> Result<Self, $crate::document::Mismatch> {
                $crate::document::named_value(value)
            }
        }
    )*};
}
pub(crate) use named_values;

/// The error of reading a named value: serde says which spelling was found and which are known.
#[derive(Debug)]
pub(crate) struct NamedValueError(Mismatch);

impl fmt::Display for NamedValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.1)
    }
}

impl std::error::Error for NamedValueError {}

impl serde::de::Error for NamedValueError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self((Problem::InvalidValue, msg.to_string()))
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        Self((
            Problem::InvalidValue,
            format!(
                "unknown value `{variant}`, expected one of {}",
                quoted_list(expected)
            ),
        ))
    }
}

/// A list as messages give it: `` `a`, `b`, `c` ``.
pub fn quoted_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|item| format!("`{item}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One table of the document with its key path and where it is (its key in the header, its
/// `[[...]]` element, or the start of the file for the root). `K` is the file's error kind: every
/// error is a [`FileError<K>`] located from the key or value it is about.
pub struct Table<'r, 'a, K = ErrorKind> {
    source: Source<'a>,
    table: &'r DeTable<'a>,
    path: Vec<Seg>,
    at: usize,
    kind: PhantomData<fn() -> K>,
}

// By hand: a derive would want `K: Clone`.
impl<K> Clone for Table<'_, '_, K> {
    fn clone(&self) -> Self {
        Self {
            source: self.source,
            table: self.table,
            path: self.path.clone(),
            at: self.at,
            kind: PhantomData,
        }
    }
}

/// A key and its value in the document, each with its span.
type Entry<'r, 'a> = (
    &'r Spanned<toml::de::DeString<'a>>,
    &'r Spanned<DeValue<'a>>,
);

impl<'r, 'a, K: Copy + From<Problem>> Table<'r, 'a, K> {
    /// The root table of a parsed document.
    pub fn root(source: Source<'a>, root: &'r DeTable<'a>) -> Self {
        Self::at(source, root, Vec::new(), 0)
    }

    fn at(source: Source<'a>, table: &'r DeTable<'a>, path: Vec<Seg>, at: usize) -> Self {
        Self {
            source,
            table,
            path,
            at,
            kind: PhantomData,
        }
    }

    /// Where the table is: its header key, its `[[...]]` element, or the start of the file.
    pub(crate) fn offset(&self) -> usize {
        self.at
    }

    /// The location of the table: its header key, its `[[...]]` element, or the start of the
    /// file.
    pub fn location(&self) -> Location {
        Location::of_offset(self.source.text, self.at)
    }

    /// The location of the value of `key` (the table's location when it is absent).
    pub fn location_of(&self, key: &str) -> Location {
        let offset = self.entry(key).map_or(self.at, |(_, v)| v.span().start);
        Location::of_offset(self.source.text, offset)
    }

    /// The key path of `key` in this table.
    pub(crate) fn key_path(&self, key: &str) -> Vec<Seg> {
        let mut path = self.path.clone();
        path.push(Seg::Key(key.to_owned()));
        path
    }

    fn entry(&self, key: &str) -> Option<Entry<'r, 'a>> {
        self.table.iter().find(|(k, _)| k.get_ref().as_ref() == key)
    }

    /// Whether `key` is set.
    pub fn has(&self, key: &str) -> bool {
        self.entry(key).is_some()
    }

    /// The value of `key` as the parser gave it, with its span, when set (for values the reader
    /// has no type for).
    pub fn raw(&self, key: &str) -> Option<&'r Spanned<DeValue<'a>>> {
        self.entry(key).map(|(_, value)| value)
    }

    /// The keys that are set, in file order.
    pub fn keys_in_order(&self) -> Vec<&'r str> {
        let mut keys: Vec<_> = self.table.keys().collect();
        keys.sort_by_key(|k| k.span().start);
        keys.into_iter().map(|k| k.get_ref().as_ref()).collect()
    }

    fn error(
        &self,
        path: &[Seg],
        offset: usize,
        kind: K,
        message: impl Into<String>,
    ) -> FileError<K> {
        self.source
            .error(&display_path(path), offset, kind, message)
    }

    /// An error about the table itself (at its header key or element).
    pub fn table_error(&self, kind: K, message: impl Into<String>) -> FileError<K> {
        self.error(&self.path, self.at, kind, message)
    }

    /// An error about the value of `key` (at the value; at the table when absent).
    pub fn value_error(&self, key: &str, kind: K, message: impl Into<String>) -> FileError<K> {
        let offset = self.entry(key).map_or(self.at, |(_, v)| v.span().start);
        self.error(&self.key_path(key), offset, kind, message)
    }

    /// An error about `key` itself (at its name; at the table when it is absent, so a missing
    /// key is reported at the table that lacks it, under the key's path).
    pub fn key_error(&self, key: &str, kind: K, message: impl Into<String>) -> FileError<K> {
        let offset = self.entry(key).map_or(self.at, |(k, _)| k.span().start);
        self.error(&self.key_path(key), offset, kind, message)
    }

    /// An error about element `index` of the array at `key` (key path `key[index]`).
    pub fn element_error(
        &self,
        key: &str,
        index: usize,
        kind: K,
        message: impl Into<String>,
    ) -> FileError<K> {
        let element = self
            .entry(key)
            .and_then(|(_, v)| v.get_ref().as_array())
            .and_then(|a| a.get(index));
        let mut path = self.key_path(key);
        path.push(Seg::Index(index));
        let offset = element.map_or(self.at, |e| e.span().start);
        self.error(&path, offset, kind, message)
    }

    /// Refuses any key but `known` (the first unknown one in file order).
    pub fn only(&self, known: &[&str]) -> Result<(), FileError<K>> {
        match self
            .keys_in_order()
            .into_iter()
            .find(|k| !known.contains(k))
        {
            Some(key) => Err(self.key_error(
                key,
                Problem::UnknownKey.into(),
                format!("unknown key `{key}` (known keys: {})", quoted_list(known)),
            )),
            None => Ok(()),
        }
    }

    /// The value of `key`, when set.
    pub fn get<T: FromToml>(&self, key: &str) -> Result<Option<T>, FileError<K>> {
        Ok(self.get_spanned(key)?.map(Spanned::into_inner))
    }

    /// The value of `key` with its span, when set.
    pub(crate) fn get_spanned<T: FromToml>(
        &self,
        key: &str,
    ) -> Result<Option<Spanned<T>>, FileError<K>> {
        let Some((_, value)) = self.entry(key) else {
            return Ok(None);
        };
        T::from_toml(value.get_ref())
            .map(|v| Some(Spanned::new(value.span(), v)))
            .map_err(|(problem, message)| {
                self.error(
                    &self.key_path(key),
                    value.span().start,
                    problem.into(),
                    message,
                )
            })
    }

    /// The string at `key`, borrowed from the document, when set.
    pub fn str(&self, key: &str) -> Result<Option<&'r str>, FileError<K>> {
        let Some((_, value)) = self.entry(key) else {
            return Ok(None);
        };
        match value.get_ref() {
            DeValue::String(text) => Ok(Some(text.as_ref())),
            other => {
                let (problem, message) = wrong_type("a string", other);
                Err(self.value_error(key, problem.into(), message))
            }
        }
    }

    /// The error for `key`, which is required and absent.
    fn missing(&self, key: &str) -> FileError<K> {
        self.key_error(key, Problem::MissingKey.into(), "missing required key")
    }

    /// The value of `key`, which must be set.
    pub fn require<T: FromToml>(&self, key: &str) -> Result<T, FileError<K>> {
        self.get(key)?.ok_or_else(|| self.missing(key))
    }

    /// The array at `key`, when set, each element read as a `T`.
    pub(crate) fn array<T: FromToml>(&self, key: &str) -> Result<Option<Vec<T>>, FileError<K>> {
        let Some(array) = self.array_value(key)? else {
            return Ok(None);
        };
        array
            .iter()
            .enumerate()
            .map(|(i, element)| {
                T::from_toml(element.get_ref()).map_err(|(problem, message)| {
                    self.element_error(key, i, problem.into(), message)
                })
            })
            .collect::<Result<Vec<T>, _>>()
            .map(Some)
    }

    /// The elements of the array at `key`, when set.
    fn array_value(&self, key: &str) -> Result<Option<&'r [Spanned<DeValue<'a>>]>, FileError<K>> {
        let Some((_, value)) = self.entry(key) else {
            return Ok(None);
        };
        match value.get_ref().as_array() {
            Some(array) => Ok(Some(array.as_ref())),
            None => {
                let (problem, message) = wrong_type("an array", value.get_ref());
                Err(self.value_error(key, problem.into(), message))
            }
        }
    }

    /// The table at `key`, when set.
    pub fn table(&self, key: &str) -> Result<Option<Table<'r, 'a, K>>, FileError<K>> {
        let Some((k, value)) = self.entry(key) else {
            return Ok(None);
        };
        let Some(table) = value.get_ref().as_table() else {
            let (problem, message) = wrong_type("a table", value.get_ref());
            return Err(self.value_error(key, problem.into(), message));
        };
        Ok(Some(Self::at(
            self.source,
            table,
            self.key_path(key),
            k.span().start,
        )))
    }

    /// The table at `key`, which must be set.
    pub fn require_table(&self, key: &str) -> Result<Table<'r, 'a, K>, FileError<K>> {
        self.table(key)?.ok_or_else(|| self.missing(key))
    }

    /// An empty table standing for `key`, which is absent (a table whose keys all have
    /// defaults); errors about it point at this table.
    pub(crate) fn empty_child(&self, key: &str) -> Table<'r, 'a, K> {
        static EMPTY: OnceLock<DeTable<'static>> = OnceLock::new();
        Self::at(
            self.source,
            EMPTY.get_or_init(DeTable::new),
            self.key_path(key),
            self.at,
        )
    }

    /// The tables under `key` (`[spi.NAME]`), by name, in file order.
    pub fn named_tables(
        &self,
        key: &str,
    ) -> Result<Vec<(&'r str, Table<'r, 'a, K>)>, FileError<K>> {
        let Some(outer) = self.table(key)? else {
            return Ok(Vec::new());
        };
        outer
            .keys_in_order()
            .into_iter()
            .map(|name| Ok((name, outer.require_table(name)?)))
            .collect()
    }

    /// The array of tables at `key` (`[[part]]`, or `[{ ... }, { ... }]`), in file order.
    pub fn array_of_tables(&self, key: &str) -> Result<Vec<Table<'r, 'a, K>>, FileError<K>> {
        let Some(array) = self.array_value(key)? else {
            return Ok(Vec::new());
        };
        array
            .iter()
            .enumerate()
            .map(|(i, element)| {
                let table = element.get_ref().as_table().ok_or_else(|| {
                    let (problem, message) = wrong_type("a table", element.get_ref());
                    self.element_error(key, i, problem.into(), message)
                })?;
                let mut path = self.key_path(key);
                path.push(Seg::Index(i));
                Ok(Self::at(self.source, table, path, element.span().start))
            })
            .collect()
    }

    /// Every key with its raw value, in file order (for `[config]`).
    pub fn raw_entries(&self) -> Vec<(&'r str, &'r DeValue<'a>)> {
        let mut entries: Vec<_> = self.table.iter().collect();
        entries.sort_by_key(|(k, _)| k.span().start);
        entries
            .into_iter()
            .map(|(k, v)| (k.get_ref().as_ref(), v.get_ref()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_spelled_as_in_toml() {
        let keys = |segs: &[&str]| {
            segs.iter()
                .map(|s| Seg::Key((*s).to_owned()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            display_path(&keys(&["spi", "oled", "modes"])),
            "spi.oled.modes"
        );
        assert_eq!(
            display_path(&[
                Seg::Key("part".into()),
                Seg::Index(1),
                Seg::Key("dc".into())
            ]),
            "part[1].dc"
        );
        assert_eq!(
            display_path(&keys(&["spi", "spidev0.0", "mode"])),
            "spi.\"spidev0.0\".mode"
        );
    }

    #[test]
    fn values_carry_the_spans_the_parser_recorded() {
        let text = "[spi.oled]\nmax-frequency-hz = \"fast\"\n\n[[part]]\nkind = \"led\"\n";
        let root = DeTable::parse(text).unwrap();
        let source = Source {
            text,
            path: std::path::Path::new("x.toml"),
        };
        let root: Table<'_, '_> = Table::root(source, root.get_ref());
        let (name, oled) = root.named_tables("spi").unwrap().remove(0);
        assert_eq!(name, "oled");
        assert_eq!(oled.location(), Location { line: 1, column: 6 });
        let err = oled.get::<u32>("max-frequency-hz").unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.toml:2:20: key `spi.oled.max-frequency-hz`: expected an integer, found a string"
        );
        let part = root.array_of_tables("part").unwrap().remove(0);
        assert_eq!(part.location(), Location { line: 4, column: 1 });
        let kind = part.get_spanned::<String>("kind").unwrap().unwrap();
        assert_eq!(
            Location::of_offset(text, kind.span().start),
            Location { line: 5, column: 8 }
        );
    }
}
