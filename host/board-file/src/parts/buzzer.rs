//! `kind = "buzzer"`: a buzzer that records what it plays. Active (its own oscillator) on a GPIO
//! line a guest drives, as through a relay or transistor; or passive (a piezo) on a PWM channel,
//! sounding at the channel's frequency.

use super::{Names, PartTable, Wiring};
use crate::error::{BoardError, ErrorKind};
use crate::gpio::{Level, PinMode};

/// The keys of a buzzer part besides `kind` and `name`.
pub(super) const KEYS: &[&str] = &["line", "active", "pitch-hz", "pwm"];

/// The pitch of an active buzzer when `pitch-hz` is not given: the 2.3 kHz of the common
/// 12 mm magnetic buzzers.
pub const DEFAULT_ACTIVE_PITCH_HZ: u32 = 2_300;

/// How a buzzer is driven.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuzzerWiring {
    /// An active buzzer on a GPIO line.
    Active {
        /// `line`: the GPIO name.
        line: String,
        /// `active`: the level that sounds it (default high).
        active: Level,
        /// `pitch-hz`: its own pitch.
        pitch_hz: u32,
    },
    /// A passive buzzer on a PWM channel.
    Passive {
        /// `pwm`: the PWM name.
        pwm: String,
    },
}

/// A buzzer part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuzzerPart {
    /// How it is driven.
    pub wiring: BuzzerWiring,
}

/// Reads a buzzer part and wires it to its line or channel.
pub(super) fn read(
    part: &PartTable<'_, '_, '_>,
    names: &Names<'_>,
    wiring: &mut Wiring,
) -> Result<BuzzerPart, BoardError> {
    let table = part.table;
    let line = table.get::<String>("line")?;
    let pwm = table.get::<String>("pwm")?;
    let wiring = match (line, pwm) {
        (Some(_), Some(_)) => {
            return Err(table.key_error(
                "pwm",
                ErrorKind::Wiring,
                "a buzzer is on a GPIO line (active) or a PWM channel (passive), not both",
            ));
        }
        (None, None) => {
            return Err(table.key_error(
                "line",
                ErrorKind::MissingKey,
                "missing required key: the GPIO line of an active buzzer (line = \"buzzer\") or \
                 the PWM channel of a passive one (pwm = \"buzzer\")",
            ));
        }
        (Some(line), None) => {
            part.line("line", &line, PinMode::Output, names, wiring)?;
            let pitch_hz = table
                .get::<u32>("pitch-hz")?
                .unwrap_or(DEFAULT_ACTIVE_PITCH_HZ);
            if pitch_hz == 0 {
                return Err(table.value_error(
                    "pitch-hz",
                    ErrorKind::InvalidValue,
                    "an active buzzer's pitch is at least 1 Hz",
                ));
            }
            BuzzerWiring::Active {
                line,
                active: table.get::<Level>("active")?.unwrap_or(Level::High),
                pitch_hz,
            }
        }
        (None, Some(pwm)) => {
            if let Some(key) = ["active", "pitch-hz"].into_iter().find(|k| table.has(k)) {
                return Err(table.key_error(
                    key,
                    ErrorKind::InvalidValue,
                    "a passive buzzer sounds at its PWM channel's frequency: `active` and \
                     `pitch-hz` are for an active buzzer on a line",
                ));
            }
            part.pwm_channel(&pwm, names, wiring)?;
            BuzzerWiring::Passive { pwm }
        }
    };
    Ok(BuzzerPart { wiring })
}
