//! The `wasi-hal run` command, run as a process: each error a user can meet is clear, and a
//! guest's misbehaviour ends the run with the right exit code and the board left safe.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use test_programs_artifacts::*;

// Every program of the `cli` test-program crate must have a test below.
macro_rules! assert_test_exists {
    ($name:ident) => {
        #[expect(unused_imports, reason = "only checks that the test exists")]
        use self::$name as _;
    };
}
foreach_cli!(assert_test_exists);

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn board(name: &str) -> PathBuf {
    repo().join("boards").join(name)
}

fn wasi_hal(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasi-hal"))
        .arg("run")
        .arg("--no-view")
        .args(args)
        .output()
        .expect("the wasi-hal binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wasi-hal-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

const PACMAN_BOARD: &str = "sim-pacman-pmod-oled.toml";

#[test]
fn cli_ok() {
    let b = board(PACMAN_BOARD);
    let out = wasi_hal(&[
        CLI_OK,
        "--board",
        b.to_str().unwrap(),
        "--frames",
        "7",
        "--",
        "x",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "args: --frames 7 x\n");
}

#[test]
fn a_missing_component_file_is_named() {
    let b = board(PACMAN_BOARD);
    let out = wasi_hal(&["/nonexistent/app.wasm", "--board", b.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("component file /nonexistent/app.wasm not found"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_file_that_is_not_a_component_is_explained() {
    let b = board(PACMAN_BOARD);
    let text = temp("notes.wasm");
    std::fs::write(&text, "hello").unwrap();
    let out = wasi_hal(&[text.to_str().unwrap(), "--board", b.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is not a WebAssembly file"),
        "{}",
        stderr(&out)
    );

    // The smallest core module: magic and version, no sections.
    let module = temp("core.wasm");
    std::fs::write(&module, b"\0asm\x01\0\0\0").unwrap();
    let out = wasi_hal(&[module.to_str().unwrap(), "--board", b.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is a core WebAssembly module, not a component"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_bad_board_file_is_named_with_line_and_key() {
    let bad = temp("bad-board.toml");
    std::fs::write(
        &bad,
        "[board]\nname = \"x\"\nbackend = \"simulated\"\n\n[spi.oled]\nmax-frequency-hz = \"fast\"\n",
    )
    .unwrap();
    let out = wasi_hal(&[CLI_OK, "--board", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("bad-board.toml:6:"), "{err}");
    assert!(err.contains("spi.oled.max-frequency-hz"), "{err}");
}

#[test]
fn every_unsatisfied_import_is_listed_with_what_would_satisfy_it() {
    // The I2C guest needs a bus; the pacman board has none.
    let b = board(PACMAN_BOARD);
    let out = wasi_hal(&[WORLDS_I2C_IMPORTS, "--board", b.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("cannot satisfy"), "{err}");
    assert!(
        err.contains("wasi:i2c/i2c@0.1.0: the board offers no I2C bus: add an `[i2c.NAME]` entry"),
        "{err}"
    );

    // An app alone imports a display that only a driver provides.
    let out = wasi_hal(&[WORLDS_DISPLAY_APP, "--board", b.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("display:pixels/display@0.1.0: no interface of that name"),
        "{err}"
    );
}

#[test]
fn cli_trap() {
    let b = board(PACMAN_BOARD);
    let trace = temp("trap.jsonl");
    let out = wasi_hal(&[
        CLI_TRAP,
        "--board",
        b.to_str().unwrap(),
        "--trace",
        trace.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the guest trapped"),
        "{}",
        stderr(&out)
    );

    // The trace shows each supply switched on by the guest, then off again by the host.
    let edges: Vec<(String, bool)> = std::fs::read_to_string(&trace)
        .unwrap()
        .lines()
        .filter(|l| l.contains("\"kind\":\"gpio\""))
        .map(|l| {
            let line = l
                .split("\"line\":\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            (line.to_string(), l.contains("\"high\":true"))
        })
        .collect();
    for supply in ["oled-vddc", "oled-vbatc"] {
        let levels: Vec<bool> = edges
            .iter()
            .filter(|(l, _)| l == supply)
            .map(|(_, high)| *high)
            .collect();
        assert_eq!(levels, [false, true], "{supply}: {edges:?}");
    }
}

#[test]
fn cli_spin() {
    let b = board(PACMAN_BOARD);
    let out = wasi_hal(&[
        CLI_SPIN,
        "--board",
        b.to_str().unwrap(),
        "--watchdog-ms",
        "300",
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("watchdog: the guest computed for more than 300ms"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn cli_grow() {
    let b = board(PACMAN_BOARD);
    let out = wasi_hal(&[
        CLI_GROW,
        "--board",
        b.to_str().unwrap(),
        "--max-memory-mib",
        "16",
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the guest trapped"),
        "{}",
        stderr(&out)
    );
}
