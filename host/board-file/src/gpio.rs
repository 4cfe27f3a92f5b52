//! `[gpio.NAME]` and `[discovery.gpio]`: levels, directions, the policy of a line and what is
//! behind each name.

use crate::document::{Table, entry_path};
use crate::error::{BoardError, ErrorKind, Location};
use crate::load::{Context, device_path};
use crate::model::Backend;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Levels and directions are the policy crate's, read with its `serde` spellings (`"low"`,
/// `"output"`).
pub use wasi_hal_policy::{Level, PinMode};

crate::document::named_values!(Level, PinMode);

/// What a guest may do with a GPIO line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GpioPolicy {
    /// `modes` contains `input`: the guest may open the line as an input.
    pub input: bool,
    /// `modes` contains `output`: the guest may open the line as an output.
    pub output: bool,
    /// `initial`: the level of the line when the board comes up (a Linux output-capable line is
    /// requested as an output at this level; a simulated line starts at it).
    pub initial: Level,
    /// `safe`: the level an output is restored to when the guest drops it, ends or traps.
    pub safe: Level,
}

impl GpioPolicy {
    /// Whether `mode` is allowed.
    pub fn allows(&self, mode: PinMode) -> bool {
        match mode {
            PinMode::Input => self.input,
            PinMode::Output => self.output,
        }
    }
}

/// What is behind a GPIO name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum GpioSource {
    /// A simulated line, possibly wired to a part.
    Simulated,
    /// One line of a Linux GPIO character device.
    Linux {
        /// The chip, e.g. `/dev/gpiochip0`.
        chip: PathBuf,
        /// The line offset on the chip (on a Raspberry Pi's `gpiochip0`, the BCM GPIO number).
        line: u32,
    },
}

/// One `[gpio.NAME]` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GpioEntry {
    /// What is behind the name.
    pub backend: GpioSource,
    /// What a guest may do with it.
    pub policy: GpioPolicy,
    /// Where the entry is in the file.
    pub location: Location,
}

/// The keys of a GPIO table.
const KEYS: &[&str] = &["chip", "line", "modes", "initial", "safe"];

/// Reads `[gpio.NAME]`, in file order: one chip line per name on a Linux board.
pub(crate) fn read_entries(
    root: &Table<'_, '_>,
    backend: Backend,
) -> Result<BTreeMap<String, GpioEntry>, BoardError> {
    let mut entries = BTreeMap::new();
    let mut lines: BTreeMap<(PathBuf, u32), &str> = BTreeMap::new();
    for (name, table) in root.named_tables("gpio")? {
        table.only(KEYS)?;
        let chip = table.get::<String>("chip")?;
        let line = table.get::<u32>("line")?;
        let backend = match (backend, chip, line) {
            (Backend::Linux, Some(chip), Some(line)) => {
                let chip_path = device_path(&table, "chip", &chip)?;
                let key = (chip_path.clone(), line);
                if let Some(other) = lines.get(&key) {
                    return Err(table.value_error(
                        "line",
                        ErrorKind::DuplicateDevice,
                        format!(
                            "line {line} of `{chip}` is already mapped as `{}`",
                            entry_path("gpio", other)
                        ),
                    ));
                }
                lines.insert(key, name);
                GpioSource::Linux {
                    chip: chip_path,
                    line,
                }
            }
            (Backend::Linux, chip, _) => {
                let missing = if chip.is_none() { "chip" } else { "line" };
                return Err(table.key_error(
                    missing,
                    ErrorKind::MissingKey,
                    "missing required key: a linux board maps each GPIO name to a chip and \
                     line, e.g. chip = \"/dev/gpiochip0\" and line = 17",
                ));
            }
            (Backend::Simulated, chip, line) => {
                if chip.is_some() || line.is_some() {
                    let key = if chip.is_some() { "chip" } else { "line" };
                    return Err(table.key_error(
                        key,
                        ErrorKind::InvalidValue,
                        "a simulated board has no GPIO chips: each name is a simulated line",
                    ));
                }
                GpioSource::Simulated
            }
        };
        let policy = read_policy(&table, Context::Named)?;
        entries.insert(
            name.to_owned(),
            GpioEntry {
                backend,
                policy,
                location: table.location(),
            },
        );
    }
    Ok(entries)
}

/// Reads and checks a GPIO policy table.
pub(crate) fn read_policy(
    table: &Table<'_, '_>,
    context: Context,
) -> Result<GpioPolicy, BoardError> {
    table.only(KEYS)?;
    let listed = table.array::<PinMode>("modes")?;
    let initial = table.get::<Level>("initial")?;
    let safe = table.get::<Level>("safe")?;
    let modes = match (listed, context) {
        (Some(modes), _) => modes,
        (None, Context::Discovery) => vec![PinMode::Input, PinMode::Output],
        (None, Context::Named) => {
            return Err(table.key_error(
                "modes",
                ErrorKind::MissingKey,
                "missing required key: the directions a guest may open the line in, e.g. modes = \
                 [\"output\"]",
            ));
        }
    };
    if modes.is_empty() {
        return Err(table.value_error(
            "modes",
            ErrorKind::ImpossiblePolicy,
            "no allowed modes: list \"input\", \"output\" or both",
        ));
    }
    if context == Context::Discovery && (table.has("chip") || table.has("line")) {
        let key = if table.has("chip") { "chip" } else { "line" };
        return Err(table.key_error(
            key,
            ErrorKind::UnknownKey,
            "discovered lines take their chip and line from the scan",
        ));
    }
    let initial = initial.unwrap_or(Level::Low);
    Ok(GpioPolicy {
        input: modes.contains(&PinMode::Input),
        output: modes.contains(&PinMode::Output),
        initial,
        safe: safe.unwrap_or(initial),
    })
}
