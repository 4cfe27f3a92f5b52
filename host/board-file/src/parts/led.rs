//! `kind = "led"`: an LED on a GPIO line a guest drives.

use super::{Names, PartTable, Wiring};
use crate::error::{BoardError, ErrorKind};
use crate::gpio::{Level, PinMode};

/// The keys of an LED part besides `kind` and `name`.
pub(super) const KEYS: &[&str] = &["line", "active"];

/// An LED on a GPIO line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedPart {
    /// `line`: the GPIO name.
    pub line: String,
    /// `active`: the level that lights it (default high).
    pub active: Level,
}

/// Reads an LED part and wires it to its line.
pub(super) fn read(
    part: &PartTable<'_, '_, '_>,
    names: &Names<'_>,
    wiring: &mut Wiring,
) -> Result<LedPart, BoardError> {
    let (line, active) = line_and_level(part)?;
    part.line("line", &line, PinMode::Output, names, wiring)?;
    Ok(LedPart {
        line,
        active: active.unwrap_or(Level::High),
    })
}

/// The `line` (required) and `active` keys of a part on one line.
pub(super) fn line_and_level(
    part: &PartTable<'_, '_, '_>,
) -> Result<(String, Option<Level>), BoardError> {
    let line = part.table.get::<String>("line")?;
    let active = part.table.get::<Level>("active")?;
    let Some(line) = line else {
        return Err(part.table.key_error(
            "line",
            ErrorKind::MissingKey,
            "missing required key: the GPIO name it is on, e.g. line = \"led0\"",
        ));
    };
    Ok((line, active))
}
