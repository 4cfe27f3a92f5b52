//! Readings: what a sensor component's polls give, as plain data for `status` and for
//! whatever the device reports to (the one [`Reading`] type is the telemetry crate's, which
//! needs no Wasmtime, so the hub and other subscribers use it without the runtime).

use std::collections::VecDeque;

/// Readings kept per sensor component (the newest; older ones are dropped).
pub const HISTORY_LEN: usize = 64;
/// Readings a subscriber may fall behind by before it misses the oldest
/// ([`tokio::sync::broadcast`]'s lag).
pub const SUBSCRIBER_BACKLOG: usize = 1024;

/// One value one poll of a sensor component gave: the fleet's reading type
/// (`wasi-hal-telemetry`), so what `status` shows is what the device publishes. `node` is
/// the device's name (`device.name` of the device file); `quantity` is `temperature`,
/// `pressure`, `humidity` or `gas-resistance`, in `°C`, `Pa`, `%` or `Ω`; `timestamp` is Unix
/// time in milliseconds on the device's clock (on a simulated device, the Unix time it started
/// plus virtual time since).
pub use wasi_hal_telemetry::Reading;

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
                node: "d".into(),
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
