//! One reading of one quantity of one component, as it travels from a device to the fleet.
//!
//! The one reading type of the project: the device runtime (`host/runtime`) yields it for every
//! poll of a sensor component (and re-exports it as `wasi_hal_runtime::Reading`), its status
//! shows it, this crate publishes it, the hub reads it back. It lives here, below the runtime,
//! because the hub and other subscribers need it without Wasmtime.

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
