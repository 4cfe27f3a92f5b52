//! Where keys and values are in the text: a spanned tree of the whole document, used to put a
//! line, a column and a key path on every error.

use crate::error::Location;
use std::fmt::Write as _;
use std::ops::Range;
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

impl From<&str> for Seg {
    fn from(key: &str) -> Self {
        Seg::Key(key.to_owned())
    }
}

impl From<usize> for Seg {
    fn from(index: usize) -> Self {
        Seg::Index(index)
    }
}

/// Builds a key path from keys and indexes: `keys!["spi", name, "modes"]`.
macro_rules! keys {
    ($($seg:expr),* $(,)?) => {
        [$($crate::spans::Seg::from($seg)),*]
    };
}
pub(crate) use keys;

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

/// The parsed document with every key's and value's byte range.
pub(crate) struct Spans<'a> {
    text: &'a str,
    root: Spanned<DeTable<'a>>,
}

/// What was found at a path.
pub(crate) struct Found {
    /// The key's range, when the path ends at a key that exists.
    pub key: Option<Range<usize>>,
    /// The value's range, when the path exists.
    pub value: Option<Range<usize>>,
    /// The range of the deepest part of the path that exists (for a missing key: its table).
    pub nearest: Option<Range<usize>>,
}

impl<'a> Spans<'a> {
    /// Parses `text`; a syntax error comes back as TOML reports it.
    pub(crate) fn parse(text: &'a str) -> Result<Self, toml::de::Error> {
        Ok(Self {
            text,
            root: DeTable::parse(text)?,
        })
    }

    /// The location of byte `offset`.
    pub(crate) fn location(&self, offset: usize) -> Location {
        Location::of_offset(self.text, offset)
    }

    /// Looks a path up.
    pub(crate) fn find(&self, path: &[Seg]) -> Found {
        let mut found = Found {
            key: None,
            value: None,
            nearest: None,
        };
        let mut table: Option<&DeTable<'a>> = Some(self.root.get_ref());
        let mut value: Option<&Spanned<DeValue<'a>>> = None;
        for (i, seg) in path.iter().enumerate() {
            let last = i + 1 == path.len();
            let next = match seg {
                Seg::Key(name) => table.and_then(|t| {
                    t.iter()
                        .find(|(k, _)| k.get_ref().as_ref() == name.as_str())
                        .map(|(k, v)| (Some(k.span()), v))
                }),
                Seg::Index(index) => value
                    .and_then(|v| v.get_ref().as_array())
                    .and_then(|a| a.get(*index))
                    .map(|v| (None, v)),
            };
            let Some((key_span, v)) = next else {
                return found;
            };
            if last {
                found.key = key_span.clone();
                found.value = Some(v.span());
            }
            // Tables opened by a `[header]` have the header as their span, which is where a
            // reader looks for them; keys point at themselves.
            found.nearest = Some(key_span.unwrap_or_else(|| v.span()));
            value = Some(v);
            table = v.get_ref().as_table();
        }
        found
    }

    /// The location of the value at `path`, or of its key, or of the nearest table that exists.
    pub(crate) fn value_location(&self, path: &[Seg]) -> Option<Location> {
        let found = self.find(path);
        found
            .value
            .or(found.key)
            .or(found.nearest)
            .map(|r| self.location(r.start))
    }

    /// The location of the key at `path` (or of the nearest table that exists).
    pub(crate) fn key_location(&self, path: &[Seg]) -> Option<Location> {
        let found = self.find(path);
        found
            .key
            .or(found.value)
            .or(found.nearest)
            .map(|r| self.location(r.start))
    }

    /// The path of the key whose name is at byte `offset` (for "unknown key" errors).
    pub(crate) fn key_path_at(&self, offset: usize) -> Option<Vec<Seg>> {
        let mut best: Option<Vec<Seg>> = None;
        let mut path = Vec::new();
        visit_table(self.root.get_ref(), &mut path, &mut |path, key, _| {
            if key.is_some_and(|k| k.contains(&offset))
                && best.as_ref().is_none_or(|b| path.len() > b.len())
            {
                best = Some(path.to_vec());
            }
        });
        best
    }

    /// The path of the table whose span is exactly `span` (for "missing key" errors); the empty
    /// path for the whole document.
    pub(crate) fn table_path_of(&self, span: &Range<usize>) -> Option<Vec<Seg>> {
        if self.root.span() == *span {
            return Some(Vec::new());
        }
        let mut best: Option<Vec<Seg>> = None;
        let mut path = Vec::new();
        visit_table(self.root.get_ref(), &mut path, &mut |path, _, value| {
            if value == *span && best.as_ref().is_none_or(|b| path.len() > b.len()) {
                best = Some(path.to_vec());
            }
        });
        best
    }

    /// The key path an error at byte `offset` is about: the deepest key or array element whose
    /// name or value contains it (for equal depth, the tightest).
    pub(crate) fn path_at(&self, offset: usize) -> Vec<Seg> {
        let mut best: Option<(usize, usize, Vec<Seg>)> = None;
        let mut path = Vec::new();
        visit_table(self.root.get_ref(), &mut path, &mut |path, key, value| {
            let on_key = key.is_some_and(|k| k.contains(&offset));
            let in_value = value.contains(&offset) || (value.is_empty() && value.start == offset);
            if !(on_key || in_value) {
                return;
            }
            let width = if on_key { 0 } else { value.len() + 1 };
            let better = best.as_ref().is_none_or(|(depth, w, _)| {
                path.len() > *depth || (path.len() == *depth && width < *w)
            });
            if better {
                best = Some((path.len(), width, path.to_vec()));
            }
        });
        best.map(|(_, _, p)| p).unwrap_or_default()
    }

    /// The TOML type of the value at `path` ("a string", "an integer", ...).
    pub(crate) fn type_at(&self, path: &[Seg]) -> Option<&'static str> {
        let mut value: Option<&DeValue<'a>> = None;
        for seg in path {
            let next = match (seg, value) {
                (Seg::Key(name), None) => self
                    .root
                    .get_ref()
                    .iter()
                    .find(|(k, _)| k.get_ref().as_ref() == name.as_str())
                    .map(|(_, v)| v),
                (Seg::Key(name), Some(v)) => v.as_table().and_then(|t| {
                    t.iter()
                        .find(|(k, _)| k.get_ref().as_ref() == name.as_str())
                        .map(|(_, v)| v)
                }),
                (Seg::Index(i), Some(v)) => v.as_array().and_then(|a| a.get(*i)),
                (Seg::Index(_), None) => None,
            };
            value = Some(next?.get_ref());
        }
        Some(match value? {
            DeValue::String(..) => "a string",
            DeValue::Integer(..) => "an integer",
            DeValue::Float(..) => "a float",
            DeValue::Boolean(..) => "a boolean",
            DeValue::Datetime(..) => "a date-time",
            DeValue::Array(..) => "an array",
            DeValue::Table(..) => "a table",
        })
    }
}

/// The full key a "duplicate key" error at `span` is about: the header of a `[table]` line,
/// or the key prefixed with the header of the table it is in.
pub(crate) fn duplicate_key_at(text: &str, span: Range<usize>) -> Option<String> {
    let key = text.get(span.clone())?.trim();
    let line_start = text[..span.start.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let header = |line: &str| {
        let line = line.trim();
        line.starts_with('[').then(|| {
            line.trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .trim()
                .to_owned()
        })
    };
    let line = text[line_start..].lines().next().unwrap_or("");
    if let Some(h) = header(line) {
        return Some(h);
    }
    let table = text[..line_start].lines().rev().find_map(header);
    Some(match table {
        Some(t) if !t.is_empty() => format!("{t}.{key}"),
        _ => key.to_owned(),
    })
}

type Visitor<'v> = dyn FnMut(&[Seg], Option<Range<usize>>, Range<usize>) + 'v;

fn visit_table(table: &DeTable<'_>, path: &mut Vec<Seg>, f: &mut Visitor<'_>) {
    for (key, value) in table.iter() {
        path.push(Seg::Key(key.get_ref().to_string()));
        f(path, Some(key.span()), value.span());
        visit_value(value.get_ref(), path, f);
        path.pop();
    }
}

fn visit_value(value: &DeValue<'_>, path: &mut Vec<Seg>, f: &mut Visitor<'_>) {
    match value {
        DeValue::Table(table) => visit_table(table, path, f),
        DeValue::Array(array) => {
            for (i, element) in array.iter().enumerate() {
                path.push(Seg::Index(i));
                f(path, None, element.span());
                visit_value(element.get_ref(), path, f);
                path.pop();
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_spelled_as_in_toml() {
        assert_eq!(
            display_path(&keys!["spi", "oled", "modes"]),
            "spi.oled.modes"
        );
        assert_eq!(display_path(&keys!["part", 1, "dc"]), "part[1].dc");
        assert_eq!(
            display_path(&keys!["spi", "spidev0.0", "mode"]),
            "spi.\"spidev0.0\".mode"
        );
    }

    #[test]
    fn finds_keys_values_and_the_path_at_an_offset() {
        let text = "[spi.oled]\nmax-frequency-hz = \"fast\"\n\n[[part]]\nkind = \"led\"\n";
        let spans = Spans::parse(text).unwrap();
        assert_eq!(
            spans.key_location(&keys!["spi", "oled", "max-frequency-hz"]),
            Some(Location { line: 2, column: 1 })
        );
        assert_eq!(
            spans.value_location(&keys!["spi", "oled", "max-frequency-hz"]),
            Some(Location {
                line: 2,
                column: 20
            })
        );
        assert_eq!(
            spans.value_location(&keys!["part", 0, "kind"]),
            Some(Location { line: 5, column: 8 })
        );
        let offset = text.find("\"fast\"").unwrap() + 2;
        assert_eq!(
            spans.path_at(offset),
            keys!["spi", "oled", "max-frequency-hz"]
        );
        let offset = text.find("\"led\"").unwrap();
        assert_eq!(spans.path_at(offset), keys!["part", 0, "kind"]);
    }
}
