//! The fleet under load (docs/performance.md, "The fleet"): N simulated spokes publish one
//! reading a second each for D seconds through `wasi-hal-telemetry` to one mosquitto (Debian's,
//! on 127.0.0.1 and a free port); the hub runs as its own process (this program started again
//! with `--hub URL`) and a page's event stream is read from it.
//!
//! ```text
//! cargo run --release -p wasi-hal-hub --example fleet-load               # 100 spokes, 60 s
//! cargo run -p wasi-hal-hub --example fleet-load -- --spokes 10 --seconds 5   # quick
//! ```
//!
//! Prints readings sent (acknowledged by the broker), received by the hub, lost; the hub's CPU
//! (share of one core) and memory (peak resident set); and the end-to-end latency from a
//! reading's timestamp to its event reaching the page, as percentiles. Exits 1 when a reading
//! was lost or dropped; `cargo xtask test` runs the quick form.

#[path = "../../telemetry/tests/support/mosquitto.rs"]
mod mosquitto;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
use wasi_hal_hub::HubConfig;
use wasi_hal_telemetry::{BrokerConfig, Reading, Telemetry, TelemetryOptions};

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// CPU ticks (user + system) and peak resident memory (kB) of a process.
fn usage(pid: u32) -> (u64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = fields
        .get(11)
        .and_then(|u| u.parse::<u64>().ok())
        .unwrap_or(0)
        + fields
            .get(12)
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(0);
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let hwm = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    (ticks, hwm)
}

async fn http_get(addr: SocketAddr, path: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default()
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    if let Some(i) = args.iter().position(|a| a == "--hub") {
        let mut config = HubConfig::new(BrokerConfig::new(args[i + 1].clone()));
        config.listen = "127.0.0.1:0".parse().unwrap();
        config.assets = None;
        runtime
            .block_on(wasi_hal_hub::run(config, std::future::pending()))
            .unwrap();
        return;
    }
    let value = |name: &str, default: u64| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map(|v| v.parse().expect("a number"))
            .unwrap_or(default)
    };
    let spokes = value("--spokes", 100) as usize;
    let seconds = value("--seconds", 60);
    runtime.block_on(load(spokes, seconds));
}

async fn load(spokes: usize, seconds: u64) {
    let broker = mosquitto::Mosquitto::start_new("fleet-load");
    let mut hub = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--hub", &broker.url()])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(hub.stderr.take().unwrap());
    let addr: SocketAddr = loop {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "the hub exited");
        if let Some(rest) = line
            .trim()
            .strip_prefix("wasi-hal hub: dashboard on http://")
        {
            break rest.trim_end_matches('/').parse().unwrap();
        }
    };
    std::thread::spawn(move || for _ in stderr.lines() {});

    // A page's event stream: the latency of every reading.
    let latencies = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = latencies.clone();
    let mut events = tokio::net::TcpStream::connect(addr).await.unwrap();
    events
        .write_all(format!("GET /api/events HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    tokio::spawn(async move {
        let mut lines = tokio::io::BufReader::new(events).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(data) = line.strip_prefix("data:")
                && let Ok(update) = serde_json::from_str::<serde_json::Value>(data.trim())
                && update["kind"] == "reading"
            {
                let ts = update["timestamp"].as_u64().unwrap_or(0);
                sink.lock().unwrap().push(now_ms().saturating_sub(ts));
            }
        }
    });

    let mut telemetries = Vec::new();
    for i in 0..spokes {
        let mut config = BrokerConfig::new(broker.url());
        config.keep_alive_s = 30;
        let (telemetry, _commands) = Telemetry::start(TelemetryOptions {
            node: format!("spoke-{i:03}"),
            broker: config,
            commands: BTreeMap::new(),
            discovery: true,
        })
        .unwrap();
        telemetries.push((format!("spoke-{i:03}"), telemetry, _commands));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    latencies.lock().unwrap().clear();
    let (ticks_before, _) = usage(hub.id());
    let start = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(1000 / spokes.max(1) as u64));
    let mut published = 0u64;
    // Each spoke once a second, spread over the second.
    for _ in 0..seconds {
        for (i, (node, telemetry, _)) in telemetries.iter().enumerate() {
            tick.tick().await;
            telemetry
                .publish(Reading {
                    node: node.clone(),
                    component: "bme680".into(),
                    quantity: "temperature".into(),
                    value: 20.0 + i as f64 / 10.0,
                    unit: "°C".into(),
                    timestamp: now_ms(),
                })
                .unwrap();
            published += 1;
        }
    }
    let wall = start.elapsed();
    let mut sent = 0;
    let mut dropped = 0;
    for (_, telemetry, _) in telemetries {
        let stats = telemetry.shutdown(Duration::from_secs(10)).await;
        sent += stats.delivered;
        dropped += stats.dropped;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (ticks_after, peak_kb) = usage(hub.id());
    let snapshot: serde_json::Value =
        serde_json::from_str(&http_get(addr, "/api/snapshot?history=false").await).unwrap();
    let received: u64 = snapshot["nodes"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|n| n["components"].as_object().unwrap().values())
        .flat_map(|c| c["quantities"].as_object().unwrap().values())
        .map(|q| q["received"].as_u64().unwrap())
        .sum();
    let clk = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    let cpu = (ticks_after - ticks_before) as f64 / clk / wall.as_secs_f64() * 100.0;
    let mut lat = latencies.lock().unwrap().clone();
    lat.sort_unstable();
    println!(
        "fleet-load: {spokes} spokes x {seconds} s at 1 Hz: published {published}, sent {sent}, \
         received {received}, lost {}, dropped {dropped}",
        sent.saturating_sub(received)
    );
    println!(
        "hub: CPU {cpu:.1}% of one core, peak memory {:.1} MiB",
        peak_kb as f64 / 1024.0
    );
    println!(
        "latency (reading timestamp to page event, {} events): p50 {} ms, p90 {} ms, p99 {} ms, max {} ms",
        lat.len(),
        percentile(&lat, 0.5),
        percentile(&lat, 0.9),
        percentile(&lat, 0.99),
        lat.last().copied().unwrap_or(0)
    );
    let _ = hub.kill();
    let _ = hub.wait();
    // A reading lost or dropped is a failure (CI runs the quick form: `cargo xtask test`).
    if sent != received || dropped != 0 || sent != published {
        eprintln!("fleet-load: FAILED: every published reading must be acknowledged and received");
        std::process::exit(1);
    }
}
