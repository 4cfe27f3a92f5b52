//! The doorbell composed with each buzzer driver, on the simulated buzzer boards: the tones the
//! simulated buzzer recorded (start, length, pitch) equal the golden recordings in
//! `tests/golden/<composition>/tones.json`, run after run; and each composition runs on
//! `wasi_hal::run`, the library behind `wasi-hal run`.
//!
//! `UPDATE_GOLDEN=1 cargo test -p wasi-hal-tests --test buzzer` rewrites the golden recordings
//! when a change is meant.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use test_programs_artifacts::{
    APP_DOORBELL, DRIVER_BUZZER_GPIO, DRIVER_BUZZER_PWM, VIRTUAL_BOARD_SIM_BUZZER_GPIO,
    VIRTUAL_BOARD_SIM_BUZZER_PWM,
};
use wasi_hal::{Outcome, RunOptions};
use wasi_hal_board::Board;
use wasi_hal_tests::WasiHalHost;
use wasi_hal_tests::root;

use wasi_hal_sim::buzzer::Tone;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

/// A doorbell composition: its WAC file's name (also its golden folder), its driver and board,
/// and its virtual board (package name and component file).
struct Doorbell {
    name: &'static str,
    driver: (&'static str, &'static str),
    board: &'static str,
    virtual_board: (&'static str, &'static str),
}

const PWM: Doorbell = Doorbell {
    name: "doorbell-buzzer-pwm",
    driver: ("wasi-hal:buzzer-pwm", DRIVER_BUZZER_PWM),
    board: "boards/sim-buzzer-pwm.toml",
    virtual_board: ("wasi-hal:sim-buzzer-pwm", VIRTUAL_BOARD_SIM_BUZZER_PWM),
};

const GPIO: Doorbell = Doorbell {
    name: "doorbell-buzzer-gpio",
    driver: ("wasi-hal:buzzer-gpio", DRIVER_BUZZER_GPIO),
    board: "boards/sim-buzzer-gpio.toml",
    virtual_board: ("wasi-hal:sim-buzzer-gpio", VIRTUAL_BOARD_SIM_BUZZER_GPIO),
};

fn engine_and_linker() -> &'static (Engine, Linker<WasiHalHost>) {
    static CELL: OnceLock<(Engine, Linker<WasiHalHost>)> = OnceLock::new();
    CELL.get_or_init(|| {
        let engine = Engine::default();
        let mut linker = Linker::new(&engine);
        wasi_hal_linker::add_to_linker_sync(&mut linker).unwrap();
        (engine, linker)
    })
}

impl Doorbell {
    /// The composition, composed once per test process with `wasi_hal_compose` (written
    /// whole through a temporary file, so another test process never reads half of it).
    fn composed(&self) -> PathBuf {
        static DONE: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
        let mut done = DONE.lock().unwrap();
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{}.wasm", self.name));
        if !done.contains(&self.name) {
            let bytes = wasi_hal_tests::compose(
                self.name,
                &[("wasi-hal:doorbell", APP_DOORBELL), self.driver],
            );
            wasi_hal_tests::write_whole(&path, &bytes);
            done.push(self.name);
        }
        path
    }

    /// Rings `rings` times on a fresh board: what the app printed and the tones the simulated
    /// buzzer recorded.
    fn ring(&self, rings: u32) -> (String, Vec<Tone>) {
        let (engine, linker) = engine_and_linker();
        let board = Board::load(root().join(self.board)).unwrap_or_else(|e| panic!("{e}"));
        let stdout = MemoryOutputPipe::new(4096);
        let args = ["doorbell".to_string(), "--rings".into(), rings.to_string()];
        let host = WasiHalHost {
            table: ResourceTable::new(),
            wasi: WasiCtx::builder()
                .args(&args)
                .stdout(stdout.clone())
                .inherit_stderr()
                .build(),
            hal: board.guest_ctx(),
        };
        let mut store = Store::new(engine, host);
        let component = Component::from_file(engine, self.composed()).unwrap();
        let command =
            wasmtime_wasi::p2::bindings::sync::Command::instantiate(&mut store, &component, linker)
                .unwrap();
        let result = command.wasi_cli_run().call_run(&mut store).unwrap();
        assert_eq!(result, Ok(()), "the doorbell returned an error");
        drop(store);
        let tones = board
            .simulated()
            .expect("a simulated board")
            .buzzer("buzzer")
            .expect("the board has the part `buzzer`")
            .lock()
            .unwrap()
            .tones();
        (
            String::from_utf8(stdout.contents().to_vec()).unwrap(),
            tones,
        )
    }

    /// Checks `tones` against the golden recording (or writes it, with `UPDATE_GOLDEN=1`).
    fn check_golden(&self, tones: &[Tone]) {
        let path = root()
            .join("tests/golden")
            .join(self.name)
            .join("tones.json");
        let text = serde_json::to_string_pretty(tones).unwrap() + "\n";
        if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &text).unwrap();
            return;
        }
        let golden = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "the golden recording {} is missing ({e}): create it with UPDATE_GOLDEN=1",
                path.display()
            )
        });
        assert_eq!(
            text,
            golden,
            "the tones differ from {} (UPDATE_GOLDEN=1 rewrites it when the change is meant)",
            path.display()
        );
    }
}

const MS: u64 = 1_000_000;

#[test]
fn doorbell_on_a_passive_buzzer_plays_the_golden_ding_dong() {
    let (stdout, tones) = PWM.ring(2);
    assert_eq!(stdout, "doorbell: passive (PWM) buzzer\n");
    // E5 for 300 ms, 60 ms of silence, C5 for 600 ms; a second later, again.
    let tone = |start_ms: u64, duration_ms: u64, frequency_hz: u32| Tone {
        start_ns: start_ms * MS,
        duration_ns: duration_ms * MS,
        frequency_hz,
    };
    assert_eq!(
        tones,
        [
            tone(0, 300, 659),
            tone(360, 600, 523),
            tone(1_960, 300, 659),
            tone(2_320, 600, 523),
        ]
    );
    PWM.check_golden(&tones);
    assert_eq!(PWM.ring(2).1, tones, "a second run plays the same tones");
}

#[test]
fn doorbell_on_an_active_buzzer_beeps_at_its_own_pitch() {
    let (stdout, tones) = GPIO.ring(2);
    assert_eq!(stdout, "doorbell: active (GPIO) buzzer\n");
    let pitches: Vec<u32> = tones.iter().map(|t| t.frequency_hz).collect();
    assert_eq!(pitches, [2_300; 4]);
    let times: Vec<(u64, u64)> = tones
        .iter()
        .map(|t| (t.start_ns / MS, t.duration_ns / MS))
        .collect();
    assert_eq!(times, [(0, 300), (360, 600), (1_960, 300), (2_320, 600)]);
    GPIO.check_golden(&tones);
    assert_eq!(GPIO.ring(2).1, tones, "a second run plays the same tones");
}

#[test]
fn each_doorbell_composition_runs_on_wasi_hal_run() {
    for doorbell in [PWM, GPIO] {
        let outcome = wasi_hal::run(&RunOptions {
            component: doorbell.composed(),
            board: root().join(doorbell.board),
            guest_args: vec!["--rings".into(), "1".into()],
            ..RunOptions::default()
        })
        .unwrap_or_else(|e| panic!("{}: {e:?}", doorbell.name));
        assert!(
            matches!(outcome, Outcome::Success),
            "{}: {outcome:?}",
            doorbell.name
        );
    }
}

#[test]
fn each_buzzer_driver_is_at_most_64_kib() {
    for driver in [DRIVER_BUZZER_GPIO, DRIVER_BUZZER_PWM] {
        let size = std::fs::metadata(driver).unwrap().len();
        assert!(size <= 64 * 1024, "{driver}: {size} bytes");
    }
}

/// A store whose linker has plain WASI 0.2 and nothing else, with stdout and stderr kept.
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

/// The tones in `wasi-hal-tone` lines of a virtual board's stderr.
fn tone_lines(stderr: &str) -> Vec<Tone> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("wasi-hal-tone buzzer=buzzer "))
        .map(|rest| {
            let field = |key: &str| -> u64 {
                rest.split(' ')
                    .find_map(|kv| kv.strip_prefix(key))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| panic!("no {key} in {rest:?}"))
            };
            Tone {
                start_ns: field("start-ns="),
                duration_ns: field("duration-ns="),
                frequency_hz: u32::try_from(field("frequency-hz=")).unwrap(),
            }
        })
        .collect()
}

impl Doorbell {
    /// Rings `rings` times on the composition `<name>-virtual.wac` (the doorbell, the driver and
    /// the virtual board) in a Wasmtime whose linker has plain WASI 0.2 and nothing else: what
    /// the app printed and the tones the virtual board wrote to stderr.
    fn ring_virtual(&self, rings: u32) -> (String, Vec<Tone>) {
        let bytes = wasi_hal_tests::compose(
            &format!("{}-virtual", self.name),
            &[
                ("wasi-hal:doorbell", APP_DOORBELL),
                self.driver,
                self.virtual_board,
            ],
        );
        let engine = &engine_and_linker().0;
        let component = Component::new(engine, &bytes).unwrap();
        let mut linker = Linker::<PlainWasi>::new(engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).unwrap();
        let (stdout, stderr) = (MemoryOutputPipe::new(4096), MemoryOutputPipe::new(1 << 16));
        let rings = rings.to_string();
        let wasi = WasiCtx::builder()
            .args(&["doorbell", "--rings", &rings])
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .build();
        let mut store = Store::new(
            engine,
            PlainWasi {
                table: ResourceTable::new(),
                wasi,
            },
        );
        let command = wasmtime_wasi::p2::bindings::sync::Command::instantiate(
            &mut store, &component, &linker,
        )
        .unwrap_or_else(|e| panic!("plain WASI 0.2 cannot instantiate {}: {e:?}", self.name));
        let result = command.wasi_cli_run().call_run(&mut store).unwrap();
        assert_eq!(result, Ok(()), "{}-virtual returned an error", self.name);
        drop(store);
        let stderr = String::from_utf8(stderr.contents().to_vec()).unwrap();
        let tones = tone_lines(&stderr);
        assert_eq!(
            stderr.lines().count(),
            tones.len(),
            "nothing but tones on stderr: {stderr}"
        );
        (
            String::from_utf8(stdout.contents().to_vec()).unwrap(),
            tones,
        )
    }
}

/// The doorbell composed onto the virtual board of `boards/sim-buzzer-gpio.toml` runs on plain
/// WASI 0.2 (the linker has nothing else) and the virtual buzzer plays the golden tones of the
/// host-side simulation.
#[test]
fn the_virtual_doorbell_plays_the_golden_tones_with_plain_wasi() {
    let (stdout, tones) = GPIO.ring_virtual(2);
    assert_eq!(stdout, "doorbell: active (GPIO) buzzer\n");
    assert_eq!(tones, GPIO.ring(2).1);
    GPIO.check_golden(&tones);
}

/// The passive-buzzer doorbell on the virtual board of `boards/sim-buzzer-pwm.toml`, which
/// exports `wasi:pwm`: the same tones as on `wasi-hal run`, the golden ones, run after run.
#[test]
fn the_virtual_pwm_doorbell_plays_the_golden_tones_with_plain_wasi() {
    let (stdout, tones) = PWM.ring_virtual(2);
    assert_eq!(stdout, "doorbell: passive (PWM) buzzer\n");
    assert_eq!(tones, PWM.ring(2).1);
    PWM.check_golden(&tones);
    assert_eq!(
        PWM.ring_virtual(2).1,
        tones,
        "a second run plays the same tones"
    );
}
