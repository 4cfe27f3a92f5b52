//! `[pwm.NAME]`: a PWM channel, the frequencies a guest may set, and what is behind the name.

use crate::document::{Table, entry_path};
use crate::error::{BoardError, ErrorKind, Location};
use crate::load::device_path;
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PwmEntry {
    /// What is behind the name.
    pub backend: PwmSource,
    /// The frequencies a guest may set, and the one the channel starts at.
    pub policy: PwmPolicy,
    /// Where the entry is in the file.
    pub location: Location,
}

/// The keys of a PWM table.
const KEYS: &[&str] = &[
    "chip",
    "channel",
    "min-frequency-hz",
    "max-frequency-hz",
    "default-frequency-hz",
];

/// Reads `[pwm.NAME]`, in file order: one chip channel per name on a Linux board.
pub(crate) fn read_entries(
    root: &Table<'_, '_>,
    backend: Backend,
) -> Result<BTreeMap<String, PwmEntry>, BoardError> {
    let mut entries = BTreeMap::new();
    let mut channels: BTreeMap<(PathBuf, u32), &str> = BTreeMap::new();
    for (name, table) in root.named_tables("pwm")? {
        table.only(KEYS)?;
        let chip = table.get::<String>("chip")?;
        let channel = table.get::<u32>("channel")?;
        let source = match (backend, chip, channel) {
            (Backend::Linux, Some(chip), Some(channel)) => {
                let chip_path = device_path(&table, "chip", &chip)?;
                let key = (chip_path.clone(), channel);
                if let Some(other) = channels.get(&key) {
                    return Err(table.value_error(
                        "channel",
                        ErrorKind::DuplicateDevice,
                        format!(
                            "channel {channel} of `{chip}` is already mapped as `{}`",
                            entry_path("pwm", other)
                        ),
                    ));
                }
                channels.insert(key, name);
                PwmSource::Linux {
                    chip: chip_path,
                    channel,
                }
            }
            (Backend::Linux, chip, _) => {
                let missing = if chip.is_none() { "chip" } else { "channel" };
                return Err(table.key_error(
                    missing,
                    ErrorKind::MissingKey,
                    "missing required key: a linux board maps each PWM name to a sysfs chip and \
                     channel, e.g. chip = \"/sys/class/pwm/pwmchip0\" and channel = 0",
                ));
            }
            (Backend::Simulated, chip, channel) => {
                if chip.is_some() || channel.is_some() {
                    let key = if chip.is_some() { "chip" } else { "channel" };
                    return Err(table.key_error(
                        key,
                        ErrorKind::InvalidValue,
                        "a simulated board has no PWM chips: each name is a simulated channel",
                    ));
                }
                PwmSource::Simulated
            }
        };
        let policy = read_policy(&table)?;
        entries.insert(
            name.to_owned(),
            PwmEntry {
                backend: source,
                policy,
                location: table.location(),
            },
        );
    }
    Ok(entries)
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
