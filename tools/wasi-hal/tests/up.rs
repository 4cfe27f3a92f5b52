//! `wasi-hal up` and `wasi-hal status` as processes: `--check`, the status over HTTP, SIGHUP
//! reloading only the component that changed, SIGTERM ending the device cleanly with exit 0.
//! (That the outputs are at their safe levels after a stop is checked in-process, where the
//! simulated LED can be looked at: `host/runtime/tests/runtime.rs`.)

#[allow(dead_code, reason = "the other test binaries use all of it")]
mod common;
use common::{repo, temp};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use test_programs_artifacts::DRIVER_BME680;
use wasi_hal_runtime::DeviceStatus;

const BIN: &str = env!("CARGO_BIN_EXE_wasi-hal");

/// Two BME680 sensor components on the weather node's shared bus, `indoor` polled every 200 ms
/// and `outdoor` every `outdoor_period`.
fn write_device(path: &Path, outdoor_period: &str) {
    let board = repo().join("devices/sim-weather-node.board.toml");
    let text = format!(
        "[device]\nname = \"node\"\nboard = {board:?}\n\n\
         [component.indoor]\npath = {DRIVER_BME680:?}\nkind = \"sensor\"\npoll-every = \"200ms\"\n\
         grants = [\"i2c0@0x76\"]\n\n\
         [component.outdoor]\npath = {DRIVER_BME680:?}\nkind = \"sensor\"\npoll-every = {outdoor_period:?}\n\
         grants = [\"i2c0@0x77\"]\n[component.outdoor.config]\n\"sensor.address\" = 0x77\n",
        board = board.display().to_string()
    );
    std::fs::write(path, text).unwrap();
}

/// A running `wasi-hal up`, killed if the test fails half-way.
struct Up {
    child: Child,
    addr: SocketAddr,
    /// Kept open: the device may print more.
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Drop for Up {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(device: &Path) -> Up {
    let mut child = Command::new(BIN)
        .args(["up", "--status", "127.0.0.1:0"])
        .arg(device)
        .env("WASI_HAL_CACHE", temp("cache"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("status on http://")
        .and_then(|rest| rest.strip_suffix("/status"))
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .parse()
        .unwrap();
    Up {
        child,
        addr,
        _stdout: stdout,
    }
}

fn status(addr: SocketAddr) -> DeviceStatus {
    serde_json::from_str(&wasi_hal::status_client::get_status(addr).unwrap()).unwrap()
}

/// Waits (at most 20 s) until `ready` holds for the status.
fn wait_for(addr: SocketAddr, what: &str, ready: impl Fn(&DeviceStatus) -> bool) -> DeviceStatus {
    let start = Instant::now();
    loop {
        let status = status(addr);
        if ready(&status) {
            return status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{what}: {status:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn polls(status: &DeviceStatus, name: &str) -> u64 {
    status.component(name).map_or(0, |c| c.polls)
}

fn signal(child: &Child, name: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{name}");
}

#[test]
fn sighup_restarts_only_what_changed_and_sigterm_exits_0() {
    let device: PathBuf = temp("reload.toml");
    write_device(&device, "300ms");
    let mut up = start(&device);
    let before = wait_for(up.addr, "both sensors polled", |s| {
        polls(s, "indoor") >= 3 && polls(s, "outdoor") >= 3
    });
    // The human view and the JSON view of `wasi-hal status`.
    let shown = Command::new(BIN)
        .args(["status", "--addr", &up.addr.to_string()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(shown.status.success(), "{text}");
    assert!(
        text.contains("indoor") && text.contains("sensor") && text.contains("running"),
        "{text}"
    );
    assert!(text.contains("temperature 8.25 °C"), "{text}");

    // Edit one component and reload: it starts again (its poll count from zero), the other
    // keeps counting.
    write_device(&device, "250ms");
    let indoor_before = polls(&before, "indoor");
    signal(&up.child, "HUP");
    let after = wait_for(up.addr, "outdoor restarted", |s| {
        s.component("outdoor")
            .is_some_and(|c| c.polls >= 1 && c.polls < polls(&before, "outdoor"))
    });
    let indoor = after.component("indoor").unwrap();
    assert!(indoor.polls > indoor_before, "{after:?}");
    assert!(
        indoor.uptime_ms > before.component("indoor").unwrap().uptime_ms,
        "{after:?}"
    );
    assert!(
        after.component("outdoor").unwrap().uptime_ms < indoor.uptime_ms,
        "{after:?}"
    );

    signal(&up.child, "TERM");
    let exit = up.child.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(up.child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert_eq!(exit.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("GPIO outputs were restored to their safe levels"),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("stopped for the reload").count(),
        1,
        "{stderr}"
    );
}

#[test]
fn up_check_validates_without_running() {
    let device = temp("check.toml");
    write_device(&device, "1s");
    let out = Command::new(BIN)
        .args(["up", "--check"])
        .arg(&device)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("outdoor: sensor every 1s, grants [i2c0@0x77]"),
        "{stdout}"
    );

    // Granted an address the board has, but that another component holds.
    let text = std::fs::read_to_string(&device)
        .unwrap()
        .replace("grants = [\"i2c0@0x77\"]", "grants = [\"i2c0@0x76\"]");
    std::fs::write(&device, text).unwrap();
    let out = Command::new(BIN)
        .args(["up", "--check"])
        .arg(&device)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("key `component.outdoor.grants[0]`: `i2c0@0x76` is already granted to the component `indoor`"),
        "{stderr}"
    );
}
