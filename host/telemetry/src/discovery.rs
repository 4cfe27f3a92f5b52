//! Home Assistant MQTT discovery: one retained `homeassistant/sensor/<unique-id>/config`
//! message per quantity of each component, so every sensor of a device appears in Home
//! Assistant with no configuration, tied to the device's availability topic.

use crate::names::{OFFLINE, ONLINE, reading_topic, status_topic};
use serde::Serialize;

/// The discovery prefix Home Assistant listens on by default.
pub const DISCOVERY_PREFIX: &str = "homeassistant";

/// The `device` block: groups a node's sensors as one device in Home Assistant.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DiscoveryDevice {
    /// Identifiers of the device: `["wasi-hal_<node>"]`.
    pub identifiers: Vec<String>,
    /// The device's name: the node.
    pub name: String,
    /// Who made it.
    pub manufacturer: String,
    /// What it is.
    pub model: String,
}

/// The configuration payload of one sensor, with the fields Home Assistant documents for an
/// MQTT sensor.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SensorDiscovery {
    /// Shown name: `<component> <quantity>`.
    pub name: String,
    /// `wasi-hal_<node>_<component>_<quantity>`: stable across restarts.
    pub unique_id: String,
    /// The reading topic.
    pub state_topic: String,
    /// Takes the value out of the reading's JSON.
    pub value_template: String,
    /// The reading's unit (left out for a plain number).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_of_measurement: Option<String>,
    /// Home Assistant's device class, when the quantity and unit are one it knows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_class: Option<String>,
    /// `measurement`: a value that goes up and down (Home Assistant keeps statistics).
    pub state_class: String,
    /// The node's status topic.
    pub availability_topic: String,
    /// The status payload that means available.
    pub payload_available: String,
    /// The status payload that means not available.
    pub payload_not_available: String,
    /// The node as a device.
    pub device: DiscoveryDevice,
}

impl SensorDiscovery {
    /// The discovery payload for one quantity of one component of `node`.
    pub fn new(node: &str, component: &str, quantity: &str, unit: &str) -> Self {
        SensorDiscovery {
            name: format!("{component} {quantity}"),
            unique_id: unique_id(node, component, quantity),
            state_topic: reading_topic(node, component, quantity),
            value_template: "{{ value_json.value }}".to_string(),
            unit_of_measurement: (!unit.is_empty()).then(|| unit.to_string()),
            device_class: device_class(quantity, unit).map(str::to_string),
            state_class: "measurement".to_string(),
            availability_topic: status_topic(node),
            payload_available: ONLINE.to_string(),
            payload_not_available: OFFLINE.to_string(),
            device: DiscoveryDevice {
                identifiers: vec![format!("wasi-hal_{node}")],
                name: node.to_string(),
                manufacturer: "wasi-hal".to_string(),
                model: "wasi-hal device".to_string(),
            },
        }
    }

    /// `homeassistant/sensor/<unique-id>/config`.
    pub fn topic(&self) -> String {
        format!("{DISCOVERY_PREFIX}/sensor/{}/config", self.unique_id)
    }

    /// The JSON payload.
    pub fn payload(&self) -> String {
        serde_json::to_string(self).expect("a discovery payload serialises")
    }
}

/// `wasi-hal_<node>_<component>_<quantity>`; the names are checked topic names, so it is
/// a valid Home Assistant object id (letters, digits, `_`, `-`).
pub fn unique_id(node: &str, component: &str, quantity: &str) -> String {
    format!("wasi-hal_{node}_{component}_{quantity}")
}

/// Home Assistant's device class for a quantity, only when the unit is one Home Assistant
/// accepts for that class (it refuses a sensor whose unit does not fit its class).
pub fn device_class(quantity: &str, unit: &str) -> Option<&'static str> {
    let (class, units): (&str, &[&str]) = match quantity {
        "temperature" => ("temperature", &["°C", "°F", "K"]),
        "humidity" | "relative-humidity" => ("humidity", &["%"]),
        "pressure" => (
            "pressure",
            &[
                "Pa", "hPa", "kPa", "bar", "cbar", "mbar", "mmHg", "inHg", "psi",
            ],
        ),
        "illuminance" => ("illuminance", &["lx"]),
        "voltage" => ("voltage", &["V", "mV"]),
        "current" => ("current", &["A", "mA"]),
        "power" => ("power", &["W", "kW"]),
        _ => return None,
    };
    units.contains(&unit).then_some(class)
}
