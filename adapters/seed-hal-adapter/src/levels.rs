//! Logical pin states (active/inactive, as the seed's pins speak) to voltages and back.

/// Which voltage is a pin's active state, from the flags it was opened with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Polarity {
    /// High is active (the default when the flags say nothing).
    ActiveHigh,
    /// Low is active.
    ActiveLow,
}

/// What a list of the seed's `digital-flag`s asks for, reduced to what the adapter uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Requested {
    /// Which voltage is active.
    pub polarity: Polarity,
    /// The state to start in: `Some(true)` active, `Some(false)` inactive, `None` unsaid.
    pub start_active: Option<bool>,
    /// `input` was given.
    pub input: bool,
    /// `output` was given.
    pub output: bool,
    /// `pull-up` or `pull-down` was given (wasi-hal pins take their bias from the board file).
    pub pull: bool,
}

/// Why a list of flags cannot be honoured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagConflict {
    /// Both `active-high` and `active-low`.
    BothPolarities,
    /// Both `active` and `inactive`.
    BothStartStates,
}

impl Requested {
    /// Reads the flags given to a `get`: `active_low`, `active`, ... as booleans in the order
    /// of the seed's `digital-flag` (active-high, active-low, pull-up, pull-down, active,
    /// inactive, input, output).
    pub fn from_flags(flags: [bool; 8]) -> Result<Self, FlagConflict> {
        let [
            active_high,
            active_low,
            pull_up,
            pull_down,
            active,
            inactive,
            input,
            output,
        ] = flags;
        if active_high && active_low {
            return Err(FlagConflict::BothPolarities);
        }
        if active && inactive {
            return Err(FlagConflict::BothStartStates);
        }
        Ok(Self {
            polarity: if active_low {
                Polarity::ActiveLow
            } else {
                Polarity::ActiveHigh
            },
            start_active: match (active, inactive) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            },
            input,
            output,
            pull: pull_up || pull_down,
        })
    }
}

impl Polarity {
    /// The voltage (`true` = high) of a logical state.
    pub fn level_of(self, active: bool) -> bool {
        match self {
            Polarity::ActiveHigh => active,
            Polarity::ActiveLow => !active,
        }
    }

    /// The logical state (`true` = active) of a voltage.
    pub fn is_active(self, high: bool) -> bool {
        self.level_of(high)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn active_low_inverts_both_ways() {
        assert!(!Polarity::ActiveLow.level_of(true));
        assert!(Polarity::ActiveLow.level_of(false));
        assert!(Polarity::ActiveLow.is_active(false));
        assert!(Polarity::ActiveHigh.level_of(true));
        assert!(!Polarity::ActiveHigh.is_active(false));
    }

    #[test]
    fn flags_in_the_seed_order() {
        // output + active-low, as the seed's Pmod OLED driver opens RES, VBATC and VDDC.
        let r =
            Requested::from_flags([false, true, false, false, false, false, false, true]).unwrap();
        assert_eq!(r.polarity, Polarity::ActiveLow);
        assert_eq!(r.start_active, None);
        assert!(r.output && !r.input && !r.pull);
        let r =
            Requested::from_flags([true, false, true, false, true, false, true, false]).unwrap();
        assert_eq!(r.polarity, Polarity::ActiveHigh);
        assert_eq!(r.start_active, Some(true));
        assert!(r.input && r.pull);
    }

    #[test]
    fn contradictory_flags_are_refused() {
        assert_eq!(
            Requested::from_flags([true, true, false, false, false, false, false, true]),
            Err(FlagConflict::BothPolarities)
        );
        assert_eq!(
            Requested::from_flags([false, false, false, false, true, true, false, true]),
            Err(FlagConflict::BothStartStates)
        );
    }
}
