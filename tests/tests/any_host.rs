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
use std::sync::{Mutex, OnceLock};
use test_programs_artifacts::{
    APP_BALL_SCREENSAVER, APP_PACMAN, APP_STRIP_RAINBOW, APP_WEATHER_STATION, DRIVER_BME680,
    DRIVER_PMOD_OLED, DRIVER_PMOD_OLEDRGB, DRIVER_SSD1306_I2C, DRIVER_WS2812_SPI,
    VIRTUAL_BOARD_SIM_BUZZER_PWM, VIRTUAL_BOARD_SIM_LED_STRIP, VIRTUAL_BOARD_SIM_PACMAN_PMOD_OLED,
    VIRTUAL_BOARD_SIM_PMOD_OLEDRGB, VIRTUAL_BOARD_SIM_WEATHER, VIRTUAL_BOARD_SIM_WEATHER_DHT22,
};
use wasi_hal_tests::root;
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
            "../wit/wasi-pwm",
            "../wit/sensor-environment",
            "../wit/wasi-hal-inspect",
            "../drivers/wit-deps/config",
            "../virtual-boards/virtual-board/wit",
        ],
        world: "wasi-hal:virtual-board/board",
        additional_derives: [PartialEq],
    });
}

use board_world::exports::sensor::environment::environment::{
    ErrorCode as SensorError, Quantities,
};
use board_world::exports::wasi::gpio::gpio::{ErrorCode as GpioError, Level, PinModes};
use board_world::exports::wasi::i2c::i2c::ErrorCode as I2cError;
use board_world::exports::wasi::pwm::pwm::{ChannelInfo, ErrorCode as PwmError};
use board_world::exports::wasi::spi::spi::{
    BitOrder, Config as SpiConfig, ErrorCode as SpiError, Mode, Operation,
};
use board_world::exports::wasi_hal::inspect::board::{BusOp, Conditions, EventKind};

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

const STRIP: Virtual = Virtual {
    name: "strip-rainbow-ws2812-virtual",
    deps: &[
        ("wasi-hal:strip-rainbow", APP_STRIP_RAINBOW),
        ("wasi-hal:ws2812-spi", DRIVER_WS2812_SPI),
        ("wasi-hal:sim-led-strip", VIRTUAL_BOARD_SIM_LED_STRIP),
    ],
    golden: "strip-rainbow-ws2812",
    golden_frames: [1, 30, 90],
    display: "strip",
};

const OLEDRGB: Virtual = Virtual {
    name: "ball-screensaver-pmod-oledrgb-virtual",
    deps: &[
        ("wasi-hal:ball-screensaver", APP_BALL_SCREENSAVER),
        ("wasi-hal:pmod-oledrgb", DRIVER_PMOD_OLEDRGB),
        ("wasi-hal:sim-pmod-oledrgb", VIRTUAL_BOARD_SIM_PMOD_OLEDRGB),
    ],
    golden: "ball-screensaver-pmod-oledrgb",
    golden_frames: [1, 30, 90],
    display: "oledrgb",
};

const WEATHER_DHT22: Virtual = Virtual {
    name: "weather-dht22-ssd1306-virtual",
    deps: &[
        ("wasi-hal:weather-station", APP_WEATHER_STATION),
        ("wasi-hal:ssd1306-i2c", DRIVER_SSD1306_I2C),
        (
            "wasi-hal:sim-weather-dht22",
            VIRTUAL_BOARD_SIM_WEATHER_DHT22,
        ),
    ],
    golden: "weather-dht22-ssd1306",
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
            let bytes = wasi_hal_tests::compose(self.name, self.deps);
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
    for composition in [PACMAN, WEATHER, STRIP, OLEDRGB, WEATHER_DHT22] {
        composition.check_interfaces();
    }
    // The parts on their own do import the hardware: the board is what satisfies it.
    let (driver_imports, _) = interfaces(&std::fs::read(DRIVER_PMOD_OLED).unwrap());
    assert!(driver_imports.contains("wasi:spi/spi@0.1.0"));
    for board in [
        VIRTUAL_BOARD_SIM_PACMAN_PMOD_OLED,
        VIRTUAL_BOARD_SIM_WEATHER,
        VIRTUAL_BOARD_SIM_LED_STRIP,
        VIRTUAL_BOARD_SIM_PMOD_OLEDRGB,
        VIRTUAL_BOARD_SIM_BUZZER_PWM,
        VIRTUAL_BOARD_SIM_WEATHER_DHT22,
    ] {
        let (imports, exports) = interfaces(&std::fs::read(board).unwrap());
        assert!(imports.iter().all(|i| is_wasi_0_2(i)), "{imports:?}");
        for export in [
            "wasi:spi/spi@0.1.0",
            "wasi:i2c/i2c@0.1.0",
            "wasi:gpio/gpio@0.1.0",
            "wasi:pwm/pwm@0.1.0",
            "sensor:environment/environment@0.1.0",
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

/// The LED strip's frames are the colours it decoded from the SPI bits: the golden frames of
/// `wasi-hal run`, which show the app's rainbow (`compositions.rs` checks that against the app).
#[test]
fn the_virtual_strip_shows_the_golden_colours_with_plain_wasi() {
    let frames = STRIP.check_golden_frames();
    // The rainbow moves every frame: each of the 90 frames is a new picture.
    assert!(frames.len() >= 90, "only {} frames written", frames.len());
    let (width, height) = (frames[0].frame.width, frames[0].frame.height);
    assert_eq!((width, height), (11 * 8, 8), "11 LEDs as 8x8 blocks");
}

#[test]
fn the_virtual_colour_oled_shows_the_golden_frames_with_plain_wasi() {
    let frames = OLEDRGB.check_golden_frames();
    assert!(frames.len() > 30, "only {} frames written", frames.len());
    let last = &frames.last().unwrap().frame;
    assert_eq!((last.width, last.height), (96, 64));
    // Colour: some pixel is neither black nor grey.
    assert!(
        last.rgb.chunks(3).any(|p| p[0] != p[1] || p[1] != p[2]),
        "the screensaver's balls are in colour"
    );
}

/// The weather station on the DHT22 the virtual board reads itself (exported as
/// `sensor:environment`) shows the golden frames of `wasi-hal run`, where the host read it.
#[test]
fn the_virtual_dht22_weather_station_shows_the_golden_frames_with_plain_wasi() {
    let frames = WEATHER_DHT22.check_golden_frames();
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
    let (store, stdout) = plain_wasi_store(&["board"]);
    lone_board_in(file, store, stdout)
}

/// [`lone_board`] with its stderr kept in the returned pipe (tones and warnings).
fn lone_board_with_stderr(file: &str) -> (Store<PlainWasi>, MemoryOutputPipe, board_world::Board) {
    let stderr = MemoryOutputPipe::new(1 << 20);
    let wasi = WasiCtx::builder()
        .args(&["board"])
        .stderr(stderr.clone())
        .build();
    let store = Store::new(
        engine(),
        PlainWasi {
            table: ResourceTable::new(),
            wasi,
        },
    );
    let (store, _stdout, board) = lone_board_in(file, store, MemoryOutputPipe::new(0));
    (store, stderr, board)
}

/// Instantiates the virtual board `file` in `store`.
fn lone_board_in(
    file: &str,
    mut store: Store<PlainWasi>,
    stdout: MemoryOutputPipe,
) -> (Store<PlainWasi>, MemoryOutputPipe, board_world::Board) {
    let component = Component::from_file(engine(), file).unwrap();
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

/// The `wasi-hal-strip-warning` lines of a virtual board's stderr.
fn strip_warnings(stderr: &MemoryOutputPipe) -> Vec<String> {
    String::from_utf8(stderr.contents().to_vec())
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("wasi-hal-strip-warning "))
        .map(str::to_string)
        .collect()
}

/// The LED strip decodes the SPI bits as the real strip would: one LED's bits at 2.4 MHz in the
/// 3-bit encoding light it white with no warning; the same bytes at 1 MHz (each high pulse
/// 1 µs, outside both of the WS2812B's windows) are flagged on stderr.
#[test]
fn a_virtual_strip_decodes_the_bits_and_flags_a_wrong_clock() {
    let (mut store, stderr, board) = lone_board_with_stderr(VIRTUAL_BOARD_SIM_LED_STRIP);
    let s = &mut store;
    let (spi, delay, inspect) = (
        board.wasi_spi_spi(),
        board.wasi_delay_delay(),
        board.wasi_hal_inspect_board(),
    );
    assert_eq!(inspect.call_display_names(&mut *s).unwrap(), ["strip"]);
    let strip = spi.call_open_device(&mut *s, "strip").unwrap().unwrap();
    let device = spi.device();
    let at = |frequency_hz| SpiConfig {
        frequency_hz,
        mode: Mode::Mode0,
        bit_order: BitOrder::MsbFirst,
    };
    // Eight 1 bits are `110` eight times: 0xDB 0x6D 0xB6; 24 of them are one LED (G, R, B),
    // then zero bytes for the reset (at least 280 µs low).
    let mut ones = [0xDB, 0x6D, 0xB6].repeat(3);
    ones.extend([0; 100]);
    let got = device
        .call_configure(&mut *s, strip, at(2_400_000))
        .unwrap()
        .unwrap();
    assert_eq!(got.frequency_hz, 2_400_000);
    device.call_write(&mut *s, strip, &ones).unwrap().unwrap();
    delay.call_delay_ms(&mut *s, 1).unwrap();
    let frame = inspect
        .call_display_frame(&mut *s, "strip")
        .unwrap()
        .unwrap();
    let pixel = |f: &board_world::exports::wasi_hal::inspect::board::Frame, x: u32| {
        let i = ((4 * f.width + x) * 3) as usize;
        f.rgb[i..i + 3].to_vec()
    };
    assert_eq!(pixel(&frame, 4), [255, 255, 255], "LED 0 white");
    assert_eq!(pixel(&frame, 12), [0, 0, 0], "LED 1 untouched");
    assert!(
        strip_warnings(&stderr).is_empty(),
        "{:?}",
        strip_warnings(&stderr)
    );

    // Above the board's 4 MHz is refused; 1 MHz is allowed, and wrong for the strip.
    assert_eq!(
        device
            .call_configure(&mut *s, strip, at(8_000_000))
            .unwrap(),
        Err(SpiError::NotPermitted)
    );
    device
        .call_configure(&mut *s, strip, at(1_000_000))
        .unwrap()
        .unwrap();
    device.call_write(&mut *s, strip, &ones).unwrap().unwrap();
    delay.call_delay_ms(&mut *s, 1).unwrap();
    let warnings = strip_warnings(&stderr);
    assert!(!warnings.is_empty(), "no warning at 1 MHz");
    assert!(
        warnings
            .iter()
            .all(|w| w.starts_with("wasi-hal-strip-warning strip=strip time-ns=")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("kind=PulseOutOfTolerance")),
        "{warnings:?}"
    );
    // Written once: another frame boundary adds nothing.
    delay.call_delay_ms(&mut *s, 1).unwrap();
    assert_eq!(strip_warnings(&stderr), warnings);
}

/// The PWM channel of the virtual buzzer board follows the host's rules (`wasi-hal-pwm`) and the
/// board file's range, and the passive buzzer on it reports the tone it played.
#[test]
fn a_virtual_pwm_channel_applies_the_board_files_policy_and_sounds_the_buzzer() {
    let (mut store, stderr, board) = lone_board_with_stderr(VIRTUAL_BOARD_SIM_BUZZER_PWM);
    let s = &mut store;
    let (pwm, delay) = (board.wasi_pwm_pwm(), board.wasi_delay_delay());
    assert_eq!(
        pwm.call_get_channels(&mut *s).unwrap(),
        [ChannelInfo {
            name: "buzzer".into(),
            min_frequency_hz: 100,
            max_frequency_hz: 10_000,
        }]
    );
    assert_eq!(
        pwm.call_open(&mut *s, "fan").unwrap().err(),
        Some(PwmError::ChannelNotAllowed)
    );
    let channel = pwm.call_open(&mut *s, "buzzer").unwrap().unwrap();
    assert_eq!(
        pwm.call_open(&mut *s, "buzzer").unwrap().err(),
        Some(PwmError::AlreadyInUse)
    );
    let c = pwm.channel();
    assert_eq!(c.call_get_frequency(&mut *s, channel).unwrap(), 1_000);
    assert!(!c.call_is_enabled(&mut *s, channel).unwrap());
    assert_eq!(c.call_get_duty_cycle(&mut *s, channel).unwrap(), 0);
    let max = c.call_max_duty_cycle(&mut *s, channel).unwrap();
    assert_eq!(
        c.call_set_duty_cycle(&mut *s, channel, max + 1).unwrap(),
        Err(PwmError::DutyCycleOutOfRange)
    );
    for refused in [99, 10_001] {
        assert_eq!(
            c.call_set_frequency(&mut *s, channel, refused).unwrap(),
            Err(PwmError::FrequencyNotAllowed)
        );
    }
    assert_eq!(
        c.call_set_frequency(&mut *s, channel, 440).unwrap(),
        Ok(440)
    );
    c.call_set_duty_cycle(&mut *s, channel, max / 2)
        .unwrap()
        .unwrap();
    c.call_set_enabled(&mut *s, channel, true).unwrap().unwrap();
    delay.call_delay_ms(&mut *s, 250).unwrap();
    // Dropping the handle switches the channel off: the tone ends there.
    channel.resource_drop(&mut *s).unwrap();
    let stderr = String::from_utf8(stderr.contents().to_vec()).unwrap();
    assert_eq!(
        stderr,
        "wasi-hal-tone buzzer=buzzer start-ns=0 duration-ns=250000000 frequency-hz=440\n"
    );
    let again = pwm.call_open(&mut *s, "buzzer").unwrap().unwrap();
    assert_eq!(
        c.call_get_frequency(&mut *s, again).unwrap(),
        1_000,
        "reset"
    );
}

/// The DHT22 board exports `sensor:environment` as the host serves a kernel-read DHT22: model
/// `dht11`, temperature and humidity in 0.1 steps, one open at a time; a board without a
/// `[sensor.NAME]` answers `not-connected`.
#[test]
fn a_virtual_dht22_board_serves_sensor_environment_as_the_host_does() {
    let (mut store, _stdout, board) = lone_board(VIRTUAL_BOARD_SIM_WEATHER_DHT22);
    let s = &mut store;
    let (env, inspect) = (
        board.sensor_environment_environment(),
        board.wasi_hal_inspect_board(),
    );
    let sensor = env.call_open(&mut *s).unwrap().unwrap();
    assert_eq!(
        env.call_open(&mut *s).unwrap().err(),
        Some(SensorError::InUse)
    );
    let info = env.sensor().call_get_info(&mut *s, sensor).unwrap();
    assert_eq!(info.model, "dht11");
    assert_eq!(
        info.quantities,
        Quantities::TEMPERATURE | Quantities::HUMIDITY
    );
    let m = env.sensor().call_measure(&mut *s, sensor).unwrap().unwrap();
    assert_eq!(
        (m.temperature_celsius, m.humidity_percent),
        (Some(22.4), Some(48.3)),
        "the board file's air"
    );
    assert_eq!((m.pressure_pa, m.gas_resistance_ohm), (None, None));
    // The read took the part 5 ms of bus time.
    assert_eq!(inspect.call_now_ns(&mut *s).unwrap(), 5_000_000);
    sensor.resource_drop(&mut *s).unwrap();
    assert!(env.call_open(&mut *s).unwrap().is_ok(), "open again");

    let (mut store, _stdout, board) = lone_board(VIRTUAL_BOARD_SIM_PACMAN_PMOD_OLED);
    assert_eq!(
        board
            .sensor_environment_environment()
            .call_open(&mut store)
            .unwrap()
            .err(),
        Some(SensorError::NotConnected)
    );
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
    let channels = board.wasi_pwm_pwm().call_get_channels(&mut *s).unwrap();
    let expected: Vec<ChannelInfo> = host
        .file()
        .pwm
        .iter()
        .map(|(name, entry)| ChannelInfo {
            name: name.clone(),
            min_frequency_hz: entry.policy.min_frequency_hz,
            max_frequency_hz: entry.policy.max_frequency_hz,
        })
        .collect();
    assert_eq!(channels, expected, "{board_file}: pwm");
    let sensor = board
        .sensor_environment_environment()
        .call_open(&mut *s)
        .unwrap();
    assert_eq!(
        sensor.is_ok(),
        !host.file().sensors.is_empty(),
        "{board_file}: [sensor]"
    );
    let displays = inspect.call_display_names(&mut *s).unwrap();
    assert_eq!(displays, sim.display_names().collect::<Vec<_>>());
    for name in inspect.call_sensor_names(&mut *s).unwrap() {
        assert!(sim.bme680(&name).is_some(), "{board_file}: sensor {name}");
    }
    let parts = host.file().parts.len();
    // Buttons and buzzers: parts with no display and no sensor.
    let buttons_and_buzzers = host
        .file()
        .parts
        .iter()
        .filter(|p| sim.button(&p.name).is_some() || sim.buzzer(&p.name).is_some())
        .count();
    let sensors = inspect.call_sensor_names(&mut *s).unwrap().len();
    assert_eq!(
        displays.len() + sensors + buttons_and_buzzers,
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
    check_against_board_file(VIRTUAL_BOARD_SIM_LED_STRIP, "boards/sim-led-strip.toml");
    check_against_board_file(
        VIRTUAL_BOARD_SIM_PMOD_OLEDRGB,
        "boards/sim-pmod-oledrgb.toml",
    );
    check_against_board_file(VIRTUAL_BOARD_SIM_BUZZER_PWM, "boards/sim-buzzer-pwm.toml");
    check_against_board_file(
        VIRTUAL_BOARD_SIM_WEATHER_DHT22,
        "boards/sim-weather-dht22.toml",
    );
}
