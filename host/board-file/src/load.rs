//! Loading a board file: reading the text, parsing it once into toml's spanned document, and
//! checking the whole board (names unique across buses, buses, parts, `[discovery]`,
//! `[config]`). The per-bus and per-part rules are in their modules; the helpers they share are
//! here.

use crate::document::{Table, entry_path, integer};
use crate::error::TomlSource as Source;
use crate::error::{BoardError, ErrorKind, Location};
use crate::model::{Backend, BoardFile, Entry};
use crate::{discovery, gpio, i2c, parts, pwm, sensor, spi};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};

/// Default for `max-transfer-bytes`: Linux spidev's default `bufsiz`.
pub const DEFAULT_MAX_TRANSFER_BYTES: u32 = 4096;
/// The largest `max-transfer-bytes` a board file may give (16 MiB). The host allocates a
/// guest's read buffers before the bytes are copied into the guest's memory, so the cap is also
/// the most one guest call can make the host allocate; values above it are refused.
pub const MAX_TRANSFER_BYTES_LIMIT: u32 = 16 << 20;
/// The largest board file [`BoardFile::load`] reads (1 MiB): real boards are a few KiB; a
/// larger file (or an endless one such as `/dev/zero`) is refused before it fills memory.
pub const MAX_BOARD_FILE_BYTES: u64 = 1 << 20;

/// Where a policy table is: a named entry, or a `[discovery.*]` default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Context {
    /// `[spi.NAME]`, `[i2c.NAME]`, `[gpio.NAME]`.
    Named,
    /// `[discovery.spi]`, `[discovery.i2c]`, `[discovery.gpio]`.
    Discovery,
}

impl BoardFile {
    /// Reads and checks the board file at `path`. At most [`MAX_BOARD_FILE_BYTES`] are read: a
    /// longer file is an error.
    pub fn load(path: impl AsRef<Path>) -> Result<BoardFile, BoardError> {
        let path = path.as_ref();
        let io_error = |e: std::io::Error| {
            BoardError::new(
                path,
                ErrorKind::Io,
                format!("cannot read the board file: {e}"),
            )
        };
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|file| {
                use std::io::Read;
                file.take(MAX_BOARD_FILE_BYTES + 1).read_to_end(&mut bytes)
            })
            .map_err(io_error)?;
        if bytes.len() as u64 > MAX_BOARD_FILE_BYTES {
            return Err(BoardError::new(
                path,
                ErrorKind::Io,
                format!(
                    "the board file is larger than {} KiB, the most a board file may be",
                    MAX_BOARD_FILE_BYTES >> 10
                ),
            ));
        }
        let text = String::from_utf8(bytes).map_err(|e| {
            let at = Location::of_offset(
                &String::from_utf8_lossy(&e.as_bytes()[..e.utf8_error().valid_up_to()]),
                usize::MAX,
            );
            BoardError::new(
                path,
                ErrorKind::Io,
                "the board file is not valid UTF-8 text",
            )
            .at(at)
        })?;
        Self::parse(&text, path)
    }

    /// Checks `text` as the contents of the board file `path` (used in messages only).
    pub fn parse(text: &str, path: impl AsRef<Path>) -> Result<BoardFile, BoardError> {
        let path = path.as_ref();
        let document = DeTable::parse(text).map_err(|e| syntax_error(&e, text, path))?;
        let root = Table::root(Source { text, path }, document.get_ref());
        read(&root, path)
    }
}

/// The whole board from the document's root table.
fn read(root: &Table<'_, '_>, path: &Path) -> Result<BoardFile, BoardError> {
    root.only(&[
        "board",
        "spi",
        "i2c",
        "gpio",
        "pwm",
        "sensor",
        "part",
        "discovery",
        "config",
    ])?;
    let board = root.require_table("board")?;
    board.only(&["name", "description", "backend"])?;
    let name = board.require::<String>("name")?;
    let description = board.get::<String>("description")?;
    let backend = board.require::<Backend>("backend")?;
    if name.trim().is_empty() {
        return Err(board.value_error("name", ErrorKind::InvalidValue, "the board name is empty"));
    }
    check_names(root)?;
    let spi = spi::read_entries(root, backend)?;
    let i2c = i2c::read_entries(root, backend)?;
    let mut gpio = gpio::read_entries(root, backend)?;
    let pwm = pwm::read_entries(root, backend)?;
    let sensors = sensor::read_entries(root, backend)?;
    let names = parts::Names {
        spi: &spi,
        i2c: &i2c,
        gpio: &gpio,
        pwm: &pwm,
    };
    let parts = parts::read(root, backend, &names)?;
    parts::hold_released(root, &parts, &mut gpio)?;
    let discovery = discovery::read(root, backend)?;
    let config = read_config(root)?;
    Ok(BoardFile {
        path: path.to_owned(),
        name,
        description,
        backend,
        spi,
        i2c,
        gpio,
        pwm,
        sensors,
        parts,
        discovery,
        config,
    })
}

/// Names are valid and unique across SPI, I2C, GPIO, PWM and sensors (a name means one thing on
/// a board).
fn check_names(root: &Table<'_, '_>) -> Result<(), BoardError> {
    let mut all: Vec<(usize, &str, &str, Table<'_, '_>)> = Vec::new();
    for bus in ["spi", "i2c", "gpio", "pwm", "sensor"] {
        for (name, table) in root.named_tables(bus)? {
            check_name(name).map_err(|m| table.table_error(ErrorKind::InvalidValue, m))?;
            all.push((table.offset(), bus, name, table));
        }
    }
    all.sort_by_key(|(offset, ..)| *offset);
    let mut seen: BTreeMap<&str, (&str, Location)> = BTreeMap::new();
    for (_, bus, name, table) in &all {
        if let Some((first_bus, first)) = seen.get(name) {
            return Err(table.table_error(
                ErrorKind::DuplicateName,
                format!(
                    "the name `{name}` is already defined as `{}` at line {} (names are unique \
                     across spi, i2c, gpio, pwm and sensor)",
                    entry_path(first_bus, name),
                    first.line
                ),
            ));
        }
        seen.insert(name, (bus, table.location()));
    }
    Ok(())
}

/// `[config]`: strings, numbers and booleans, numbers and booleans kept as their text.
fn read_config(root: &Table<'_, '_>) -> Result<BTreeMap<String, String>, BoardError> {
    let Some(table) = root.table("config")? else {
        return Ok(BTreeMap::new());
    };
    let mut config = BTreeMap::new();
    for (key, value) in table.raw_entries() {
        let text = match value {
            DeValue::String(s) => s.to_string(),
            DeValue::Integer(i) => match integer(i).map(i64::try_from) {
                Ok(Ok(n)) => n.to_string(),
                out_of_range => {
                    let text = match out_of_range {
                        Ok(_) => integer(i).map_or_else(|t| t, |n| n.to_string()),
                        Err(text) => text,
                    };
                    return Err(table.value_error(
                        key,
                        ErrorKind::InvalidValue,
                        format!(
                            "the integer {text} is out of range (TOML integers go from {} to {})",
                            i64::MIN,
                            i64::MAX
                        ),
                    ));
                }
            },
            DeValue::Float(_) => table
                .get::<f64>(key)?
                .map(|f| f.to_string())
                .unwrap_or_default(),
            DeValue::Boolean(b) => b.to_string(),
            _ => {
                return Err(table.value_error(
                    key,
                    ErrorKind::WrongType,
                    "a config value is a string, a number or a boolean",
                ));
            }
        };
        config.insert(key.to_owned(), text);
    }
    Ok(config)
}

/// A TOML syntax error, at the position toml gives, with toml's own message. toml gives no
/// position for a key nested past its recursion limit: then the key with the most dotted
/// segments is the one, when it has more than any board file needs.
fn syntax_error(e: &toml::de::Error, text: &str, path: &Path) -> BoardError {
    let err = BoardError::new(
        path,
        ErrorKind::Syntax,
        format!("invalid TOML: {}", e.message()),
    );
    if let Some(span) = e.span() {
        return err.at(Location::of_offset(text, span.start));
    }
    match deepest_dotted_key(text) {
        Some((offset, key)) if key.split('.').count() > DEEPEST_KEY => {
            let shown: Vec<&str> = key.split('.').take(DEEP_KEY_SHOWN).collect();
            BoardError::new(
                path,
                ErrorKind::Syntax,
                format!(
                    "nested too deeply: {} dotted keys (a board file needs at most a few levels)",
                    key.split('.').count()
                ),
            )
            .with_key(format!("{}.…", shown.join(".")))
            .at(Location::of_offset(text, offset))
        }
        _ => err,
    }
}

/// More dotted segments than any board file needs (the schema has at most three).
const DEEPEST_KEY: usize = 8;
/// Keys shown of a key path too deep to print whole.
const DEEP_KEY_SHOWN: usize = 4;

/// The table header or dotted key with the most segments: the byte offset of its line's first
/// non-blank character and the key as written (whitespace trimmed). Dots inside quotes do not
/// count; lines inside multi-line strings may be misread, which only matters for the message.
fn deepest_dotted_key(text: &str) -> Option<(usize, &str)> {
    let mut best: Option<(usize, usize, &str)> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset + (line.len() - line.trim_start().len());
        offset += line.len();
        let trimmed = line.trim();
        let key = match trimmed.strip_prefix('[') {
            Some(rest) => rest.trim_start_matches('['),
            None => trimmed,
        };
        let (mut dots, mut quote, mut end) = (0, None, key.len());
        for (i, c) in key.char_indices() {
            match (quote, c) {
                (Some(q), _) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '.') => dots += 1,
                (None, '=' | ']' | '#') => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        if dots > best.map_or(0, |(d, _, _)| d) {
            best = Some((dots, start, key[..end].trim()));
        }
    }
    best.map(|(_, offset, key)| (offset, key))
}

/// A virtual or part name: 1 to 64 characters from `A-Z a-z 0-9 . _ -`.
pub(crate) fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 64 {
        return Err("a name has 1 to 64 characters".to_owned());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Err(format!(
            "the name `{name}` has the character {c:?}; names use A-Z, a-z, 0-9, '.', '_' and '-'"
        ));
    }
    Ok(())
}

/// A device node path at `key`: absolute, compared component by component (so
/// `/dev//spidev0.0` is `/dev/spidev0.0`).
pub(crate) fn device_path(
    table: &Table<'_, '_>,
    key: &str,
    device: &str,
) -> Result<PathBuf, BoardError> {
    let path = Path::new(device);
    if !path.is_absolute() {
        return Err(table.value_error(
            key,
            ErrorKind::InvalidValue,
            format!("`{device}` is not an absolute path (e.g. /dev/spidev0.0)"),
        ));
    }
    Ok(path.components().collect())
}

/// What a bus table's `device` key must say, in the words of one bus.
pub(crate) struct DeviceKey {
    /// A node mapped twice: the words between the node and the first name.
    pub mapped_as: &'static str,
    /// A node mapped twice: the words after the first name.
    pub mapped_note: &'static str,
    /// The message when a Linux board's entry has no `device`.
    pub missing: &'static str,
    /// The message when a simulated board's entry has one.
    pub on_simulated: &'static str,
}

/// The device node of the bus entry `name` (`Some` on a Linux board, `None` on a simulated one),
/// each node under one name only (`nodes` has the names so far, by node).
pub(crate) fn device_node<'n>(
    table: &Table<'_, '_>,
    backend: Backend,
    name: &'n str,
    nodes: &mut BTreeMap<PathBuf, &'n str>,
    bus: &str,
    words: &DeviceKey,
) -> Result<Option<PathBuf>, BoardError> {
    match (backend, table.get::<String>("device")?) {
        (Backend::Linux, Some(device)) => {
            let path = device_path(table, "device", &device)?;
            if let Some(other) = nodes.get(&path) {
                return Err(table.value_error(
                    "device",
                    ErrorKind::DuplicateDevice,
                    format!(
                        "`{device}` {}`{}`{}",
                        words.mapped_as,
                        entry_path(bus, other),
                        words.mapped_note
                    ),
                ));
            }
            nodes.insert(path.clone(), name);
            Ok(Some(path))
        }
        (Backend::Linux, None) => {
            Err(table.key_error("device", ErrorKind::MissingKey, words.missing))
        }
        (Backend::Simulated, Some(_)) => {
            Err(table.key_error("device", ErrorKind::InvalidValue, words.on_simulated))
        }
        (Backend::Simulated, None) => Ok(None),
    }
}

/// Reads every `[bus.NAME]` table, in file order, each with no keys but `keys`: `read` gives
/// what is behind the name and its policy.
pub(crate) fn read_named<'r, Source, Policy>(
    root: &Table<'r, '_>,
    bus: &str,
    keys: &[&str],
    mut read: impl FnMut(&Table<'r, '_>, &'r str) -> Result<(Source, Policy), BoardError>,
) -> Result<BTreeMap<String, Entry<Source, Policy>>, BoardError> {
    let mut entries = BTreeMap::new();
    for (name, table) in root.named_tables(bus)? {
        table.only(keys)?;
        let (backend, policy) = read(&table, name)?;
        let location = table.location();
        entries.insert(
            name.to_owned(),
            Entry {
                backend,
                policy,
                location,
            },
        );
    }
    Ok(entries)
}

/// What the `chip` key and its number key (`line`, `channel`) of a GPIO or PWM table must say,
/// in the words of one kind.
pub(crate) struct ChipKeys {
    /// The key of the number on the chip, and its word in messages: `line` or `channel`.
    pub number: &'static str,
    /// The message when a Linux board's entry lacks the chip or the number.
    pub missing: &'static str,
    /// The message when a simulated board's entry has one.
    pub on_simulated: &'static str,
}

/// The chip and the number on it of the entry `name` (`Some` on a Linux board, `None` on a
/// simulated one), each chip line under one name only (`taken` has the names so far).
pub(crate) fn chip_number<'n>(
    table: &Table<'_, '_>,
    backend: Backend,
    name: &'n str,
    taken: &mut BTreeMap<(PathBuf, u32), &'n str>,
    bus: &str,
    words: &ChipKeys,
) -> Result<Option<(PathBuf, u32)>, BoardError> {
    let chip = table.get::<String>("chip")?;
    let number = table.get::<u32>(words.number)?;
    match (backend, chip, number) {
        (Backend::Linux, Some(chip), Some(number)) => {
            let key = (device_path(table, "chip", &chip)?, number);
            if let Some(other) = taken.get(&key) {
                return Err(table.value_error(
                    words.number,
                    ErrorKind::DuplicateDevice,
                    format!(
                        "{} {number} of `{chip}` is already mapped as `{}`",
                        words.number,
                        entry_path(bus, other)
                    ),
                ));
            }
            taken.insert(key.clone(), name);
            Ok(Some(key))
        }
        (Backend::Linux, chip, _) => {
            let missing = if chip.is_none() { "chip" } else { words.number };
            Err(table.key_error(missing, ErrorKind::MissingKey, words.missing))
        }
        (Backend::Simulated, None, None) => Ok(None),
        (Backend::Simulated, chip, _) => {
            let key = if chip.is_some() { "chip" } else { words.number };
            Err(table.key_error(key, ErrorKind::InvalidValue, words.on_simulated))
        }
    }
}

/// `max-transfer-bytes` at `key`: above 0 and at most [`MAX_TRANSFER_BYTES_LIMIT`].
pub(crate) fn max_transfer(
    table: &Table<'_, '_>,
    key: &str,
    value: Option<u32>,
) -> Result<u32, BoardError> {
    match value {
        Some(0) => Err(table.value_error(
            key,
            ErrorKind::ImpossiblePolicy,
            "a transfer limit of 0 bytes allows no transfer at all",
        )),
        Some(n) if n > MAX_TRANSFER_BYTES_LIMIT => Err(table.value_error(
            key,
            ErrorKind::InvalidValue,
            format!(
                "{n} bytes is above the host's limit of {MAX_TRANSFER_BYTES_LIMIT} bytes (16 MiB): \
                 the host allocates a call's buffers before the guest receives them"
            ),
        )),
        Some(n) => Ok(n),
        None => Ok(DEFAULT_MAX_TRANSFER_BYTES),
    }
}

/// The items sorted, without repeats.
pub(crate) fn sorted_unique<T: Ord + Copy>(items: &[T]) -> Vec<T> {
    let set: BTreeSet<T> = items.iter().copied().collect();
    set.into_iter().collect()
}

/// A schema enum value as the file spells it.
pub(crate) fn kebab<T: std::fmt::Debug>(value: &T) -> String {
    let debug = format!("{value:?}");
    let mut out = String::new();
    for (i, c) in debug.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 && !out.ends_with(|p: char| p.is_ascii_digit()) {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gpio::PinMode;
    use crate::spi::{BitOrder, SpiMode};

    #[test]
    fn kebab_spells_schema_values() {
        assert_eq!(kebab(&SpiMode::Mode3), "mode3");
        assert_eq!(kebab(&BitOrder::MsbFirst), "msb-first");
        assert_eq!(kebab(&PinMode::Output), "output");
    }
}
