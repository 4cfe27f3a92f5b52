//! The connection to the broker: readings out through the bounded queue, availability,
//! discovery, and commands in.

use crate::config::{BrokerConfig, ConfigError};
use crate::discovery::SensorDiscovery;
use crate::names::{
    self, BadName, CommandMessage, MAX_COMMAND_PAYLOAD, OFFLINE, ONLINE, Topic, accepts_topic,
    check_name, keep_alive_topic, reading_topic, status_topic,
};
use crate::queue::BoundedQueue;
use crate::reading::Reading;
use rumqttc::{AsyncClient, Event, EventLoop, LastWill, MqttOptions, Packet, QoS};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, mpsc, watch};

/// How many readings are handed to the MQTT client before their acknowledgements come back.
pub const IN_FLIGHT_WINDOW: usize = 64;
/// How long to wait before connecting again after the broker went away.
pub const RECONNECT_DELAY: Duration = Duration::from_millis(500);
/// How many authorised commands wait for the caller before more are refused.
pub const COMMAND_CHANNEL: usize = 64;
/// The most distinct sensors (component and quantity) announced to Home Assistant.
pub const MAX_SENSORS: usize = 4096;

/// What a device reports, where, and which commands each of its components takes.
#[derive(Clone, Debug)]
pub struct TelemetryOptions {
    /// The node's name in the fleet (a topic level).
    pub node: String,
    /// The broker.
    pub broker: BrokerConfig,
    /// For each component, the commands it is authorised to receive (the device file's list).
    /// A command for any other component or name is refused and counted.
    pub commands: BTreeMap<String, Vec<String>>,
    /// Whether to send Home Assistant discovery messages.
    pub discovery: bool,
}

/// An authorised command for one component of this node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    /// The component it is for.
    pub component: String,
    /// The command's name.
    pub command: String,
    /// Its argument.
    pub payload: String,
}

/// What the connection has done so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TelemetryStats {
    /// Whether the broker is connected now.
    pub connected: bool,
    /// Times a connection was made.
    pub connections: u64,
    /// Readings waiting in the queue.
    pub queued: usize,
    /// Readings handed to the broker and not yet acknowledged.
    pub in_flight: usize,
    /// Readings the broker acknowledged (QoS 1).
    pub delivered: u64,
    /// Readings dropped, oldest first, because the queue was full.
    pub dropped: u64,
    /// Commands authorised and handed on.
    pub commands_accepted: u64,
    /// Commands refused: not authorised, malformed, too large, or the caller not keeping up.
    pub commands_refused: u64,
}

/// Why telemetry cannot start or a reading cannot be sent.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    /// The broker configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A node, component, quantity or command name.
    #[error(transparent)]
    Name(#[from] BadName),
}

struct State {
    queue: BoundedQueue<Reading>,
    stats: TelemetryStats,
    /// Each (component, quantity, unit) seen, for discovery on every connection.
    sensors: BTreeSet<(String, String, String)>,
    /// Sensors not yet announced on this connection.
    to_announce: Vec<(String, String, String)>,
}

struct Shared {
    state: Mutex<State>,
    wake: Notify,
}

/// A node's connection to the broker. Readings given to [`Telemetry::publish`] leave in order;
/// while the broker is away they wait in a bounded queue.
pub struct Telemetry {
    node: String,
    shared: Arc<Shared>,
    stop: watch::Sender<Option<Duration>>,
    task: tokio::task::JoinHandle<()>,
}

impl Telemetry {
    /// Checks the options and starts the connection on the current Tokio runtime. Commands
    /// that are authorised arrive on the returned receiver.
    pub fn start(
        options: TelemetryOptions,
    ) -> Result<(Telemetry, mpsc::Receiver<Command>), TelemetryError> {
        check_name("node", &options.node)?;
        for (component, commands) in &options.commands {
            check_name("component", component)?;
            for command in commands {
                check_name("command", command)?;
            }
        }
        options.broker.validate("<broker>")?;
        let mqtt = mqtt_options(&options.node, &options.broker)?;
        let (client, eventloop) = AsyncClient::new(mqtt, IN_FLIGHT_WINDOW * 4 + 64);
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                queue: BoundedQueue::new(options.broker.queue),
                stats: TelemetryStats::default(),
                sensors: BTreeSet::new(),
                to_announce: Vec::new(),
            }),
            wake: Notify::new(),
        });
        let (commands_tx, commands_rx) = mpsc::channel(COMMAND_CHANNEL);
        let (stop, stop_rx) = watch::channel(None);
        let driver = Driver {
            node: options.node.clone(),
            keep_alive: options.broker.keep_alive(),
            commands: options.commands,
            discovery: options.discovery,
            shared: shared.clone(),
            client,
            in_flight: VecDeque::new(),
            commands_tx,
        };
        let task = tokio::spawn(driver.run(eventloop, stop_rx));
        Ok((
            Telemetry {
                node: options.node,
                shared,
                stop,
                task,
            },
            commands_rx,
        ))
    }

    /// Queues a reading of this node (its `node` must be this node's). Never blocks: when the
    /// queue is full the oldest reading is dropped and counted.
    pub fn publish(&self, reading: Reading) -> Result<(), TelemetryError> {
        if reading.node != self.node {
            return Err(BadName {
                what: "node (not this telemetry's)",
                name: reading.node,
            }
            .into());
        }
        check_name("component", &reading.component)?;
        check_name("quantity", &reading.quantity)?;
        {
            let mut state = self.shared.state.lock().unwrap();
            let key = (
                reading.component.clone(),
                reading.quantity.clone(),
                reading.unit.clone(),
            );
            if state.sensors.len() < MAX_SENSORS && !state.sensors.contains(&key) {
                state.sensors.insert(key.clone());
                state.to_announce.push(key);
            }
            state.queue.push(reading);
        }
        self.shared.wake.notify_one();
        Ok(())
    }

    /// What the connection has done so far.
    pub fn stats(&self) -> TelemetryStats {
        let state = self.shared.state.lock().unwrap();
        let mut stats = state.stats;
        stats.queued = state.queue.len();
        stats.dropped = state.queue.dropped();
        stats
    }

    /// Sends what waits (for at most `flush` while the broker is there), marks the node
    /// `offline` and disconnects. Returns the final counts.
    pub async fn shutdown(self, flush: Duration) -> TelemetryStats {
        let _ = self.stop.send(Some(flush));
        self.shared.wake.notify_one();
        let _ = self.task.await;
        let state = self.shared.state.lock().unwrap();
        let mut stats = state.stats;
        stats.queued = state.queue.len();
        stats.dropped = state.queue.dropped();
        stats
    }
}

fn mqtt_options(node: &str, broker: &BrokerConfig) -> Result<MqttOptions, ConfigError> {
    let mut mqtt = broker.mqtt_options(&format!("wasi-hal-{node}"), true)?;
    mqtt.set_max_packet_size(MAX_COMMAND_PAYLOAD * 4, 256 * 1024)
        .set_last_will(LastWill::new(
            status_topic(node),
            OFFLINE,
            QoS::AtLeastOnce,
            true,
        ));
    Ok(mqtt)
}

/// What was handed to the client and waits for its acknowledgement.
enum Sent {
    Reading(Reading),
    /// Availability, discovery and accepted commands: sent again on every connection.
    Control,
}

struct InFlight {
    pkid: Option<u16>,
    sent: Sent,
}

struct Driver {
    node: String,
    keep_alive: Duration,
    commands: BTreeMap<String, Vec<String>>,
    discovery: bool,
    shared: Arc<Shared>,
    client: AsyncClient,
    in_flight: VecDeque<InFlight>,
    commands_tx: mpsc::Sender<Command>,
}

impl Driver {
    /// The connection's one task. `EventLoop::poll` is not cancel-safe (a connection attempt
    /// or a half-read packet would be lost), so one poll future lives until it completes while
    /// new readings and the stop request are served beside it.
    async fn run(mut self, mut eventloop: EventLoop, mut stop: watch::Receiver<Option<Duration>>) {
        let shared = self.shared.clone();
        let mut flush_until: Option<tokio::time::Instant> = None;
        // `online` again every keep-alive period: subscribers hear from the node at least that
        // often, even when it has no readings (the broker's pings are not seen by them).
        let mut heartbeat = tokio::time::interval(self.keep_alive);
        heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let event = {
                let poll = eventloop.poll();
                tokio::pin!(poll);
                loop {
                    self.pump();
                    if let Some(deadline) = flush_until
                        && self.flushed(deadline)
                    {
                        break None;
                    }
                    tokio::select! {
                        event = &mut poll => break Some(event),
                        _ = shared.wake.notified() => {}
                        _ = heartbeat.tick() => {
                            if shared.state.lock().unwrap().stats.connected {
                                self.send_control(status_topic(&self.node), ONLINE.to_string());
                            }
                        }
                        changed = stop.changed(), if flush_until.is_none() => {
                            let flush = if changed.is_ok() { *stop.borrow() } else { None };
                            flush_until =
                                Some(tokio::time::Instant::now() + flush.unwrap_or_default());
                        }
                        _ = tokio::time::sleep(Duration::from_millis(50)), if flush_until.is_some() => {}
                    }
                }
            };
            match event {
                None => {
                    let connected = shared.state.lock().unwrap().stats.connected;
                    self.finish(&mut eventloop, connected).await;
                    return;
                }
                Some(Ok(event)) => self.on_event(event),
                Some(Err(e)) => {
                    let was =
                        std::mem::replace(&mut shared.state.lock().unwrap().stats.connected, false);
                    if was {
                        tracing::warn!(node = %self.node, "broker connection lost: {e}");
                    } else {
                        tracing::debug!(node = %self.node, "cannot reach the broker: {e}");
                    }
                    if flush_until.is_none() {
                        tokio::time::sleep(RECONNECT_DELAY).await;
                    }
                }
            }
        }
    }

    /// Whether shutting down may go on: everything sent and acknowledged, the broker away, or
    /// the flush time over.
    fn flushed(&self, deadline: tokio::time::Instant) -> bool {
        let state = self.shared.state.lock().unwrap();
        (state.queue.is_empty() && self.readings_in_flight() == 0)
            || !state.stats.connected
            || tokio::time::Instant::now() >= deadline
    }

    fn readings_in_flight(&self) -> usize {
        self.in_flight
            .iter()
            .filter(|f| matches!(f.sent, Sent::Reading(_)))
            .count()
    }

    fn on_event(&mut self, event: Event) {
        match event {
            Event::Incoming(Packet::ConnAck(_)) => self.on_connected(),
            Event::Outgoing(rumqttc::Outgoing::Publish(pkid)) => {
                if let Some(entry) = self
                    .in_flight
                    .iter_mut()
                    .find(|f| f.pkid.is_none() || f.pkid == Some(pkid))
                {
                    entry.pkid = Some(pkid);
                }
            }
            Event::Incoming(Packet::PubAck(ack)) => {
                if let Some(i) = self.in_flight.iter().position(|f| f.pkid == Some(ack.pkid))
                    && let Some(done) = self.in_flight.remove(i)
                    && let Sent::Reading(_) = done.sent
                {
                    self.shared.state.lock().unwrap().stats.delivered += 1;
                }
            }
            Event::Incoming(Packet::Publish(publish)) => {
                self.on_command(&publish.topic, &publish.payload);
            }
            _ => {}
        }
    }

    /// A new session: readings that were in flight go back to the front of the queue (the
    /// broker kept nothing of the old session), then availability, accepted commands and
    /// discovery are sent again and the command topics subscribed.
    fn on_connected(&mut self) {
        let in_flight = std::mem::take(&mut self.in_flight);
        let readings: Vec<Reading> = in_flight
            .into_iter()
            .filter_map(|f| match f.sent {
                Sent::Reading(r) => Some(r),
                Sent::Control => None,
            })
            .collect();
        let sensors: Vec<(String, String, String)> = {
            let mut state = self.shared.state.lock().unwrap();
            state.queue.push_front_all(readings.into_iter());
            state.stats.connected = true;
            state.stats.connections += 1;
            state.to_announce.clear();
            state.sensors.iter().cloned().collect()
        };
        tracing::info!(node = %self.node, "connected to the broker");
        if let Err(e) = self.client.try_subscribe(
            format!("{}/{}/commands/+", names::ROOT, self.node),
            QoS::AtLeastOnce,
        ) {
            tracing::warn!(node = %self.node, "cannot subscribe to the command topics: {e}");
        }
        self.send_control(status_topic(&self.node), ONLINE.to_string());
        self.send_control(
            keep_alive_topic(&self.node),
            self.keep_alive.as_secs().to_string(),
        );
        let accepts: Vec<(String, String)> = self
            .commands
            .iter()
            .map(|(component, commands)| {
                (
                    accepts_topic(&self.node, component),
                    serde_json::to_string(commands).expect("names serialise"),
                )
            })
            .collect();
        for (topic, payload) in accepts {
            self.send_control(topic, payload);
        }
        for sensor in sensors {
            self.announce(&sensor);
        }
    }

    fn announce(&mut self, (component, quantity, unit): &(String, String, String)) {
        if !self.discovery {
            return;
        }
        let config = SensorDiscovery::new(&self.node, component, quantity, unit);
        self.send_control(config.topic(), config.payload());
    }

    fn send_control(&mut self, topic: String, payload: String) {
        match self
            .client
            .try_publish(topic.clone(), QoS::AtLeastOnce, true, payload)
        {
            Ok(()) => self.in_flight.push_back(InFlight {
                pkid: None,
                sent: Sent::Control,
            }),
            Err(e) => tracing::warn!(node = %self.node, %topic, "cannot send: {e}"),
        }
    }

    /// Hands queued readings to the client while connected and the window has room.
    fn pump(&mut self) {
        let to_announce = {
            let mut state = self.shared.state.lock().unwrap();
            if !state.stats.connected {
                return;
            }
            std::mem::take(&mut state.to_announce)
        };
        for sensor in &to_announce {
            self.announce(sensor);
        }
        while self.readings_in_flight() < IN_FLIGHT_WINDOW {
            let Some(reading) = self.shared.state.lock().unwrap().queue.pop() else {
                break;
            };
            let topic = reading_topic(&reading.node, &reading.component, &reading.quantity);
            let payload = serde_json::to_vec(&reading).expect("a reading serialises");
            match self
                .client
                .try_publish(topic, QoS::AtLeastOnce, false, payload)
            {
                Ok(()) => self.in_flight.push_back(InFlight {
                    pkid: None,
                    sent: Sent::Reading(reading),
                }),
                Err(_) => {
                    // The client's request channel is full: try again after the next event.
                    let mut state = self.shared.state.lock().unwrap();
                    state.queue.push_front_all(std::iter::once(reading));
                    break;
                }
            }
        }
        let in_flight = self.readings_in_flight();
        self.shared.state.lock().unwrap().stats.in_flight = in_flight;
    }

    fn on_command(&mut self, topic: &str, payload: &[u8]) {
        let refuse = |why: String| {
            tracing::warn!(%topic, "command refused: {why}");
        };
        let component = match Topic::parse(topic) {
            Some(Topic::Command { node, component }) if node == self.node => component,
            _ => return refuse("not a command topic of this node".into()),
        };
        let accepted = (|| {
            if payload.len() > MAX_COMMAND_PAYLOAD + 256 {
                return Err(format!(
                    "{} bytes is more than a command takes",
                    payload.len()
                ));
            }
            let message: CommandMessage = serde_json::from_slice(payload)
                .map_err(|e| format!("not a command message: {e}"))?;
            check_name("command", &message.command).map_err(|e| e.to_string())?;
            if message.payload.len() > MAX_COMMAND_PAYLOAD {
                return Err(format!(
                    "payload of {} bytes is over {MAX_COMMAND_PAYLOAD}",
                    message.payload.len()
                ));
            }
            let allowed = self
                .commands
                .get(&component)
                .is_some_and(|list| list.contains(&message.command));
            if !allowed {
                return Err(format!(
                    "component {component:?} is not authorised for command {:?}",
                    message.command
                ));
            }
            Ok(Command {
                component: component.clone(),
                command: message.command,
                payload: message.payload,
            })
        })();
        // Counted before the command is handed on, so the counts are right by the time the
        // caller sees it.
        let mut state = self.shared.state.lock().unwrap();
        let accepted = accepted.and_then(|command| {
            self.commands_tx
                .try_send(command)
                .map_err(|_| "the device is not taking commands fast enough".to_string())
        });
        match accepted {
            Ok(()) => state.stats.commands_accepted += 1,
            Err(why) => {
                state.stats.commands_refused += 1;
                drop(state);
                refuse(why);
            }
        }
    }

    /// Marks the node offline (while connected) and disconnects.
    async fn finish(&mut self, eventloop: &mut EventLoop, connected: bool) {
        if connected {
            self.send_control(status_topic(&self.node), OFFLINE.to_string());
            let _ = self.client.try_disconnect();
            let drain = async {
                loop {
                    match eventloop.poll().await {
                        Ok(Event::Outgoing(rumqttc::Outgoing::Disconnect)) | Err(_) => break,
                        Ok(event) => self.on_event(event),
                    }
                }
            };
            let _ = tokio::time::timeout(Duration::from_secs(2), drain).await;
        }
        let mut state = self.shared.state.lock().unwrap();
        state.stats.connected = false;
        state.stats.in_flight = 0;
    }
}
