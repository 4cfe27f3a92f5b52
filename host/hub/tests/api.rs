//! The hub's HTTP side against a real broker (Debian's mosquitto on 127.0.0.1) and a real
//! device connection (`wasi-hal-telemetry`): the events a page gets, the snapshot, and
//! commands, refused or published to the device.

#[path = "../../telemetry/tests/support/mosquitto.rs"]
mod mosquitto;

use mosquitto::Mosquitto;
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use wasi_hal_hub::{Hub, HubConfig};
use wasi_hal_telemetry::{BrokerConfig, Reading, Telemetry, TelemetryOptions};

/// One HTTP/1.1 request; returns the status and the body.
async fn http(addr: SocketAddr, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_sees_readings_and_sends_only_accepted_commands() {
    let broker = Mosquitto::start_new("hub-api");
    let mut config = HubConfig::new(BrokerConfig::new(broker.url()));
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.assets = None;
    config.client_id = format!("hub-api-{}", std::process::id());
    let hub = Hub::start(config).await.unwrap();
    let addr = hub.local_addr();

    // A page listening to the events.
    let mut events = TcpStream::connect(addr).await.unwrap();
    events
        .write_all(format!("GET /api/events HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut events = BufReader::new(events);

    let (telemetry, mut commands) = Telemetry::start(TelemetryOptions {
        node: "n1".into(),
        broker: BrokerConfig::new(broker.url()),
        commands: BTreeMap::from([("buzzer".to_string(), vec!["beep".to_string()])]),
        discovery: false,
    })
    .unwrap();
    telemetry
        .publish(Reading {
            node: "n1".into(),
            component: "bme680".into(),
            quantity: "temperature".into(),
            value: 21.5,
            unit: "°C".into(),
            timestamp: 1_700_000_000_000,
        })
        .unwrap();

    // The reading arrives as an event.
    let reading = tokio::time::timeout(Duration::from_secs(10), async {
        let mut line = String::new();
        loop {
            line.clear();
            events.read_line(&mut line).await.unwrap();
            if let Some(data) = line.trim().strip_prefix("data:") {
                let update: Value = serde_json::from_str(data.trim()).unwrap();
                if update["kind"] == "reading" {
                    return update;
                }
            }
        }
    })
    .await
    .expect("no reading event");
    assert_eq!(reading["node"], "n1");
    assert_eq!(reading["value"], 21.5);

    // The snapshot has the node, its value and what its buzzer accepts.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let snapshot = loop {
        let (status, body) = http(addr, "GET", "/api/snapshot", "").await;
        assert_eq!(status, 200);
        let snapshot: Value = serde_json::from_str(&body).unwrap();
        if snapshot["nodes"]["n1"]["online"] == true
            && snapshot["nodes"]["n1"]["components"]["buzzer"]["accepts"][0] == "beep"
        {
            break snapshot;
        }
        assert!(tokio::time::Instant::now() < deadline, "{snapshot}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let series = &snapshot["nodes"]["n1"]["components"]["bme680"]["quantities"]["temperature"];
    assert_eq!(
        (series["value"].as_f64(), series["unit"].as_str()),
        (Some(21.5), Some("°C"))
    );
    assert_eq!(snapshot["connected"], true);

    // Commands: only what the component accepts goes out.
    let (status, body) = http(
        addr,
        "POST",
        "/api/command",
        r#"{"node":"n1","component":"buzzer","command":"reboot","payload":""}"#,
    )
    .await;
    assert_eq!(status, 404, "{body}");
    assert!(
        body.contains("does not accept the command \"reboot\""),
        "{body}"
    );
    let (status, body) = http(
        addr,
        "POST",
        "/api/command",
        r#"{"node":"n1","component":"bu/zzer","command":"beep"}"#,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("component"), "{body}");
    let (status, body) = http(
        addr,
        "POST",
        "/api/command",
        r#"{"node":"n1","component":"buzzer","command":"beep","payload":"440"}"#,
    )
    .await;
    assert_eq!(status, 202, "{body}");
    let command = tokio::time::timeout(Duration::from_secs(10), commands.recv())
        .await
        .expect("the command did not reach the device")
        .unwrap();
    assert_eq!(
        (
            command.component.as_str(),
            command.command.as_str(),
            command.payload.as_str()
        ),
        ("buzzer", "beep", "440")
    );
    assert_eq!(telemetry.stats().commands_refused, 0);

    // Without an assets folder the chart library is a clear 404.
    let (status, body) = http(addr, "GET", "/vendor/uPlot.iife.min.js", "").await;
    assert_eq!(status, 404);
    assert!(body.contains("assets"), "{body}");
    let (status, _) = http(addr, "GET", "/vendor/..%2Fsecret", "").await;
    assert_eq!(status, 404);

    telemetry.shutdown(Duration::from_secs(1)).await;
    hub.stop().await;
}
