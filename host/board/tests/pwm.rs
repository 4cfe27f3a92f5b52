//! PWM channels from the board file reach a guest through the linker bundle
//! (`wasi_hal_linker`), with the board's policy: on a simulated board the channel drives a
//! passive buzzer part and is traced; on a Linux board it is a sysfs chip's channel (a fake
//! tree here).

use std::path::PathBuf;
use std::sync::OnceLock;
use test_programs_artifacts::PWM_CHANNEL;
use wasi_hal_board::{Board, BoardFile};
use wasi_hal_linker::{WasiHalCtx, WasiHalCtxView, WasiHalView};
use wasi_hal_sim::TraceKind;
use wasi_hal_sim::buzzer::Tone;
use wasmtime::component::{Component, Instance, Linker, ResourceTable};
use wasmtime::{Engine, Store};

struct Host {
    hal: WasiHalCtx,
    table: ResourceTable,
}

impl WasiHalView for Host {
    fn hal(&mut self) -> WasiHalCtxView<'_> {
        WasiHalCtxView {
            ctx: &mut self.hal,
            table: &mut self.table,
        }
    }
}

fn engine_and_component() -> &'static (Engine, Component) {
    static CELL: OnceLock<(Engine, Component)> = OnceLock::new();
    CELL.get_or_init(|| {
        let engine = Engine::default();
        let component = Component::from_file(&engine, PWM_CHANNEL).unwrap();
        (engine, component)
    })
}

/// The `PWM_CHANNEL` guest with every context of `board`.
fn guest(board: &Board) -> (Store<Host>, Instance) {
    let (engine, component) = engine_and_component();
    let mut linker = Linker::<Host>::new(engine);
    wasi_hal_linker::add_only_hal_to_linker_sync(&mut linker).unwrap();
    let mut store = Store::new(
        engine,
        Host {
            hal: board.guest_ctx(),
            table: ResourceTable::new(),
        },
    );
    let instance = linker.instantiate(&mut store, component).unwrap();
    (store, instance)
}

fn call<P, R>(store: &mut Store<Host>, instance: &Instance, name: &str, params: P) -> R
where
    P: wasmtime::component::ComponentNamedList + wasmtime::component::Lower,
    R: wasmtime::component::ComponentNamedList + wasmtime::component::Lift,
{
    let func = instance.get_typed_func::<P, R>(&mut *store, name).unwrap();
    func.call(&mut *store, params).unwrap()
}

const SIM_BOARD: &str = r#"
[board]
name = "doorbell"
backend = "simulated"

[pwm.tone]
min-frequency-hz = 200
max-frequency-hz = 5000
default-frequency-hz = 1000

[[part]]
kind = "buzzer"
name = "piezo"
pwm = "tone"
"#;

#[test]
fn a_simulated_channel_sounds_the_passive_buzzer_and_is_traced() {
    let board = Board::build(BoardFile::parse(SIM_BOARD, "boards/doorbell.toml").unwrap()).unwrap();
    let sim = board.simulated().unwrap();
    sim.trace().enable();
    let (mut store, instance) = guest(&board);
    let channels: (Vec<(String, u32, u32)>,) = call(&mut store, &instance, "channels", ());
    assert_eq!(channels.0, vec![("tone".to_string(), 200, 5_000)]);
    let opened: (Result<(), String>,) = call(&mut store, &instance, "open", ("tone",));
    opened.0.unwrap();
    let refused: (Result<u32, String>,) = call(&mut store, &instance, "set-frequency", (6_000u32,));
    assert_eq!(refused.0, Err("frequency-not-allowed".into()));
    let made: (Result<u32, String>,) = call(&mut store, &instance, "set-frequency", (440u32,));
    assert_eq!(made.0, Ok(440));
    let duty: (Result<(), String>,) = call(&mut store, &instance, "set-duty", (500u16,));
    duty.0.unwrap();
    let on: (Result<(), String>,) = call(&mut store, &instance, "set-enabled", (true,));
    on.0.unwrap();
    sim.clock().advance_ns(250_000_000);
    let off: (Result<(), String>,) = call(&mut store, &instance, "set-enabled", (false,));
    off.0.unwrap();

    let tones = sim.buzzer("piezo").unwrap().lock().unwrap().tones();
    assert_eq!(
        tones,
        vec![Tone {
            start_ns: 0,
            duration_ns: 250_000_000,
            frequency_hz: 440,
        }]
    );
    let pwm_events: Vec<(u64, bool, u32, u16)> = sim
        .trace()
        .events()
        .into_iter()
        .filter_map(|e| match e.kind {
            TraceKind::Pwm {
                channel,
                enabled,
                frequency_hz,
                duty,
                max_duty: 1_000,
            } if channel == "tone" => Some((e.time_ns, enabled, frequency_hz, duty)),
            _ => None,
        })
        .collect();
    assert_eq!(
        pwm_events,
        vec![
            (0, false, 440, 0),
            (0, false, 440, 500),
            (0, true, 440, 500),
            (250_000_000, false, 440, 500),
        ]
    );
    // The store goes: the channel is left off, duty 0.
    drop(store);
    let setting = sim.pwm("tone").unwrap().setting();
    assert!(!setting.enabled);
    assert_eq!(setting.duty, 0);
}

#[test]
fn a_linux_channel_is_a_sysfs_chip_channel_and_a_missing_chip_names_the_key() {
    let root: PathBuf =
        std::env::temp_dir().join(format!("wasi-hal-board-pwm-{}", std::process::id()));
    let chip = root.join("pwmchip0");
    std::fs::create_dir_all(chip.join("pwm1")).unwrap();
    std::fs::write(chip.join("npwm"), "2\n").unwrap();
    std::fs::write(chip.join("export"), "").unwrap();
    for file in ["period", "duty_cycle", "enable"] {
        std::fs::write(chip.join("pwm1").join(file), "0\n").unwrap();
    }
    let text = format!(
        "[board]\nname = \"pi\"\nbackend = \"linux\"\n\n[pwm.tone]\nchip = {:?}\nchannel = 1\n\
         min-frequency-hz = 200\nmax-frequency-hz = 5000\ndefault-frequency-hz = 2000\n",
        chip.display().to_string()
    );
    let board = Board::build(BoardFile::parse(&text, "boards/pi.toml").unwrap()).unwrap();
    assert_eq!(
        std::fs::read_to_string(chip.join("pwm1/period")).unwrap(),
        "500000"
    );
    let (mut store, instance) = guest(&board);
    let opened: (Result<(), String>,) = call(&mut store, &instance, "open", ("tone",));
    opened.0.unwrap();
    let made: (Result<u32, String>,) = call(&mut store, &instance, "set-frequency", (1_000u32,));
    assert_eq!(made.0, Ok(1_000));
    let on: (Result<(), String>,) = call(&mut store, &instance, "set-enabled", (true,));
    on.0.unwrap();
    assert_eq!(
        std::fs::read_to_string(chip.join("pwm1/period")).unwrap(),
        "1000000"
    );
    assert_eq!(
        std::fs::read_to_string(chip.join("pwm1/enable")).unwrap(),
        "1"
    );
    drop(store);
    assert_eq!(
        std::fs::read_to_string(chip.join("pwm1/enable")).unwrap(),
        "0"
    );

    let missing = text.replace("pwmchip0", "pwmchip5");
    let err = Board::build(BoardFile::parse(&missing, "boards/pi.toml").unwrap()).unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with("boards/pi.toml:5:") && message.contains("key `pwm.tone`"),
        "{message}"
    );
    assert!(
        message.contains("no PWM chip at") && message.contains("pwmchip5"),
        "{message}"
    );
    std::fs::remove_dir_all(&root).unwrap();
}
