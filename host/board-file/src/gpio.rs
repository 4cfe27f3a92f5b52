//! `[gpio.NAME]` and `[discovery.gpio]`: levels, directions, the policy of a line and what is
//! behind each name.

use crate::document::Table;
use crate::error::{BoardError, ErrorKind};
use crate::load::{ChipKeys, Context, chip_number, read_named};
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
pub type GpioEntry = crate::model::Entry<GpioSource, GpioPolicy>;

/// The keys of a GPIO table.
const KEYS: &[&str] = &["chip", "line", "modes", "initial", "safe"];

/// What the `chip` and `line` keys of `[gpio.NAME]` must say.
const CHIP: ChipKeys = ChipKeys {
    number: "line",
    missing: "missing required key: a linux board maps each GPIO name to a chip and line, e.g. \
              chip = \"/dev/gpiochip0\" and line = 17",
    on_simulated: "a simulated board has no GPIO chips: each name is a simulated line",
};

/// Reads `[gpio.NAME]`, in file order: one chip line per name on a Linux board.
pub(crate) fn read_entries(
    root: &Table<'_, '_>,
    backend: Backend,
) -> Result<BTreeMap<String, GpioEntry>, BoardError> {
    let mut lines = BTreeMap::new();
    read_named(root, "gpio", KEYS, |table, name| {
        let source = match chip_number(table, backend, name, &mut lines, "gpio", &CHIP)? {
            Some((chip, line)) => GpioSource::Linux { chip, line },
            None => GpioSource::Simulated,
        };
        Ok((source, read_policy(table, Context::Named)?))
    })
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
