//! Start-up of guests written in Python and JavaScript beside Rust ones, timed with criterion:
//! what a device pays to compile, load and start a component tens of megabytes large.
//! `cargo bench -p wasi-hal-benches --bench guests` measures; `cargo test -p wasi-hal-benches
//! --benches` runs each benchmark once, to check that they run. docs/performance.md has the
//! figures ("Guests in other languages").
//!
//! Benchmark ids (group/function): `guest_start/<guest>-{compile,load_precompiled,instantiate}`,
//! for each guest of [`guests`]: compiled by Cranelift (`Component::new`), loaded from its
//! precompiled file (`Component::deserialize_file`, what `wasi-hal run`'s cache does), and
//! instantiated from an `InstancePre` on `wasi-hal run`'s engine (pooling allocator). Before
//! timing, each line `guest <guest>: <bytes> bytes, <bytes> bytes of linear memory` gives the
//! component's size and the linear memory its instance holds once started.
//!
//! The Python and JavaScript guests come from `cargo xtask build` (componentize-py and
//! componentize-js); `cargo xtask test` builds them before the benchmarks run.

use anyhow::{Context, Result, bail};
use criterion::{BatchSize, Criterion};
use std::path::PathBuf;
use test_programs_artifacts::{
    ADAPTER_RUN_COMMAND_ADAPTER, APP_WEATHER_STATION, DRIVER_BME680, DRIVER_BUZZER_GPIO,
    DRIVER_SSD1306_I2C,
};
use wasi_hal_benches::{Host, board, compose, engine, linker, root};
use wasmtime::component::Component;

/// A guest of the benchmark: its name in the benchmark ids and its component file.
struct Guest {
    name: &'static str,
    file: PathBuf,
    /// The board it starts on.
    board: &'static str,
}

/// A component `cargo xtask build` made from Python or JavaScript.
fn built(name: &str) -> Result<PathBuf> {
    let path = root()
        .join("target/wasi-hal/components")
        .join(format!("{name}.wasm"));
    if !path.exists() {
        bail!(
            "{} is missing: `cargo xtask build` builds the Python and JavaScript guests (with \
             python3 and Node.js)",
            path.display()
        );
    }
    Ok(path)
}

/// The guests, in pairs of the same job: a BME680 driver in Rust and in Python, and an app on
/// the same Rust drivers in Rust (the weather station), Python (the climate alert) and
/// JavaScript (the climate bars).
fn guests() -> Result<Vec<Guest>> {
    let rust_drivers = |app: (&'static str, PathBuf)| {
        vec![
            app,
            ("wasi-hal:bme680", PathBuf::from(DRIVER_BME680)),
            ("wasi-hal:ssd1306-i2c", PathBuf::from(DRIVER_SSD1306_I2C)),
        ]
    };
    let mut alert = rust_drivers(("wasi-hal:climate-alert-py", built("climate-alert-py")?));
    alert.extend([
        ("wasi-hal:buzzer-gpio", PathBuf::from(DRIVER_BUZZER_GPIO)),
        (
            "wasi-hal:run-command-adapter",
            PathBuf::from(ADAPTER_RUN_COMMAND_ADAPTER),
        ),
    ]);
    let mut bars = rust_drivers(("wasi-hal:climate-bars-js", built("climate-bars-js")?));
    bars.push((
        "wasi-hal:run-command-adapter",
        PathBuf::from(ADAPTER_RUN_COMMAND_ADAPTER),
    ));
    Ok(vec![
        Guest {
            name: "bme680-rust",
            file: PathBuf::from(DRIVER_BME680),
            board: "boards/sim-weather.toml",
        },
        Guest {
            name: "bme680-python",
            file: built("bme680-py")?,
            board: "boards/sim-weather.toml",
        },
        Guest {
            name: "app-rust",
            file: compose(
                "weather-bme680-ssd1306",
                "compositions/weather-bme680-ssd1306.wac",
                &rust_drivers((
                    "wasi-hal:weather-station",
                    PathBuf::from(APP_WEATHER_STATION),
                )),
            )?,
            board: "boards/sim-weather.toml",
        },
        Guest {
            name: "app-python",
            file: compose(
                "climate-alert-py-bme680-ssd1306-buzzer-gpio",
                "compositions/climate-alert-py-bme680-ssd1306-buzzer-gpio.wac",
                &alert,
            )?,
            board: "boards/sim-climate-alert.toml",
        },
        Guest {
            name: "app-javascript",
            file: compose(
                "climate-bars-js-bme680-ssd1306",
                "benches/compositions/climate-bars-js-bme680-ssd1306.wac",
                &bars,
            )?,
            board: "boards/sim-weather.toml",
        },
    ])
}

fn guest_start(c: &mut Criterion) -> Result<()> {
    let engine = engine(false)?;
    let linker = linker(&engine)?;
    let mut group = c.benchmark_group("guest_start");
    // Compiling a Python or JavaScript component takes seconds: ten samples.
    group.sample_size(10);
    for guest in guests()? {
        let bytes = std::fs::read(&guest.file)
            .with_context(|| format!("cannot read {}", guest.file.display()))?;
        let cwasm = wasi_hal_benches::out_dir().join(format!("{}.cwasm", guest.name));
        std::fs::write(&cwasm, Component::new(&engine, &bytes)?.serialize()?)?;
        let load = || {
            // SAFETY: written just above by `Component::serialize` with this engine.
            unsafe { Component::deserialize_file(&engine, &cwasm) }.expect("deserialize")
        };
        let pre = linker.instantiate_pre(&load())?;
        let board = board(guest.board)?;
        let fresh_store = || {
            let mut store = wasi_hal_benches::store(&engine, Host::new(&board, &[guest.name]));
            store.limiter(|host| &mut host.memory);
            store
        };

        let mut store = fresh_store();
        pre.instantiate(&mut store)?;
        println!(
            "guest {}: {} bytes, {} bytes of linear memory",
            guest.name,
            bytes.len(),
            store.data().memory.bytes
        );

        group.bench_function(format!("{}-compile", guest.name), |b| {
            b.iter(|| Component::new(&engine, &bytes).expect("compile"))
        });
        group.bench_function(format!("{}-load_precompiled", guest.name), |b| b.iter(load));
        group.bench_function(format!("{}-instantiate", guest.name), |b| {
            b.iter_batched(
                fresh_store,
                |mut store| {
                    pre.instantiate(&mut store).expect("instantiate");
                    store
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
    Ok(())
}

fn main() -> Result<()> {
    let mut c = Criterion::default().configure_from_args();
    guest_start(&mut c)?;
    c.final_summary();
    Ok(())
}
