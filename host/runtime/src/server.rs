//! The status of a running device over HTTP, bound to a loopback address: `GET /status` is the
//! [`DeviceStatus`] as JSON. `wasi-hal status` reads it.

use crate::status::DeviceStatus;
use anyhow::Result;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// Makes the status when asked.
pub type StatusSource = Arc<dyn Fn() -> DeviceStatus + Send + Sync>;

/// A running status server: the address it is bound to.
pub struct StatusServer {
    addr: SocketAddr,
    source: Arc<Mutex<StatusSource>>,
    task: tokio::task::JoinHandle<()>,
}

impl StatusServer {
    /// The address it listens on (the port chosen when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves `source` from now on (after a reload changed the components).
    pub fn set_source(&self, source: StatusSource) {
        *self.source.lock().unwrap_or_else(|e| e.into_inner()) = source;
    }
}

impl Drop for StatusServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Binds `addr` and serves the status from `source` on the current runtime until dropped.
/// Logs the bound address (`status on http://...`), which `wasi-hal up` also prints.
pub async fn serve(addr: SocketAddr, source: StatusSource) -> Result<StatusServer> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let shared = Arc::new(Mutex::new(source));
    let app = Router::new()
        .route("/status", get(status))
        .with_state(shared.clone());
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!("the status server stopped: {e}");
        }
    });
    tracing::info!("status on http://{addr}/status");
    println!("status on http://{addr}/status");
    Ok(StatusServer {
        addr,
        source: shared,
        task,
    })
}

async fn status(State(source): State<Arc<Mutex<StatusSource>>>) -> axum::Json<DeviceStatus> {
    let source = source.lock().unwrap_or_else(|e| e.into_inner()).clone();
    axum::Json(source())
}
