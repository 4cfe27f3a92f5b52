//! `[pwm.NAME]`: a PWM channel, the frequencies a guest may set, and what is behind the name.

use crate::document::Table;
use crate::error::{BoardError, ErrorKind};
use crate::load::{ChipKeys, chip_number, read_named};
use crate::model::Backend;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The policy of a channel is the policy crate's (`wasi-hal-pwm` enforces it).
pub use wasi_hal_policy::PwmPolicy;

/// The highest frequency a board file may allow (100 MHz: well above what sysfs PWM chips make).
pub const MAX_PWM_FREQUENCY_HZ: u32 = 100_000_000;

/// What is behind a PWM name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PwmSource {
    /// A simulated channel, possibly wired to a part (a passive buzzer).
    Simulated,
    /// One channel of a Linux PWM chip in sysfs.
    Linux {
        /// The chip's directory, e.g. `/sys/class/pwm/pwmchip0`.
        chip: PathBuf,
        /// The channel number on the chip (`pwmchipN/pwmM`).
        channel: u32,
    },
}

/// One `[pwm.NAME]` entry.
pub type PwmEntry = crate::model::Entry<PwmSource, PwmPolicy>;

/// The keys of a PWM table.
const KEYS: &[&str] = &[
    "chip",
    "channel",
    "min-frequency-hz",
    "max-frequency-hz",
    "default-frequency-hz",
];

/// What the `chip` and `channel` keys of `[pwm.NAME]` must say.
const CHIP: ChipKeys = ChipKeys {
    number: "channel",
    missing: "missing required key: a linux board maps each PWM name to a sysfs chip and \
              channel, e.g. chip = \"/sys/class/pwm/pwmchip0\" and channel = 0",
    on_simulated: "a simulated board has no PWM chips: each name is a simulated channel",
};

/// Reads `[pwm.NAME]`, in file order: one chip channel per name on a Linux board.
pub(crate) fn read_entries(
    root: &Table<'_, '_>,
    backend: Backend,
) -> Result<BTreeMap<String, PwmEntry>, BoardError> {
    let mut channels = BTreeMap::new();
    read_named(root, "pwm", KEYS, |table, name| {
        let source = match chip_number(table, backend, name, &mut channels, "pwm", &CHIP)? {
            Some((chip, channel)) => PwmSource::Linux { chip, channel },
            None => PwmSource::Simulated,
        };
        Ok((source, read_policy(table)?))
    })
}

/// Reads and checks the frequency range and default of a PWM table.
fn read_policy(table: &Table<'_, '_>) -> Result<PwmPolicy, BoardError> {
    let mut range = [0; 2];
    for (slot, key) in range
        .iter_mut()
        .zip(["min-frequency-hz", "max-frequency-hz"])
    {
        let Some(hz) = table.get::<u32>(key)? else {
            return Err(table.key_error(
                key,
                ErrorKind::MissingKey,
                "missing required key: the frequency range a guest may set, e.g. \
                 min-frequency-hz = 100 and max-frequency-hz = 10000",
            ));
        };
        if !(1..=MAX_PWM_FREQUENCY_HZ).contains(&hz) {
            return Err(table.value_error(
                key,
                ErrorKind::InvalidValue,
                format!("a PWM frequency is 1 to {MAX_PWM_FREQUENCY_HZ} Hz, not {hz}"),
            ));
        }
        *slot = hz;
    }
    let [min, max] = range;
    if min > max {
        return Err(table.value_error(
            "max-frequency-hz",
            ErrorKind::ImpossiblePolicy,
            format!("max-frequency-hz ({max}) is below min-frequency-hz ({min})"),
        ));
    }
    let default = table.get::<u32>("default-frequency-hz")?.unwrap_or(min);
    PwmPolicy::new(min, max, default).ok_or_else(|| {
        table.value_error(
            "default-frequency-hz",
            ErrorKind::ImpossiblePolicy,
            format!("default-frequency-hz ({default}) is outside {min} to {max} Hz"),
        )
    })
}
