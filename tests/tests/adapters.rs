//! The adapters of `adapters/`: guests written against other projects' hardware WIT run on a
//! wasi-hal host once plugged into them with the real `wac` CLI, as docs/adapters.md shows.
//!
//! - **The seed's shape**: `FOREIGN_SEED_OLED` imports the seed project's unversioned
//!   `wasi:spi` and its `wasi:gpio@0.2.0`, and exports a bare `run`. Plugged into
//!   `seed-hal-adapter` and then into `run-command-adapter`, it is a command that imports only
//!   wasi-hal's packages and WASI; on the simulated Pmod OLED under the seed's names
//!   (`boards/sim-seed-pmod-oled.toml`) it draws its picture, pixel for pixel, and its
//!   active-low pins reach the wire at the right voltages.
//! - **The draft's shape**: `FOREIGN_DRAFT_I2C_BME680` uses every function of the upstream
//!   `wasi:i2c@0.2.0-draft` `i2c` handle (got from `i2c-draft-adapter`'s `handles`) on the
//!   simulated BME680 of `boards/sim-weather.toml` and checks the answers itself (it traps on a
//!   wrong one); here the run must succeed and the bus trace must hold exactly its transfers.

use std::path::{Path, PathBuf};
use test_programs_artifacts::{
    ADAPTER_I2C_DRAFT_ADAPTER, ADAPTER_RUN_COMMAND_ADAPTER, ADAPTER_SEED_HAL_ADAPTER,
    FOREIGN_DRAFT_I2C_BME680, FOREIGN_SEED_OLED,
};
use test_programs_foreign::seed_oled_pattern;
use wasi_hal::{Outcome, RunOptions};
use wasi_hal_tests::root;

/// A new empty folder for one test's files.
fn scratch(label: &str) -> PathBuf {
    let dir = root()
        .join("target")
        .join("tmp")
        .join(format!("adapters-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("cannot create a scratch folder");
    dir
}

/// `wac plug SOCKET --plug PLUG -o OUT`, as docs/adapters.md shows it.
fn wac_plug(socket: &Path, plug: &Path, out: &Path) {
    wasi_hal_tests::wac_plug(socket, &[plug], out);
}

/// The import names of a component file.
fn imports_of(path: &Path) -> Vec<String> {
    let bytes = std::fs::read(path).unwrap();
    let wit_component::DecodedWasm::Component(resolve, world) =
        wit_component::decode(&bytes).expect("a component")
    else {
        panic!("{} is not a component", path.display());
    };
    let world = &resolve.worlds[world];
    let mut names: Vec<String> = world
        .imports
        .keys()
        .map(|key| resolve.name_world_key(key))
        .collect();
    names.sort();
    names
}

#[test]
fn a_seed_shaped_app_draws_through_the_adapters() {
    let dir = scratch("seed");
    let on_hal = dir.join("seed-oled-on-wasi-hal.wasm");
    let command = dir.join("seed-oled-command.wasm");
    wac_plug(
        Path::new(FOREIGN_SEED_OLED),
        Path::new(ADAPTER_SEED_HAL_ADAPTER),
        &on_hal,
    );
    wac_plug(Path::new(ADAPTER_RUN_COMMAND_ADAPTER), &on_hal, &command);

    // Nothing foreign is left to import: only wasi-hal's packages and WASI.
    let imports = imports_of(&command);
    for name in &imports {
        assert!(
            name.starts_with("wasi:spi/spi@0.1.")
                || name.starts_with("wasi:gpio/gpio@0.1.")
                || name.starts_with("wasi:delay/delay@0.1.")
                || name.starts_with("wasi:cli/")
                || name.starts_with("wasi:io/")
                || name.starts_with("wasi:clocks/")
                || name.starts_with("wasi:filesystem/")
                || name.starts_with("wasi:random/"),
            "the plugged command still imports {name} (all imports: {imports:?})"
        );
    }
    assert!(imports.iter().any(|i| i.starts_with("wasi:spi/spi@0.1.")));

    let screenshot = dir.join("screenshot.png");
    let trace = dir.join("trace.jsonl");
    let outcome = wasi_hal::run(&RunOptions {
        component: command.clone(),
        board: root().join("boards/sim-seed-pmod-oled.toml"),
        screenshot: Some(screenshot.clone()),
        trace: Some(trace.clone()),
        ..RunOptions::default()
    })
    .expect("the run starts");
    assert!(
        matches!(outcome, Outcome::Success),
        "the run ended with {outcome:?}"
    );

    let frame = wasi_hal_sim_render::load_png(&screenshot).unwrap();
    assert_eq!((frame.width, frame.height), (128, 32));
    let mut wrong = Vec::new();
    for y in 0..32 {
        for x in 0..128 {
            let lit = frame.pixel(x, y).unwrap() != [0, 0, 0];
            if lit != seed_oled_pattern(x, y) {
                wrong.push((x, y));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} pixels differ from the seed guest's picture, first ones: {:?}",
        wrong.len(),
        &wrong[..wrong.len().min(10)]
    );

    // The seed's active-low pins: `set-active` on RES is a low level on the wire, and the
    // supplies are switched on (low) before the panel is lit.
    let events: Vec<serde_json::Value> = std::fs::read_to_string(&trace)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let levels = |line: &str| -> Vec<bool> {
        events
            .iter()
            .filter(|e| e["kind"] == "gpio" && e["line"] == line)
            .map(|e| e["high"].as_bool().unwrap())
            .collect()
    };
    // Opened inactive (high), pulsed active (low), released (high), then the host's safe
    // level (low) when the run ends.
    assert_eq!(levels("RES"), [true, false, true, false]);
    // On (low) while the guest runs, off (high, the safe level) after.
    assert_eq!(levels("VDDC"), [false, true]);
    assert_eq!(levels("VBATC"), [false, true]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// One I2C transaction of a trace: the address and each operation's kind and bytes.
type Transfer = (u64, Vec<(String, Vec<u64>)>);

#[test]
fn a_draft_i2c_guest_reads_the_sensor_through_the_adapter() {
    let dir = scratch("draft-i2c");
    let on_hal = dir.join("draft-on-wasi-hal.wasm");
    let command = dir.join("draft-command.wasm");
    wac_plug(
        Path::new(FOREIGN_DRAFT_I2C_BME680),
        Path::new(ADAPTER_I2C_DRAFT_ADAPTER),
        &on_hal,
    );
    wac_plug(Path::new(ADAPTER_RUN_COMMAND_ADAPTER), &on_hal, &command);
    let imports = imports_of(&command);
    assert!(
        imports.iter().all(|i| !i.contains("0.2.0-draft")),
        "the plugged command still imports the draft: {imports:?}"
    );
    assert!(imports.iter().any(|i| i.starts_with("wasi:i2c/i2c@0.1.")));

    let trace = dir.join("trace.jsonl");
    let outcome = wasi_hal::run(&RunOptions {
        component: command,
        board: root().join("boards/sim-weather.toml"),
        trace: Some(trace.clone()),
        ..RunOptions::default()
    })
    .expect("the run starts");
    // The guest traps with its own message when an answer is wrong.
    assert!(
        matches!(outcome, Outcome::Success),
        "the run ended with {outcome:?}"
    );

    // Its transfers, in order, each to the sensor at 0x76: the refused addresses never reach
    // the bus (the 10-bit one is refused by the adapter, 0x50 by the host's policy).
    let transfers: Vec<Transfer> = std::fs::read_to_string(&trace)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["kind"] == "i2c")
        .map(|e| {
            let ops = e["ops"]
                .as_array()
                .unwrap()
                .iter()
                .map(|op| {
                    let bytes = op["bytes"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|b| b.as_u64().unwrap())
                        .collect();
                    (op["op"].as_str().unwrap().to_owned(), bytes)
                })
                .collect();
            (e["address"].as_u64().unwrap(), ops)
        })
        .collect();
    let op = |kind: &str, bytes: &[u64]| (kind.to_owned(), bytes.to_vec());
    assert_eq!(
        transfers,
        [
            (0x76, vec![op("write", &[0xD0]), op("read", &[0x61])]),
            (0x76, vec![op("write", &[0x72, 0x05])]),
            (0x76, vec![op("write", &[0x72])]),
            (0x76, vec![op("read", &[0x05])]),
            (0x76, vec![op("write", &[0x72]), op("read", &[0x05])]),
        ]
    );
    let _ = std::fs::remove_dir_all(&dir);
}
