//! The fleet with real parts (docs/fleet.md, the acceptance of issue 18): Debian's mosquitto on
//! 127.0.0.1 and a free port, three `wasi-hal up` processes (this crate's binary) on simulated
//! boards whose outdoor BME680s hold different conditions, a `wasi-hal hub` process, and its
//! page in headless Chromium, driven by `host/hub/tests/dashboard.mjs` (playwright-core from
//! host/js).
//!
//! Each spoke runs the BME680 driver as a polled sensor and the doorbell (composed with the
//! active-buzzer driver) as a `kind = "handler"` component authorised for `ring`.
//!
//! Checked: the page shows the three nodes online with the values their simulated sensors
//! hold (DOM, and a screenshot); a `ring` sent from the page reaches spoke-b's doorbell, and
//! its simulated buzzer records the two beeps (`wasi-hal status`'s JSON), spoke-a's none;
//! restarting the broker loses no reading (each spoke's count of readings handed to the
//! broker, logged when it stops, equals what the hub received, from its `/api/snapshot`); a
//! spoke that stops answering
//! shows offline on the page within 1.5 keep-alive periods.
//!
//! It lives here rather than in the `tests` crate because only this crate's tests have the
//! real `wasi-hal` binary (`CARGO_BIN_EXE_wasi-hal`).

#[path = "../../../host/telemetry/tests/support/mosquitto.rs"]
mod mosquitto;

use mosquitto::Mosquitto;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use test_programs_artifacts::{APP_DOORBELL, DRIVER_BME680, DRIVER_BUZZER_GPIO};

/// The spokes' keep-alive: a dead one is declared after 1.5 times this.
const KEEP_ALIVE_S: u64 = 5;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// This test process's folder (removed by [`RemoveOnDrop`] at the end of the test).
fn scratch_root() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fleet-{}", std::process::id()))
}

/// A folder in this test process's folder.
fn scratch(name: &str) -> PathBuf {
    let dir = scratch_root().join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Removes a folder when dropped.
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The doorbell composed with the active-buzzer driver, as `cargo xtask build` composes
/// `compositions/doorbell-buzzer-gpio.wac`.
fn doorbell() -> PathBuf {
    let deps = HashMap::from([
        ("wasi-hal:doorbell".to_string(), PathBuf::from(APP_DOORBELL)),
        (
            "wasi-hal:buzzer-gpio".to_string(),
            PathBuf::from(DRIVER_BUZZER_GPIO),
        ),
    ]);
    let wac = root().join("compositions/doorbell-buzzer-gpio.wac");
    let bytes = wasi_hal_compose::compose_file(&wac, &deps).expect("compose the doorbell");
    let path = scratch("components").join("doorbell.wasm");
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A spoke's node name and what its outdoor BME680 holds: temperature (°C), humidity (%).
const SPOKES: [(&str, f64, f64); 3] = [
    ("spoke-a", 21.5, 40.0),
    ("spoke-b", 18.25, 62.0),
    ("spoke-c", 25.0, 55.5),
];

/// The board and device file of one spoke, from `devices/sim-fleet-node.toml` and its board
/// with this spoke's name, conditions and broker.
fn device_files(node: &str, temperature: f64, humidity: f64, broker: &str, bell: &Path) -> PathBuf {
    let dir = scratch(node);
    let board = std::fs::read_to_string(root().join("devices/sim-fleet-node.board.toml"))
        .unwrap()
        .replace(
            "temperature-c = 8.25",
            &format!("temperature-c = {temperature:?}"),
        )
        .replace(
            "humidity-percent = 81.0",
            &format!("humidity-percent = {humidity:?}"),
        );
    assert!(board.contains(&format!("temperature-c = {temperature:?}")));
    std::fs::write(dir.join("sim-fleet-node.board.toml"), board).unwrap();
    let device = std::fs::read_to_string(root().join("devices/sim-fleet-node.toml"))
        .unwrap()
        .replace("name = \"fleet-node\"", &format!("name = \"{node}\""))
        .replace("mqtt://127.0.0.1:1883", broker)
        .replace(
            "keep-alive-s = 30",
            &format!("keep-alive-s = {KEEP_ALIVE_S}"),
        )
        .replace("poll-every = \"5s\"", "poll-every = \"250ms\"")
        .replace(
            "../target/wasi-hal/components/bme680.wasm",
            &DRIVER_BME680.replace('\\', "/"),
        )
        .replace(
            "../target/wasi-hal/compositions/doorbell-buzzer-gpio.wasm",
            &bell.display().to_string(),
        );
    assert!(device.contains(&format!("name = \"{node}\"")) && device.contains(broker));
    let path = dir.join("device.toml");
    std::fs::write(&path, device).unwrap();
    path
}

/// A `wasi-hal up` process and what it printed.
struct Spoke {
    node: &'static str,
    child: Child,
    status: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
}

impl Spoke {
    fn start(node: &'static str, device: &Path) -> Spoke {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wasi-hal"))
            .arg("up")
            .arg(device)
            .args(["--status", "127.0.0.1:0", "--no-cache"])
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot start wasi-hal up");
        let log = Arc::new(Mutex::new(Vec::new()));
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let sink = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    sink.lock().unwrap().push(line);
                }
            });
        }
        let mut spoke = Spoke {
            node,
            child,
            status: "127.0.0.1:0".parse().unwrap(),
            log,
        };
        let line = spoke.wait_line("^status on http://", Duration::from_secs(60));
        spoke.status = line["status on http://".len()..]
            .trim_end_matches("/status")
            .parse()
            .unwrap_or_else(|e| panic!("{node}: {line}: {e}"));
        spoke
    }

    /// Waits for a line containing `text` (starting with it, when `text` starts with `^`) and
    /// returns it.
    fn wait_line(&mut self, text: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        loop {
            let matches = |l: &&String| match text.strip_prefix('^') {
                Some(prefix) => l.starts_with(prefix),
                None => l.contains(text),
            };
            if let Some(line) = self.log.lock().unwrap().iter().find(matches) {
                return line.clone();
            }
            if let Ok(Some(exit)) = self.child.try_wait() {
                panic!(
                    "{}: wasi-hal up exited ({exit}): {:#?}",
                    self.node,
                    self.log.lock().unwrap()
                );
            }
            assert!(
                Instant::now() < deadline,
                "{}: no `{text}` line in {within:?}; it printed {:#?}",
                self.node,
                self.log.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Its `wasi-hal status --json`.
    fn status(&self) -> Value {
        let out = Command::new(env!("CARGO_BIN_EXE_wasi-hal"))
            .args(["status", "--json", "--addr", &self.status.to_string()])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}: {out:?}", self.node);
        serde_json::from_slice(&out.stdout).unwrap()
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
        let js = std::env::var_os("WASI_HAL_JS_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root().join("host/js"));
        assert!(
            js.join("node_modules/playwright-core").exists(),
            "playwright-core is not installed in {}: run `cargo xtask setup`",
            js.display()
        );
        let mut child = Command::new("node")
            .arg(root().join("host/hub/tests/dashboard.mjs"))
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
                "the page did not show {what} in {within:?}: {nodes:#?}"
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

/// The number at the start of a value as the page shows it (`"21.50 °C"`).
fn shown_number(node: &Value, key: &str) -> Option<f64> {
    node["values"][key]
        .as_str()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Every spoke online with the conditions its simulated BME680 holds.
fn shows_values(nodes: &serde_json::Map<String, Value>) -> bool {
    SPOKES.iter().all(|(node, temperature, humidity)| {
        nodes.get(*node).is_some_and(|n| {
            n["status"] == "online"
                && shown_number(n, "bme680/temperature")
                    .is_some_and(|t| (t - temperature).abs() < 0.1)
                && shown_number(n, "bme680/humidity").is_some_and(|h| (h - humidity).abs() < 0.5)
        })
    })
}

/// A `wasi-hal hub` process.
struct HubProcess {
    child: Child,
    addr: SocketAddr,
}

impl HubProcess {
    fn start(broker: &str) -> HubProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wasi-hal"))
            .args(["hub", "--broker", broker, "--listen", "127.0.0.1:0"])
            .args([
                "--client-id",
                &format!("fleet-test-hub-{}", std::process::id()),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot start wasi-hal hub");
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        let prefix = "wasi-hal hub: dashboard on http://";
        while !line.starts_with(prefix) {
            line.clear();
            assert!(
                stderr.read_line(&mut line).unwrap() > 0,
                "wasi-hal hub exited before it served"
            );
        }
        let addr = line.trim()[prefix.len()..]
            .trim_end_matches('/')
            .parse()
            .unwrap_or_else(|e| panic!("{line}: {e}"));
        // Keep reading what it says, so it never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
        HubProcess { child, addr }
    }

    /// `GET path` from the hub: the body.
    fn get(&self, path: &str) -> String {
        let mut stream = TcpStream::connect(self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(
            !head
                .to_ascii_lowercase()
                .contains("transfer-encoding: chunked"),
            "{head}"
        );
        body.to_string()
    }

    /// Readings the hub received from `node` (each once), from `/api/snapshot`.
    fn received(&self, node: &str) -> u64 {
        let snapshot: Value =
            serde_json::from_str(&self.get("/api/snapshot?history=false")).unwrap();
        let Some(node) = snapshot["nodes"][node].as_object() else {
            return 0;
        };
        node["components"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|c| c["quantities"].as_object().unwrap().values())
            .map(|q| q["received"].as_u64().unwrap())
            .sum()
    }
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `key=NUMBER` in a log line.
fn logged_number(line: &str, key: &str) -> u64 {
    line.split_whitespace()
        .find_map(|w| w.strip_prefix(&format!("{key}=")))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no {key}= in {line}"))
}

#[test]
fn three_wasi_hal_up_spokes_a_hub_and_the_dashboard() {
    let _scratch = RemoveOnDrop(scratch_root());
    let mut broker = Mosquitto::start_new("fleet");
    let assets = root().join("target/wasi-hal/hub");
    let charts = assets.join("uPlot.iife.min.js").exists();
    if !charts {
        eprintln!(
            "note: {} has no chart library (`cargo xtask build` builds it): charts not checked",
            assets.display()
        );
    }
    let hub = HubProcess::start(&broker.url());
    let url = format!("http://{}/", hub.addr);

    let bell = doorbell();
    let mut spokes: Vec<Spoke> = SPOKES
        .iter()
        .map(|&(node, t, h)| Spoke::start(node, &device_files(node, t, h, &broker.url(), &bell)))
        .collect();
    for spoke in &mut spokes {
        spoke.wait_line("connected to the broker", Duration::from_secs(30));
    }

    let mut browser = Browser::start();
    {
        browser.ask(json!({"op": "open", "url": url}));
        browser.wait_for(
            "three nodes with their sensors' values",
            Duration::from_secs(20),
            shows_values,
        );
        let nodes = browser.nodes();
        for (node, _, _) in SPOKES {
            assert_eq!(nodes[node]["commands"], json!(["bell/ring"]), "{node}");
            if charts {
                assert!(
                    nodes[node]["charts"].as_u64().unwrap() >= 2,
                    "{:?}",
                    nodes[node]
                );
            }
        }
        let shot = if std::env::var_os("WASI_HAL_UPDATE_SCREENSHOTS").is_some() {
            root().join("docs/images/fleet-dashboard.png")
        } else {
            scratch("page").join("dashboard.png")
        };
        browser.ask(json!({"op": "screenshot", "path": shot}));
        let png = std::fs::read(&shot).unwrap();
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 10_000,
            "{}",
            shot.display()
        );

        // A ring from the page reaches spoke-b's doorbell: its simulated buzzer records the
        // two beeps of one ring; spoke-a's stays silent.
        let answer = browser.ask(json!({
            "op": "command", "node": "spoke-b", "component": "bell",
            "command": "ring", "payload": "1"
        }));
        assert_eq!(answer["result"], "sent", "{answer}");
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let status = spokes[1].status();
            let buzzer = &status["buzzers"][0];
            if buzzer["played"] == 2 {
                let tones = buzzer["tones"].as_array().unwrap();
                assert!(tones.iter().all(|t| t["frequency_hz"] == 2300), "{buzzer}");
                assert_eq!(status["telemetry"]["commands_done"], 1, "{status}");
                break;
            }
            assert!(
                Instant::now() < deadline,
                "spoke-b's buzzer did not ring: {status}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        assert_eq!(spokes[0].status()["buzzers"][0]["played"], 0);
    };

    // The broker restarts: the spokes queue, the hub's session keeps what arrives for it.
    broker.stop();
    std::thread::sleep(Duration::from_secs(1));
    broker.start();
    browser.wait_for("the nodes back", Duration::from_secs(20), shows_values);
    std::thread::sleep(Duration::from_secs(1));

    // A spoke that stops answering (frozen, or its network gone: its connection stays open
    // and silent) goes offline on the page once nothing was heard from it for 1.5 keep-alive
    // periods. (A spoke whose process dies outright closes its connection, and the broker
    // sends its will at once.)
    let frozen = Instant::now();
    spokes[2].signal(libc::SIGSTOP);
    let offline_after = {
        browser.wait_for("spoke-c offline", Duration::from_secs(15), |nodes| {
            nodes["spoke-c"]["status"] == "offline"
        });
        frozen.elapsed()
    };
    eprintln!("spoke-c showed offline {offline_after:?} after it was frozen");
    // 1.5 keep-alive periods, and the time the hub (4 checks a second) and the page (polled
    // every 100 ms) take.
    let limit = Duration::from_millis(KEEP_ALIVE_S * 1500 + 500);
    assert!(
        offline_after <= limit,
        "spoke-c took {offline_after:?} to show offline (limit {limit:?})"
    );
    assert!(
        offline_after >= Duration::from_secs(KEEP_ALIVE_S),
        "spoke-c showed offline after only {offline_after:?}"
    );
    let nodes = browser.nodes();
    assert_eq!(nodes["spoke-a"]["status"], "online");
    assert_eq!(nodes["spoke-b"]["status"], "online");

    // Every reading the others handed to the broker, through the restart, is in the hub:
    // counted. Each logs its count when it stops (SIGTERM: queued readings are flushed).
    spokes[2].signal(libc::SIGKILL);
    for spoke in &spokes[..2] {
        spoke.signal(libc::SIGTERM);
    }
    for spoke in &mut spokes[..2] {
        let line = spoke.wait_line("telemetry stopped", Duration::from_secs(20));
        let sent = logged_number(&line, "sent");
        assert!(sent > 0, "{}: {line}", spoke.node);
        assert_eq!(
            (
                logged_number(&line, "delivered"),
                logged_number(&line, "queued"),
                logged_number(&line, "dropped")
            ),
            (sent, 0, 0),
            "{}: {line}",
            spoke.node
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        while hub.received(spoke.node) < sent && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert_eq!(hub.received(spoke.node), sent, "{}: {line}", spoke.node);
        eprintln!(
            "{}: sent {sent}, the hub received {}",
            spoke.node,
            hub.received(spoke.node)
        );
        let exit = spoke.child.wait().unwrap();
        assert!(exit.success(), "{}: {exit}", spoke.node);
    }
    drop(browser);
    drop(spokes);
    drop(hub);
}
