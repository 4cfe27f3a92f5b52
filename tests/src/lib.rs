//! Integration tests across crates: real guest components, a real Wasmtime with the real host
//! crates (`wasi-hal-spi`, `-i2c`, `-gpio`, `-delay`, and `wasmtime-wasi-config`), and the
//! simulated board (`wasi-hal-sim`).
//!
//! This library is the harness; the tests are in `tests/`:
//! - `display_drivers`: the SSD1306 driver components (`ssd1306-i2c`, `ssd1306-spi`,
//!   `pmod-oled`): bus traffic byte for byte, pixels on the simulated glass, errors, imports
//!   and sizes.
//!
//! A [`TestBoard`] is a simulated board under construction: add parts, pins and configuration
//! values, then [`TestBoard::start`] a component on it. The board's clock, trace and parts stay
//! reachable through the returned [`Running`], so a test can look at the wire and the glass.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use wasi_hal_delay::{DelayBackend, WasiDelayCtx};
use wasi_hal_gpio::{Level, PinModes, PinPolicy, SharedPin, WasiGpioCtx, WasiGpioCtxBuilder};
use wasi_hal_i2c::{I2cPolicy, SharedI2cBus, WasiI2cCtx, WasiI2cCtxBuilder};
use wasi_hal_linker::{WasiHalCtx, WasiHalCtxView, WasiHalView};
use wasi_hal_sim::ssd1306::{
    PanelSize, SharedSsd1306, Ssd1306, Ssd1306Config, Ssd1306I2c, Ssd1306Spi,
};
use wasi_hal_sim::{SimClock, SimI2cBus, SimLine, SimSpiDevice, Trace, TraceEvent, TraceKind};
use wasi_hal_spi::{SharedSpiDevice, SpiPolicy, WasiSpiCtx, WasiSpiCtxBuilder};
use wasmtime::component::{Component, Linker, ResourceAny, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_config::WasiConfigVariables;

/// Host-side bindings of the `display:pixels` driver world.
#[allow(missing_docs, reason = "generated")]
pub mod bindings {
    wasmtime::component::bindgen!({
        path: "../wit/display-pixels",
        world: "display:pixels/driver",
    });
}

pub use bindings::exports::display::pixels::display::{ColorFormat, ErrorCode, Info, Rect};

/// What a guest's store holds: one context per host crate, and its configuration values.
pub struct HostState {
    table: ResourceTable,
    hal: WasiHalCtx,
}

impl HostState {
    /// A guest's store data with the contexts (and config values) `hal` and an empty table.
    pub fn new(hal: WasiHalCtx) -> HostState {
        HostState {
            table: ResourceTable::new(),
            hal,
        }
    }
}

impl WasiHalView for HostState {
    fn hal(&mut self) -> WasiHalCtxView<'_> {
        WasiHalCtxView {
            ctx: &mut self.hal,
            table: &mut self.table,
        }
    }
}

/// What the store of a command guest holds: WASI 0.2 (with what the test grants), the board's
/// wasi-hal contexts for this guest and the resource table both use.
pub struct WasiHalHost {
    /// The guest's resources.
    pub table: ResourceTable,
    /// WASI 0.2.
    pub wasi: WasiCtx,
    /// The board's contexts for this guest and its `[config]` values.
    pub hal: WasiHalCtx,
}

impl WasiView for WasiHalHost {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHalView for WasiHalHost {
    fn hal(&mut self) -> WasiHalCtxView<'_> {
        WasiHalCtxView {
            ctx: &mut self.hal,
            table: &mut self.table,
        }
    }
}

/// The workspace's root folder.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate is inside the workspace")
        .to_path_buf()
}

/// Writes `bytes` to `path` through a temporary file, so a reader (another test process) never
/// sees half of it.
pub fn write_whole(path: &Path, bytes: &[u8]) {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", tmp.display()));
    std::fs::rename(&tmp, path).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// `compositions/<name>.wac` composed with `wasi-hal-compose` (as `cargo xtask build` composes
/// it) from `deps`: each package the file names and the component file it stands for.
pub fn compose<P: AsRef<Path>>(name: &str, deps: &[(&str, P)]) -> Vec<u8> {
    let wac = root().join("compositions").join(format!("{name}.wac"));
    let deps = deps
        .iter()
        .map(|(package, file)| (package.to_string(), file.as_ref().to_path_buf()))
        .collect();
    wasi_hal_compose::compose_file(&wac, &deps)
        .unwrap_or_else(|e| panic!("composing {} failed: {e:?}", wac.display()))
}

/// The engine and the linker with every wasi-hal interface and `wasi:config/store`, made once.
fn engine_and_linker() -> &'static (Engine, Linker<HostState>) {
    static CELL: OnceLock<(Engine, Linker<HostState>)> = OnceLock::new();
    CELL.get_or_init(|| {
        let engine = Engine::default();
        let mut linker = Linker::new(&engine);
        wasi_hal_linker::add_only_hal_to_linker_sync(&mut linker).unwrap();
        (engine, linker)
    })
}

/// The component at `path`, compiled once per test process.
fn component(path: &str) -> wasmtime::Result<Component> {
    static CACHE: OnceLock<Mutex<HashMap<String, Component>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(component) = cache.lock().unwrap().get(path) {
        return Ok(component.clone());
    }
    let component = Component::from_file(&engine_and_linker().0, path)?;
    cache
        .lock()
        .unwrap()
        .insert(path.to_string(), component.clone());
    Ok(component)
}

/// A simulated board being put together for one guest.
pub struct TestBoard {
    /// The board's virtual clock.
    pub clock: SimClock,
    /// Every bus transaction and GPIO edge, recording from the start.
    pub trace: Trace,
    /// The SSD1306 on the board.
    pub display: SharedSsd1306,
    spi: WasiSpiCtxBuilder,
    i2c: WasiI2cCtxBuilder,
    gpio: WasiGpioCtxBuilder,
    config: WasiConfigVariables,
}

impl TestBoard {
    /// A board with an SSD1306 model driving `panel` (connected to no bus yet).
    pub fn new(panel: PanelSize) -> TestBoard {
        let clock = SimClock::new();
        let trace = Trace::new();
        trace.enable();
        let display = Ssd1306::new_shared(Ssd1306Config::new(panel), clock.clone());
        TestBoard {
            clock,
            trace,
            display,
            spi: WasiSpiCtx::builder(),
            i2c: WasiI2cCtx::builder(),
            gpio: WasiGpioCtx::builder(),
            config: WasiConfigVariables::new(),
        }
    }

    /// Offers an I2C bus named `name` with the policy `policy`; the SSD1306 sits on it at
    /// `address`, or nowhere (nothing answers) when `None`. Returns the bus, to attach other
    /// parts later.
    pub fn i2c_bus(&mut self, name: &str, address: Option<u8>, policy: I2cPolicy) -> SimI2cBus {
        let bus = SimI2cBus::new(name, self.clock.clone(), self.trace.clone());
        if let Some(address) = address {
            bus.attach(
                address,
                Arc::new(Mutex::new(Ssd1306I2c::new(self.display.clone()))),
            );
        }
        let shared = SharedI2cBus::from_hal(bus.clone(), policy);
        self.i2c.bus(name, &shared);
        bus
    }

    /// A simulated line at `initial_high`, offered to the guest as an output pin `name` that
    /// returns to `safe_high` when the guest lets it go.
    pub fn output_line(&mut self, name: &str, initial_high: bool, safe_high: bool) -> SimLine {
        let line = SimLine::new(name, initial_high, self.clock.clone(), self.trace.clone());
        let pin = SharedPin::from_sim_line(
            line.clone(),
            DelayBackend::virtual_time(self.clock.clone()),
            PinPolicy {
                modes: PinModes::OUTPUT,
                initial_level: None,
                safe_level: if safe_high { Level::High } else { Level::Low },
            },
        )
        .unwrap();
        self.gpio.pin(name, &pin);
        line
    }

    /// A simulated line `name` that the SSD1306 sees but the guest is not offered.
    pub fn hidden_line(&self, name: &str, initial_high: bool) -> SimLine {
        SimLine::new(name, initial_high, self.clock.clone(), self.trace.clone())
    }

    /// Offers the SSD1306 as SPI device `name` (policy `policy`) with its D/C# input on `dc`
    /// and its RES# input on `res`.
    pub fn spi_device(
        &mut self,
        name: &str,
        dc: &SimLine,
        res: Option<&SimLine>,
        policy: SpiPolicy,
    ) -> &mut Self {
        let target = Ssd1306Spi::new(self.display.clone(), dc.clone(), res);
        let device = SimSpiDevice::new(
            name,
            Arc::new(Mutex::new(target)),
            self.clock.clone(),
            self.trace.clone(),
        );
        let shared = SharedSpiDevice::from_hal_with_settings(device, policy);
        self.spi.device(name, &shared);
        self
    }

    /// Sets the configuration value `key` the guest reads from `wasi:config/store`.
    pub fn config(&mut self, key: &str, value: &str) -> &mut Self {
        self.config.insert(key, value);
        self
    }

    /// Instantiates the driver component at `path` on this board.
    pub fn start(mut self, path: &str) -> wasmtime::Result<Running> {
        let (engine, linker) = engine_and_linker();
        let state = HostState::new(WasiHalCtx {
            spi: self.spi.build(),
            i2c: self.i2c.build(),
            gpio: self.gpio.build(),
            pwm: wasi_hal_pwm::WasiPwmCtx::builder().build(),
            sensor: wasi_hal_iio::WasiIioCtx::builder().build(),
            delay: WasiDelayCtx::builder()
                .backend(DelayBackend::virtual_time(self.clock.clone()))
                .build(),
            config: std::mem::take(&mut self.config),
        });
        let mut store = Store::new(engine, state);
        let driver = bindings::Driver::instantiate(&mut store, &component(path)?, linker)?;
        Ok(Running {
            clock: self.clock,
            trace: self.trace,
            display: self.display,
            store,
            driver,
        })
    }
}

/// A driver component running on a simulated board. Each method is one call into the guest;
/// the outer `Result` is a trap, the inner one the guest's answer.
pub struct Running {
    /// The board's virtual clock.
    pub clock: SimClock,
    /// Every bus transaction and GPIO edge so far.
    pub trace: Trace,
    /// The SSD1306 on the board.
    pub display: SharedSsd1306,
    store: Store<HostState>,
    driver: bindings::Driver,
}

impl Running {
    /// `open`.
    pub fn open(&mut self) -> wasmtime::Result<Result<ResourceAny, ErrorCode>> {
        self.driver
            .display_pixels_display()
            .call_open(&mut self.store)
    }

    /// `get-info`.
    pub fn info(&mut self, d: ResourceAny) -> wasmtime::Result<Info> {
        self.driver
            .display_pixels_display()
            .display()
            .call_get_info(&mut self.store, d)
    }

    /// `write-region`.
    pub fn write_region(
        &mut self,
        d: ResourceAny,
        area: Rect,
        pixels: &[u8],
    ) -> wasmtime::Result<Result<(), ErrorCode>> {
        self.driver
            .display_pixels_display()
            .display()
            .call_write_region(&mut self.store, d, area, pixels)
    }

    /// `fill-rect`.
    pub fn fill_rect(
        &mut self,
        d: ResourceAny,
        area: Rect,
        color: u32,
    ) -> wasmtime::Result<Result<(), ErrorCode>> {
        self.driver
            .display_pixels_display()
            .display()
            .call_fill_rect(&mut self.store, d, area, color)
    }

    /// `present`.
    pub fn present(&mut self, d: ResourceAny) -> wasmtime::Result<Result<(), ErrorCode>> {
        self.driver
            .display_pixels_display()
            .display()
            .call_present(&mut self.store, d)
    }

    /// `present-region`.
    pub fn present_region(
        &mut self,
        d: ResourceAny,
        area: Rect,
        pixels: &[u8],
    ) -> wasmtime::Result<Result<(), ErrorCode>> {
        self.driver
            .display_pixels_display()
            .display()
            .call_present_region(&mut self.store, d, area, pixels)
    }

    /// `set-power`.
    pub fn set_power(
        &mut self,
        d: ResourceAny,
        on: bool,
    ) -> wasmtime::Result<Result<(), ErrorCode>> {
        self.driver
            .display_pixels_display()
            .display()
            .call_set_power(&mut self.store, d, on)
    }

    /// `set-brightness`.
    pub fn set_brightness(
        &mut self,
        d: ResourceAny,
        level: u8,
    ) -> wasmtime::Result<Result<(), ErrorCode>> {
        self.driver
            .display_pixels_display()
            .display()
            .call_set_brightness(&mut self.store, d, level)
    }

    /// Drops the guest's display (runs its destructor).
    pub fn close(&mut self, d: ResourceAny) -> wasmtime::Result<()> {
        d.resource_drop(&mut self.store)
    }

    /// Removes and returns what crossed the wires so far.
    pub fn take_trace(&self) -> Vec<TraceEvent> {
        self.trace.take()
    }

    /// Whether the simulated glass shows pixel (`x`, `y`) lit.
    pub fn lit(&self, x: u32, y: u32) -> bool {
        let frame = self.display.lock().unwrap().frame();
        frame.pixel(x, y).is_some_and(|rgb| rgb != [0, 0, 0])
    }

    /// The lit pixels of the simulated glass, row by row.
    pub fn glass(&self) -> Vec<Vec<bool>> {
        let frame = self.display.lock().unwrap().frame();
        (0..frame.height)
            .map(|y| {
                (0..frame.width)
                    .map(|x| frame.pixel(x, y).is_some_and(|rgb| rgb != [0, 0, 0]))
                    .collect()
            })
            .collect()
    }
}

/// The bytes of every write in `events`, in order, as `(who, bytes)`: for I2C the bus name and
/// address, for SPI the device name; GPIO edges as `("line", [level])`.
pub fn wire(events: &[TraceEvent]) -> Vec<(String, Vec<u8>)> {
    use wasi_hal_sim::trace::TraceOp;
    let mut out = Vec::new();
    for event in events {
        match &event.kind {
            TraceKind::I2c {
                bus, address, ops, ..
            } => {
                for op in ops {
                    if let TraceOp::Write { bytes } = op {
                        out.push((format!("{bus}@{address:#04x}"), bytes.clone()));
                    }
                }
            }
            TraceKind::Spi { device, ops } => {
                for op in ops {
                    if let TraceOp::Write { bytes } = op {
                        out.push((device.clone(), bytes.clone()));
                    }
                }
            }
            TraceKind::Gpio { line, high } => out.push((line.clone(), vec![u8::from(*high)])),
            // Not bytes on a bus or line: the buzzer's recording is what tests compare.
            TraceKind::Pwm { .. } => {}
        }
    }
    out
}

/// A CLI that `cargo xtask setup` installs at a pinned version: `$env` (set by `cargo xtask
/// setup`/`test`), else `<cache>/tools/<dir>/bin/<bin>` in its cache (`$WASI_HAL_CACHE`, else
/// `$XDG_CACHE_HOME/wasi-hal`, else `~/.cache/wasi-hal`). Fails with what to run when it is not
/// installed.
pub fn pinned_tool(env: &str, dir: &str, bin: &str) -> std::path::PathBuf {
    use std::path::PathBuf;
    if let Some(path) = std::env::var_os(env) {
        let path = PathBuf::from(path);
        assert!(
            path.exists(),
            "{env} is {} but there is no such file: run `cargo xtask setup`",
            path.display()
        );
        return path;
    }
    let cache = std::env::var_os("WASI_HAL_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("wasi-hal")))
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/wasi-hal")))
        .expect("neither WASI_HAL_CACHE, XDG_CACHE_HOME nor HOME is set");
    let path = cache.join("tools").join(dir).join("bin").join(bin);
    assert!(
        path.exists(),
        "{} is not installed ({env} is not set): run `cargo xtask setup`",
        path.display()
    );
    path
}

/// The pinned `wac` CLI (wac-cli 0.12.0).
pub fn wac_cli() -> std::path::PathBuf {
    pinned_tool("WASI_HAL_WAC", "wac-cli-0.12.0", "wac")
}

/// The pinned `wkg` CLI (0.16.1).
pub fn wkg_cli() -> std::path::PathBuf {
    pinned_tool("WASI_HAL_WKG", "wkg-0.16.1", "wkg")
}

/// `wac plug SOCKET --plug PLUG... -o OUT` with the pinned `wac`; fails with wac's message.
pub fn wac_plug(socket: &std::path::Path, plugs: &[&std::path::Path], out: &std::path::Path) {
    let mut cmd = std::process::Command::new(wac_cli());
    cmd.arg("plug").arg(socket);
    for plug in plugs {
        cmd.arg("--plug").arg(plug);
    }
    let output = cmd.arg("-o").arg(out).output().expect("cannot start wac");
    assert!(
        output.status.success(),
        "wac plug {} {plugs:?} failed: {}",
        socket.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}
