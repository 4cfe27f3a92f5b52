//! Telemetry against a real broker (Debian's mosquitto on 127.0.0.1): readings queued while
//! the broker is away leave in order, past the bound the oldest are dropped and counted, a
//! broker restart loses none, availability is retained, and commands are authorised per
//! component.

mod support;

use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use std::collections::BTreeMap;
use std::time::Duration;
use support::mosquitto::Mosquitto;
use tokio::sync::mpsc;
use wasi_hal_telemetry::names::CommandMessage;
use wasi_hal_telemetry::{BrokerConfig, Reading, Telemetry, TelemetryOptions};

/// A plain MQTT client that records every message of `filter`.
struct Listener {
    client: AsyncClient,
    messages: mpsc::UnboundedReceiver<(String, String, bool)>,
    task: tokio::task::JoinHandle<()>,
}

impl Listener {
    /// Connects as `id`; with `persistent`, the broker keeps its subscription and queues its
    /// messages while it is away (a clean session otherwise). Returns once subscribed.
    async fn connect(port: u16, id: &str, filter: &str, persistent: bool) -> Listener {
        let mut options = MqttOptions::new(id, "127.0.0.1", port);
        options
            .set_clean_session(!persistent)
            .set_keep_alive(Duration::from_secs(5));
        let (client, mut eventloop) = AsyncClient::new(options, 100);
        client.subscribe(filter, QoS::AtLeastOnce).await.unwrap();
        let (tx, messages) = mpsc::unbounded_channel();
        let (subscribed_tx, subscribed) = tokio::sync::oneshot::channel();
        let task = tokio::spawn(async move {
            let mut subscribed_tx = Some(subscribed_tx);
            loop {
                match eventloop.poll().await {
                    Ok(Event::Incoming(Packet::SubAck(_))) => {
                        if let Some(tx) = subscribed_tx.take() {
                            let _ = tx.send(());
                        }
                    }
                    Ok(Event::Incoming(Packet::Publish(p))) => {
                        let _ = tx.send((
                            p.topic.clone(),
                            String::from_utf8_lossy(&p.payload).into_owned(),
                            p.retain,
                        ));
                    }
                    Ok(_) => {}
                    Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
                }
            }
        });
        tokio::time::timeout(Duration::from_secs(10), subscribed)
            .await
            .expect("no SUBACK from the broker")
            .unwrap();
        Listener {
            client,
            messages,
            task,
        }
    }

    /// The next message, or panics after `within`.
    async fn next(&mut self, within: Duration) -> (String, String, bool) {
        tokio::time::timeout(within, self.messages.recv())
            .await
            .expect("no message in time")
            .unwrap()
    }

    /// Values of the readings received until `count` new ones are there (QoS 1 sends a
    /// message again when its acknowledgement was lost), in the order they came.
    async fn reading_values(&mut self, count: usize, within: Duration) -> Vec<f64> {
        let mut values: Vec<f64> = Vec::new();
        let deadline = tokio::time::Instant::now() + within;
        while values.len() < count {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let (topic, payload, _) = match tokio::time::timeout(left, self.messages.recv()).await {
                Ok(Some(m)) => m,
                _ => panic!("{} of {count} readings arrived: {values:?}", values.len()),
            };
            if !topic.contains("/readings/") {
                continue;
            }
            let reading: Reading = serde_json::from_str(&payload).unwrap();
            // At least once: a reading in flight when the connection broke comes again, with
            // those after it. Only new ones count, and they must come in order.
            if values.last().is_none_or(|last| reading.value > *last) {
                values.push(reading.value);
            }
        }
        values
    }

    fn stop(self) {
        self.task.abort();
        drop(self.client);
    }
}

fn reading(node: &str, value: f64) -> Reading {
    Reading {
        node: node.into(),
        component: "counter".into(),
        quantity: "count".into(),
        value,
        unit: String::new(),
        timestamp: 1_700_000_000_000 + value as u64,
    }
}

fn options(node: &str, broker: &Mosquitto, queue: usize) -> TelemetryOptions {
    let mut config = BrokerConfig::new(broker.url());
    config.queue = queue;
    config.keep_alive_s = 5;
    TelemetryOptions {
        node: node.into(),
        broker: config,
        commands: BTreeMap::from([("buzzer".to_string(), vec!["beep".to_string()])]),
        discovery: true,
    }
}

async fn wait_until(what: &str, within: Duration, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + within;
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readings_wait_while_the_broker_is_away_and_the_oldest_past_the_bound_are_counted() {
    let mut broker = Mosquitto::start_new("queue");
    // A persistent listener: the broker keeps what arrives for it across its own restart.
    let listener = Listener::connect(
        broker.port,
        "queue-listener",
        "wasi-hal/n1/readings/#",
        true,
    )
    .await;
    listener.stop();
    broker.stop();

    let (telemetry, _commands) = Telemetry::start(options("n1", &broker, 5)).unwrap();
    for value in 0..8 {
        telemetry.publish(reading("n1", value as f64)).unwrap();
    }
    let stats = telemetry.stats();
    assert_eq!((stats.queued, stats.dropped, stats.delivered), (5, 3, 0));
    assert!(!stats.connected);

    broker.start();
    let mut listener = Listener::connect(
        broker.port,
        "queue-listener",
        "wasi-hal/n1/readings/#",
        true,
    )
    .await;
    wait_until("5 readings delivered", Duration::from_secs(10), || {
        telemetry.stats().delivered == 5
    })
    .await;
    let values = listener.reading_values(5, Duration::from_secs(10)).await;
    assert_eq!(values, vec![3.0, 4.0, 5.0, 6.0, 7.0]);
    let stats = telemetry.shutdown(Duration::from_secs(2)).await;
    assert_eq!((stats.queued, stats.dropped, stats.delivered), (0, 3, 5));
    listener.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_restart_while_publishing_loses_no_reading() {
    let mut broker = Mosquitto::start_new("restart");
    // A listener with a persistent session that stays through the restart (as the hub does):
    // it connects again by itself and the broker hands it what it kept.
    let mut listener = Listener::connect(
        broker.port,
        "restart-listener",
        "wasi-hal/n2/readings/#",
        true,
    )
    .await;
    let (telemetry, _commands) = Telemetry::start(options("n2", &broker, 10_000)).unwrap();
    wait_until("connected", Duration::from_secs(10), || {
        telemetry.stats().connected
    })
    .await;

    const COUNT: usize = 600;
    for value in 0..COUNT {
        telemetry.publish(reading("n2", value as f64)).unwrap();
        // A burst right before the broker stops: readings are in flight when it goes.
        if value == COUNT / 3 {
            tokio::time::sleep(Duration::from_millis(1)).await;
            broker.stop();
        }
        if value == COUNT / 2 {
            broker.start();
        }
        if !(COUNT / 4..COUNT / 3).contains(&value) {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
    let values = listener
        .reading_values(COUNT, Duration::from_secs(20))
        .await;
    assert_eq!(values, (0..COUNT).map(|v| v as f64).collect::<Vec<_>>());
    let stats = telemetry.shutdown(Duration::from_secs(5)).await;
    assert_eq!(stats.dropped, 0);
    assert_eq!(stats.queued, 0);
    assert!(stats.connections >= 2, "{stats:?}");
    listener.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn availability_accepted_commands_and_discovery_are_retained() {
    let broker = Mosquitto::start_new("retained");
    let (telemetry, _commands) = Telemetry::start(options("n3", &broker, 100)).unwrap();
    telemetry.publish(reading("n3", 1.0)).unwrap();
    wait_until("delivered", Duration::from_secs(10), || {
        telemetry.stats().delivered == 1
    })
    .await;
    // A listener that comes later gets the retained messages.
    let mut listener = Listener::connect(broker.port, "late", "wasi-hal/n3/#", false).await;
    let mut retained = BTreeMap::new();
    while retained.len() < 3 {
        let (topic, payload, retain) = listener.next(Duration::from_secs(5)).await;
        if retain {
            retained.insert(topic, payload);
        }
    }
    assert_eq!(retained["wasi-hal/n3/status"], "online");
    assert_eq!(retained["wasi-hal/n3/keep-alive"], "5");
    assert_eq!(retained["wasi-hal/n3/accepts/buzzer"], "[\"beep\"]");
    listener.stop();
    let mut ha = Listener::connect(broker.port, "ha", "homeassistant/#", false).await;
    let (topic, payload, retain) = ha.next(Duration::from_secs(5)).await;
    assert!(retain);
    assert_eq!(
        topic,
        "homeassistant/sensor/wasi-hal_n3_counter_count/config"
    );
    assert!(
        payload.contains("\"state_topic\":\"wasi-hal/n3/readings/counter/count\""),
        "{payload}"
    );
    ha.stop();

    let mut listener = Listener::connect(broker.port, "after", "wasi-hal/n3/status", false).await;
    assert_eq!(listener.next(Duration::from_secs(5)).await.1, "online");
    telemetry.shutdown(Duration::from_secs(2)).await;
    assert_eq!(listener.next(Duration::from_secs(5)).await.1, "offline");
    listener.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_authorised_commands_reach_the_device() {
    let broker = Mosquitto::start_new("commands");
    let (telemetry, mut commands) = Telemetry::start(options("n4", &broker, 100)).unwrap();
    wait_until("connected", Duration::from_secs(10), || {
        telemetry.stats().connected
    })
    .await;
    // The subscription is made right after the connection: give it a moment.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sender = Listener::connect(broker.port, "sender", "unused/topic", false).await;
    let send = |component: &str, message: &str| {
        let client = sender.client.clone();
        let topic = format!("wasi-hal/n4/commands/{component}");
        let message = message.to_string();
        async move {
            client
                .publish(topic, QoS::AtLeastOnce, false, message)
                .await
                .unwrap()
        }
    };
    let beep = serde_json::to_string(&CommandMessage {
        command: "beep".into(),
        payload: "440".into(),
    })
    .unwrap();
    send("display", &beep).await; // not authorised for this component
    send("buzzer", "{\"command\":\"reboot\"}").await; // not authorised for this command
    send("buzzer", "not json").await; // malformed
    send("buzzer", &beep).await;
    let command = tokio::time::timeout(Duration::from_secs(5), commands.recv())
        .await
        .expect("the authorised command did not arrive")
        .unwrap();
    assert_eq!(
        (
            command.component.as_str(),
            command.command.as_str(),
            command.payload.as_str()
        ),
        ("buzzer", "beep", "440")
    );
    let stats = telemetry.stats();
    assert_eq!((stats.commands_accepted, stats.commands_refused), (1, 3));
    assert!(commands.try_recv().is_err());
    telemetry.shutdown(Duration::from_secs(1)).await;
    sender.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readings_in_flight_when_the_connection_breaks_are_sent_again() {
    let broker = Mosquitto::start_new("in-flight");
    let proxy = support::proxy::Proxy::start(broker.port).await;
    let mut listener = Listener::connect(
        broker.port,
        "in-flight-listener",
        "wasi-hal/n5/readings/#",
        false,
    )
    .await;
    let mut config = options("n5", &broker, 1000);
    config.broker.url = format!("mqtt://127.0.0.1:{}", proxy.port);
    let (telemetry, _commands) = Telemetry::start(config).unwrap();
    wait_until("connected", Duration::from_secs(10), || {
        telemetry.stats().connected
    })
    .await;
    for value in 0..10 {
        telemetry.publish(reading("n5", value as f64)).unwrap();
    }
    wait_until("10 delivered", Duration::from_secs(10), || {
        telemetry.stats().delivered == 10
    })
    .await;
    // The connection stays up but what the device sends is lost on the way: these readings
    // are handed to the client and never acknowledged.
    proxy.swallow();
    for value in 10..30 {
        telemetry.publish(reading("n5", value as f64)).unwrap();
    }
    wait_until("20 in flight", Duration::from_secs(10), || {
        telemetry.stats().in_flight == 20
    })
    .await;
    proxy.cut();
    let values = listener.reading_values(30, Duration::from_secs(10)).await;
    assert_eq!(values, (0..30).map(|v| v as f64).collect::<Vec<_>>());
    let stats = telemetry.shutdown(Duration::from_secs(2)).await;
    assert_eq!((stats.delivered, stats.dropped), (30, 0), "{stats:?}");
    assert!(stats.connections >= 2, "{stats:?}");
    listener.stop();
}
