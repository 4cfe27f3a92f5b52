//! The fleet with real parts (docs/fleet.md): Debian's mosquitto on 127.0.0.1, three spoke
//! processes, the hub, and its dashboard in headless Chromium.
//!
//! The spokes are `fleet-spoke` (tests/src/bin/fleet-spoke.rs), a stand-in for `wasi-hal up`
//! until the device runtime exists: each publishes its own fixed simulated values through
//! `wasi-hal-telemetry` and hands its `buzzer` commands to a real component
//! (`host/test-programs/worlds/examples/commands-receiver.rs`) through `wasi-hal-commands`.
//! The hub runs in this process (`wasi_hal_hub::Hub`, what `wasi-hal hub` runs); the page is
//! driven by `host/hub/tests/dashboard.mjs` (playwright-core from host/js).
//!
//! Checked: the page shows the three nodes online with the values their spokes hold; a command
//! sent from the page reaches the component (its reply is in the spoke's output); restarting
//! the broker loses no reading (every reading a spoke had acknowledged is in the hub, counted);
//! a spoke that stops answering shows offline on the page within 1.5 keep-alive periods.

mod js_host;

#[path = "../../host/telemetry/tests/support/mosquitto.rs"]
mod mosquitto;

use mosquitto::Mosquitto;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wasi_hal_hub::{Hub, HubConfig};
use wasi_hal_telemetry::BrokerConfig;

/// The spokes' keep-alive: a dead one is declared after 1.5 times this.
const KEEP_ALIVE_S: u64 = 5;

/// A spoke process and what it printed.
struct Spoke {
    node: &'static str,
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Spoke {
    fn start(broker: &Mosquitto, node: &'static str, values: &[&str]) -> Spoke {
        let mut child = Command::new(env!("CARGO_BIN_EXE_fleet-spoke"))
            .args(["--broker", &broker.url(), "--node", node])
            .args([
                "--receiver",
                test_programs_artifacts::WORLDS_COMMANDS_RECEIVER,
            ])
            .args([
                "--interval-ms",
                "100",
                "--keep-alive-s",
                &KEEP_ALIVE_S.to_string(),
            ])
            .args(values)
            .stdout(Stdio::piped())
            .stdin(Stdio::null())
            .spawn()
            .expect("cannot start fleet-spoke");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let out = child.stdout.take().unwrap();
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Spoke { node, child, lines }
    }

    /// Waits for a line starting with `prefix` and returns it.
    fn wait_line(&self, prefix: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        loop {
            if let Some(line) = self
                .lines
                .lock()
                .unwrap()
                .iter()
                .find(|l| l.starts_with(prefix))
            {
                return line.clone();
            }
            assert!(
                Instant::now() < deadline,
                "{}: no `{prefix}` line in {within:?}; it printed {:?}",
                self.node,
                self.lines.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn signal(&self, signal: i32) {
        // SAFETY: kill(2) on our own child.
        unsafe { libc::kill(self.child.id() as i32, signal) };
    }
}

impl Drop for Spoke {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The dashboard in headless Chromium.
struct Browser {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Browser {
    fn start() -> Browser {
        let js = js_host::js_dir();
        let script = js_host::root().join("host/hub/tests/dashboard.mjs");
        let mut child = Command::new("node")
            .arg(script)
            .env("WASI_HAL_JS_DIR", &js)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("cannot start node");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Browser {
            child,
            stdin,
            stdout,
        }
    }

    fn ask(&mut self, request: Value) -> Value {
        writeln!(self.stdin, "{request}").unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        let answer: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("the dashboard driver said {line:?}: {e}"));
        assert_eq!(answer["ok"], true, "{request} failed: {answer}");
        answer
    }

    /// The nodes on the page, by name.
    fn nodes(&mut self) -> serde_json::Map<String, Value> {
        let answer = self.ask(json!({"op": "dom"}));
        assert_eq!(answer["errors"], json!([]), "errors on the page");
        answer["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| (n["node"].as_str().unwrap().to_string(), n.clone()))
            .collect()
    }

    /// Polls the page until `done` holds for its nodes; returns how long that took.
    fn wait_for(
        &mut self,
        what: &str,
        within: Duration,
        done: impl Fn(&serde_json::Map<String, Value>) -> bool,
    ) -> Duration {
        let start = Instant::now();
        loop {
            let nodes = self.nodes();
            if done(&nodes) {
                return start.elapsed();
            }
            assert!(
                start.elapsed() < within,
                "the page did not show {what} in {within:?}: {nodes:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = writeln!(self.stdin, "{}", json!({"op": "quit"}));
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A spoke's node name, its `QUANTITY=VALUE:UNIT` arguments, and how the page shows each
/// (`component/quantity`, text).
type SpokeValues = (
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

/// The values each spoke holds, and how the page shows them.
const SPOKES: [SpokeValues; 3] = [
    (
        "spoke-a",
        &["temperature=21.5:°C", "humidity=40:%"],
        &[
            ("bme680/temperature", "21.50 °C"),
            ("bme680/humidity", "40 %"),
        ],
    ),
    (
        "spoke-b",
        &["temperature=18.25:°C", "pressure=1013.2:hPa"],
        &[
            ("bme680/temperature", "18.25 °C"),
            ("bme680/pressure", "1013.20 hPa"),
        ],
    ),
    (
        "spoke-c",
        &["temperature=25:°C", "humidity=55.5:%"],
        &[
            ("bme680/temperature", "25 °C"),
            ("bme680/humidity", "55.50 %"),
        ],
    ),
];

fn shows_values(nodes: &serde_json::Map<String, Value>) -> bool {
    SPOKES.iter().all(|(node, _, shown)| {
        nodes.get(*node).is_some_and(|n| {
            n["status"] == "online"
                && shown
                    .iter()
                    .all(|(key, text)| n["values"][*key].as_str() == Some(*text))
        })
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_spokes_a_hub_and_the_dashboard() {
    let mut broker = Mosquitto::start_new("fleet");
    let mut config = HubConfig::new(BrokerConfig::new(broker.url()));
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.client_id = format!("fleet-test-hub-{}", std::process::id());
    let assets = wasi_hal_hub::default_assets();
    let charts = assets.join("uPlot.iife.min.js").exists();
    if !charts {
        eprintln!(
            "note: {} has no chart library (`cargo xtask build` builds it): charts not checked",
            assets.display()
        );
    }
    let hub = Hub::start(config).await.unwrap();
    let url = format!("http://{}/", hub.local_addr());

    let spokes: Vec<Spoke> = SPOKES
        .iter()
        .map(|(node, values, _)| Spoke::start(&broker, node, values))
        .collect();
    for spoke in &spokes {
        spoke.wait_line("READY", Duration::from_secs(30));
    }

    let mut browser = tokio::task::block_in_place(Browser::start);
    tokio::task::block_in_place(|| {
        browser.ask(json!({"op": "open", "url": url}));
        browser.wait_for(
            "three nodes with their values",
            Duration::from_secs(20),
            shows_values,
        );
        let nodes = browser.nodes();
        for (node, _, _) in SPOKES {
            assert_eq!(nodes[node]["commands"], json!(["buzzer/beep"]), "{node}");
            if charts {
                assert!(
                    nodes[node]["charts"].as_u64().unwrap() >= 2,
                    "{:?}",
                    nodes[node]
                );
            }
        }
        let shot = if std::env::var_os("WASI_HAL_UPDATE_SCREENSHOTS").is_some() {
            js_host::root().join("docs/images/fleet-dashboard.png")
        } else {
            js_host::scratch("fleet").join("dashboard.png")
        };
        browser.ask(json!({"op": "screenshot", "path": shot}));
        let png = std::fs::read(&shot).unwrap();
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 10_000,
            "{}",
            shot.display()
        );

        // A command from the page reaches spoke-b's component, which answers with its count.
        let answer = browser.ask(json!({
            "op": "command", "node": "spoke-b", "component": "buzzer",
            "command": "beep", "payload": "440"
        }));
        assert_eq!(answer["result"], "sent", "{answer}");
        let line = spokes[1].wait_line("COMMAND", Duration::from_secs(10));
        assert_eq!(line, "COMMAND buzzer beep 440 -> ok beep 1 at 440 Hz");
        assert!(
            !spokes[0]
                .lines
                .lock()
                .unwrap()
                .iter()
                .any(|l| l.starts_with("COMMAND")),
            "the command went to another node too"
        );
    });

    // The broker restarts: the spokes queue, the hub's session keeps what arrives for it.
    broker.stop();
    tokio::time::sleep(Duration::from_secs(1)).await;
    broker.start();
    tokio::task::block_in_place(|| {
        browser.wait_for("the nodes back", Duration::from_secs(20), shows_values)
    });
    tokio::time::sleep(Duration::from_secs(1)).await;

    // A spoke that stops answering (frozen, or its network gone: its connection stays open and
    // silent) goes offline on the page once nothing was heard from it for 1.5 keep-alive
    // periods. (A spoke whose process dies outright closes its
    // connection, and the broker sends the will at once.)
    let killed = Instant::now();
    spokes[2].signal(libc::SIGSTOP);
    let offline_after = tokio::task::block_in_place(|| {
        browser.wait_for("spoke-c offline", Duration::from_secs(15), |nodes| {
            nodes["spoke-c"]["status"] == "offline"
        });
        killed.elapsed()
    });
    eprintln!("spoke-c showed offline {offline_after:?} after it was frozen");
    // 1.5 keep-alive periods, and the time the hub (4 checks a second) and the page (polled
    // every 100 ms) take. The hub knows each node's keep-alive and that it sends something in
    // every period; the broker's will comes later (Debian's mosquitto 2.0 looks at keep-alives
    // only every 6 s, in whole seconds).
    let limit = Duration::from_millis(KEEP_ALIVE_S * 1500 + 500);
    assert!(
        offline_after <= limit,
        "spoke-c took {offline_after:?} to show offline (limit {limit:?})"
    );
    // It was the keep-alive that found it: not before one period of silence.
    assert!(
        offline_after >= Duration::from_secs(KEEP_ALIVE_S),
        "spoke-c showed offline after only {offline_after:?}"
    );
    tokio::task::block_in_place(|| {
        let nodes = browser.nodes();
        assert_eq!(nodes["spoke-a"]["status"], "online");
        assert_eq!(nodes["spoke-b"]["status"], "online");
    });

    // Every reading the others sent, through the restart, is in the hub: counted.
    spokes[2].signal(libc::SIGKILL);
    for spoke in &spokes[..2] {
        spoke.signal(libc::SIGTERM);
    }
    for spoke in &spokes[..2] {
        let line = tokio::task::block_in_place(|| spoke.wait_line("SENT", Duration::from_secs(20)));
        let numbers: Vec<u64> = line
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        let [sent, dropped, queued, published] = numbers[..] else {
            panic!("{line}");
        };
        assert_eq!((dropped, queued), (0, 0), "{}: {line}", spoke.node);
        assert_eq!(sent, published, "{}: {line}", spoke.node);
        let deadline = Instant::now() + Duration::from_secs(10);
        while hub.received(spoke.node) < sent && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(hub.received(spoke.node), sent, "{}: {line}", spoke.node);
        eprintln!(
            "{}: sent {sent}, the hub received {}",
            spoke.node,
            hub.received(spoke.node)
        );
    }
    drop(browser);
    drop(spokes);
    hub.stop().await;
}
