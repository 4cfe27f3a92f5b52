//! Host-read sensors under a real Wasmtime: the guest `SENSOR_REPORT` imports
//! `sensor:environment` and reports what `open`, `get-info` and `measure` gave it, read from a
//! fake sysfs IIO tree (plain files laid out as the kernel's IIO ABI has them, and a file whose
//! read fails in the kernel with `EIO`); the simulated DHT22 is tested with the board
//! (`wasi-hal-board`'s tests/sensor.rs).

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use test_programs_artifacts::SENSOR_REPORT;
use wasi_hal_iio::{EnvironmentSource, OpenError, SharedSource, SysfsIio, WasiIioCtx, WasiIioView};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};

struct State {
    iio: WasiIioCtx,
    table: ResourceTable,
}

fn engine_and_component() -> &'static (Engine, Component) {
    static CELL: OnceLock<(Engine, Component)> = OnceLock::new();
    CELL.get_or_init(|| {
        let engine = Engine::default();
        let component = Component::from_file(&engine, SENSOR_REPORT).unwrap();
        (engine, component)
    })
}

/// What the guest reports after `n` measurements with `source` behind `sensor:environment`.
fn report(source: Option<SharedSource>, n: u32) -> String {
    let (engine, component) = engine_and_component();
    let mut linker = Linker::<State>::new(engine);
    wasi_hal_iio::add_to_linker(&mut linker, |s| WasiIioView {
        ctx: &mut s.iio,
        table: &mut s.table,
    })
    .unwrap();
    let mut builder = WasiIioCtx::builder();
    if let Some(source) = source {
        builder.source(source);
    }
    let mut store = Store::new(
        engine,
        State {
            iio: builder.build(),
            table: ResourceTable::new(),
        },
    );
    let instance = linker.instantiate(&mut store, component).unwrap();
    let run = instance
        .get_typed_func::<(u32,), (String,)>(&mut store, "report")
        .unwrap();
    run.call(&mut store, (n,)).unwrap().0
}

fn shared(source: impl EnvironmentSource + 'static) -> SharedSource {
    Arc::new(Mutex::new(source))
}

/// A temporary folder for a fake `/sys/bus/iio/devices`.
struct Tree(PathBuf);

impl Tree {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("wasi-hal-iio-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Tree(dir)
    }

    /// A device folder with `files` (name, contents).
    fn device(&self, dir: &str, files: &[(&str, &str)]) -> PathBuf {
        let path = self.0.join(dir);
        std::fs::create_dir_all(&path).unwrap();
        for (name, contents) in files {
            std::fs::write(path.join(name), contents).unwrap();
        }
        path
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The kernel's dht11 driver (which reads DHT22s too) as sysfs shows it.
fn dht_tree(name: &str) -> (Tree, PathBuf) {
    let tree = Tree::new(name);
    tree.device(
        "iio:device0",
        &[("name", "bme280\n"), ("in_temp_input", "20000\n")],
    );
    let dht = tree.device(
        "iio:device1",
        &[
            ("name", "dht11\n"),
            ("in_temp_input", "21300\n"),
            ("in_humidityrelative_input", "45600\n"),
        ],
    );
    (tree, dht)
}

#[test]
fn readings_from_the_kernel_reach_the_app() {
    let (tree, _) = dht_tree("readings");
    let dht = SysfsIio::find(&tree.0, "dht11").unwrap();
    assert_eq!(
        report(Some(shared(dht)), 2),
        "info dht11 temperature humidity\n\
         ok t=21.300 p=- h=45.600 g=-\n\
         ok t=21.300 p=- h=45.600 g=-\n"
    );
}

#[test]
fn raw_values_are_scaled_and_units_converted() {
    let tree = Tree::new("raw");
    let dir = tree.device(
        "iio:device0",
        &[
            ("name", "bme680\n"),
            // (2100 + 30) * 10 milli-degrees.
            ("in_temp_raw", "2100\n"),
            ("in_temp_offset", "30\n"),
            ("in_temp_scale", "10\n"),
            // Kilopascals.
            ("in_pressure_input", "101.325\n"),
            ("in_resistance_input", "52000\n"),
        ],
    );
    let device = SysfsIio::open(&dir).unwrap();
    assert_eq!(
        report(Some(shared(device)), 1),
        "info bme680 temperature pressure gas\nok t=21.300 p=101325.000 h=- g=52000.000\n"
    );
}

#[test]
fn an_eio_from_the_kernel_is_an_error_to_the_app_and_the_next_read_works() {
    let (tree, dht) = dht_tree("eio");
    // Reading /proc/self/mem from its start fails in the kernel with EIO (nothing is mapped at
    // address 0): the error a failed DHT read gives.
    let temp = dht.join("in_temp_input");
    std::fs::remove_file(&temp).unwrap();
    std::os::unix::fs::symlink("/proc/self/mem", &temp).unwrap();
    let source = shared(SysfsIio::find(&tree.0, "dht11").unwrap());
    assert_eq!(
        report(Some(source.clone()), 1),
        "info dht11 temperature humidity\nerr bus-error\n"
    );
    // The sensor answers again: so does the app's next measurement.
    std::fs::remove_file(&temp).unwrap();
    std::fs::write(&temp, "19900\n").unwrap();
    assert_eq!(
        report(Some(source), 1),
        "info dht11 temperature humidity\nok t=19.900 p=- h=45.600 g=-\n"
    );
}

#[test]
fn a_device_that_went_away_is_not_connected() {
    let (tree, dht) = dht_tree("gone");
    let source = shared(SysfsIio::find(&tree.0, "dht11").unwrap());
    std::fs::remove_dir_all(&dht).unwrap();
    assert_eq!(
        report(Some(source), 1),
        "info dht11 temperature humidity\nerr not-connected\n"
    );
}

#[test]
fn a_missing_device_is_a_clear_error_naming_what_is_there() {
    let (tree, _) = dht_tree("missing");
    let err = SysfsIio::find(&tree.0, "dht22").unwrap_err();
    assert!(matches!(err, OpenError::NotFound { .. }));
    let message = err.to_string();
    assert!(
        message.contains("`dht22`") && message.contains("bme280, dht11"),
        "{message}"
    );
    let empty = Tree::new("empty");
    let message = SysfsIio::find(&empty.0, "dht11").unwrap_err().to_string();
    assert!(message.contains("is the kernel driver loaded"), "{message}");
    let none = empty.device(
        "iio:device0",
        &[("name", "adc\n"), ("in_voltage0_raw", "1\n")],
    );
    let message = SysfsIio::open(&none).unwrap_err().to_string();
    assert!(message.contains("no temperature, humidity"), "{message}");
}

#[test]
fn without_a_source_open_is_not_connected() {
    assert_eq!(report(None, 1), "open-err not-connected\n");
}
