//! The compositions in `compositions/`: an app plugged into a display driver by a WAC file.
//!
//! Each composition is composed here from the app and driver components the tests build
//! (`test_programs_artifacts::APP_*`, `DRIVER_*`) with `wasi_hal_compose::compose_file`, as
//! `cargo xtask build` does, so these tests never depend on a build having run. Runs go through
//! `wasi_hal::run`, the library behind `wasi-hal run`, on the composition's simulated board.
//!
//! - **Golden frames**: the screenshot after three fixed frame counts (`--frames N`, in
//!   simulated time, so the same on every machine) equals
//!   `tests/golden/<composition>/frame-NNN.png` pixel for pixel.
//!   `UPDATE_GOLDEN=1 cargo test -p wasi-hal-tests --test compositions` writes them; look at
//!   what you write.
//! - **Determinism**: two runs give the same screenshot and the same bus trace, byte for byte.
//! - **The composition adds nothing to the wire**: pacman alone, against a host-side
//!   `display:pixels` that records every call, then those calls replayed into the `pmod-oled`
//!   driver alone on the same simulated board, give the SPI traffic (bytes and D/C# levels,
//!   and the display's other lines) of the composed pacman, transaction for transaction.
//! - **The real `wac` CLI** (`wac plug` and `wac compose`) gives a pacman that puts the same
//!   bytes on the wire as the one composed with `wasi-hal-compose` and shows the same golden
//!   frame. It is found through `WASI_HAL_WAC` (set by `cargo xtask setup`/`test`),
//!   else in the cache `cargo xtask setup` installs it into.

use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use test_programs_artifacts::{
    APP_BALL_SCREENSAVER, APP_PACMAN, APP_STRIP_RAINBOW, APP_WEATHER_STATION, DRIVER_BME680,
    DRIVER_PMOD_OLED, DRIVER_PMOD_OLEDRGB, DRIVER_SSD1306_I2C, DRIVER_WS2812_SPI,
};
use wasi_hal::{Outcome, RunOptions};
use wasi_hal_board::Board;
use wasi_hal_linker::{WasiHalCtx, WasiHalCtxView, WasiHalView};
use wasi_hal_tests::{root, write_whole};
use wasmtime::component::{HasSelf, Linker, Resource, ResourceAny, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

/// A composition in `compositions/` and what it is made of.
struct Composition {
    /// The WAC file's name without `.wac`; also the folder of its golden frames.
    name: &'static str,
    /// Its board file, relative to the workspace root.
    board: &'static str,
    /// The app's package name in the WAC file and its component file.
    app: (&'static str, &'static str),
    /// The drivers' package names in the WAC file and their component files.
    drivers: &'static [(&'static str, &'static str)],
    /// The frame counts (`--frames N`) after which the golden screenshots are taken, in
    /// increasing order. The last one is also the length of the traced runs.
    golden_frames: [u64; 3],
}

/// Pacman on the Digilent Pmod OLED (SSD1306 128x32, SPI). The first 60 frames are the
/// "READY!" pause, so the later frames are taken while it plays.
const PACMAN_PMOD_OLED: Composition = Composition {
    name: "pacman-pmod-oled",
    board: "boards/sim-pacman-pmod-oled.toml",
    app: ("wasi-hal:pacman", APP_PACMAN),
    drivers: &[("wasi-hal:pmod-oled", DRIVER_PMOD_OLED)],
    golden_frames: [1, 90, 150],
};

/// The ball screensaver on an SSD1306 128x64 over I2C.
const BALL_SCREENSAVER_SSD1306_I2C: Composition = Composition {
    name: "ball-screensaver-ssd1306-i2c",
    board: "boards/sim-ssd1306-i2c.toml",
    app: ("wasi-hal:ball-screensaver", APP_BALL_SCREENSAVER),
    drivers: &[("wasi-hal:ssd1306-i2c", DRIVER_SSD1306_I2C)],
    golden_frames: [1, 30, 90],
};

/// The weather station with a BME680 and an SSD1306 128x64 on one shared I2C bus. It measures
/// once a second of simulated time, so the later frames show a trend of several samples.
const WEATHER_BME680_SSD1306: Composition = Composition {
    name: "weather-bme680-ssd1306",
    board: "boards/sim-weather.toml",
    app: ("wasi-hal:weather-station", APP_WEATHER_STATION),
    drivers: &[
        ("wasi-hal:bme680", DRIVER_BME680),
        ("wasi-hal:ssd1306-i2c", DRIVER_SSD1306_I2C),
    ],
    golden_frames: [1, 30, 90],
};

/// The ball screensaver in colour on the Digilent Pmod OLEDrgb (SSD1331 96x64, SPI).
const BALL_SCREENSAVER_PMOD_OLEDRGB: Composition = Composition {
    name: "ball-screensaver-pmod-oledrgb",
    board: "boards/sim-pmod-oledrgb.toml",
    app: ("wasi-hal:ball-screensaver", APP_BALL_SCREENSAVER),
    drivers: &[("wasi-hal:pmod-oledrgb", DRIVER_PMOD_OLEDRGB)],
    golden_frames: [1, 30, 90],
};

/// A rainbow on a strip of 11 WS2812B LEDs driven from SPI MOSI: the screenshot shows each LED
/// as the simulated strip decoded it from the pulses on the wire.
const STRIP_RAINBOW_WS2812: Composition = Composition {
    name: "strip-rainbow-ws2812",
    board: "boards/sim-led-strip.toml",
    app: ("wasi-hal:strip-rainbow", APP_STRIP_RAINBOW),
    drivers: &[("wasi-hal:ws2812-spi", DRIVER_WS2812_SPI)],
    golden_frames: [1, 30, 90],
};

/// The weather station on a DHT22 the host reads itself (`[sensor.room]` of the board file):
/// only the display is a driver component; `sensor:environment` comes from the host.
const WEATHER_DHT22_SSD1306: Composition = Composition {
    name: "weather-dht22-ssd1306",
    board: "boards/sim-weather-dht22.toml",
    app: ("wasi-hal:weather-station", APP_WEATHER_STATION),
    drivers: &[("wasi-hal:ssd1306-i2c", DRIVER_SSD1306_I2C)],
    golden_frames: [1, 30, 90],
};

/// The GPIO lines of the Pmod OLED on `boards/sim-pacman-pmod-oled.toml`.
const PMOD_OLED_LINES: [&str; 4] = ["oled-dc", "oled-res", "oled-vbatc", "oled-vddc"];

/// This test binary's folder under cargo's temporary folder for integration tests.
fn tmp() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("compositions");
    std::fs::create_dir_all(&dir).expect("cannot create the temporary folder");
    dir
}

/// A new empty folder for one run's files; the caller removes it.
fn scratch(label: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    let dir = tmp().join(format!("{label}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("cannot create a scratch folder");
    dir
}

impl Composition {
    /// The WAC file.
    fn wac(&self) -> PathBuf {
        root()
            .join("compositions")
            .join(format!("{}.wac", self.name))
    }

    /// The board file.
    fn board(&self) -> PathBuf {
        root().join(self.board)
    }

    /// The frame count of the traced runs: the last golden frame.
    fn long_run(&self) -> u64 {
        self.golden_frames[self.golden_frames.len() - 1]
    }

    /// The component composed with `wasi_hal_compose::compose_file`, written once per test
    /// process.
    fn composed(&self) -> PathBuf {
        static DONE: OnceLock<Mutex<HashMap<&'static str, PathBuf>>> = OnceLock::new();
        let mut done = DONE.get_or_init(Default::default).lock().unwrap();
        if let Some(path) = done.get(self.name) {
            return path.clone();
        }
        let mut deps = vec![self.app];
        deps.extend(self.drivers.iter().copied());
        let bytes = wasi_hal_tests::compose(self.name, &deps);
        let path = tmp().join(format!("{}.wasm", self.name));
        write_whole(&path, &bytes);
        done.insert(self.name, path.clone());
        path
    }
}

/// What one run left behind.
struct RunOutput {
    /// The screenshot (PNG) of the board's display.
    png: Vec<u8>,
    /// The bus trace (JSON lines).
    trace: Vec<u8>,
}

/// Runs `component` on `board` for `frames` frames with `wasi_hal::run`, taking a screenshot
/// and the bus trace. Panics unless the guest ran to `ok`.
fn run(component: &Path, board: &Path, frames: u64) -> RunOutput {
    let dir = scratch(&format!("run-{frames}"));
    let options = RunOptions {
        component: component.to_path_buf(),
        board: board.to_path_buf(),
        frames: Some(frames),
        screenshot: Some(dir.join("screenshot.png")),
        trace: Some(dir.join("trace.jsonl")),
        ..RunOptions::default()
    };
    let outcome = wasi_hal::run(&options).unwrap_or_else(|e| {
        panic!(
            "wasi-hal run {} --board {} could not start: {e:?}",
            component.display(),
            board.display()
        )
    });
    match outcome {
        Outcome::Success => {}
        other => panic!(
            "wasi-hal run {} --board {} --frames {frames} ended with {other:?}",
            component.display(),
            board.display()
        ),
    }
    let output = RunOutput {
        png: std::fs::read(dir.join("screenshot.png")).expect("the run saved no screenshot"),
        trace: std::fs::read(dir.join("trace.jsonl")).expect("the run saved no trace"),
    };
    let _ = std::fs::remove_dir_all(&dir);
    output
}

/// [`run`], once per component, board and frame count in this test process: the golden,
/// determinism and traffic tests share their runs (each run compiles the component, which is
/// most of its time in a debug build).
fn shared_run(component: &Path, board: &Path, frames: u64) -> Arc<RunOutput> {
    /// A component, a board and a frame count.
    type Key = (PathBuf, PathBuf, u64);
    /// The run of a key, made by the first test that asks for it.
    type Cell = Arc<OnceLock<Arc<RunOutput>>>;
    static RUNS: OnceLock<Mutex<HashMap<Key, Cell>>> = OnceLock::new();
    let key = (component.to_path_buf(), board.to_path_buf(), frames);
    let cell = RUNS
        .get_or_init(Default::default)
        .lock()
        .unwrap()
        .entry(key)
        .or_default()
        .clone();
    cell.get_or_init(|| Arc::new(run(component, board, frames)))
        .clone()
}

/// Whether `UPDATE_GOLDEN=1` asks to (re)write the golden files.
fn updating_golden() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1")
}

/// Checks the screenshot `png` of `composition` after `frames` frames against its golden file,
/// pixel for pixel. With `UPDATE_GOLDEN=1` and `may_update`, writes the golden file instead.
/// `what` names the component in messages.
fn check_golden(composition: &str, frames: u64, png: &[u8], may_update: bool, what: &str) {
    let dir = root().join("tests/golden").join(composition);
    let path = dir.join(format!("frame-{frames:03}.png"));
    if may_update && updating_golden() {
        std::fs::create_dir_all(&dir).unwrap();
        write_whole(&path, png);
        eprintln!("wrote {}", path.display());
        return;
    }
    assert!(
        path.exists(),
        "the golden frame {} is missing: create it with \
         `UPDATE_GOLDEN=1 cargo test -p wasi-hal-tests --test compositions`, \
         then look at it (scaled up) before committing it",
        path.display()
    );
    let expected = wasi_hal_sim_render::load_png(&path).unwrap();
    let actual = wasi_hal_sim_render::decode_png(png).unwrap();
    if expected == actual {
        return;
    }
    let saved = tmp().join(format!("{composition}-frame-{frames:03}.actual.png"));
    write_whole(&saved, png);
    assert_eq!(
        (actual.width, actual.height),
        (expected.width, expected.height),
        "{what} after {frames} frames: the screenshot ({}) is not the size of {}",
        saved.display(),
        path.display()
    );
    let differing: Vec<(u32, u32)> = (0..actual.height)
        .flat_map(|y| (0..actual.width).map(move |x| (x, y)))
        .filter(|&(x, y)| actual.pixel(x, y) != expected.pixel(x, y))
        .collect();
    panic!(
        "{what} after {frames} frames differs from {} in {} pixels (first at {:?}); the \
         screenshot is {} (UPDATE_GOLDEN=1 rewrites the golden files when the change is meant)",
        path.display(),
        differing.len(),
        differing.first(),
        saved.display()
    );
}

/// Runs `composition` composed with `compose_file` for each of its golden frame counts and
/// checks the screenshots against the golden files (or writes them, with `UPDATE_GOLDEN=1`).
fn golden_frames(composition: &Composition) {
    let component = composition.composed();
    for frames in composition.golden_frames {
        let out = shared_run(&component, &composition.board(), frames);
        check_golden(
            composition.name,
            frames,
            &out.png,
            true,
            &format!("{} (wasi-hal-compose)", composition.name),
        );
    }
}

/// Runs `composition` twice and checks that the screenshots and the bus traces are the same
/// bytes.
fn deterministic(composition: &Composition) {
    let component = composition.composed();
    let board = composition.board();
    let first = shared_run(&component, &board, composition.long_run());
    let second = run(&component, &board, composition.long_run());
    let events = first.trace.iter().filter(|&&b| b == b'\n').count();
    assert!(
        events > 3,
        "{}: the trace has {events} events, only the initialisation or less: nothing was drawn",
        composition.name
    );
    assert!(
        first.png == second.png,
        "{}: two runs gave different screenshots",
        composition.name
    );
    assert!(
        first.trace == second.trace,
        "{}: two runs gave different bus traces",
        composition.name
    );
}

#[test]
fn pacman_pmod_oled_golden_frames() {
    golden_frames(&PACMAN_PMOD_OLED);
}

#[test]
fn ball_screensaver_ssd1306_i2c_golden_frames() {
    golden_frames(&BALL_SCREENSAVER_SSD1306_I2C);
}

#[test]
fn weather_bme680_ssd1306_golden_frames() {
    golden_frames(&WEATHER_BME680_SSD1306);
}

#[test]
fn ball_screensaver_pmod_oledrgb_golden_frames() {
    golden_frames(&BALL_SCREENSAVER_PMOD_OLEDRGB);
}

#[test]
fn ball_screensaver_pmod_oledrgb_runs_are_identical() {
    deterministic(&BALL_SCREENSAVER_PMOD_OLEDRGB);
}

/// The weather station shows the host-read DHT22's temperature and humidity (and no pressure or
/// gas: a DHT22 measures neither), deterministically.
#[test]
fn weather_dht22_ssd1306_golden_frames() {
    golden_frames(&WEATHER_DHT22_SSD1306);
}

/// The host-read DHT22 (its 2 s cache and its 5 ms reads on the board's clock) leaves a run
/// deterministic: the same screenshot and bus trace twice.
#[test]
fn weather_dht22_ssd1306_runs_are_identical() {
    deterministic(&WEATHER_DHT22_SSD1306);
}

#[test]
fn strip_rainbow_ws2812_golden_frames() {
    golden_frames(&STRIP_RAINBOW_WS2812);
}

#[test]
fn strip_rainbow_ws2812_runs_are_identical() {
    deterministic(&STRIP_RAINBOW_WS2812);
}

/// The colours the simulated strip decoded from the SPI bits are the app's, frame for frame:
/// after `--frames N` the strip shows the rainbow moved `N - 1` times, at the app's default
/// brightness (64 of 255).
#[test]
fn the_strip_shows_the_colours_the_app_set() {
    let composition = &STRIP_RAINBOW_WS2812;
    let frames = 30;
    let out = shared_run(&composition.composed(), &composition.board(), frames);
    let picture = wasi_hal_sim_render::decode_png(&out.png).unwrap();
    let mut rainbow = strip_rainbow::Rainbow::new(4);
    for _ in 1..frames {
        rainbow.step();
    }
    let scale = |c: u8| (u16::from(c) * 64 / 255) as u8;
    for (i, [r, g, b, _]) in rainbow.colors(11).into_iter().enumerate() {
        // Each LED is an 8x8 block; its middle pixel is its colour.
        let shown = picture.pixel(i as u32 * 8 + 4, 4).unwrap();
        assert_eq!(
            shown,
            [scale(r), scale(g), scale(b)],
            "LED {i} after {frames} frames"
        );
    }
}

#[test]
fn weather_bme680_ssd1306_runs_are_identical() {
    deterministic(&WEATHER_BME680_SSD1306);
}

#[test]
fn pacman_pmod_oled_runs_are_identical() {
    deterministic(&PACMAN_PMOD_OLED);
}

#[test]
fn ball_screensaver_ssd1306_i2c_runs_are_identical() {
    deterministic(&BALL_SCREENSAVER_SSD1306_I2C);
}

// ---------------------------------------------------------------------------------------------
// The composed pacman against the app and the driver run apart.

/// Host-side bindings of the `display:pixels` word-app world: the host offers `display` and
/// `word-pixels`.
mod app_world {
    #![allow(missing_docs, reason = "generated")]
    wasmtime::component::bindgen!({
        path: "../wit/display-pixels",
        world: "display:pixels/word-app",
        with: {
            "display:pixels/display.display": super::RecordedDisplay,
        },
    });
}

use app_world::display::pixels::display as offered;
use wasi_hal_tests::bindings::Driver;
use wasi_hal_tests::{ColorFormat, Info, Rect};

/// A display the recording host handed out; calls on it are only recorded.
pub struct RecordedDisplay;

/// A rectangle, as `(x, y, width, height)`.
type Area = (u32, u32, u32, u32);

/// One call an app made on `display:pixels`, with everything it passed.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Call {
    /// `open`; the calls on the display it returns carry the same resource number.
    Open,
    /// `display.get-info`.
    GetInfo,
    /// `display.write-region`.
    WriteRegion(Area, Vec<u8>),
    /// `display.fill-rect`.
    FillRect(Area, u32),
    /// `display.present`.
    Present,
    /// `display.present-region`.
    PresentRegion(Area, Vec<u8>),
    /// `word-pixels.present-region`.
    PresentRegionWords(Area, Vec<u64>),
    /// `display.set-power`.
    SetPower(bool),
    /// `display.set-brightness`.
    SetBrightness(u8),
    /// The display was dropped.
    Drop,
}

/// What the recording display answers to `get-info`: the Pmod OLED's glass, as the
/// `pmod-oled` driver reports it (the replay checks that it does).
const PMOD_OLED_INFO: Info = Info {
    width: 128,
    height: 32,
    format: ColorFormat::Mono1,
};

/// The store's data for a guest run apart: WASI, the board's contexts, `wasi:config`, and the
/// recording of the `display:pixels` calls made on the host's own displays.
struct ApartHost {
    /// Resources of every interface.
    table: ResourceTable,
    /// WASI 0.2 (apps are command components).
    wasi: WasiCtx,
    /// The board's per-guest contexts and its `[config]`.
    hal: WasiHalCtx,
    /// Every `display:pixels` call with the resource number of its display.
    calls: Vec<(u32, Call)>,
}

impl WasiView for ApartHost {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHalView for ApartHost {
    fn hal(&mut self) -> WasiHalCtxView<'_> {
        WasiHalCtxView {
            ctx: &mut self.hal,
            table: &mut self.table,
        }
    }
}

impl app_world::display::pixels::word_pixels::Host for ApartHost {
    fn present_region(
        &mut self,
        d: Resource<RecordedDisplay>,
        r: offered::Rect,
        pixels: Vec<u64>,
    ) -> Result<(), offered::ErrorCode> {
        self.calls
            .push((d.rep(), Call::PresentRegionWords(area(r), pixels)));
        Ok(())
    }
}

/// The `rect` record as a tuple.
fn area(r: offered::Rect) -> Area {
    (r.x, r.y, r.width, r.height)
}

impl offered::Host for ApartHost {
    fn open(&mut self) -> Result<Resource<RecordedDisplay>, offered::ErrorCode> {
        let display = self
            .table
            .push(RecordedDisplay)
            .expect("the resource table is full");
        self.calls.push((display.rep(), Call::Open));
        Ok(display)
    }
}

impl offered::HostDisplay for ApartHost {
    fn get_info(&mut self, d: Resource<RecordedDisplay>) -> offered::Info {
        self.calls.push((d.rep(), Call::GetInfo));
        offered::Info {
            width: PMOD_OLED_INFO.width,
            height: PMOD_OLED_INFO.height,
            format: offered::ColorFormat::Mono1,
        }
    }

    fn write_region(
        &mut self,
        d: Resource<RecordedDisplay>,
        r: offered::Rect,
        pixels: Vec<u8>,
    ) -> Result<(), offered::ErrorCode> {
        self.calls
            .push((d.rep(), Call::WriteRegion(area(r), pixels)));
        Ok(())
    }

    fn fill_rect(
        &mut self,
        d: Resource<RecordedDisplay>,
        r: offered::Rect,
        color: u32,
    ) -> Result<(), offered::ErrorCode> {
        self.calls.push((d.rep(), Call::FillRect(area(r), color)));
        Ok(())
    }

    fn present(&mut self, d: Resource<RecordedDisplay>) -> Result<(), offered::ErrorCode> {
        self.calls.push((d.rep(), Call::Present));
        Ok(())
    }

    fn present_region(
        &mut self,
        d: Resource<RecordedDisplay>,
        r: offered::Rect,
        pixels: Vec<u8>,
    ) -> Result<(), offered::ErrorCode> {
        self.calls
            .push((d.rep(), Call::PresentRegion(area(r), pixels)));
        Ok(())
    }

    fn set_power(
        &mut self,
        d: Resource<RecordedDisplay>,
        on: bool,
    ) -> Result<(), offered::ErrorCode> {
        self.calls.push((d.rep(), Call::SetPower(on)));
        Ok(())
    }

    fn set_brightness(
        &mut self,
        d: Resource<RecordedDisplay>,
        level: u8,
    ) -> Result<(), offered::ErrorCode> {
        self.calls.push((d.rep(), Call::SetBrightness(level)));
        Ok(())
    }

    fn drop(&mut self, d: Resource<RecordedDisplay>) -> wasmtime::Result<()> {
        self.calls.push((d.rep(), Call::Drop));
        self.table.delete(d)?;
        Ok(())
    }
}

/// The engine and a linker with WASI 0.2, `wasi:config`, the wasi-hal host crates and the
/// recording `display:pixels`, for guests run apart (`wasi_hal::HostState` is private to the
/// `wasi-hal` crate, so its linker cannot carry the recorder).
fn apart_linker() -> &'static (Engine, Linker<ApartHost>) {
    static CELL: OnceLock<(Engine, Linker<ApartHost>)> = OnceLock::new();
    CELL.get_or_init(|| {
        let engine = Engine::default();
        let mut linker = Linker::new(&engine);
        wasi_hal_linker::add_to_linker_sync(&mut linker).unwrap();
        app_world::WordApp::add_to_linker::<_, HasSelf<ApartHost>>(&mut linker, |s| s).unwrap();
        (engine, linker)
    })
}

/// A store on `board` for a guest run apart, with `args` as its command line.
fn apart_store(board: &Board, args: &[String]) -> Store<ApartHost> {
    let state = ApartHost {
        table: ResourceTable::new(),
        wasi: WasiCtx::builder().args(args).inherit_stderr().build(),
        hal: board.guest_ctx(),
        calls: Vec::new(),
    };
    Store::new(&apart_linker().0, state)
}

/// Runs the pacman app alone for `frames` frames on the pacman board (for its buttons and its
/// clock), against the recording display; returns the calls it made.
fn record_pacman(frames: u64) -> Vec<(u32, Call)> {
    let (engine, linker) = apart_linker();
    let board = Board::load(PACMAN_PMOD_OLED.board()).unwrap();
    let args = [
        "pacman.wasm".to_string(),
        "--frames".into(),
        frames.to_string(),
    ];
    let mut store = apart_store(&board, &args);
    let component = wasmtime::component::Component::from_file(engine, APP_PACMAN).unwrap();
    let command =
        wasmtime_wasi::p2::bindings::sync::Command::instantiate(&mut store, &component, linker)
            .unwrap();
    let result = command.wasi_cli_run().call_run(&mut store).unwrap();
    assert_eq!(result, Ok(()), "pacman alone returned an error");
    std::mem::take(&mut store.data_mut().calls)
}

/// Replays `calls` into the `pmod-oled` driver alone, instantiated by the host on a fresh pacman
/// board; returns the board's trace. Every call must give what the recording display gave.
fn replay_into_pmod_oled(calls: &[(u32, Call)]) -> Vec<Value> {
    let (engine, linker) = apart_linker();
    let board = Board::load(PACMAN_PMOD_OLED.board()).unwrap();
    let sim = board.simulated().expect("the pacman board is simulated");
    sim.trace().enable();
    let mut store = apart_store(&board, &[]);
    let component = wasmtime::component::Component::from_file(engine, DRIVER_PMOD_OLED).unwrap();
    let driver = Driver::instantiate(&mut store, &component, linker).unwrap();
    let api = driver.display_pixels_display();
    let mut displays: HashMap<u32, ResourceAny> = HashMap::new();
    let rect = |(x, y, width, height): Area| Rect {
        x,
        y,
        width,
        height,
    };
    for (i, (id, call)) in calls.iter().enumerate() {
        if *call == Call::Open {
            let d = api.call_open(&mut store).unwrap();
            displays.insert(*id, d.unwrap_or_else(|e| panic!("call {i}: open: {e:?}")));
            continue;
        }
        let d = displays[id];
        let display = api.display();
        let answer = match call {
            Call::Open => unreachable!(),
            Call::GetInfo => {
                let info = display.call_get_info(&mut store, d).unwrap();
                assert_eq!(
                    (info.width, info.height, info.format),
                    (
                        PMOD_OLED_INFO.width,
                        PMOD_OLED_INFO.height,
                        PMOD_OLED_INFO.format
                    ),
                    "call {i}: get-info"
                );
                Ok(())
            }
            Call::WriteRegion(a, pixels) => display
                .call_write_region(&mut store, d, rect(*a), pixels)
                .unwrap(),
            Call::FillRect(a, color) => display
                .call_fill_rect(&mut store, d, rect(*a), *color)
                .unwrap(),
            Call::Present => display.call_present(&mut store, d).unwrap(),
            Call::PresentRegion(a, pixels) => display
                .call_present_region(&mut store, d, rect(*a), pixels)
                .unwrap(),
            Call::PresentRegionWords(a, pixels) => driver
                .display_pixels_word_pixels()
                .call_present_region(&mut store, d, rect(*a), pixels)
                .unwrap(),
            Call::SetPower(on) => display.call_set_power(&mut store, d, *on).unwrap(),
            Call::SetBrightness(level) => {
                display.call_set_brightness(&mut store, d, *level).unwrap()
            }
            Call::Drop => {
                d.resource_drop(&mut store).unwrap();
                displays.remove(id);
                Ok(())
            }
        };
        assert_eq!(answer, Ok(()), "call {i}: {call:?}");
    }
    // As at the end of a run: the guest's pins go back to their safe levels.
    drop(store);
    sim.trace()
        .take()
        .iter()
        .map(|e| serde_json::to_value(e).unwrap())
        .collect()
}

/// The display's part of a trace: SPI transactions and the edges of the Pmod OLED's lines, in
/// order, without their times (a composed run spends time between frames that calls replayed
/// back to back do not).
fn display_traffic(events: impl IntoIterator<Item = Value>) -> Vec<Value> {
    events
        .into_iter()
        .filter(|e| match e["kind"].as_str() {
            Some("spi") => true,
            Some("gpio") => PMOD_OLED_LINES.iter().any(|l| e["line"] == *l),
            _ => false,
        })
        .map(|mut e| {
            e.as_object_mut().unwrap().remove("time_ns");
            e
        })
        .collect()
}

/// Panics at the first event where the traces `a` and `b` (each with a label) differ.
fn assert_same_traffic((a_name, a): (&str, &[Value]), (b_name, b): (&str, &[Value])) {
    let shown = |e: Option<&Value>| {
        e.map_or("nothing".to_string(), |e| {
            let s = e.to_string();
            if s.len() > 300 {
                format!("{}... ({} characters)", &s[..300], s.len())
            } else {
                s
            }
        })
    };
    if let Some(i) = (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i)) {
        panic!(
            "the traces differ at event {i} of {} ({a_name}) / {} ({b_name}):\n\
             {a_name}: {}\n{b_name}: {}",
            a.len(),
            b.len(),
            shown(a.get(i)),
            shown(b.get(i))
        );
    }
}

#[test]
fn composed_pacman_sends_what_pacman_and_the_driver_send_apart() {
    let frames = PACMAN_PMOD_OLED.long_run();
    let composed = shared_run(
        &PACMAN_PMOD_OLED.composed(),
        &PACMAN_PMOD_OLED.board(),
        frames,
    );
    let composed_trace = String::from_utf8(composed.trace.clone()).unwrap();
    let composed = display_traffic(
        composed_trace
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap()),
    );

    let calls = record_pacman(frames);
    let presented = calls
        .iter()
        .filter(|(_, c)| matches!(c, Call::PresentRegion(..) | Call::PresentRegionWords(..)))
        .count();
    assert!(
        presented >= 10,
        "pacman alone presented {presented} times in {frames} frames ({} calls in all)",
        calls.len()
    );
    let apart = display_traffic(replay_into_pmod_oled(&calls));

    let spi = composed.iter().filter(|e| e["kind"] == "spi").count();
    // At least the data of each presentation (the window goes too when it changed).
    assert!(
        spi >= presented,
        "the composed pacman made {spi} SPI transactions for {presented} presentations"
    );
    assert_same_traffic(("composed", &composed), ("apart", &apart));
}

// ---------------------------------------------------------------------------------------------
// The real wac CLI.

/// The `wac` binary: `$WASI_HAL_WAC`, else where `cargo xtask setup` installs wac-cli 0.12.0.
fn wac() -> PathBuf {
    wasi_hal_tests::wac_cli()
}

/// Runs `wac` with `args`, writing the component to `out`; panics with wac's message on failure.
fn run_wac(args: &[&std::ffi::OsStr], out: &Path) -> PathBuf {
    let output = Command::new(wac())
        .args(args)
        .arg("-o")
        .arg(out)
        .output()
        .expect("cannot start wac");
    assert!(
        output.status.success(),
        "wac {:?} failed: {}",
        args,
        String::from_utf8_lossy(&output.stderr)
    );
    out.to_path_buf()
}

/// Makes a pacman with `wac` and `args` and checks that it behaves as the one composed with
/// `wasi-hal-compose`: over the traced run, the same bus trace byte for byte (every frame of
/// the glass follows from it) and the same last golden frame. (Each run costs a compilation of
/// the component, so the earlier golden frames are left to the trace.)
fn wac_pacman_behaves_the_same(what: &str, args: &[&std::ffi::OsStr]) {
    let dir = scratch("wac");
    let component = run_wac(args, &dir.join("pacman.wasm"));
    let frames = PACMAN_PMOD_OLED.long_run();
    let board = PACMAN_PMOD_OLED.board();
    let out = run(&component, &board, frames);
    check_golden(PACMAN_PMOD_OLED.name, frames, &out.png, false, what);
    let reference = shared_run(&PACMAN_PMOD_OLED.composed(), &board, frames);
    let lines = |trace: &[u8]| -> Vec<Value> {
        String::from_utf8(trace.to_vec())
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    assert_same_traffic(
        ("wasi-hal-compose", &lines(&reference.trace)),
        (what, &lines(&out.trace)),
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn wac_plug_gives_the_same_pacman() {
    wac_pacman_behaves_the_same(
        "wac plug pacman --plug pmod-oled",
        &[
            "plug".as_ref(),
            APP_PACMAN.as_ref(),
            "--plug".as_ref(),
            DRIVER_PMOD_OLED.as_ref(),
        ],
    );
}

#[test]
fn wac_compose_gives_the_same_pacman() {
    let app = format!("{}={}", PACMAN_PMOD_OLED.app.0, PACMAN_PMOD_OLED.app.1);
    let driver = format!(
        "{}={}",
        PACMAN_PMOD_OLED.drivers[0].0, PACMAN_PMOD_OLED.drivers[0].1
    );
    wac_pacman_behaves_the_same(
        "wac compose compositions/pacman-pmod-oled.wac",
        &[
            "compose".as_ref(),
            PACMAN_PMOD_OLED.wac().as_os_str(),
            "--dep".as_ref(),
            app.as_ref(),
            "--dep".as_ref(),
            driver.as_ref(),
        ],
    );
}

/// Each composed app (app and drivers in one component) stays small enough to ship to a small
/// host: at most 256 KiB (docs/performance.md). Sizes are deterministic, so this is a test.
#[test]
fn composed_apps_are_at_most_256_kib() {
    for composition in [
        &PACMAN_PMOD_OLED,
        &BALL_SCREENSAVER_SSD1306_I2C,
        &WEATHER_BME680_SSD1306,
    ] {
        let size = std::fs::metadata(composition.composed()).unwrap().len();
        assert!(size <= 256 * 1024, "{}: {size} bytes", composition.name);
    }
}
