//! What the hub knows about the fleet: per node its availability, per component the commands
//! it accepts, per quantity the latest value and the last hour. Everything is bounded: the
//! number of series, and the points of each (at most one a second, none older than an hour).

use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};
use wasi_hal_telemetry::Reading;
use wasi_hal_telemetry::names::{self, OFFLINE, ONLINE, Topic};

/// How long a series' history goes back, in milliseconds.
pub const HISTORY_MS: u64 = 3_600_000;
/// The shortest time between two points of a history, in milliseconds (readings in between
/// update the latest value only).
pub const HISTORY_STEP_MS: u64 = 1_000;
/// The most points a history holds.
pub const MAX_POINTS: usize = (HISTORY_MS / HISTORY_STEP_MS) as usize;
/// The most series (node, component, quantity) the hub keeps; readings of more are counted
/// and ignored.
pub const MAX_SERIES: usize = 10_000;
/// The most nodes the hub keeps.
pub const MAX_NODES: usize = 1_000;
/// The largest message the hub reads, in bytes.
pub const MAX_MESSAGE: usize = 16 * 1024;

/// One quantity of one component.
#[derive(Debug, Clone, Serialize)]
pub struct Series {
    /// The unit of its values.
    pub unit: String,
    /// The latest value.
    pub value: f64,
    /// When it was measured (Unix milliseconds).
    pub timestamp: u64,
    /// Readings received (each once: a reading sent again is not counted twice).
    pub received: u64,
    /// The last hour, at most one point a second: `[timestamp, value]`.
    pub history: VecDeque<(u64, f64)>,
}

/// One component of a node.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ComponentState {
    /// The commands it accepts (its retained `accepts` message).
    pub accepts: Vec<String>,
    /// Its quantities.
    pub quantities: BTreeMap<String, Series>,
}

/// One node (device).
#[derive(Debug, Clone, Default, Serialize)]
pub struct NodeState {
    /// `Some(true)` online, `Some(false)` offline (it left, or its last will), `None` not
    /// known yet.
    pub online: Option<bool>,
    /// Its keep-alive in seconds (its retained `keep-alive` message): it sends something at
    /// least this often, so 1.5 times this of silence means it is gone.
    pub keep_alive_s: Option<u64>,
    /// When the hub last heard from it.
    #[serde(skip)]
    pub last_heard: Option<Instant>,
    /// Its components.
    pub components: BTreeMap<String, ComponentState>,
}

/// A change, as pushed to the pages.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Update {
    /// A new reading.
    Reading(Reading),
    /// A node came or went.
    Status {
        /// The node.
        node: String,
        /// Whether it is online.
        online: bool,
    },
    /// A component's accepted commands.
    Accepts {
        /// The node.
        node: String,
        /// The component.
        component: String,
        /// The commands.
        accepts: Vec<String>,
    },
}

/// What the hub ignored, counted.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Ignored {
    /// Readings already received (QoS 1 sends a message again when its acknowledgement was
    /// lost) or older than the latest of their series.
    pub duplicates: u64,
    /// Messages that are not what their topic says (bad JSON, names that differ from the
    /// topic's, a value that is not finite, too large).
    pub malformed: u64,
    /// Readings of new series or nodes past [`MAX_SERIES`] or [`MAX_NODES`].
    pub over_limit: u64,
}

/// The fleet as the hub sees it.
#[derive(Debug, Default, Serialize)]
pub struct Fleet {
    /// The nodes by name.
    pub nodes: BTreeMap<String, NodeState>,
    /// What was ignored.
    pub ignored: Ignored,
    #[serde(skip)]
    series: usize,
}

impl Fleet {
    /// Takes in one message of the topic scheme; returns the change to push, if any.
    pub fn apply(&mut self, topic: &str, payload: &[u8]) -> Option<Update> {
        self.apply_at(topic, payload, Instant::now())
    }

    /// As [`Fleet::apply`], for a message that arrived at `now`.
    pub fn apply_at(&mut self, topic: &str, payload: &[u8], now: Instant) -> Option<Update> {
        if payload.len() > MAX_MESSAGE {
            self.ignored.malformed += 1;
            return None;
        }
        let topic = Topic::parse(topic)?;
        let node = match &topic {
            Topic::Status { node }
            | Topic::KeepAlive { node }
            | Topic::Reading { node, .. }
            | Topic::Accepts { node, .. }
            | Topic::Command { node, .. } => node.clone(),
        };
        let update = self.take(topic, payload);
        if let Some(state) = self.nodes.get_mut(&node) {
            state.last_heard = Some(now);
        }
        update
    }

    /// The nodes marked online that have been silent for 1.5 times their keep-alive: marked
    /// offline now, without waiting for the broker to send their last will (a broker may look
    /// at keep-alives only every few seconds).
    pub fn silent(&mut self, now: Instant) -> Vec<Update> {
        let mut updates = Vec::new();
        for (name, node) in &mut self.nodes {
            if let (Some(true), Some(keep_alive), Some(heard)) =
                (node.online, node.keep_alive_s, node.last_heard)
                && now.saturating_duration_since(heard) > Duration::from_millis(keep_alive * 1500)
            {
                node.online = Some(false);
                updates.push(Update::Status {
                    node: name.clone(),
                    online: false,
                });
            }
        }
        updates
    }

    fn take(&mut self, topic: Topic, payload: &[u8]) -> Option<Update> {
        match topic {
            Topic::KeepAlive { node } => {
                let seconds = std::str::from_utf8(payload)
                    .ok()
                    .and_then(|s| s.trim().parse::<u64>().ok())
                    .filter(|s| (1..=65_535).contains(s));
                match seconds {
                    Some(seconds) => self.node(&node)?.keep_alive_s = Some(seconds),
                    None => self.ignored.malformed += 1,
                }
                None
            }
            Topic::Status { node } => {
                let online = match payload {
                    p if p == ONLINE.as_bytes() => true,
                    p if p == OFFLINE.as_bytes() => false,
                    // An empty retained message clears the status.
                    _ => {
                        self.ignored.malformed += 1;
                        return None;
                    }
                };
                self.node(&node)?.online = Some(online);
                Some(Update::Status { node, online })
            }
            Topic::Accepts { node, component } => {
                let accepts: Vec<String> = match serde_json::from_slice::<Vec<String>>(payload) {
                    Ok(list) if list.iter().all(|c| names::check_name("command", c).is_ok()) => {
                        list
                    }
                    _ => {
                        self.ignored.malformed += 1;
                        return None;
                    }
                };
                let node_state = self.node(&node)?;
                node_state
                    .components
                    .entry(component.clone())
                    .or_default()
                    .accepts = accepts.clone();
                Some(Update::Accepts {
                    node,
                    component,
                    accepts,
                })
            }
            Topic::Reading {
                node,
                component,
                quantity,
            } => {
                let reading: Reading = match serde_json::from_slice(payload) {
                    Ok(r) => r,
                    Err(_) => {
                        self.ignored.malformed += 1;
                        return None;
                    }
                };
                if reading.node != node
                    || reading.component != component
                    || reading.quantity != quantity
                    || !reading.value.is_finite()
                    || reading.unit.len() > 32
                {
                    self.ignored.malformed += 1;
                    return None;
                }
                self.reading(reading)
            }
            Topic::Command { .. } => None,
        }
    }

    fn node(&mut self, node: &str) -> Option<&mut NodeState> {
        if !self.nodes.contains_key(node) && self.nodes.len() >= MAX_NODES {
            self.ignored.over_limit += 1;
            return None;
        }
        Some(self.nodes.entry(node.to_string()).or_default())
    }

    fn reading(&mut self, reading: Reading) -> Option<Update> {
        let full = self.series >= MAX_SERIES;
        let exists = self
            .nodes
            .get(&reading.node)
            .and_then(|n| n.components.get(&reading.component))
            .is_some_and(|c| c.quantities.contains_key(&reading.quantity));
        if !exists && full {
            self.ignored.over_limit += 1;
            return None;
        }
        let node = self.node(&reading.node)?;
        let component = node
            .components
            .entry(reading.component.clone())
            .or_default();
        match component.quantities.get_mut(&reading.quantity) {
            Some(series) => {
                if reading.timestamp <= series.timestamp {
                    self.ignored.duplicates += 1;
                    return None;
                }
                series.value = reading.value;
                series.timestamp = reading.timestamp;
                series.unit.clone_from(&reading.unit);
                series.received += 1;
                let due = series
                    .history
                    .back()
                    .is_none_or(|(t, _)| reading.timestamp >= t + HISTORY_STEP_MS);
                if due {
                    series.history.push_back((reading.timestamp, reading.value));
                }
                let oldest = reading.timestamp.saturating_sub(HISTORY_MS);
                while series
                    .history
                    .front()
                    .is_some_and(|(t, _)| *t < oldest || series.history.len() > MAX_POINTS)
                {
                    series.history.pop_front();
                }
            }
            None => {
                component.quantities.insert(
                    reading.quantity.clone(),
                    Series {
                        unit: reading.unit.clone(),
                        value: reading.value,
                        timestamp: reading.timestamp,
                        received: 1,
                        history: VecDeque::from([(reading.timestamp, reading.value)]),
                    },
                );
                self.series += 1;
            }
        }
        Some(Update::Reading(reading))
    }

    /// Readings received from `node`, all its series together.
    pub fn received(&self, node: &str) -> u64 {
        self.nodes.get(node).map_or(0, |n| {
            n.components
                .values()
                .flat_map(|c| c.quantities.values())
                .map(|s| s.received)
                .sum()
        })
    }

    /// Whether `node`'s `component` accepts `command`.
    pub fn accepts(&self, node: &str, component: &str, command: &str) -> bool {
        self.nodes
            .get(node)
            .and_then(|n| n.components.get(component))
            .is_some_and(|c| c.accepts.iter().any(|a| a == command))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(ts: u64, value: f64) -> Vec<u8> {
        serde_json::to_vec(&Reading {
            node: "n1".into(),
            component: "bme680".into(),
            quantity: "temperature".into(),
            value,
            unit: "°C".into(),
            timestamp: ts,
        })
        .unwrap()
    }

    const TOPIC: &str = "wasi-hal/n1/readings/bme680/temperature";

    #[test]
    fn a_new_node_and_quantity_appear_with_no_configuration() {
        let mut fleet = Fleet::default();
        assert!(fleet.apply(TOPIC, &reading(1_000, 21.5)).is_some());
        let series = &fleet.nodes["n1"].components["bme680"].quantities["temperature"];
        assert_eq!((series.value, series.unit.as_str()), (21.5, "°C"));
        assert_eq!(fleet.nodes["n1"].online, None);
        fleet.apply("wasi-hal/n1/status", b"online");
        assert_eq!(fleet.nodes["n1"].online, Some(true));
        fleet.apply("wasi-hal/n1/status", b"offline");
        assert_eq!(fleet.nodes["n1"].online, Some(false));
    }

    #[test]
    fn a_node_silent_for_one_and_a_half_keep_alives_is_offline() {
        let mut fleet = Fleet::default();
        let start = Instant::now();
        fleet.apply_at("wasi-hal/n1/keep-alive", b"2", start);
        fleet.apply_at("wasi-hal/n1/status", b"online", start);
        fleet.apply_at(TOPIC, &reading(1_000, 1.0), start + Duration::from_secs(1));
        // 2.9 s after the last message: still online.
        assert!(
            fleet
                .silent(start + Duration::from_millis(3_900))
                .is_empty()
        );
        let updates = fleet.silent(start + Duration::from_millis(4_100));
        assert_eq!(
            updates,
            vec![Update::Status {
                node: "n1".into(),
                online: false
            }]
        );
        assert_eq!(fleet.nodes["n1"].online, Some(false));
        // Its heartbeat brings it back.
        fleet.apply_at(
            "wasi-hal/n1/status",
            b"online",
            start + Duration::from_secs(5),
        );
        assert_eq!(fleet.nodes["n1"].online, Some(true));
    }

    #[test]
    fn a_reading_sent_again_is_counted_once() {
        let mut fleet = Fleet::default();
        fleet.apply(TOPIC, &reading(1_000, 1.0));
        fleet.apply(TOPIC, &reading(2_000, 2.0));
        assert!(fleet.apply(TOPIC, &reading(2_000, 2.0)).is_none());
        assert_eq!(fleet.received("n1"), 2);
        assert_eq!(fleet.ignored.duplicates, 1);
    }

    #[test]
    fn history_keeps_one_point_a_second_for_one_hour() {
        let mut fleet = Fleet::default();
        // Ten readings a second for two hours.
        for i in 0..72_000u64 {
            fleet.apply(TOPIC, &reading(1 + i * 100, i as f64));
        }
        let series = &fleet.nodes["n1"].components["bme680"].quantities["temperature"];
        assert_eq!(series.received, 72_000);
        assert!(
            series.history.len() <= MAX_POINTS,
            "{}",
            series.history.len()
        );
        assert!(
            series.history.len() >= MAX_POINTS - 1,
            "{}",
            series.history.len()
        );
        let (first, _) = series.history.front().unwrap();
        assert!(series.timestamp - first <= HISTORY_MS);
    }

    #[test]
    fn messages_that_lie_about_their_topic_are_ignored() {
        let mut fleet = Fleet::default();
        // The payload says another quantity than the topic.
        assert!(
            fleet
                .apply("wasi-hal/n1/readings/bme680/humidity", &reading(1, 1.0))
                .is_none()
        );
        assert!(fleet.apply(TOPIC, b"{not json").is_none());
        assert!(fleet.apply("wasi-hal/n1/status", b"maybe").is_none());
        assert!(
            fleet
                .apply("wasi-hal/n1/accepts/buzzer", b"[\"a/b\"]")
                .is_none()
        );
        assert_eq!(fleet.ignored.malformed, 4);
        assert!(fleet.nodes.is_empty());
    }

    #[test]
    fn series_past_the_limit_are_counted_and_ignored() {
        let mut fleet = Fleet::default();
        for i in 0..MAX_SERIES + 5 {
            let r = Reading {
                node: format!("n{}", i % 100),
                component: "c".into(),
                quantity: format!("q{i}"),
                value: 1.0,
                unit: String::new(),
                timestamp: 1,
            };
            let topic = names::reading_topic(&r.node, &r.component, &r.quantity);
            fleet.apply(&topic, &serde_json::to_vec(&r).unwrap());
        }
        assert_eq!(fleet.ignored.over_limit, 5);
        let total: usize = fleet
            .nodes
            .values()
            .flat_map(|n| n.components.values())
            .map(|c| c.quantities.len())
            .sum();
        assert_eq!(total, MAX_SERIES);
    }
}
