//! Any host that offers plain WASI 0.2 runs a composition of app + driver + virtual board.
//!
//! `compositions/pacman-pmod-oled-virtual.wac` plugs the pacman app into the Pmod OLED driver
//! and the driver and the app into `virtual-boards/sim-pacman-pmod-oled` (the host-side
//! simulated board's model code, compiled into a component). These tests run it in a Wasmtime
//! whose linker holds **only** `wasmtime_wasi::p2::add_to_linker_sync`: no wasi-hal host crate,
//! no `wasi:config`. They check that:
//! - the composition imports nothing but WASI 0.2 interfaces, and exports `wasi:cli/run` and the
//!   board's `wasi-hal:inspect/board`;
//! - the frames it writes to stdout end with the golden frames of the host-side simulation
//!   (`tests/golden/pacman-pmod-oled/frame-NNN.png`, the screenshots of `wasi-hal run
//!   --frames N`), pixel for pixel, and two runs write the same bytes;
//! - a virtual board on its own reports, through `wasi-hal:inspect/board`, what known bus
//!   traffic did to its display, lines and trace, and applies the board file's policy.

mod frame_stream;

use frame_stream::{StreamFrame, assert_same_frame, parse_frames};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use test_programs_artifacts::{
    APP_PACMAN, APP_WEATHER_STATION, DRIVER_BME680, DRIVER_PMOD_OLED, DRIVER_SSD1306_I2C,
    VIRTUAL_BOARD_SIM_PACMAN_PMOD_OLED, VIRTUAL_BOARD_SIM_WEATHER,
};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

/// Typed access to a virtual board's exports, from its world.
mod board_world {
    wasmtime::component::bindgen!({
        path: [
            "../wit/wasi-spi",
            "../wit/wasi-i2c",
            "../wit/wasi-gpio",
            "../wit/wasi-delay",
            "../wit/wasi-hal-inspect",
            "../drivers/wit-deps/config",
            "../virtual-boards/virtual-board/wit",
        ],
        world: "wasi-hal:virtual-board/board",
        additional_derives: [PartialEq],
    });
}

use board_world::exports::wasi::gpio::gpio::{ErrorCode as GpioError, Level, PinModes};
use board_world::exports::wasi::i2c::i2c::ErrorCode as I2cError;
use board_world::exports::wasi::spi::spi::{
    BitOrder, Config as SpiConfig, ErrorCode as SpiError, Mode, Operation,
};
use board_world::exports::wasi_hal::inspect::board::{BusOp, Conditions, EventKind};

/// The workspace root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate is inside the workspace")
        .to_path_buf()
}

/// The store's data: WASI and nothing else.
struct PlainWasi {
    table: ResourceTable,
    wasi: WasiCtx,
}

impl WasiView for PlainWasi {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(Engine::default)
}

/// A linker with plain WASI 0.2 and nothing else.
fn plain_wasi_linker() -> Linker<PlainWasi> {
    let mut linker = Linker::new(engine());
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).unwrap();
    linker
}

/// A store whose guest gets `args` and writes stdout into the returned pipe.
fn plain_wasi_store(args: &[&str]) -> (Store<PlainWasi>, MemoryOutputPipe) {
    plain_wasi_store_with_env(args, &[])
}

/// [`plain_wasi_store`] with environment variables.
fn plain_wasi_store_with_env(
    args: &[&str],
    env: &[(&str, &str)],
) -> (Store<PlainWasi>, MemoryOutputPipe) {
    let stdout = MemoryOutputPipe::new(64 << 20);
    let wasi = WasiCtx::builder()
        .args(args)
        .envs(env)
        .stdout(stdout.clone())
        .inherit_stderr()
        .build();
    let store = Store::new(
        engine(),
        PlainWasi {
            table: ResourceTable::new(),
            wasi,
        },
    );
    (store, stdout)
}

/// A composition in `compositions/` with a virtual board, and what it is made of.
struct Virtual {
    /// The WAC file's name without `.wac`.
    name: &'static str,
    /// The package names in the WAC file and their component files.
    deps: &'static [(&'static str, &'static str)],
    /// The host-side composition whose golden frames it must show:
    /// `tests/golden/<golden>/frame-NNN.png`.
    golden: &'static str,
    /// The frame counts of those golden frames.
    golden_frames: [u64; 3],
    /// The display's name on the board.
    display: &'static str,
}

const PACMAN: Virtual = Virtual {
    name: "pacman-pmod-oled-virtual",
    deps: &[
        ("wasi-hal:pacman", APP_PACMAN),
        ("wasi-hal:pmod-oled", DRIVER_PMOD_OLED),
        (
            "wasi-hal:sim-pacman-pmod-oled",
            VIRTUAL_BOARD_SIM_PACMAN_PMOD_OLED,
        ),
    ],
    golden: "pacman-pmod-oled",
    golden_frames: [1, 90, 150],
    display: "oled",
};

const WEATHER: Virtual = Virtual {
    name: "weather-bme680-ssd1306-virtual",
    deps: &[
        ("wasi-hal:weather-station", APP_WEATHER_STATION),
        ("wasi-hal:bme680", DRIVER_BME680),
        ("wasi-hal:ssd1306-i2c", DRIVER_SSD1306_I2C),
        ("wasi-hal:sim-weather", VIRTUAL_BOARD_SIM_WEATHER),
    ],
    golden: "weather-bme680-ssd1306",
    golden_frames: [1, 30, 90],
    display: "display",
};

impl Virtual {
    /// The composition, composed from the components the tests build as `cargo xtask build`
    /// composes it, and compiled; once per test process.
    fn composed(&self) -> &'static (Vec<u8>, Component) {
        type Done = Mutex<HashMap<&'static str, &'static (Vec<u8>, Component)>>;
        static DONE: OnceLock<Done> = OnceLock::new();
        let mut done = DONE.get_or_init(Default::default).lock().unwrap();
        done.entry(self.name).or_insert_with(|| {
            let wac = root().join(format!("compositions/{}.wac", self.name));
            let deps = self
                .deps
                .iter()
                .map(|(name, file)| (name.to_string(), PathBuf::from(file)))
                .collect();
            let bytes = wasi_hal_compose::compose_file(&wac, &deps)
                .unwrap_or_else(|e| panic!("composing {} failed: {e:?}", wac.display()));
            let component = Component::new(engine(), &bytes).unwrap();
            Box::leak(Box::new((bytes, component)))
        })
    }

    /// Runs the composition for `frames` frames with plain WASI and returns its stdout.
    fn run(&self, frames: u64) -> Vec<u8> {
        self.run_with_env(frames, &[])
    }

    /// [`Virtual::run`] with environment variables.
    fn run_with_env(&self, frames: u64, env: &[(&str, &str)]) -> Vec<u8> {
        let (_, component) = self.composed();
        let frames = frames.to_string();
        let (mut store, stdout) = plain_wasi_store_with_env(&[self.name, "--frames", &frames], env);
        let command = wasmtime_wasi::p2::bindings::sync::Command::instantiate(
            &mut store,
            component,
            &plain_wasi_linker(),
        )
        .unwrap_or_else(|e| panic!("plain WASI 0.2 cannot instantiate {}: {e:?}", self.name));
        let result = command.wasi_cli_run().call_run(&mut store).unwrap();
        assert_eq!(
            result,
            Ok(()),
            "{} --frames {frames} returned an error",
            self.name
        );
        drop(store);
        stdout.contents().to_vec()
    }

    /// Checks that the composition imports only WASI 0.2 and exports `wasi:cli/run` and the
    /// board's inspection interface.
    fn check_interfaces(&self) {
        let (bytes, _) = self.composed();
        let (imports, exports) = interfaces(bytes);
        let other: Vec<&String> = imports.iter().filter(|i| !is_wasi_0_2(i)).collect();
        assert!(
            other.is_empty(),
            "{} imports more than WASI 0.2: {other:?}",
            self.name
        );
        let wasi_run = exports.iter().find(|e| e.starts_with("wasi:cli/run@0.2."));
        assert!(wasi_run.is_some(), "no wasi:cli/run export in {exports:?}");
        assert!(
            exports.contains("wasi-hal:inspect/board@0.1.0"),
            "{exports:?}"
        );
    }

    /// Runs the composition for each golden frame count; the last frame it writes is the
    /// golden frame of the host-side simulation, and the same run twice writes the same bytes.
    /// Returns the frames of the longest run.
    fn check_golden_frames(&self) -> Vec<StreamFrame> {
        let golden = root().join("tests/golden").join(self.golden);
        let mut longest = Vec::new();
        for n in self.golden_frames {
            let stdout = self.run(n);
            let frames = parse_frames(&stdout);
            assert!(
                frames.iter().all(|f| f.display == self.display),
                "one display, named as in the board file"
            );
            assert!(
                frames.windows(2).all(|w| w[0].time_ns <= w[1].time_ns),
                "frames are in time order"
            );
            let last = frames.last().expect("no frame written");
            assert!(last.lit, "after {n} frames the panel is lit");
            let path = golden.join(format!("frame-{n:03}.png"));
            let expected = wasi_hal_sim_render::load_png(&path)
                .expect("the golden frame of the host-side simulation");
            assert_same_frame(
                &last.frame,
                &expected,
                &format!("{} after {n} frames against {}", self.name, path.display()),
            );
            if n == self.golden_frames[2] {
                assert_eq!(self.run(n), stdout, "two runs of {} differ", self.name);
                longest = frames;
            }
        }
        longest
    }
}

/// The interfaces a component imports or exports, by full name.
fn interfaces(bytes: &[u8]) -> (BTreeSet<String>, BTreeSet<String>) {
    let wit_component::DecodedWasm::Component(resolve, world) =
        wit_component::decode(bytes).unwrap()
    else {
        panic!("not a component");
    };
    let world = &resolve.worlds[world];
    let names = |keys: Vec<&wit_parser::WorldKey>| {
        keys.into_iter()
            .map(|key| match key {
                wit_parser::WorldKey::Interface(id) => resolve.id_of(*id).unwrap(),
                wit_parser::WorldKey::Name(name) => name.clone(),
            })
            .collect::<BTreeSet<_>>()
    };
    (
        names(world.imports.keys().collect()),
        names(world.exports.keys().collect()),
    )
}

/// Whether `name` is an interface of WASI 0.2 (`wasi:cli/stdout@0.2.6`, ...).
fn is_wasi_0_2(name: &str) -> bool {
    let Some((package, version)) = name.split_once('@') else {
        return false;
    };
    [
        "wasi:cli/",
        "wasi:io/",
        "wasi:clocks/",
        "wasi:random/",
        "wasi:filesystem/",
    ]
    .iter()
    .any(|p| package.starts_with(p))
        && version.starts_with("0.2.")
}

#[test]
fn the_virtual_compositions_import_only_wasi_0_2() {
    PACMAN.check_interfaces();
    WEATHER.check_interfaces();
    // The parts on their own do import the hardware: the board is what satisfies it.
    let (driver_imports, _) = interfaces(&std::fs::read(DRIVER_PMOD_OLED).unwrap());
    assert!(driver_imports.contains("wasi:spi/spi@0.1.0"));
    for board in [
        VIRTUAL_BOARD_SIM_PACMAN_PMOD_OLED,
        VIRTUAL_BOARD_SIM_WEATHER,
    ] {
        let (imports, exports) = interfaces(&std::fs::read(board).unwrap());
        assert!(imports.iter().all(|i| is_wasi_0_2(i)), "{imports:?}");
        for export in [
            "wasi:spi/spi@0.1.0",
            "wasi:i2c/i2c@0.1.0",
            "wasi:gpio/gpio@0.1.0",
            "wasi:delay/delay@0.1.0",
            "wasi:config/store@0.2.0-rc.1",
            "wasi-hal:inspect/board@0.1.0",
        ] {
            assert!(exports.contains(export), "{export} in {exports:?}");
        }
    }
}

#[test]
fn the_virtual_pacman_shows_the_golden_frames_with_plain_wasi() {
    let frames = PACMAN.check_golden_frames();
    // 150 frames at 30 per simulated second: the 60 of the "READY!" pause show one image, the
    // 90 of the game in motion many different ones.
    assert!(frames.len() > 60, "only {} frames written", frames.len());
    let seconds = frames.last().unwrap().time_ns as f64 / 1e9;
    assert!((4.9..5.5).contains(&seconds), "150 frames took {seconds} s");
}

#[test]
fn the_virtual_weather_station_shows_the_golden_frames_with_plain_wasi() {
    let frames = WEATHER.check_golden_frames();
    // One frame a simulated second, each with a new sample on the trend.
    assert!(frames.len() > 30, "only {} frames written", frames.len());
}

#[test]
fn wasi_hal_frames_chooses_the_format_of_the_frames() {
    let ppm = PACMAN.run(90);
    assert_eq!(PACMAN.run_with_env(90, &[("WASI_HAL_FRAMES", "ppm")]), ppm);
    assert!(
        PACMAN
            .run_with_env(90, &[("WASI_HAL_FRAMES", "none")])
            .is_empty()
    );
    let text = PACMAN.run_with_env(90, &[("WASI_HAL_FRAMES", "text")]);
    let text = String::from_utf8(text).expect("text frames are UTF-8");
    let frames = parse_frames(&ppm);
    let headers: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("wasi-hal-frame "))
        .collect();
    assert_eq!(headers.len(), frames.len(), "one text frame per PPM frame");
    // 32 pixel rows are 16 text rows of 128 characters after each header.
    assert_eq!(text.lines().count(), frames.len() * 17);
    assert!(
        text.lines()
            .all(|l| l.starts_with("wasi-hal-frame ") || l.chars().count() == 128)
    );
    // An unknown format is reported and falls back to PPM.
    assert_eq!(PACMAN.run_with_env(90, &[("WASI_HAL_FRAMES", "jpeg")]), ppm);
}

/// The virtual board `file` on its own, instantiated with plain WASI, and its typed exports.
fn lone_board(file: &str) -> (Store<PlainWasi>, MemoryOutputPipe, board_world::Board) {
    let component = Component::from_file(engine(), file).unwrap();
    let (mut store, stdout) = plain_wasi_store(&["board"]);
    let board = board_world::Board::instantiate(&mut store, &component, &plain_wasi_linker())
        .expect("a virtual board needs nothing but WASI 0.2");
    (store, stdout, board)
}

#[test]
fn a_virtual_board_reports_what_known_traffic_did() {
    let (mut store, stdout, board) = lone_board(VIRTUAL_BOARD_SIM_PACMAN_PMOD_OLED);
    let s = &mut store;
    let (spi, gpio, delay, inspect) = (
        board.wasi_spi_spi(),
        board.wasi_gpio_gpio(),
        board.wasi_delay_delay(),
        board.wasi_hal_inspect_board(),
    );
    assert_eq!(inspect.call_name(&mut *s).unwrap(), "sim-pacman-pmod-oled");
    assert_eq!(inspect.call_display_names(&mut *s).unwrap(), ["oled"]);
    inspect.call_start_trace(&mut *s).unwrap();

    // RES# is held low by the board; release the controller from reset after 1 ms.
    let res = gpio
        .call_open_output(&mut *s, "oled-res", Level::Low)
        .unwrap()
        .unwrap();
    delay.call_delay_ms(&mut *s, 1).unwrap();
    assert_eq!(inspect.call_now_ns(&mut *s).unwrap(), 1_000_000);
    gpio.output_pin()
        .call_set_level(&mut *s, res, Level::High)
        .unwrap()
        .unwrap();
    assert_eq!(
        inspect.call_line_level(&mut *s, "oled-res").unwrap(),
        Some(true)
    );
    let _dc = gpio
        .call_open_output(&mut *s, "oled-dc", Level::Low)
        .unwrap()
        .unwrap();

    // Commands: charge pump on, display on, entire display on.
    let oled = spi.call_open_device(&mut *s, "oled").unwrap().unwrap();
    let device = spi.device();
    let ops = [Operation::Write(vec![0x8D, 0x14, 0xAF, 0xA5])];
    let replies = device
        .call_transaction(&mut *s, oled, &ops)
        .unwrap()
        .unwrap();
    assert!(replies.is_empty(), "a write-only transaction reads nothing");
    delay.call_delay_ms(&mut *s, 1).unwrap();

    let frame = inspect
        .call_display_frame(&mut *s, "oled")
        .unwrap()
        .expect("the board has a display named oled");
    assert!(frame.lit);
    assert_eq!((frame.width, frame.height), (128, 32));
    let first = frame.rgb[..3].to_vec();
    assert_ne!(first, [0, 0, 0]);
    assert!(
        frame.rgb.chunks(3).all(|p| p == first),
        "0xA5 lights every pixel"
    );
    assert_eq!(inspect.call_display_frame(&mut *s, "nope").unwrap(), None);

    // The trace: the RES# edge, the D/C# line (already low: no edge), one SPI transaction.
    let trace = inspect.call_take_trace(&mut *s).unwrap();
    let spi_events: Vec<_> = trace
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Spi(spi) => Some((e.time_ns, spi)),
            _ => None,
        })
        .collect();
    assert_eq!(spi_events.len(), 1, "{trace:?}");
    assert_eq!(spi_events[0].0, 1_000_000);
    assert_eq!(spi_events[0].1.device, "oled");
    assert_eq!(
        spi_events[0].1.ops,
        [BusOp::Write(vec![0x8D, 0x14, 0xAF, 0xA5])]
    );
    assert!(trace.iter().any(|e| matches!(
        &e.kind,
        EventKind::Gpio(g) if g.line == "oled-res" && g.high
    )));
    assert!(
        inspect.call_take_trace(&mut *s).unwrap().is_empty(),
        "taken"
    );

    // The stream on stdout: the dark panel at the first delay, then the lit one.
    let frames = parse_frames(&stdout.contents());
    assert_eq!(frames.len(), 2, "{frames:?}");
    assert!(!frames[0].lit && frames[0].frame.rgb.iter().all(|&b| b == 0));
    assert!(frames[1].lit);
    assert_eq!(frames[1].frame.rgb, frame.rgb);
    assert_eq!(frames[1].time_ns, inspect.call_now_ns(&mut *s).unwrap());
}

#[test]
fn a_virtual_board_applies_the_board_files_policy() {
    let (mut store, _stdout, board) = lone_board(VIRTUAL_BOARD_SIM_PACMAN_PMOD_OLED);
    let s = &mut store;
    let (spi, gpio, inspect) = (
        board.wasi_spi_spi(),
        board.wasi_gpio_gpio(),
        board.wasi_hal_inspect_board(),
    );
    assert_eq!(spi.call_get_device_names(&mut *s).unwrap(), ["oled"]);
    assert_eq!(
        spi.call_open_device(&mut *s, "flash").unwrap().err(),
        Some(SpiError::NotPermitted)
    );
    let oled = spi.call_open_device(&mut *s, "oled").unwrap().unwrap();
    let device = spi.device();
    // 20 MHz is clamped to the board's 10 MHz; mode 1 and LSB-first are not allowed.
    let asked = |frequency_hz, mode, bit_order| SpiConfig {
        frequency_hz,
        mode,
        bit_order,
    };
    let got = device
        .call_configure(
            &mut *s,
            oled,
            asked(20_000_000, Mode::Mode3, BitOrder::MsbFirst),
        )
        .unwrap()
        .unwrap();
    assert_eq!(got.frequency_hz, 10_000_000);
    for refused in [
        asked(1_000_000, Mode::Mode1, BitOrder::MsbFirst),
        asked(1_000_000, Mode::Mode0, BitOrder::LsbFirst),
        asked(0, Mode::Mode0, BitOrder::MsbFirst),
    ] {
        assert_eq!(
            device.call_configure(&mut *s, oled, refused).unwrap(),
            Err(SpiError::NotPermitted)
        );
    }
    assert_eq!(device.call_max_transfer_bytes(&mut *s, oled).unwrap(), 4096);
    assert_eq!(
        device.call_write(&mut *s, oled, &vec![0; 4097]).unwrap(),
        Err(SpiError::TooLarge)
    );

    // GPIO: directions, one holder, safe level on drop.
    assert_eq!(
        gpio.call_open_output(&mut *s, "btn-up", Level::Low)
            .unwrap()
            .err(),
        Some(GpioError::ModeNotAllowed)
    );
    assert_eq!(
        gpio.call_open_input(&mut *s, "nope").unwrap().err(),
        Some(GpioError::PinNotAllowed)
    );
    let vbat = gpio
        .call_open_output(&mut *s, "oled-vbatc", Level::Low)
        .unwrap()
        .unwrap();
    assert_eq!(
        inspect.call_line_level(&mut *s, "oled-vbatc").unwrap(),
        Some(false)
    );
    assert_eq!(
        gpio.call_open_output(&mut *s, "oled-vbatc", Level::Low)
            .unwrap()
            .err(),
        Some(GpioError::AlreadyInUse)
    );
    vbat.resource_drop(&mut *s).unwrap();
    assert_eq!(
        inspect.call_line_level(&mut *s, "oled-vbatc").unwrap(),
        Some(true),
        "VBATC back to its safe level (supply off)"
    );

    // Buttons to ground: pressing drives the line low, which an input reads.
    let up = gpio.call_open_input(&mut *s, "btn-up").unwrap().unwrap();
    let input = gpio.input_pin();
    assert_eq!(input.call_read_level(&mut *s, up).unwrap(), Ok(Level::High));
    assert!(inspect.call_set_button(&mut *s, "up", true).unwrap());
    assert_eq!(input.call_read_level(&mut *s, up).unwrap(), Ok(Level::Low));
    assert!(!inspect.call_set_button(&mut *s, "fire", true).unwrap());

    // No sensors and no settings on this board.
    assert!(inspect.call_sensor_names(&mut *s).unwrap().is_empty());
    let store_api = board.wasi_config_store();
    assert_eq!(store_api.call_get_all(&mut *s).unwrap(), Ok(Vec::new()));
}

#[test]
fn a_virtual_weather_board_reports_its_sensor_and_i2c_traffic() {
    let (mut store, _stdout, board) = lone_board(VIRTUAL_BOARD_SIM_WEATHER);
    let s = &mut store;
    let (i2c, inspect) = (board.wasi_i2c_i2c(), board.wasi_hal_inspect_board());
    assert_eq!(inspect.call_name(&mut *s).unwrap(), "sim-weather");
    assert_eq!(inspect.call_sensor_names(&mut *s).unwrap(), ["sensor"]);
    let conditions = inspect
        .call_sensor_conditions(&mut *s, "sensor")
        .unwrap()
        .expect("the board file's conditions");
    assert_eq!(
        (conditions.temperature_celsius, conditions.pressure_pa),
        (21.5, 101_325.0)
    );
    let warmer = Conditions {
        temperature_celsius: 30.0,
        ..conditions
    };
    assert!(
        inspect
            .call_set_sensor_conditions(&mut *s, "sensor", warmer)
            .unwrap()
    );
    assert_eq!(
        inspect.call_sensor_conditions(&mut *s, "sensor").unwrap(),
        Some(warmer)
    );
    assert!(
        !inspect
            .call_set_sensor_conditions(&mut *s, "nope", warmer)
            .unwrap()
    );

    // The BME680's chip id (register 0xD0) is 0x61; 0x50 is not on the board file's list.
    inspect.call_start_trace(&mut *s).unwrap();
    let bus = i2c.call_open_bus(&mut *s, "i2c0").unwrap().unwrap();
    let id = i2c
        .bus()
        .call_write_read(&mut *s, bus, 0x76, &[0xD0], 1)
        .unwrap();
    assert_eq!(id, Ok(vec![0x61]));
    assert_eq!(
        i2c.bus().call_read(&mut *s, bus, 0x50, 1).unwrap(),
        Err(I2cError::AddressNotPermitted)
    );
    let trace = inspect.call_take_trace(&mut *s).unwrap();
    assert_eq!(
        trace.len(),
        1,
        "the refused read never reached the bus: {trace:?}"
    );
    let EventKind::I2c(event) = &trace[0].kind else {
        panic!("{trace:?}");
    };
    assert_eq!((event.bus.as_str(), event.address), ("i2c0", 0x76));
    assert_eq!(
        event.ops,
        [BusOp::Write(vec![0xD0]), BusOp::Read(vec![0x61])]
    );

    // The drivers' settings: the board file's [config].
    let config = board.wasi_config_store();
    assert_eq!(
        config.call_get(&mut *s, "sensor.address").unwrap(),
        Ok(Some("118".to_string()))
    );
    assert_eq!(config.call_get(&mut *s, "nope").unwrap(), Ok(None));
}

/// Checks that the virtual board `file` offers what the host-side board built from
/// `board_file` offers: the same names, directions, levels at start, transfer caps, I2C
/// addresses, parts and `[config]`. (The virtual boards describe their wiring in Rust; this
/// keeps them and `boards/` from drifting apart.)
fn check_against_board_file(file: &str, board_file: &str) {
    let host = wasi_hal_board::Board::load(root().join(board_file)).unwrap();
    let sim = host.simulated().expect("a simulated board");
    let (mut store, _stdout, board) = lone_board(file);
    let s = &mut store;
    let inspect = board.wasi_hal_inspect_board();
    let keys = |map: Vec<&String>| map.into_iter().cloned().collect::<Vec<_>>();

    assert_eq!(inspect.call_name(&mut *s).unwrap(), host.file().name);
    let spi = board.wasi_spi_spi();
    let spi_names = spi.call_get_device_names(&mut *s).unwrap();
    assert_eq!(spi_names, keys(host.file().spi.keys().collect()));
    for name in &spi_names {
        let policy = host.spi_device(name).unwrap().policy();
        let device = spi.call_open_device(&mut *s, name).unwrap().unwrap();
        let max = spi
            .device()
            .call_max_transfer_bytes(&mut *s, device)
            .unwrap();
        assert_eq!(max, policy.max_transfer_bytes, "{board_file}: spi {name}");
        let config = spi.device().call_current_config(&mut *s, device).unwrap();
        assert_eq!(
            config.frequency_hz, policy.default_config.frequency_hz,
            "{board_file}: spi {name}"
        );
    }
    let i2c = board.wasi_i2c_i2c();
    let bus_names = i2c.call_get_bus_names(&mut *s).unwrap();
    assert_eq!(bus_names, keys(host.file().i2c.keys().collect()));
    for name in &bus_names {
        let policy = host.i2c_bus(name).unwrap().policy();
        let bus = i2c.call_open_bus(&mut *s, name).unwrap().unwrap();
        let max = i2c.bus().call_max_transfer_bytes(&mut *s, bus).unwrap();
        assert_eq!(max, policy.max_transfer_bytes, "{board_file}: i2c {name}");
        for address in 1..0x78u8 {
            // A zero-length write: refused by policy, or a NACK / ACK from the bus.
            let refused = i2c.bus().call_write(&mut *s, bus, address, &[]).unwrap()
                == Err(I2cError::AddressNotPermitted);
            assert_eq!(
                !refused,
                policy.allows(address),
                "{board_file}: i2c {name} address {address:#x}"
            );
        }
    }
    let gpio = board.wasi_gpio_gpio();
    let pins = gpio.call_get_pins(&mut *s).unwrap();
    let pin_names: Vec<String> = pins.iter().map(|p| p.name.clone()).collect();
    assert_eq!(pin_names, keys(host.file().gpio.keys().collect()));
    for pin in &pins {
        let modes = host.pin(&pin.name).unwrap().modes();
        assert_eq!(
            (
                pin.modes.contains(PinModes::INPUT),
                pin.modes.contains(PinModes::OUTPUT)
            ),
            (modes.input, modes.output),
            "{board_file}: gpio {}",
            pin.name
        );
        assert_eq!(
            inspect.call_line_level(&mut *s, &pin.name).unwrap(),
            Some(sim.line(&pin.name).unwrap().is_high_now()),
            "{board_file}: the level of {} at start",
            pin.name
        );
    }
    let displays = inspect.call_display_names(&mut *s).unwrap();
    assert_eq!(displays, sim.display_names().collect::<Vec<_>>());
    for name in inspect.call_sensor_names(&mut *s).unwrap() {
        assert!(sim.bme680(&name).is_some(), "{board_file}: sensor {name}");
    }
    let parts = host.file().parts.len();
    let buttons = host
        .file()
        .parts
        .iter()
        .filter(|p| sim.button(&p.name).is_some())
        .count();
    let sensors = inspect.call_sensor_names(&mut *s).unwrap().len();
    assert_eq!(
        displays.len() + sensors + buttons,
        parts,
        "{board_file}: parts"
    );
    let config = board.wasi_config_store().call_get_all(&mut *s).unwrap();
    let expected: Vec<(String, String)> = host
        .file()
        .config
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    assert_eq!(config, Ok(expected), "{board_file}: [config]");
}

#[test]
fn the_virtual_boards_offer_what_their_board_files_say() {
    check_against_board_file(
        VIRTUAL_BOARD_SIM_PACMAN_PMOD_OLED,
        "boards/sim-pacman-pmod-oled.toml",
    );
    check_against_board_file(VIRTUAL_BOARD_SIM_WEATHER, "boards/sim-weather.toml");
}
