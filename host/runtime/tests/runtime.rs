//! The device runtime with real components through real Wasmtime, on the simulated weather
//! node (`devices/sim-weather-node.board.toml`), in virtual time: isolation of faulty
//! components, grants enforced by the host, restarts with the documented backoff, a clean stop
//! with every output at its safe level.
//!
//! The weather app is composed here from the app and driver components the tests build, as
//! `cargo xtask build` does, so the tests never depend on a build having run. Its golden frame
//! is `tests/golden/weather-after-60s.png`; `UPDATE_GOLDEN=1 cargo test -p wasi-hal-runtime
//! --test runtime` writes it (look at what you write).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;
use test_programs_artifacts::*;
use wasi_hal_runtime::{ComponentState, Control, Device, DeviceStatus, UpOptions};

// Every program of the `runtime` test-program crate must have a test below.
macro_rules! assert_test_exists {
    ($name:ident) => {
        #[expect(unused_imports, reason = "only checks that the test exists")]
        use self::$name as _;
    };
}
foreach_runtime!(assert_test_exists);

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("wasi-hal-runtime-tests-{}", std::process::id()))
        .join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The weather station composed with its BME680 and SSD1306 drivers, once per test process.
fn weather_station() -> &'static Path {
    static DONE: OnceLock<PathBuf> = OnceLock::new();
    DONE.get_or_init(|| {
        let deps = HashMap::from([
            (
                "wasi-hal:weather-station".to_string(),
                PathBuf::from(APP_WEATHER_STATION),
            ),
            ("wasi-hal:bme680".to_string(), PathBuf::from(DRIVER_BME680)),
            (
                "wasi-hal:ssd1306-i2c".to_string(),
                PathBuf::from(DRIVER_SSD1306_I2C),
            ),
        ]);
        let wac = repo().join("compositions/weather-bme680-ssd1306.wac");
        let bytes = wasi_hal_compose::compose_file(&wac, &deps).expect("compose the weather app");
        let path = temp("components").join("weather.wasm");
        std::fs::write(&path, bytes).unwrap();
        path
    })
}

/// A device file on the weather node's board with `components` (TOML of `[component.*]`
/// tables; `{weather}` and `{name}` of artifacts are replaced by their paths).
fn device_file(dir: &str, components: &str) -> PathBuf {
    let board = repo().join("devices/sim-weather-node.board.toml");
    let text = format!(
        "[device]\nname = \"node\"\nboard = {:?}\n\n{}",
        board.display().to_string(),
        components
            .replace("{weather}", &weather_station().display().to_string())
            .replace("{bme680}", DRIVER_BME680)
            .replace("{blink_then_trap}", RUNTIME_BLINK_THEN_TRAP)
            .replace("{chatter}", RUNTIME_CHATTER)
            .replace("{spin}", CLI_SPIN)
            .replace("{grow}", CLI_GROW)
    );
    let path = temp(dir).join("device.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn up(path: &Path, max_time: Duration) -> (Device, DeviceStatus) {
    let mut device = Device::load(UpOptions {
        device: path.to_owned(),
        cache: Some(temp("cache")),
        virtual_time: true,
        max_time: Some(max_time),
        status: None,
        supply_cache: Some(temp("supply")),
    })
    .unwrap_or_else(|e| panic!("{e:#}"));
    let status = device.run(&Control::default()).expect("the device runs");
    (device, status)
}

const WEATHER: &str =
    "[component.weather]\npath = \"{weather}\"\ngrants = [\"i2c0@0x3c\", \"i2c0@0x76\"]\n\n";
const OUTDOOR: &str = "[component.outdoor]\npath = \"{bme680}\"\nkind = \"sensor\"\npoll-every = \"5s\"\n\
    grants = [\"i2c0@0x77\"]\nmemory-limit = \"4 MiB\"\n[component.outdoor.config]\n\"sensor.address\" = 0x77\n\n";
const BLINKER: &str = "[component.blinker]\npath = \"{blink_then_trap}\"\ngrants = [\"led\"]\nmemory-limit = \"4 MiB\"\n\
    [component.blinker.restart]\ninitial-backoff = \"1s\"\nmax-backoff = \"8s\"\nlimit = 3\nwindow = \"1m\"\n\n";
const SPINNER: &str = "[component.spinner]\npath = \"{spin}\"\nmemory-limit = \"4 MiB\"\n[component.spinner.restart]\npolicy = \"never\"\n\n";
const GROWER: &str = "[component.grower]\npath = \"{grow}\"\nmemory-limit = \"8 MiB\"\n[component.grower.restart]\npolicy = \"never\"\n\n";

/// The acceptance test of issue 17: a polled BME680, the weather app on the shared I2C bus,
/// and three faulty neighbours, for a minute of virtual time.
#[test]
fn faulty_neighbours_do_not_disturb_the_sensor_or_the_weather_app() {
    let path = device_file(
        "acceptance",
        &format!("{WEATHER}{OUTDOOR}{BLINKER}{SPINNER}{GROWER}"),
    );
    let (device, status) = up(&path, Duration::from_secs(60));
    let component = |name: &str| status.component(name).expect(name).clone();

    // The sensor: polled on schedule (every 5 s exactly, none missed) and its readings are the
    // outdoor BME680's conditions.
    let outdoor = component("outdoor");
    assert_eq!(outdoor.state, ComponentState::Stopped, "{outdoor:?}");
    assert_eq!(
        (outdoor.restarts, outdoor.missed_polls),
        (0, 0),
        "{outdoor:?}"
    );
    assert!(outdoor.polls >= 12, "{outdoor:?}");
    let temperatures: Vec<_> = outdoor
        .history()
        .filter(|r| r.quantity == "temperature")
        .collect();
    assert_eq!(temperatures.len() as u64, outdoor.polls);
    for pair in temperatures.windows(2) {
        assert_eq!(pair[1].timestamp - pair[0].timestamp, 5_000, "{pair:?}");
    }
    let last = temperatures.last().unwrap();
    assert!((last.value - 8.25).abs() < 0.1, "{last:?}");
    assert_eq!((last.node.as_str(), last.unit.as_str()), ("node", "°C"));

    // The weather app kept running and drawing: its frame after a minute is the golden one.
    let weather = component("weather");
    assert_eq!(
        (weather.state, weather.restarts),
        (ComponentState::Stopped, 0),
        "{weather:?}"
    );
    assert!(weather.last_error.is_none(), "{weather:?}");
    let sim = device.board().simulated().unwrap();
    check_golden("weather-after-60s", &sim.frame("display").unwrap());

    // The trapping one: restarted after 1 s, 2 s and 4 s (each run blinks for 1 s, then
    // traps), then marked failed at its limit of 3 restarts; its LED back at the safe level.
    let blinker = component("blinker");
    assert_eq!(
        (blinker.state, blinker.restarts),
        (ComponentState::Failed, 3),
        "{blinker:?}"
    );
    assert!(
        blinker
            .last_error
            .as_deref()
            .unwrap()
            .contains("unreachable"),
        "{blinker:?}"
    );
    let failures = &blinker.recent_failures_ms;
    assert_eq!(failures.len(), 4, "{blinker:?}");
    let gaps: Vec<u64> = failures.windows(2).map(|w| w[1] - w[0]).collect();
    for (gap, backoff) in gaps.iter().zip([1_000, 2_000, 4_000]) {
        // The backoff, then one run of 1 s, plus the virtual CPU time it is charged when it is
        // preempted (wall time: at most a few tens of milliseconds on a loaded machine).
        assert!((backoff + 1_000..backoff + 1_500).contains(gap), "{gaps:?}");
    }
    assert!(
        !sim.led("status").unwrap().is_lit(),
        "the LED is at its safe level (off)"
    );

    // The spinning one was preempted again and again and never failed.
    let spinner = component("spinner");
    assert_eq!(spinner.state, ComponentState::Stopped, "{spinner:?}");
    assert!(spinner.preemptions > 100, "{spinner:?}");
    assert!(spinner.last_error.is_none());

    // The memory grower was stopped at its limit.
    let grower = component("grower");
    assert_eq!(grower.state, ComponentState::Failed, "{grower:?}");
    assert!(
        grower
            .last_error
            .as_deref()
            .unwrap()
            .contains("memory limit"),
        "{grower:?}"
    );
    assert!(
        grower.last_error.as_deref().unwrap().contains("8192 KiB"),
        "{grower:?}"
    );
}

/// Compares `frame` with `tests/golden/NAME.png`, or writes it with `UPDATE_GOLDEN=1`.
fn check_golden(name: &str, frame: &wasi_hal_sim::Frame) {
    let image = image::RgbImage::from_raw(frame.width, frame.height, frame.rgb.clone()).unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/golden/{name}.png"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        image.save(&path).unwrap();
        return;
    }
    let golden = image::open(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()))
        .to_rgb8();
    assert!(
        frame.rgb.iter().any(|&b| b > 0),
        "the display shows nothing"
    );
    assert!(golden == image, "the frame differs from {}", path.display());
}

/// The program that traps: before each restart the host has put its LED back off (the
/// safe level), at the moment the failed instance was dropped, not at the restart.
#[test]
fn runtime_blink_then_trap() {
    let path = device_file("blinker", BLINKER);
    let mut device = Device::load(UpOptions {
        device: path,
        cache: Some(temp("cache")),
        virtual_time: true,
        max_time: Some(Duration::from_secs(30)),
        status: None,
        supply_cache: Some(temp("supply")),
    })
    .unwrap();
    let sim = device.board().simulated().unwrap();
    sim.trace().enable();
    let trace = sim.trace().clone();
    let status = device.run(&Control::default()).unwrap();
    let blinker = status.component("blinker").unwrap();
    assert_eq!(
        (blinker.state, blinker.restarts),
        (ComponentState::Failed, 3)
    );
    let edges: Vec<(u64, bool)> = trace
        .events()
        .into_iter()
        .filter_map(|e| match e.kind {
            wasi_hal_sim::TraceKind::Gpio { line, high } if line == "led" => {
                Some((e.time_ns / 1_000_000, high))
            }
            _ => None,
        })
        .collect();
    // Per run: 5 blinks (on, off) then on, and the trap; then off from the host.
    assert_eq!(edges.len(), 4 * 12, "{edges:?}");
    for (run, failed_at) in blinker.recent_failures_ms.iter().enumerate() {
        let edges = &edges[run * 12..run * 12 + 12];
        assert!(edges[10].1, "run {run} traps with the LED on: {edges:?}");
        assert_eq!(
            edges[11],
            (*failed_at, false),
            "run {run}: off when it failed: {edges:?}"
        );
    }
}

/// A component that prints a line every millisecond: what is logged is bounded by the rate
/// limit, and the rest is counted as dropped.
#[test]
fn runtime_chatter() {
    let path = device_file(
        "chatter",
        "[component.chatter]\npath = \"{chatter}\"\nmemory-limit = \"4 MiB\"\n",
    );
    let started = std::time::Instant::now();
    let (_, status) = up(&path, Duration::from_secs(5));
    let wall = started.elapsed().as_secs_f64();
    let chatter = status.component("chatter").unwrap();
    assert_eq!(chatter.state, ComponentState::Stopped, "{chatter:?}");
    // Thousands of lines were printed in 5 s of virtual time, one a millisecond.
    assert!(
        chatter.log_lines + chatter.log_lines_dropped > 4000,
        "{chatter:?}"
    );
    let budget =
        wasi_hal_runtime::output::BURST_LINES + wasi_hal_runtime::output::LINES_PER_SECOND * wall;
    assert!(
        chatter.log_lines as f64 <= budget + 1.0,
        "{chatter:?} in {wall} s"
    );
    assert!(chatter.log_lines >= wasi_hal_runtime::output::BURST_LINES as u64);
}

/// A component is refused at load when it needs a name it was not granted, and the host
/// refuses at run time what it was not granted (an I2C address of the shared bus).
#[test]
fn grants_are_checked_at_load_and_enforced_by_the_host() {
    // The weather app opens i2c0; granted only the LED, it is refused before anything runs.
    let path = device_file(
        "ungranted",
        "[component.weather]\npath = \"{weather}\"\ngrants = [\"led\"]\n",
    );
    let error = Device::load(UpOptions {
        device: path.clone(),
        ..UpOptions::default()
    })
    .unwrap_err();
    let text = format!("{error:#}");
    assert!(
        text.contains("component `weather` has imports that its grants cannot satisfy"),
        "{text}"
    );
    assert!(text.contains("wasi:i2c/i2c@0.1.0"), "{text}");
    assert!(text.contains("it is granted: led"), "{text}");
    assert!(Device::check(&path).is_err());

    // The sensor driver configured for 0x76 (the weather app's sensor) but granted only 0x77:
    // the host refuses its first transaction, so the sensor never opens.
    let path = device_file(
        "wrong-address",
        "[component.outdoor]\npath = \"{bme680}\"\nkind = \"sensor\"\npoll-every = \"1s\"\n\
         grants = [\"i2c0@0x77\"]\n[component.outdoor.restart]\npolicy = \"never\"\n",
    );
    let (_, status) = up(&path, Duration::from_secs(5));
    let outdoor = status.component("outdoor").unwrap();
    assert_eq!(outdoor.state, ComponentState::Failed, "{outdoor:?}");
    assert_eq!(outdoor.polls, 0);
    let error = outdoor.last_error.as_deref().unwrap();
    assert!(error.contains("the sensor did not open"), "{error}");
    assert!(error.contains("not-permitted"), "{error}");
}

/// Stopping mid-run (what SIGTERM and SIGINT do, and the end of `--max-time`) puts every
/// output at its safe level: the LED, on from 0 ms to 100 ms, goes off at the stop at 50 ms.
#[test]
fn stopping_puts_outputs_at_their_safe_levels() {
    let path = device_file("stop", BLINKER);
    let mut device = Device::load(UpOptions {
        device: path,
        cache: Some(temp("cache")),
        virtual_time: true,
        max_time: Some(Duration::from_millis(50)),
        status: None,
        supply_cache: Some(temp("supply")),
    })
    .unwrap();
    let sim = device.board().simulated().unwrap();
    sim.trace().enable();
    let trace = sim.trace().clone();
    let line = sim.line("led").unwrap();
    let status = device.run(&Control::default()).unwrap();
    assert_eq!(
        status.component("blinker").unwrap().state,
        ComponentState::Stopped
    );
    let edges: Vec<(u64, bool)> = trace
        .events()
        .into_iter()
        .filter_map(|e| match e.kind {
            wasi_hal_sim::TraceKind::Gpio { line, high } if line == "led" => {
                Some((e.time_ns / 1_000_000, high))
            }
            _ => None,
        })
        .collect();
    assert_eq!(edges, [(0, true), (50, false)]);
    assert!(!line.is_high_now());
}
