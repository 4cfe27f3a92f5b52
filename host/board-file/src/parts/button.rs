//! `kind = "button"`: a push button on a GPIO line a guest reads. The line rests at the released
//! level, which sets its `initial` (and `safe`, when not given) level.

use super::led::line_and_level;
use super::{Names, Part, PartKind, PartTable, Wiring};
use crate::document::Table;
use crate::error::{BoardError, ErrorKind};
use crate::gpio::{GpioEntry, Level, PinMode};
use crate::load::kebab;
use std::collections::BTreeMap;

/// The keys of a button part besides `kind` and `name`.
pub(super) const KEYS: &[&str] = &["line", "active"];

/// A push button on a GPIO line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ButtonPart {
    /// `line`: the GPIO name.
    pub line: String,
    /// `active`: the level the line has while the button is pressed (default low: a button to
    /// ground with a pull-up). Released, the line has the other level.
    pub active: Level,
}

/// Reads a button part and wires it to its line.
pub(super) fn read(
    part: &PartTable<'_, '_, '_>,
    names: &Names<'_>,
    wiring: &mut Wiring,
) -> Result<ButtonPart, BoardError> {
    let (line, active) = line_and_level(part)?;
    part.line("line", &line, PinMode::Input, names, wiring)?;
    Ok(ButtonPart {
        line,
        active: active.unwrap_or(Level::Low),
    })
}

/// A button holds its line at the released level, and nothing else may drive it: checks the
/// line's policy and sets its `initial` (and `safe`, unless given) level.
pub(crate) fn hold_released(
    root: &Table<'_, '_>,
    parts: &[Part],
    gpio: &mut BTreeMap<String, GpioEntry>,
) -> Result<(), BoardError> {
    let Some(gpio_tables) = root.table("gpio")? else {
        return Ok(());
    };
    let part_tables = root.array_of_tables("part")?;
    for (part, part_table) in parts.iter().zip(&part_tables) {
        let PartKind::Button(button) = &part.kind else {
            continue;
        };
        let released = button.active.opposite();
        let (Some(entry), Some(line_table)) =
            (gpio.get_mut(&button.line), gpio_tables.table(&button.line)?)
        else {
            continue;
        };
        if entry.policy.output {
            return Err(part_table.value_error(
                "line",
                ErrorKind::Wiring,
                format!(
                    "GPIO `{}` has a button on it, so a guest must not drive it: set its modes = \
                     [\"input\"]",
                    button.line
                ),
            ));
        }
        match line_table.get::<Level>("initial")? {
            Some(level) if level != released => {
                return Err(line_table.value_error(
                    "initial",
                    ErrorKind::Wiring,
                    format!(
                        "button `{}` holds this line {} while released",
                        part.name,
                        kebab(&released)
                    ),
                ));
            }
            _ => {
                entry.policy.initial = released;
                if !line_table.has("safe") {
                    entry.policy.safe = released;
                }
            }
        }
    }
    Ok(())
}
