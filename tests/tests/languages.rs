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

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;
use test_programs_artifacts::{ADAPTER_RUN_COMMAND_ADAPTER, DRIVER_SSD1306_I2C};
use wasi_hal::{Outcome, RunOptions};
use wasi_hal_board::Board;
use wasi_hal_linker::{WasiHalCtx, WasiHalCtxView, WasiHalView};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

mod bindings {
    wasmtime::component::bindgen!({
        path: "../wit/sensor-environment",
        world: "sensor:environment/driver",
    });
}

use bindings::exports::sensor::environment::environment::Quantities;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate is inside the workspace")
        .to_path_buf()
}

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

/// A guest's store: WASI with nothing granted, and the board's wasi-hal contexts.
struct PythonHost {
    table: ResourceTable,
    wasi: WasiCtx,
    hal: WasiHalCtx,
}

impl WasiView for PythonHost {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHalView for PythonHost {
    fn hal(&mut self) -> WasiHalCtxView<'_> {
        WasiHalCtxView {
            ctx: &mut self.hal,
            table: &mut self.table,
        }
    }
}

/// The engine and linker, and the driver compiled once (a Python component is tens of
/// megabytes: compiling it is most of these tests' time).
fn driver() -> &'static (Engine, Linker<PythonHost>, Component) {
    static CELL: OnceLock<(Engine, Linker<PythonHost>, Component)> = OnceLock::new();
    CELL.get_or_init(|| {
        let mut config = Config::new();
        config.parallel_compilation(true);
        let engine = Engine::new(&config).unwrap();
        let mut linker = Linker::new(&engine);
        wasi_hal_linker::add_to_linker_sync(&mut linker).unwrap();
        let component = Component::from_file(&engine, built_guest("bme680-py")).unwrap();
        (engine, linker, component)
    })
}

#[test]
fn the_python_bme680_driver_measures_the_simulated_conditions() {
    let board = Board::load(root().join("boards/sim-weather.toml")).unwrap();
    let sim = board.simulated().expect("a simulated board");
    sim.trace().enable();
    let (engine, linker, component) = driver();
    let state = PythonHost {
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
