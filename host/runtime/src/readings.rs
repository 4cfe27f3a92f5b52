//! Readings: what a sensor component's polls give, as plain data for `status` and for
//! whatever the device reports to.

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Readings kept per sensor component (the newest; older ones are dropped).
pub const HISTORY_LEN: usize = 64;
/// Readings a subscriber may fall behind by before it misses the oldest
/// ([`tokio::sync::broadcast`]'s lag).
pub const SUBSCRIBER_BACKLOG: usize = 1024;

/// One value one poll of a sensor component gave.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    /// The device (node) name, `device.name` of the device file.
    pub device: String,
    /// The component that measured it.
    pub component: String,
    /// What was measured: `temperature`, `pressure`, `humidity` or `gas-resistance`.
    pub quantity: String,
    /// The value, in `unit`.
    pub value: f64,
    /// `°C`, `Pa`, `%` or `Ω`.
    pub unit: String,
    /// When it was measured: Unix time in milliseconds on the device's clock (on a simulated
    /// device, the Unix time it started plus virtual time since).
    pub timestamp: u64,
}

/// The newest readings of one component, at most [`HISTORY_LEN`].
#[derive(Clone, Debug, Default)]
pub struct History {
    readings: VecDeque<Reading>,
}

impl History {
    /// Adds a reading, dropping the oldest when full.
    pub fn push(&mut self, reading: Reading) {
        if self.readings.len() == HISTORY_LEN {
            self.readings.pop_front();
        }
        self.readings.push_back(reading);
    }

    /// Oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Reading> {
        self.readings.iter()
    }

    /// How many are kept.
    pub fn len(&self) -> usize {
        self.readings.len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.readings.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_keeps_the_newest() {
        let mut history = History::default();
        for i in 0..(HISTORY_LEN as u64 + 10) {
            history.push(Reading {
                device: "d".into(),
                component: "c".into(),
                quantity: "temperature".into(),
                value: i as f64,
                unit: "°C".into(),
                timestamp: i,
            });
        }
        assert_eq!(history.len(), HISTORY_LEN);
        assert_eq!(history.iter().next().unwrap().timestamp, 10);
    }
}
