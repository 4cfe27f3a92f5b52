//! The dashboard's HTTP side (axum): the page, the chart library, the snapshot, the events and
//! the commands.

use crate::Shared;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use futures_util::Stream;
use serde::Deserialize;
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use wasi_hal_telemetry::names::{CommandMessage, MAX_COMMAND_PAYLOAD, check_name, command_topic};

const INDEX_HTML: &str = include_str!("../web/index.html");
const APP_JS: &str = include_str!("../web/app.js");

/// The files of the chart library the page loads from `/vendor/`.
pub const VENDOR_FILES: &[&str] = &["uPlot.iife.min.js", "uPlot.min.css"];

pub fn router(shared: Arc<Shared>) -> axum::Router {
    axum::Router::new()
        .route("/", get(|| async { Html(INDEX_HTML) }))
        .route(
            "/app.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                    APP_JS,
                )
            }),
        )
        .route("/vendor/{file}", get(vendor))
        .route("/api/snapshot", get(snapshot))
        .route("/api/events", get(events))
        .route("/api/command", post(command))
        .with_state(shared)
}

async fn vendor(State(shared): State<Arc<Shared>>, Path(file): Path<String>) -> Response {
    if !VENDOR_FILES.contains(&file.as_str()) {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    }
    let Some(dir) = &shared.assets else {
        return (
            StatusCode::NOT_FOUND,
            "the hub runs without an assets folder",
        )
            .into_response();
    };
    match tokio::fs::read(dir.join(&file)).await {
        Ok(bytes) => {
            let kind = if file.ends_with(".css") {
                "text/css; charset=utf-8"
            } else {
                "text/javascript; charset=utf-8"
            };
            ([(header::CONTENT_TYPE, kind)], bytes).into_response()
        }
        Err(_) => (
            StatusCode::NOT_FOUND,
            format!(
                "{} is missing: `cargo xtask build` puts the chart library there",
                dir.join(&file).display()
            ),
        )
            .into_response(),
    }
}

#[derive(Deserialize)]
struct SnapshotQuery {
    /// `false` leaves the histories out.
    history: Option<bool>,
}

async fn snapshot(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<SnapshotQuery>,
) -> Response {
    let mut json = {
        let fleet = shared.fleet.lock().unwrap();
        serde_json::to_value(&*fleet).expect("the fleet serialises")
    };
    if query.history == Some(false)
        && let Some(nodes) = json["nodes"].as_object_mut()
    {
        for node in nodes.values_mut() {
            if let Some(components) = node["components"].as_object_mut() {
                for component in components.values_mut() {
                    if let Some(quantities) = component["quantities"].as_object_mut() {
                        for series in quantities.values_mut() {
                            series.as_object_mut().map(|s| s.remove("history"));
                        }
                    }
                }
            }
        }
    }
    json["connected"] = shared.connected.load(Ordering::SeqCst).into();
    Json(json).into_response()
}

async fn events(
    State(shared): State<Arc<Shared>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let stream = BroadcastStream::new(shared.updates.subscribe()).map(|update| {
        Ok(match update {
            Ok(json) => Event::default().event("update").data(&*json),
            // The page fell behind: it fetches the snapshot again.
            Err(BroadcastStreamRecvError::Lagged(_)) => Event::default().event("resync").data(""),
        })
    });
    let mut stopping = shared.stopping.clone();
    let stream = futures_util::StreamExt::take_until(stream, async move {
        let _ = stopping.wait_for(|s| *s).await;
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// A command from the page.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommandRequest {
    node: String,
    component: String,
    command: String,
    #[serde(default)]
    payload: String,
}

async fn command(
    State(shared): State<Arc<Shared>>,
    Json(request): Json<CommandRequest>,
) -> Response {
    let refuse = |status: StatusCode, message: String| (status, message).into_response();
    for (what, name) in [
        ("node", &request.node),
        ("component", &request.component),
        ("command", &request.command),
    ] {
        if let Err(e) = check_name(what, name) {
            return refuse(StatusCode::BAD_REQUEST, e.to_string());
        }
    }
    if request.payload.len() > MAX_COMMAND_PAYLOAD {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!(
                "payload of {} bytes is over {MAX_COMMAND_PAYLOAD}",
                request.payload.len()
            ),
        );
    }
    let accepted =
        shared
            .fleet
            .lock()
            .unwrap()
            .accepts(&request.node, &request.component, &request.command);
    if !accepted {
        return refuse(
            StatusCode::NOT_FOUND,
            format!(
                "component {:?} of node {:?} does not accept the command {:?}",
                request.component, request.node, request.command
            ),
        );
    }
    if !shared.connected.load(Ordering::SeqCst) {
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "the hub is not connected to the broker".to_string(),
        );
    }
    let topic = command_topic(&request.node, &request.component);
    let message = serde_json::to_vec(&CommandMessage {
        command: request.command,
        payload: request.payload,
    })
    .expect("a command serialises");
    match shared
        .client
        .try_publish(topic.clone(), rumqttc::QoS::AtLeastOnce, false, message)
    {
        Ok(()) => (
            StatusCode::ACCEPTED,
            Json(serde_json::json!({ "published": topic })),
        )
            .into_response(),
        Err(e) => refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("cannot publish the command: {e}"),
        ),
    }
}
