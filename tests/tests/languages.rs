//! Guests written in Python (componentize-py) and JavaScript (componentize-js), through a real
//! Wasmtime with the real host crates, on the simulated boards.
//!
//! `cargo xtask build` makes them (`drivers/*/python-component.toml` with componentize-py from
//! the tool cache, `apps/*/package.json` with the componentize-js its lock file pins) into
//! `target/wasi-hal/components/`; `cargo xtask test` builds before it tests, so these tests read
//! them from there and say so when they are missing.
//!
//! - **`bme680-py`**, a BME680 driver in Python, on `boards/sim-weather.toml`: its measurement is
//!   the simulated part's conditions (the board file's 21.5 degC, 101 325 Pa, 45 %RH) within the
//!   part's resolution, and its bus traffic is the datasheet's forced-mode flow. WASI is linked
//!   as `wasi-hal run` links it, with nothing granted (no files, no environment, no network).
//! - **Three languages in one composition**: the JavaScript app `climate-bars-js` plugged into
//!   the Python driver and the Rust `ssd1306-i2c` driver with the real `wac`, made a command by
//!   `run-command-adapter`, run by `wasi-hal run` on the same board: each bar is as wide as its
//!   quantity's share of the display, computed here from the board's conditions.
//! - **A Python app on Rust drivers**: `climate-alert-py` composed by
//!   `compositions/climate-alert-py-bme680-ssd1306-buzzer-gpio.wac` with the Rust `bme680`,
//!   `ssd1306-i2c` and `buzzer-gpio` drivers, on `boards/sim-climate-alert.toml` at three room
//!   temperatures: golden frames (`tests/golden/<composition>/*.png`, `UPDATE_GOLDEN=1` writes
//!   them), the same screenshot and bus trace run after run, the alarm's beeps as GPIO edges, and
//!   the BME680's traffic transaction for transaction that of the Rust-only weather station.
//! - **A Rust app on the Python driver**: the weather station on `bme680-py`
//!   (`compositions/weather-bme680-py-ssd1306.wac`) shows the pictures of the Rust-only
//!   composition and sends the display the same bytes, when the Rust BME680 driver is set to
//!   measure as the Python one does (no heater, no filter, no oversampling).
//! - **On the device runtime**: `devices/sim-climate-node.toml` as `wasi-hal up` runs it, the
//!   Python app composed with the Rust drivers beside the Python BME680 driver polled as a
//!   sensor on the same I2C bus: the app's golden frame and the outdoor part's conditions.
//! - **Nothing granted**: the Python test program `probe-py` tries to read and write files, list
//!   a folder, read the environment, connect to a listening TCP port and resolve a name; each
//!   attempt fails and the port sees no connection.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;
use test_programs_artifacts::{
    ADAPTER_RUN_COMMAND_ADAPTER, APP_WEATHER_STATION, DRIVER_BME680, DRIVER_BUZZER_GPIO,
    DRIVER_SSD1306_I2C,
};
use wasi_hal::{Outcome, RunOptions};
use wasi_hal_board::Board;
use wasi_hal_tests::WasiHalHost;
use wasi_hal_tests::root;

use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::WasiCtx;

mod bindings {
    wasmtime::component::bindgen!({
        path: "../wit/sensor-environment",
        world: "sensor:environment/driver",
    });
}

use bindings::exports::sensor::environment::environment::Quantities;

/// A Python or JavaScript guest built by `cargo xtask build`.
fn built_guest(name: &str) -> PathBuf {
    let path = root()
        .join("target/wasi-hal/components")
        .join(format!("{name}.wasm"));
    assert!(
        path.exists(),
        "{} is missing: `cargo xtask build` builds the Python and JavaScript guests (with \
         python3 and Node.js)",
        path.display()
    );
    path
}

/// The engine and the linker of the Python guests' stores.
fn engine_and_linker() -> &'static (Engine, Linker<WasiHalHost>) {
    static CELL: OnceLock<(Engine, Linker<WasiHalHost>)> = OnceLock::new();
    CELL.get_or_init(|| {
        let mut config = Config::new();
        config.parallel_compilation(true);
        let engine = Engine::new(&config).unwrap();
        let mut linker = Linker::new(&engine);
        wasi_hal_linker::add_to_linker_sync(&mut linker).unwrap();
        (engine, linker)
    })
}

/// The engine and linker, and the driver compiled once (a Python component is tens of
/// megabytes: compiling it is most of these tests' time).
fn driver() -> (
    &'static Engine,
    &'static Linker<WasiHalHost>,
    &'static Component,
) {
    static CELL: OnceLock<Component> = OnceLock::new();
    let (engine, linker) = engine_and_linker();
    let component =
        CELL.get_or_init(|| Component::from_file(engine, built_guest("bme680-py")).unwrap());
    (engine, linker, component)
}

#[test]
fn the_python_bme680_driver_measures_the_simulated_conditions() {
    let board = Board::load(root().join("boards/sim-weather.toml")).unwrap();
    let sim = board.simulated().expect("a simulated board");
    sim.trace().enable();
    let (engine, linker, component) = driver();
    let state = WasiHalHost {
        table: ResourceTable::new(),
        // Nothing granted: no preopened folder, no environment, no arguments, no network.
        wasi: WasiCtx::builder().build(),
        hal: board.guest_ctx(),
    };
    let mut store = Store::new(engine, state);
    let driver = bindings::Driver::instantiate(&mut store, component, linker).unwrap();
    let env = driver.sensor_environment_environment();
    let sensor = env
        .call_open(&mut store)
        .expect("the driver trapped")
        .expect("the driver opens the sensor");
    let info = env
        .sensor()
        .call_get_info(&mut store, sensor)
        .expect("the driver trapped");
    assert_eq!(info.model, "BME680 (Python driver)");
    assert_eq!(
        info.quantities,
        Quantities::TEMPERATURE | Quantities::PRESSURE | Quantities::HUMIDITY
    );
    for _ in 0..3 {
        let m = env
            .sensor()
            .call_measure(&mut store, sensor)
            .expect("the driver trapped")
            .expect("a measurement");
        let t = m.temperature_celsius.expect("a temperature");
        let p = m.pressure_pa.expect("a pressure");
        let h = m.humidity_percent.expect("a humidity");
        // The board file's conditions, within the part's resolution at 1x oversampling.
        assert!((t - 21.5).abs() <= 0.02, "temperature {t}");
        assert!((p - 101_325.0).abs() <= 3.0, "pressure {p}");
        assert!((h - 45.0).abs() <= 0.05, "humidity {h}");
        assert_eq!(m.gas_resistance_ohm, None, "the heater is off");
    }

    // The datasheet's flow on the wire: the chip id, the soft reset, the three calibration
    // blocks, the settings, then per measurement a forced-mode write and the field read.
    let events = sim.trace().take();
    let wire: Vec<String> = events
        .iter()
        .filter_map(|e| match &e.kind {
            wasi_hal_sim::TraceKind::I2c { address, ops, .. } => {
                Some(format!("{address:#04x} {ops:?}"))
            }
            _ => None,
        })
        .collect();
    assert!(wire.len() >= 9, "{wire:#?}");
    assert!(
        wire[0].starts_with("0x76") && wire[0].contains("[208]"),
        "chip id first: {wire:#?}"
    );
    assert!(
        wire[1].contains("[224, 182]"),
        "then the soft reset: {wire:#?}"
    );
    let forced = wire.iter().filter(|w| w.contains("[116, 37]")).count();
    assert_eq!(
        forced, 3,
        "one forced-mode write (0x74 = 0x25) per measurement: {wire:#?}"
    );
}

#[test]
fn a_javascript_app_draws_what_the_python_driver_measures_through_the_rust_display_driver() {
    let dir = root()
        .join("target/tmp")
        .join(format!("languages-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let app = dir.join("climate-bars-on-drivers.wasm");
    let command = dir.join("climate-bars-command.wasm");
    wasi_hal_tests::wac_plug(
        &built_guest("climate-bars-js"),
        &[&built_guest("bme680-py"), Path::new(DRIVER_SSD1306_I2C)],
        &app,
    );
    wasi_hal_tests::wac_plug(Path::new(ADAPTER_RUN_COMMAND_ADAPTER), &[&app], &command);

    let screenshot = dir.join("screenshot.png");
    let outcome = wasi_hal::run(&RunOptions {
        component: command,
        board: root().join("boards/sim-weather.toml"),
        // It draws once a simulated second, for ever: three seconds are three pictures.
        max_time: Some(Duration::from_secs(3)),
        screenshot: Some(screenshot.clone()),
        ..RunOptions::default()
    })
    .expect("the run starts");
    assert!(
        matches!(outcome, Outcome::Stopped(_)),
        "the run ended with {outcome:?}"
    );

    // The bars of the board file's conditions on the 128x64 panel: 21.5 of 0..40 degC, 45 of
    // 0..100 %RH, 1013.25 of 950..1050 hPa; each 12 rows high from row 16n + 2.
    let frame = wasi_hal_sim_render::load_png(&screenshot).unwrap();
    assert_eq!((frame.width, frame.height), (128, 64));
    let expected = [
        (21.5f64 / 40.0 * 128.0).round() as u32,
        (45.0f64 / 100.0 * 128.0).round() as u32,
        ((1013.25f64 - 950.0) / 100.0 * 128.0).round() as u32,
    ];
    for (row, width) in expected.iter().enumerate() {
        for y in (row as u32 * 16)..(row as u32 * 16 + 16) {
            let in_bar_rows = (row as u32 * 16 + 2..row as u32 * 16 + 14).contains(&y);
            for x in 0..128 {
                let lit = frame.pixel(x, y).unwrap() != [0, 0, 0];
                assert_eq!(
                    lit,
                    in_bar_rows && x < *width,
                    "pixel ({x}, {y}): bar {row} should be {width} pixels wide"
                );
            }
        }
    }
    for y in 48..64 {
        for x in 0..128 {
            assert_eq!(
                frame.pixel(x, y).unwrap(),
                [0, 0, 0],
                "pixel ({x}, {y}) below the bars"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A scratch folder for one test, emptied first.
fn scratch(label: &str) -> PathBuf {
    let dir = root()
        .join("target/tmp")
        .join(format!("languages-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Composes `compositions/<name>.wac` with `wasi-hal-compose` from `deps` (package name,
/// component file) into `dir`.
fn compose(name: &str, deps: &[(&str, &Path)], dir: &Path) -> PathBuf {
    let path = dir.join(format!("{name}.wasm"));
    std::fs::write(&path, wasi_hal_tests::compose(name, deps)).unwrap();
    path
}

/// The precompiled-component cache these tests share (a Python component takes tens of seconds
/// to compile in a debug build; the cache is keyed by the engine and the component's digest).
fn compiled_cache() -> PathBuf {
    root().join("target/tmp/languages-compiled")
}

/// What a run left: the screenshot's pixels and the bus trace's events.
struct Run {
    /// The last frame of the board's display.
    frame: wasi_hal_sim::Frame,
    /// Every bus transaction and GPIO edge, in order.
    trace: Vec<Value>,
}

/// Runs `component` on `board` with `wasi_hal::run` (the library behind `wasi-hal run`) for
/// `frames` frames or `max_time` of simulated time, with a screenshot and a trace.
fn run(
    component: &Path,
    board: &Path,
    frames: Option<u64>,
    max_time: Option<Duration>,
    dir: &Path,
) -> Run {
    let screenshot = dir.join("screenshot.png");
    let trace = dir.join("trace.jsonl");
    let outcome = wasi_hal::run(&RunOptions {
        component: component.to_path_buf(),
        board: board.to_path_buf(),
        frames,
        max_time,
        screenshot: Some(screenshot.clone()),
        trace: Some(trace.clone()),
        cache: Some(compiled_cache()),
        ..RunOptions::default()
    })
    .expect("the run starts");
    match (frames, &outcome) {
        (Some(_), Outcome::Success) | (None, Outcome::Stopped(_)) => {}
        _ => panic!(
            "{} on {} ended with {outcome:?}",
            component.display(),
            board.display()
        ),
    }
    let run = Run {
        frame: wasi_hal_sim_render::load_png(&screenshot).unwrap(),
        trace: std::fs::read_to_string(&trace)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect(),
    };
    let _ = std::fs::remove_file(screenshot);
    let _ = std::fs::remove_file(trace);
    run
}

/// The operations of every I2C transaction to `address`, in order, without their times.
fn i2c_ops(trace: &[Value], address: u8) -> Vec<Value> {
    trace
        .iter()
        .filter(|e| e["kind"] == "i2c" && e["address"] == address)
        .map(|e| e["ops"].clone())
        .collect()
}

/// The edges of the GPIO line `line`: (time in ns, high).
fn edges(trace: &[Value], line: &str) -> Vec<(u64, bool)> {
    trace
        .iter()
        .filter(|e| e["kind"] == "gpio" && e["line"] == line)
        .map(|e| (e["time_ns"].as_u64().unwrap(), e["high"].as_bool().unwrap()))
        .collect()
}

/// Checks `frame` against `tests/golden/<folder>/<name>.png` pixel for pixel (or writes it,
/// with `UPDATE_GOLDEN=1`).
fn check_golden(folder: &str, name: &str, frame: &wasi_hal_sim::Frame) {
    let path = root()
        .join("tests/golden")
        .join(folder)
        .join(format!("{name}.png"));
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        wasi_hal_sim_render::save_png(frame, &path).unwrap();
        return;
    }
    let golden = wasi_hal_sim_render::load_png(&path).unwrap_or_else(|e| {
        panic!(
            "the golden frame {} cannot be read ({e}): create it with UPDATE_GOLDEN=1",
            path.display()
        )
    });
    assert!(
        golden.width == frame.width && golden.height == frame.height && golden.rgb == frame.rgb,
        "the frame differs from {} (UPDATE_GOLDEN=1 rewrites it when the change is meant)",
        path.display()
    );
}

/// A copy of the board file `board` in `dir` with `edit` applied to its text.
fn edited_board(board: &str, dir: &Path, name: &str, edit: impl Fn(&str) -> String) -> PathBuf {
    let text = std::fs::read_to_string(root().join(board)).unwrap();
    let edited = edit(&text);
    assert_ne!(edited, text, "the edit of {board} changed nothing");
    let path = dir.join(name);
    std::fs::write(&path, edited).unwrap();
    path
}

/// The Python climate alert composed with the Rust drivers.
const CLIMATE_ALERT: &str = "climate-alert-py-bme680-ssd1306-buzzer-gpio";

#[test]
fn a_python_app_on_rust_drivers_draws_the_climate_and_sounds_the_alarm() {
    let dir = scratch("climate-alert");
    let alert = compose(
        CLIMATE_ALERT,
        &[
            (
                "wasi-hal:climate-alert-py",
                &built_guest("climate-alert-py"),
            ),
            ("wasi-hal:bme680", Path::new(DRIVER_BME680)),
            ("wasi-hal:ssd1306-i2c", Path::new(DRIVER_SSD1306_I2C)),
            ("wasi-hal:buzzer-gpio", Path::new(DRIVER_BUZZER_GPIO)),
            (
                "wasi-hal:run-command-adapter",
                Path::new(ADAPTER_RUN_COMMAND_ADAPTER),
            ),
        ],
        &dir,
    );
    let board = root().join("boards/sim-climate-alert.toml");
    let seconds = |s| Some(Duration::from_secs(s));

    // The room at 21.5 degC: no alarm, no beep; the same pictures and bytes run after run.
    let room = run(&alert, &board, None, seconds(3), &dir);
    check_golden(CLIMATE_ALERT, "room", &room.frame);
    assert!(
        edges(&room.trace, "buzzer").is_empty(),
        "the buzzer sounded without an alarm"
    );
    let again = run(&alert, &board, None, seconds(3), &dir);
    assert!(
        again.frame.rgb == room.frame.rgb && again.trace == room.trace,
        "two runs gave different pictures or bus traces"
    );

    // Its BME680 traffic is the Rust weather station's: the same driver, one measurement a
    // second (three in three seconds).
    let weather = compose(
        "weather-bme680-ssd1306",
        &[
            ("wasi-hal:weather-station", Path::new(APP_WEATHER_STATION)),
            ("wasi-hal:bme680", Path::new(DRIVER_BME680)),
            ("wasi-hal:ssd1306-i2c", Path::new(DRIVER_SSD1306_I2C)),
        ],
        &dir,
    );
    let rust_only = run(
        &weather,
        &root().join("boards/sim-weather.toml"),
        Some(3),
        None,
        &dir,
    );
    let sensor_ops = i2c_ops(&room.trace, 0x76);
    assert!(
        sensor_ops.len() > 9,
        "the sensor saw {} transactions",
        sensor_ops.len()
    );
    assert_eq!(
        sensor_ops,
        i2c_ops(&rust_only.trace, 0x76),
        "the BME680 driver sent different transactions under the Python app"
    );

    // Too hot: the picture inverted with HOT!, and two beeps (150 ms, 100 ms apart) when the
    // alarm starts and again ten frames later.
    let hot_board = edited_board("boards/sim-climate-alert.toml", &dir, "hot.toml", |t| {
        t.replace("temperature-c = 21.5", "temperature-c = 35.0")
    });
    let hot = run(&alert, &hot_board, None, seconds(12), &dir);
    check_golden(CLIMATE_ALERT, "hot", &hot.frame);
    let beeps = edges(&hot.trace, "buzzer");
    assert_eq!(beeps.len(), 8, "two patterns of two beeps: {beeps:?}");
    for pattern in beeps.chunks(4) {
        let start = pattern[0].0;
        let shape: Vec<(u64, bool)> = pattern.iter().map(|&(t, h)| (t - start, h)).collect();
        assert_eq!(
            shape,
            [
                (0, true),
                (150_000_000, false),
                (250_000_000, true),
                (400_000_000, false)
            ],
            "each alarm is 150 ms on, 100 ms off, 150 ms on: {beeps:?}"
        );
    }
    let between = beeps[4].0 - beeps[0].0;
    assert!(
        (9_500_000_000..10_500_000_000).contains(&between),
        "the alarm sounds again ten one-second frames later, not after {between} ns"
    );

    // Too cold: COLD!, inverted too.
    let cold_board = edited_board("boards/sim-climate-alert.toml", &dir, "cold.toml", |t| {
        t.replace("temperature-c = 21.5", "temperature-c = -3.0")
    });
    let cold = run(&alert, &cold_board, None, seconds(2), &dir);
    check_golden(CLIMATE_ALERT, "cold", &cold.frame);
    assert_eq!(
        edges(&cold.trace, "buzzer").len(),
        4,
        "one alarm in two seconds"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_rust_weather_station_on_the_python_driver_sends_the_display_the_rust_drivers_bytes() {
    let dir = scratch("weather-py");
    let on_python = compose(
        "weather-bme680-py-ssd1306",
        &[
            ("wasi-hal:weather-station", Path::new(APP_WEATHER_STATION)),
            ("wasi-hal:bme680-py", &built_guest("bme680-py")),
            ("wasi-hal:ssd1306-i2c", Path::new(DRIVER_SSD1306_I2C)),
        ],
        &dir,
    );
    let on_rust = compose(
        "weather-bme680-ssd1306",
        &[
            ("wasi-hal:weather-station", Path::new(APP_WEATHER_STATION)),
            ("wasi-hal:bme680", Path::new(DRIVER_BME680)),
            ("wasi-hal:ssd1306-i2c", Path::new(DRIVER_SSD1306_I2C)),
        ],
        &dir,
    );
    // The Rust driver set to measure as the Python one does: x1, no filter, heater off (no gas).
    let board = edited_board("boards/sim-weather.toml", &dir, "plain.toml", |t| {
        format!(
            "{t}\"sensor.oversampling-temperature\" = \"1\"\n\
             \"sensor.oversampling-pressure\" = \"1\"\n\
             \"sensor.oversampling-humidity\" = \"1\"\n\
             \"sensor.iir-filter\" = \"off\"\n\
             \"sensor.heater-temperature-c\" = \"off\"\n\
             \"sensor.heater-duration-ms\" = \"off\"\n"
        )
    });
    // Thirty frames: the trend graph has thirty samples of each driver's readings.
    let python = run(&on_python, &board, Some(30), None, &dir);
    let rust = run(&on_rust, &board, Some(30), None, &dir);
    assert!(
        python.frame.rgb == rust.frame.rgb,
        "the weather station shows another picture on the Python driver"
    );
    let display = i2c_ops(&python.trace, 0x3c);
    assert!(
        display.len() >= 30,
        "{} display transactions",
        display.len()
    );
    assert_eq!(
        display,
        i2c_ops(&rust.trace, 0x3c),
        "the SSD1306 driver sent different bytes with the Python sensor driver"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

mod probe {
    wasmtime::component::bindgen!({
        path: "../tests/programs/python/probe-py/wit",
        world: "probe",
    });
}

#[test]
fn a_python_guest_given_nothing_can_open_no_file_and_no_socket() {
    let path = root().join("target/wasi-hal/components/test-programs/python/probe-py.wasm");
    assert!(
        path.exists(),
        "{} is missing: `cargo xtask build` builds the Python test programs (with python3)",
        path.display()
    );
    let (engine, linker) = engine_and_linker();
    let component = Component::from_file(engine, &path).unwrap();
    let board = Board::load(root().join("boards/sim-weather.toml")).unwrap();
    // A port that is listening: a connection the host allowed would be accepted.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let state = WasiHalHost {
        table: ResourceTable::new(),
        // What `wasi-hal run` and `wasi-hal up` grant besides arguments and output: nothing.
        wasi: WasiCtx::builder().build(),
        hal: board.guest_ctx(),
    };
    let mut store = Store::new(engine, state);
    let probe = probe::Probe::instantiate(&mut store, &component, linker).unwrap();
    let lines = probe
        .call_probe(&mut store, port)
        .expect("the probe trapped");
    let names: Vec<&str> = lines.iter().map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(
        names,
        [
            "read-file",
            "write-file",
            "list-root",
            "environment",
            "connect",
            "resolve"
        ],
        "{lines:#?}"
    );
    // Each refused by the host, not by something missing in the guest: the files and folders
    // are not there (no preopened folder), the connection is not permitted, no name resolves.
    let refusals = [
        "FileNotFoundError: [Errno 44]",
        "FileNotFoundError: [Errno 44]",
        "FileNotFoundError: [Errno 44]",
        "LookupError: the environment is empty",
        "PermissionError:",
        "gaierror:",
    ];
    for (line, refusal) in lines.iter().zip(refusals) {
        assert!(
            line.contains(&format!(": denied {refusal}")),
            "a guest given nothing got through, or was refused for another reason: {line} \
             (expected `{refusal}`)"
        );
    }
    assert!(
        matches!(listener.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the listening port saw a connection"
    );
}

#[test]
fn the_device_runtime_runs_the_python_app_beside_the_polled_python_driver() {
    // The example device file as `wasi-hal up --virtual-time` runs it, its components from
    // `cargo xtask build`.
    for built in [
        "target/wasi-hal/compositions/climate-alert-py-bme680-ssd1306-buzzer-gpio.wasm",
        "target/wasi-hal/components/bme680-py.wasm",
    ] {
        assert!(
            root().join(built).exists(),
            "{built} is missing: `cargo xtask build` builds it (with python3)"
        );
    }
    let mut device = wasi_hal_runtime::Device::load(wasi_hal_runtime::UpOptions {
        device: root().join("devices/sim-climate-node.toml"),
        cache: Some(compiled_cache()),
        virtual_time: true,
        max_time: Some(Duration::from_secs(12)),
        status: None,
        supply_cache: None,
    })
    .unwrap_or_else(|e| panic!("{e:#}"));
    let status = device
        .run(&wasi_hal_runtime::Control::default())
        .expect("the device runs");
    let component = |name: &str| status.component(name).expect(name).clone();

    // The alert ran for the whole time, never restarted, and shows the room as `wasi-hal run`
    // does.
    let alert = component("alert");
    assert_eq!(
        (alert.state, alert.restarts),
        (wasi_hal_runtime::ComponentState::Stopped, 0),
        "{alert:?}"
    );
    assert!(alert.last_error.is_none(), "{alert:?}");
    let sim = device.board().simulated().unwrap();
    check_golden(CLIMATE_ALERT, "room", &sim.frame("display").unwrap());

    // The Python driver, polled at 0, 5 and 10 s, measured the outdoor part's conditions.
    let outdoor = component("outdoor");
    assert_eq!(
        (outdoor.restarts, outdoor.missed_polls, outdoor.polls),
        (0, 0, 3),
        "{outdoor:?}"
    );
    // Within the part's resolution at 1x oversampling, as in the driver's own test above.
    let expected = [
        ("temperature", 8.25, 0.02, "°C"),
        ("pressure", 99_800.0, 3.0, "Pa"),
        ("humidity", 81.0, 0.05, "%"),
    ];
    for (quantity, value, resolution, unit) in expected {
        let readings: Vec<_> = outdoor
            .history()
            .filter(|r| r.quantity == quantity)
            .collect();
        assert_eq!(readings.len(), 3, "{quantity}: {readings:?}");
        for r in readings {
            assert!(
                (r.value - value).abs() <= resolution && r.unit == unit,
                "{quantity}: {r:?}, expected {value} {unit}"
            );
            assert_eq!(
                (r.node.as_str(), r.component.as_str()),
                ("climate-node", "outdoor")
            );
        }
    }
}
