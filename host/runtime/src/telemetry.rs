//! A device's link to the fleet (docs/fleet.md): when the device file has a `[telemetry]`
//! table, every reading goes to `wasi-hal-telemetry` (the MQTT broker, QoS 1, a bounded queue
//! while it is away, availability with a last will, Home Assistant discovery), and the commands
//! it authorises per component come back to be handed to the components.
//!
//! The MQTT connection runs on a thread of its own with its own (real-time) Tokio runtime: the
//! device's runtime may run in virtual time, in which the client's keep-alive and reconnect
//! timers would fire at once. Handing a reading over never blocks
//! ([`wasi_hal_telemetry::Telemetry::publish`] queues it).

use crate::readings::Reading;
use anyhow::{Context as _, Result, anyhow};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;
use wasi_hal_device_file::DeviceFile;
use wasi_hal_telemetry::config::{DEFAULT_KEEP_ALIVE_S, DEFAULT_QUEUE};
use wasi_hal_telemetry::names::check_name;
use wasi_hal_telemetry::{
    BrokerConfig, Command, ConfigError, Telemetry, TelemetryOptions, TelemetryStats,
};

/// How long a stopping device waits for its queued readings to reach the broker.
pub const SHUTDOWN_FLUSH: Duration = Duration::from_secs(3);

/// The telemetry part of `status`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TelemetryStatus {
    /// The device's name in the fleet (topic level).
    pub node: String,
    /// Readings handed to the telemetry client since the device came up: every one is
    /// delivered, waiting (queued or in flight), or dropped (counted) by the client.
    pub readings_sent: u64,
    /// Commands handed to a component that carried them out.
    pub commands_done: u64,
    /// Commands refused after the broker's side: the component was not running, does not take
    /// commands now, or refused it (its own error, or a trap).
    pub commands_failed: u64,
    /// The client's counts: connection, delivered, queued, in flight, dropped, commands
    /// authorised and refused.
    #[serde(flatten)]
    pub client: TelemetryStats,
}

/// Reads the device file's `[telemetry]` into the client's options, checking every value with
/// the telemetry crate's rules; an error names the file, line and key. `None` without the
/// table.
pub fn options(file: &DeviceFile) -> Result<Option<TelemetryOptions>> {
    let Some(entry) = &file.telemetry else {
        return Ok(None);
    };
    let at = |key: &str| {
        format!(
            "{}:{}: key `telemetry.{key}`",
            file.path.display(),
            entry.location_of(key)
        )
    };
    let broker = BrokerConfig {
        url: entry.url.clone(),
        username: entry.username.clone(),
        password: entry.password.clone(),
        ca_cert: entry.ca_cert.clone(),
        client_cert: entry.client_cert.clone(),
        client_key: entry.client_key.clone(),
        keep_alive_s: entry.keep_alive_s.unwrap_or(DEFAULT_KEEP_ALIVE_S),
        queue: entry.queue.unwrap_or(DEFAULT_QUEUE),
    };
    broker.validate("").map_err(|e| match e {
        ConfigError::Invalid { key, message, .. } => anyhow!("{}: {message}", at(key)),
        other => anyhow!("{}: {other}", at("url")),
    })?;
    let node = match &entry.node {
        Some(node) => {
            check_name("node", node).map_err(|e| anyhow!("{}: {e}", at("node")))?;
            node.clone()
        }
        None => {
            check_name("node", &file.name).map_err(|e| {
                anyhow!(
                    "{}: key `device.name`: it is the node's name in the fleet: {e} (or give \
                     `telemetry.node`)",
                    file.path.display()
                )
            })?;
            file.name.clone()
        }
    };
    let mut commands = BTreeMap::new();
    for component in &file.components {
        check_name("component", &component.name).map_err(|e| {
            anyhow!(
                "{}:{}: component `{}`: its name is a topic level of the fleet: {e}",
                file.path.display(),
                component.location,
                component.name
            )
        })?;
        if !component.commands.is_empty() {
            commands.insert(component.name.clone(), component.commands.clone());
        }
    }
    Ok(Some(TelemetryOptions {
        node,
        broker,
        commands,
        discovery: entry.discovery,
    }))
}

/// Says, on a reload, that a changed `[telemetry]` table or `commands` list takes effect only
/// at the next start: the connection (and the authorisations it checks) is made once.
pub(crate) fn warn_if_changed(old: &DeviceFile, new: &DeviceFile) {
    let commands = |file: &DeviceFile| -> Vec<(String, Vec<String>)> {
        file.components
            .iter()
            .map(|c| (c.name.clone(), c.commands.clone()))
            .filter(|(_, commands)| !commands.is_empty())
            .collect()
    };
    let table = |file: &DeviceFile| {
        file.telemetry.clone().map(|mut t| {
            t.location = Default::default();
            t.locations.clear();
            t
        })
    };
    if table(old) != table(new) || commands(old) != commands(new) {
        tracing::warn!(
            "the [telemetry] table or a component's `commands` changed: that takes effect when              the device is started again (the rest of the reload goes on)"
        );
    }
}

/// A running link to the broker.
pub(crate) struct Link {
    node: String,
    telemetry: Option<Telemetry>,
    runtime: Option<tokio::runtime::Runtime>,
    counts: Arc<Counts>,
    /// The client's counts when it stopped.
    last: TelemetryStats,
}

impl Drop for Link {
    fn drop(&mut self) {
        // Dropping a Tokio runtime blocks, which is not allowed inside the device's runtime.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// What the device side counts.
#[derive(Debug, Default)]
pub(crate) struct Counts {
    readings_sent: AtomicU64,
    commands_done: AtomicU64,
    commands_failed: AtomicU64,
}

impl Counts {
    /// One command carried out (`true`) or failed.
    pub(crate) fn command(&self, done: bool) {
        let counter = if done {
            &self.commands_done
        } else {
            &self.commands_failed
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// What the components see of the link: where readings go and the counts.
#[derive(Clone)]
pub(crate) struct Sink {
    link: Arc<std::sync::Mutex<Option<Link>>>,
    counts: Arc<Counts>,
}

impl Sink {
    /// Hands a reading to the client (never blocks).
    pub(crate) fn publish(&self, reading: Reading) {
        let link = self.link.lock().unwrap_or_else(|e| e.into_inner());
        let Some(telemetry) = link.as_ref().and_then(|l| l.telemetry.as_ref()) else {
            return;
        };
        match telemetry.publish(reading) {
            Ok(()) => {
                self.counts.readings_sent.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => tracing::warn!("reading not sent: {e}"),
        }
    }

    /// The device-side counts.
    pub(crate) fn counts(&self) -> &Counts {
        &self.counts
    }

    /// The status of the link.
    pub(crate) fn status(&self) -> Option<TelemetryStatus> {
        let link = self.link.lock().unwrap_or_else(|e| e.into_inner());
        let link = link.as_ref()?;
        Some(TelemetryStatus {
            node: link.node.clone(),
            readings_sent: link.counts.readings_sent.load(Ordering::Relaxed),
            commands_done: link.counts.commands_done.load(Ordering::Relaxed),
            commands_failed: link.counts.commands_failed.load(Ordering::Relaxed),
            client: link.telemetry.as_ref().map_or(link.last, Telemetry::stats),
        })
    }

    /// Sends what waits (for at most [`SHUTDOWN_FLUSH`]), marks the node offline and
    /// disconnects. Returns the final status.
    pub(crate) async fn shutdown(&self) -> Option<TelemetryStatus> {
        let (telemetry, runtime) = {
            let mut link = self.link.lock().unwrap_or_else(|e| e.into_inner());
            let link = link.as_mut()?;
            (link.telemetry.take(), link.runtime.take())
        };
        let runtime = runtime?;
        if let Some(telemetry) = telemetry {
            let stats = runtime
                .spawn(telemetry.shutdown(SHUTDOWN_FLUSH))
                .await
                .unwrap_or_default();
            tracing::info!(
                sent = self.counts.readings_sent.load(Ordering::Relaxed),
                delivered = stats.delivered,
                queued = stats.queued,
                dropped = stats.dropped,
                "telemetry stopped"
            );
            if let Some(link) = self.link.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
                link.last = stats;
            }
        }
        runtime.shutdown_background();
        self.status()
    }
}

/// Starts the link on its own thread; commands authorised by the device file arrive on the
/// receiver.
pub(crate) fn start(options: TelemetryOptions) -> Result<(Sink, mpsc::Receiver<Command>)> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("wasi-hal-telemetry")
        .enable_all()
        .build()
        .context("cannot start the telemetry thread")?;
    let node = options.node.clone();
    let (telemetry, commands) = {
        let _inside = runtime.enter();
        Telemetry::start(options).map_err(|e| anyhow!("telemetry: {e}"))?
    };
    let counts = Arc::new(Counts::default());
    let link = Link {
        node,
        telemetry: Some(telemetry),
        runtime: Some(runtime),
        counts: counts.clone(),
        last: TelemetryStats::default(),
    };
    Ok((
        Sink {
            link: Arc::new(std::sync::Mutex::new(Some(link))),
            counts,
        },
        commands,
    ))
}
