//! One reading of one quantity of one component, as it travels from a device to the fleet.
//!
//! The device runtime (`host/runtime`) yields the same record for every poll of a sensor
//! component; the two are to become one type.

use serde::{Deserialize, Serialize};

/// One value of one quantity, measured by one component of one node (a device).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    /// The device (node) that measured it: its name in the fleet.
    pub node: String,
    /// The component on that device that measured it.
    pub component: String,
    /// What was measured, for example `temperature`.
    pub quantity: String,
    /// The value, in `unit`.
    pub value: f64,
    /// The unit of `value`, for example `°C`, `%` or `hPa` (empty for a plain number).
    pub unit: String,
    /// When it was measured: milliseconds since the Unix epoch.
    pub timestamp: u64,
}
