//! The benchmarks' harness: hosts for real guest components on the simulated board, and the
//! same driver and app code built natively against the same simulated parts.
//!
//! The benchmarks themselves are in `benches/`:
//! - `stack` (criterion): a guest-to-host call, a full-frame flush composed and native, pacman
//!   frames composed (Cranelift and Pulley) and native, cold start;
//! - `facts`: what is counted rather than timed (component sizes, bus transactions per frame),
//!   written as JSON for `cargo xtask bench`, which writes `docs/performance.md`.
//!
//! Guests come from `test-programs-artifacts` (built by its build script with the `guest`
//! profile, as `cargo xtask build` builds them); compositions are composed here with
//! `wasi-hal-compose`, so the benchmarks never depend on a build having run.

use anyhow::{Context, Result, anyhow};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use wasi_hal_board::Board;
use wasi_hal_linker::{WasiHalCtx, WasiHalCtxView, WasiHalView};
use wasi_hal_sim::{SimLine, SimSpiDevice};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

pub mod call_floor;
pub mod device_memory;
pub mod device_poll;
pub mod native;
pub mod soak;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("benches/ is inside the workspace")
        .to_path_buf()
}

/// Where the benchmarks write what they produce: `target/wasi-hal/bench/`.
pub fn out_dir() -> PathBuf {
    let dir = root().join("target").join("wasi-hal").join("bench");
    std::fs::create_dir_all(&dir).expect("cannot create target/wasi-hal/bench");
    dir
}

/// The simulated SSD1306 128x64 on SPI at 10 MHz of the full-frame benchmarks.
pub const SPI_128X64_BOARD: &str = "benches/boards/sim-ssd1306-spi.toml";
/// The simulated Pmod OLED (128x32, SPI at 8 MHz) of pacman.
pub const PMOD_OLED_BOARD: &str = "boards/sim-pacman-pmod-oled.toml";
/// The simulated SSD1306 128x64 on I2C at 400 kHz.
pub const I2C_128X64_BOARD: &str = "boards/sim-ssd1306-i2c.toml";

/// A composition: a WAC file and the component of each package it names.
pub struct Composition {
    /// Short name; also the file name of the composed component.
    pub name: &'static str,
    /// The WAC file, relative to the workspace root.
    pub wac: &'static str,
    /// Package name and component file of each part.
    pub parts: Vec<(&'static str, &'static str)>,
}

impl Composition {
    /// The full-frame app on the display driver `driver` (`ssd1306-spi`, `ssd1306-i2c`,
    /// `pmod-oled`).
    pub fn flush(driver: &'static str) -> Composition {
        use test_programs_artifacts::*;
        let (name, wac, file) = match driver {
            "ssd1306-spi" => (
                "flush-ssd1306-spi",
                "benches/compositions/flush-ssd1306-spi.wac",
                DRIVER_SSD1306_SPI,
            ),
            "ssd1306-i2c" => (
                "flush-ssd1306-i2c",
                "benches/compositions/flush-ssd1306-i2c.wac",
                DRIVER_SSD1306_I2C,
            ),
            "pmod-oled" => (
                "flush-pmod-oled",
                "benches/compositions/flush-pmod-oled.wac",
                DRIVER_PMOD_OLED,
            ),
            other => panic!("no full-frame composition for {other}"),
        };
        let package = match driver {
            "ssd1306-spi" => "wasi-hal:ssd1306-spi",
            "ssd1306-i2c" => "wasi-hal:ssd1306-i2c",
            _ => "wasi-hal:pmod-oled",
        };
        Composition {
            name,
            wac,
            parts: vec![
                ("wasi-hal-benches:flush-app", BENCH_FLUSH_APP),
                (package, file),
            ],
        }
    }

    /// Pacman on the Pmod OLED (`compositions/pacman-pmod-oled.wac`).
    pub fn pacman() -> Composition {
        use test_programs_artifacts::*;
        Composition {
            name: "pacman-pmod-oled",
            wac: "compositions/pacman-pmod-oled.wac",
            parts: vec![
                ("wasi-hal:pacman", APP_PACMAN),
                ("wasi-hal:pmod-oled", DRIVER_PMOD_OLED),
            ],
        }
    }

    /// Every composition in `compositions/`, as `cargo xtask build` composes them.
    pub fn all_apps() -> Vec<Composition> {
        use test_programs_artifacts::*;
        vec![
            Composition::pacman(),
            Composition {
                name: "ball-screensaver-ssd1306-i2c",
                wac: "compositions/ball-screensaver-ssd1306-i2c.wac",
                parts: vec![
                    ("wasi-hal:ball-screensaver", APP_BALL_SCREENSAVER),
                    ("wasi-hal:ssd1306-i2c", DRIVER_SSD1306_I2C),
                ],
            },
            Composition {
                name: "weather-bme680-ssd1306",
                wac: "compositions/weather-bme680-ssd1306.wac",
                parts: vec![
                    ("wasi-hal:weather-station", APP_WEATHER_STATION),
                    ("wasi-hal:bme680", DRIVER_BME680),
                    ("wasi-hal:ssd1306-i2c", DRIVER_SSD1306_I2C),
                ],
            },
        ]
    }

    /// Composes it with `wasi-hal-compose` into `target/wasi-hal/bench/<name>.wasm`.
    pub fn compose(&self) -> Result<PathBuf> {
        compose(self.name, self.wac, &self.parts)
    }
}

/// Composes `wac` (relative to the workspace root) from `parts` (each package the file names
/// and its component file) into `target/wasi-hal/bench/<name>.wasm`, written whole through a
/// temporary file.
pub fn compose<P: AsRef<Path>>(name: &str, wac: &str, parts: &[(&str, P)]) -> Result<PathBuf> {
    let deps: HashMap<String, PathBuf> = parts
        .iter()
        .map(|(package, file)| (package.to_string(), file.as_ref().to_path_buf()))
        .collect();
    let bytes = wasi_hal_compose::compose_file(&root().join(wac), &deps)
        .with_context(|| format!("composing {wac} failed"))?;
    let path = out_dir().join(format!("{name}.wasm"));
    let tmp = path.with_extension(format!("wasm.tmp{}", std::process::id()));
    std::fs::write(&tmp, &bytes)?;
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

/// The number after `--NAME` in a benchmark program's arguments, or `default` when the flag is
/// absent; an error when the flag has no number after it.
pub fn number_arg<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> Result<T> {
    let flag = format!("--{name}");
    match args.iter().position(|a| *a == flag) {
        None => Ok(default),
        Some(i) => match args.get(i + 1).map(|v| v.parse()) {
            Some(Ok(value)) => Ok(value),
            _ => anyhow::bail!("{flag} needs a number"),
        },
    }
}

/// What a guest's store holds: WASI, the board's contexts for this guest and its config values.
pub struct Host {
    table: ResourceTable,
    wasi: WasiCtx,
    /// The board's per-guest contexts and `[config]` values.
    pub hal: WasiHalCtx,
    /// The linear memory the store's instances hold, when the store's limiter is this meter.
    pub memory: MemoryMeter,
}

/// Counts the linear memory a store's instances have allocated, as its `ResourceLimiter`
/// (`store.limiter(|host| &mut host.memory)`); it refuses nothing.
#[derive(Debug, Default)]
pub struct MemoryMeter {
    /// Bytes of linear memory allocated so far (initial sizes and growth).
    pub bytes: usize,
}

impl wasmtime::ResourceLimiter for MemoryMeter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.bytes += desired.saturating_sub(current);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        _desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(true)
    }
}

impl WasiView for Host {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHalView for Host {
    fn hal(&mut self) -> WasiHalCtxView<'_> {
        WasiHalCtxView {
            ctx: &mut self.hal,
            table: &mut self.table,
        }
    }
}

impl Host {
    /// A store's data for a guest on `board`, with `args` as its command line (the program
    /// name first) and the board's `[config]` values.
    pub fn new(board: &Board, args: &[&str]) -> Host {
        Host {
            table: ResourceTable::new(),
            wasi: WasiCtx::builder().args(args).inherit_stderr().build(),
            hal: board.guest_ctx(),
            memory: MemoryMeter::default(),
        }
    }

    /// A store's data with no board: only the contexts (and config values) given.
    pub fn with_ctx(hal: WasiHalCtx) -> Host {
        Host {
            table: ResourceTable::new(),
            wasi: WasiCtx::builder().build(),
            hal,
            memory: MemoryMeter::default(),
        }
    }
}

/// A linker with what `wasi-hal run` links: WASI 0.2, `wasi:config` and the four host crates.
pub fn linker(engine: &Engine) -> Result<Linker<Host>> {
    let mut linker = Linker::new(engine);
    wasi_hal_linker::add_to_linker_sync(&mut linker)?;
    Ok(linker)
}

/// A store for `data` on `engine`. The engine has epoch interruption on (for `wasi-hal run`'s
/// watchdog); nothing advances the epoch here, so the deadline is simply far away.
pub fn store(engine: &Engine, data: Host) -> Store<Host> {
    let mut store = Store::new(engine, data);
    store.set_epoch_deadline(1 << 40);
    store
}

/// Loads a board file (relative to the workspace root).
pub fn board(path: &str) -> Result<Board> {
    Board::load(root().join(path)).map_err(|e| anyhow!("{e}"))
}

/// A composition of the full-frame app, instantiated on its board, with the display open.
pub struct FlushGuest {
    /// The store.
    pub store: Store<Host>,
    frames: wasmtime::component::TypedFunc<(u32,), (Result<(), String>,)>,
    /// The board it runs on.
    pub board: Board,
}

impl FlushGuest {
    /// Instantiates `component` (a flush composition) on the board file `board_path`.
    pub fn new(engine: &Engine, component: &Component, board_path: &str) -> Result<FlushGuest> {
        let board = board(board_path)?;
        let linker = linker(engine)?;
        let mut store = store(engine, Host::new(&board, &["flush-app"]));
        let instance = linker.instantiate(&mut store, component)?;
        let frames =
            instance.get_typed_func::<(u32,), (Result<(), String>,)>(&mut store, "frames")?;
        let mut guest = FlushGuest {
            store,
            frames,
            board,
        };
        // Opens and initialises the display; the next frame is a full one.
        guest.frames(0)?;
        Ok(guest)
    }

    /// Presents `n` full frames.
    pub fn frames(&mut self, n: u32) -> Result<()> {
        let (result,) = self.frames.call(&mut self.store, (n,))?;
        result.map_err(|e| anyhow!("the flush app failed: {e}"))
    }
}

/// The SPI device and the D/C line of a simulated board, for a native driver.
pub fn sim_spi(board: &Board, spi: &str, dc: &str) -> Result<(SimSpiDevice, SimLine)> {
    let sim = board
        .simulated()
        .ok_or_else(|| anyhow!("the board is not simulated"))?;
    let device = sim
        .spi(spi)
        .ok_or_else(|| anyhow!("the board has no SPI device {spi}"))?;
    let line = sim
        .line(dc)
        .ok_or_else(|| anyhow!("the board has no line {dc}"))?;
    Ok((device, line))
}

/// An SPI device that does nothing: the host side of a no-op transaction costs only the host
/// crate's own work.
pub struct NullSpi;

impl embedded_hal::spi::ErrorType for NullSpi {
    type Error = core::convert::Infallible;
}

impl embedded_hal::spi::SpiDevice for NullSpi {
    fn transaction(
        &mut self,
        _: &mut [embedded_hal::spi::Operation<'_, u8>],
    ) -> Result<(), core::convert::Infallible> {
        Ok(())
    }
}

/// The `spi-noop` guest on a host that offers `NullSpi` as `null`, with the device open.
pub struct SpiNoopGuest {
    store: Store<Host>,
    transactions: wasmtime::component::TypedFunc<(u32,), (Result<(), String>,)>,
}

impl SpiNoopGuest {
    /// Instantiates the guest with `engine`.
    pub fn new(engine: &Engine) -> Result<SpiNoopGuest> {
        let component = Component::from_file(engine, test_programs_artifacts::BENCH_SPI_NOOP)?;
        let shared =
            wasi_hal_spi::SharedSpiDevice::from_hal(NullSpi, wasi_hal_spi::SpiPolicy::default());
        let board = board(SPI_128X64_BOARD)?;
        let mut hal = board.guest_ctx();
        hal.spi = wasi_hal_spi::WasiSpiCtx::builder()
            .device("null", &shared)
            .build();
        let mut linker = linker(engine)?;
        add_bare(&mut linker)?;
        let mut store = store(engine, Host::with_ctx(hal));
        let instance = linker.instantiate(&mut store, &component)?;
        let open =
            instance.get_typed_func::<(String,), (Result<(), String>,)>(&mut store, "open")?;
        let (opened,) = open.call(&mut store, ("null".to_string(),))?;
        opened.map_err(|e| anyhow!("opening the null device failed: {e}"))?;
        let transactions =
            instance.get_typed_func::<(u32,), (Result<(), String>,)>(&mut store, "transactions")?;
        Ok(SpiNoopGuest {
            store,
            transactions,
        })
    }

    /// Makes `n` no-op transactions from the guest.
    pub fn transactions(&mut self, n: u32) -> Result<()> {
        let (result,) = self.transactions.call(&mut self.store, (n,))?;
        result.map_err(|e| anyhow!("the transactions failed: {e}"))
    }
}

/// Gives `linker` the `spi-noop` guest's `bare` import: a host function with no arguments and
/// no results that does nothing, Wasmtime's cheapest component host call.
pub fn add_bare<T: 'static>(linker: &mut Linker<T>) -> Result<()> {
    linker.root().func_wrap("bare", |_, ()| Ok(()))?;
    Ok(())
}

/// Pacman composed, ready to instantiate many times: the engine, the pre-linked component and
/// the board file.
pub struct PacmanPre {
    engine: Engine,
    pre: wasmtime_wasi::p2::bindings::sync::CommandPre<Host>,
}

impl PacmanPre {
    /// Pacman composed with the Pmod OLED driver, compiled by `engine`.
    pub fn new(engine: &Engine, component: &Component) -> Result<PacmanPre> {
        let linker = linker(engine)?;
        let pre =
            wasmtime_wasi::p2::bindings::sync::CommandPre::new(linker.instantiate_pre(component)?)?;
        Ok(PacmanPre {
            engine: engine.clone(),
            pre,
        })
    }

    /// A fresh board and an instance of pacman on it that will play `frames` frames.
    pub fn instantiate(
        &self,
        frames: u64,
    ) -> Result<(
        Store<Host>,
        wasmtime_wasi::p2::bindings::sync::Command,
        Board,
    )> {
        let board = board(PMOD_OLED_BOARD)?;
        let frames = frames.to_string();
        let mut store = store(
            &self.engine,
            Host::new(&board, &["pacman", "--frames", &frames]),
        );
        let command = self.pre.instantiate(&mut store)?;
        Ok((store, command, board))
    }

    /// An instance of pacman in `store` (made by the caller, e.g. to time instantiation alone).
    pub fn instantiate_in(
        &self,
        store: &mut Store<Host>,
    ) -> Result<wasmtime_wasi::p2::bindings::sync::Command> {
        Ok(self.pre.instantiate(store)?)
    }

    /// Plays `frames` frames on a fresh board; returns the time the frames took (not the
    /// instantiation).
    pub fn play(&self, frames: u64) -> Result<std::time::Duration> {
        let (mut store, command, _board) = self.instantiate(frames)?;
        let start = std::time::Instant::now();
        let result = command.wasi_cli_run().call_run(&mut store)?;
        let elapsed = start.elapsed();
        result.map_err(|()| anyhow!("pacman returned an error"))?;
        Ok(elapsed)
    }
}

/// Engines with `wasi-hal run`'s settings (pooling allocator, epoch interruption).
pub fn engine(interpreter: bool) -> Result<Engine> {
    let engine = wasi_hal::engine_with(&wasi_hal::EngineOptions {
        interpreter,
        ..Default::default()
    })?;
    Ok(engine)
}
