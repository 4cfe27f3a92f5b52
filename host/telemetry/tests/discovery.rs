//! Home Assistant MQTT discovery payloads, field by field against what Home Assistant
//! documents for an MQTT sensor (its discovery topic, `unique_id`, `state_topic`,
//! `value_template`, `unit_of_measurement`, `device_class`, `availability_topic` with its
//! payloads, and the `device` block).

use serde_json::Value;
use wasi_hal_telemetry::discovery::{DISCOVERY_PREFIX, device_class};
use wasi_hal_telemetry::names::{OFFLINE, ONLINE, reading_topic, status_topic};
use wasi_hal_telemetry::{Reading, SensorDiscovery};

/// The keys Home Assistant's MQTT sensor takes that these payloads use; anything else would be
/// a typo Home Assistant ignores or refuses.
const KNOWN_KEYS: &[&str] = &[
    "name",
    "unique_id",
    "state_topic",
    "value_template",
    "unit_of_measurement",
    "device_class",
    "state_class",
    "availability_topic",
    "payload_available",
    "payload_not_available",
    "device",
];

fn object_id_ok(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Applies the `{{ value_json.<key> }}` templates these payloads use to a message, as Home
/// Assistant does: the message parsed as JSON, the key looked up.
fn apply_template(template: &str, message: &str) -> Value {
    let key = template
        .trim()
        .strip_prefix("{{")
        .and_then(|t| t.strip_suffix("}}"))
        .map(str::trim)
        .and_then(|t| t.strip_prefix("value_json."))
        .unwrap_or_else(|| panic!("not a value_json template: {template}"));
    let json: Value = serde_json::from_str(message).unwrap();
    json[key].clone()
}

#[test]
fn a_temperature_sensor_has_every_documented_field() {
    let config = SensorDiscovery::new("greenhouse", "bme680", "temperature", "°C");
    assert_eq!(
        config.topic(),
        "homeassistant/sensor/wasi-hal_greenhouse_bme680_temperature/config"
    );
    let topic = config.topic();
    let topic_levels: Vec<&str> = topic.split('/').collect();
    assert_eq!(topic_levels.len(), 4);
    assert_eq!(topic_levels[0], DISCOVERY_PREFIX);
    assert_eq!(topic_levels[1], "sensor");
    assert!(object_id_ok(topic_levels[2]), "{}", topic_levels[2]);
    assert_eq!(topic_levels[3], "config");

    let json: Value = serde_json::from_str(&config.payload()).unwrap();
    let object = json.as_object().unwrap();
    for key in object.keys() {
        assert!(KNOWN_KEYS.contains(&key.as_str()), "unknown key {key}");
    }
    assert_eq!(json["name"], "bme680 temperature");
    assert_eq!(json["unique_id"], "wasi-hal_greenhouse_bme680_temperature");
    assert_eq!(json["unique_id"].as_str().unwrap(), topic_levels[2]);
    assert_eq!(
        json["state_topic"],
        reading_topic("greenhouse", "bme680", "temperature")
    );
    assert_eq!(json["unit_of_measurement"], "°C");
    assert_eq!(json["device_class"], "temperature");
    assert_eq!(json["state_class"], "measurement");
    assert_eq!(json["availability_topic"], status_topic("greenhouse"));
    assert_eq!(json["payload_available"], ONLINE);
    assert_eq!(json["payload_not_available"], OFFLINE);
    let device = json["device"].as_object().unwrap();
    assert_eq!(
        device["identifiers"],
        serde_json::json!(["wasi-hal_greenhouse"])
    );
    assert_eq!(device["name"], "greenhouse");

    // The template takes the value out of what is published on the state topic.
    let reading = Reading {
        node: "greenhouse".into(),
        component: "bme680".into(),
        quantity: "temperature".into(),
        value: 21.5,
        unit: "°C".into(),
        timestamp: 1_700_000_000_000,
    };
    let message = serde_json::to_string(&reading).unwrap();
    assert_eq!(
        apply_template(json["value_template"].as_str().unwrap(), &message),
        serde_json::json!(21.5)
    );
}

#[test]
fn sensors_of_one_node_share_one_device_and_have_distinct_ids() {
    let a = SensorDiscovery::new("n1", "bme680", "humidity", "%");
    let b = SensorDiscovery::new("n1", "bme680", "pressure", "hPa");
    let c = SensorDiscovery::new("n2", "bme680", "pressure", "hPa");
    assert_eq!(a.device, b.device);
    assert_ne!(b.device, c.device);
    assert_ne!(a.unique_id, b.unique_id);
    assert_ne!(b.unique_id, c.unique_id);
    assert_eq!(a.device_class.as_deref(), Some("humidity"));
    assert_eq!(b.device_class.as_deref(), Some("pressure"));
}

#[test]
fn a_device_class_is_given_only_with_a_unit_home_assistant_accepts_for_it() {
    assert_eq!(device_class("temperature", "°C"), Some("temperature"));
    // Home Assistant refuses a temperature sensor in percent: no class then.
    assert_eq!(device_class("temperature", "%"), None);
    assert_eq!(device_class("gas-resistance", "Ω"), None);
    let plain = SensorDiscovery::new("n1", "counter", "count", "");
    let json: Value = serde_json::from_str(&plain.payload()).unwrap();
    assert!(json.get("device_class").is_none(), "{json}");
    assert!(json.get("unit_of_measurement").is_none(), "{json}");
}
