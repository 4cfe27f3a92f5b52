//! The hub's subscription: every status, reading and accepted-commands message of the topic
//! scheme, into the fleet and out to the pages.

use crate::Shared;
use crate::fleet::Update;
use rumqttc::{Event, EventLoop, Packet, QoS};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use wasi_hal_telemetry::names::ROOT;

/// The topic filters the hub subscribes to.
pub fn filters() -> [String; 4] {
    [
        format!("{ROOT}/+/status"),
        format!("{ROOT}/+/readings/+/+"),
        format!("{ROOT}/+/accepts/+"),
        format!("{ROOT}/+/keep-alive"),
    ]
}

pub async fn run(
    shared: Arc<Shared>,
    mut eventloop: EventLoop,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        let event = tokio::select! {
            event = eventloop.poll() => event,
            () = async { let _ = stop.wait_for(|s| *s).await; } => {
                let _ = shared.client.try_disconnect();
                let _ = tokio::time::timeout(Duration::from_secs(1), async {
                    while let Ok(event) = eventloop.poll().await {
                        if matches!(event, Event::Outgoing(rumqttc::Outgoing::Disconnect)) {
                            break;
                        }
                    }
                })
                .await;
                return;
            }
        };
        match event {
            Ok(Event::Incoming(Packet::ConnAck(ack))) => {
                shared.connected.store(true, Ordering::SeqCst);
                tracing::info!(session_present = ack.session_present, "hub connected");
                for filter in filters() {
                    if let Err(e) = shared.client.try_subscribe(filter, QoS::AtLeastOnce) {
                        tracing::warn!("cannot subscribe: {e}");
                    }
                }
            }
            Ok(Event::Incoming(Packet::Publish(publish))) => {
                let update = shared
                    .fleet
                    .lock()
                    .unwrap()
                    .apply(&publish.topic, &publish.payload);
                if let Some(update) = update {
                    let json: Arc<str> = serde_json::to_string(&update)
                        .expect("an update serialises")
                        .into();
                    // No page listening is fine.
                    let _ = shared.updates.send(json);
                }
            }
            Ok(_) => {}
            Err(e) => {
                if shared.connected.swap(false, Ordering::SeqCst) {
                    tracing::warn!("hub lost the broker: {e}");
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
}

/// Marks nodes that went silent for 1.5 keep-alive periods offline, four times a second.
pub async fn watch_silence(shared: Arc<Shared>, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = async { let _ = stop.wait_for(|s| *s).await; } => return,
        }
        let updates = shared
            .fleet
            .lock()
            .unwrap()
            .silent(std::time::Instant::now());
        for update in updates {
            if let Update::Status { node, .. } = &update {
                tracing::info!(%node, "node silent for 1.5 keep-alive periods: offline");
            }
            let json: Arc<str> = serde_json::to_string(&update)
                .expect("an update serialises")
                .into();
            let _ = shared.updates.send(json);
        }
    }
}
