//! `wasi-hal hub` (docs/fleet.md): subscribes to the fleet's MQTT broker and serves a live
//! dashboard.
//!
//! - [`fleet::Fleet`]: per node its availability (the retained `status` and the last will),
//!   per component the commands it accepts, per quantity the latest value and the last hour,
//!   all bounded. A new node, component or quantity appears with no configuration.
//! - The page (`/`), a JSON snapshot (`/api/snapshot`), server-sent events of every change
//!   (`/api/events`) and commands (`POST /api/command`, published to the component's command
//!   topic), served with axum on 127.0.0.1 unless told otherwise.
//! - The chart library (uPlot, pinned in `host/hub/web/package.json`) is served from the
//!   assets folder `cargo xtask build` fills (`target/wasi-hal/hub/`); without it the page
//!   shows values and says the charts are missing.
//!
//! The hub's MQTT session is persistent (`clean_session` off, a fixed client id): when the
//! broker keeps sessions across its restarts (mosquitto's `persistence true`), no reading
//! published while the hub was reconnecting is lost.

pub mod fleet;
mod mqtt;
mod web;

use anyhow::Context;
use fleet::Fleet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;
use wasi_hal_telemetry::BrokerConfig;

/// Where the hub serves the dashboard unless told otherwise.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8090";
/// The hub's default MQTT client id (its persistent session).
pub const DEFAULT_CLIENT_ID: &str = "wasi-hal-hub";

/// The hub's settings.
#[derive(Clone, Debug)]
pub struct HubConfig {
    /// The broker to subscribe to.
    pub broker: BrokerConfig,
    /// Where to serve the dashboard.
    pub listen: SocketAddr,
    /// The folder with the page's JavaScript dependencies (`cargo xtask build` writes
    /// `target/wasi-hal/hub/`); `None` serves the page without charts.
    pub assets: Option<PathBuf>,
    /// The MQTT client id, which names the hub's persistent session on the broker.
    pub client_id: String,
}

impl HubConfig {
    /// The defaults for `broker`: 127.0.0.1:8090, [`default_assets`], [`DEFAULT_CLIENT_ID`].
    pub fn new(broker: BrokerConfig) -> Self {
        HubConfig {
            broker,
            listen: DEFAULT_LISTEN.parse().expect("a valid address"),
            assets: Some(default_assets()),
            client_id: DEFAULT_CLIENT_ID.to_string(),
        }
    }
}

/// `target/wasi-hal/hub/` of the checkout this crate was built in: where `cargo xtask build`
/// puts the chart library.
pub fn default_assets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/wasi-hal/hub")
}

/// What the web server and the MQTT task share.
pub(crate) struct Shared {
    pub fleet: Mutex<Fleet>,
    pub updates: broadcast::Sender<Arc<str>>,
    pub client: rumqttc::AsyncClient,
    pub connected: AtomicBool,
    pub assets: Option<PathBuf>,
    /// Becomes `true` when the hub stops: the event streams end then, so that the server's
    /// graceful shutdown does not wait for open pages.
    pub stopping: tokio::sync::watch::Receiver<bool>,
}

/// A running hub.
pub struct Hub {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: tokio::sync::watch::Sender<bool>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    mqtt: tokio::task::JoinHandle<()>,
    silence: tokio::task::JoinHandle<()>,
}

impl Hub {
    /// Checks the configuration, binds the address and starts subscribing and serving on the
    /// current Tokio runtime.
    pub async fn start(config: HubConfig) -> anyhow::Result<Hub> {
        config.broker.validate("<hub>")?;
        let options = config
            .broker
            .mqtt_options(&config.client_id, false)
            .context("broker settings")?;
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let addr = listener.local_addr()?;
        let (client, eventloop) = rumqttc::AsyncClient::new(options, 64);
        let (updates, _) = broadcast::channel(4096);
        let (stop, stop_rx) = tokio::sync::watch::channel(false);
        let shared = Arc::new(Shared {
            fleet: Mutex::new(Fleet::default()),
            updates,
            client,
            connected: AtomicBool::new(false),
            assets: config.assets,
            stopping: stop_rx.clone(),
        });
        let mqtt = tokio::spawn(mqtt::run(shared.clone(), eventloop, stop_rx.clone()));
        let silence = tokio::spawn(mqtt::watch_silence(shared.clone(), stop_rx.clone()));
        let app = web::router(shared.clone());
        let mut server_stop = stop_rx;
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = server_stop.wait_for(|s| *s).await;
                })
                .await
        });
        tracing::info!(%addr, "hub serving the dashboard");
        Ok(Hub {
            addr,
            shared,
            stop,
            server,
            mqtt,
            silence,
        })
    }

    /// The address the dashboard is served on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Whether the broker is connected now.
    pub fn connected(&self) -> bool {
        self.shared.connected.load(Ordering::SeqCst)
    }

    /// Readings received from `node` so far (each once).
    pub fn received(&self, node: &str) -> u64 {
        self.shared.fleet.lock().unwrap().received(node)
    }

    /// Stops serving and disconnects.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.server.await;
        let _ = self.mqtt.await;
        let _ = self.silence.await;
    }
}

/// Runs a hub until `shutdown` completes (the `wasi-hal hub` command).
pub async fn run(
    config: HubConfig,
    shutdown: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let hub = Hub::start(config).await?;
    eprintln!("wasi-hal hub: dashboard on http://{}/", hub.local_addr());
    shutdown.await;
    hub.stop().await;
    Ok(())
}
