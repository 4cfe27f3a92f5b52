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
    wasi_hal_cached(args, &temp("cache"))
}

/// `wasi-hal run` with its precompiled-component cache in `cache` (`$WASI_HAL_CACHE`), so tests
/// never write to the user's own cache.
fn wasi_hal_cached(args: &[&str], cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasi-hal"))
        .env("WASI_HAL_CACHE", cache)
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
        err.contains("display:pixels/display@0.1.1: no interface of that name"),
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

// ---------------------------------------------------------------------------------------------
// The precompiled-component cache and the interpreter
// ---------------------------------------------------------------------------------------------

/// Pacman composed with the Pmod OLED driver (as `cargo xtask build` composes it), written once
/// per test process.
fn pacman() -> PathBuf {
    static PATH: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        let deps = std::collections::HashMap::from([
            ("wasi-hal:pacman".to_string(), PathBuf::from(APP_PACMAN)),
            (
                "wasi-hal:pmod-oled".to_string(),
                PathBuf::from(DRIVER_PMOD_OLED),
            ),
        ]);
        let bytes = wasi_hal_compose::compose_file(
            &repo().join("compositions/pacman-pmod-oled.wac"),
            &deps,
        )
        .expect("pacman composes");
        let path = temp("pacman-pmod-oled.wasm");
        std::fs::write(&path, bytes).unwrap();
        path
    })
    .clone()
}

/// The screenshot and the trace of pacman after 90 frames (well into play), run with `extra`
/// arguments and the cache folder `cache`.
fn pacman_run(label: &str, extra: &[&str], cache: &Path) -> (Vec<u8>, Vec<u8>) {
    let b = board(PACMAN_BOARD);
    let png = temp(&format!("{label}.png"));
    let trace = temp(&format!("{label}.jsonl"));
    let pacman = pacman();
    let mut args = vec![
        pacman.to_str().unwrap(),
        "--board",
        b.to_str().unwrap(),
        "--frames",
        "90",
        "--screenshot",
        png.to_str().unwrap(),
        "--trace",
        trace.to_str().unwrap(),
    ];
    args.extend(extra);
    let out = wasi_hal_cached(&args, cache);
    assert_eq!(out.status.code(), Some(0), "{label}: {}", stderr(&out));
    (std::fs::read(&png).unwrap(), std::fs::read(&trace).unwrap())
}

/// The cache files in `cache` (`$WASI_HAL_CACHE/compiled`).
fn cache_files(cache: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(cache.join("compiled"))
        .map(|entries| entries.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn a_cached_component_runs_as_a_freshly_compiled_one() {
    use std::os::unix::fs::MetadataExt;
    let cache = temp("cache-hit");
    let _ = std::fs::remove_dir_all(&cache);
    let fresh = pacman_run("fresh", &["--no-cache"], &cache);
    assert!(
        cache_files(&cache).is_empty(),
        "--no-cache wrote to the cache"
    );

    // The first cached run compiles and stores the machine code.
    let miss = pacman_run("miss", &[], &cache);
    let files = cache_files(&cache);
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.contains("-native-") && name.ends_with(".cwasm"),
        "{name}"
    );
    let stored = std::fs::metadata(&files[0]).unwrap();

    // The second one loads it (the file is not written again) and shows the same frames.
    let hit = pacman_run("hit", &[], &cache);
    let after = std::fs::metadata(&files[0]).unwrap();
    assert_eq!(
        (stored.ino(), stored.mtime_nsec(), stored.len()),
        (after.ino(), after.mtime_nsec(), after.len()),
        "a cache hit rewrote the cache file"
    );
    assert!(fresh == miss, "a cache miss runs differently");
    assert!(fresh == hit, "a cache hit runs differently");
}

#[test]
fn a_damaged_cache_file_is_compiled_again() {
    let cache = temp("cache-damaged");
    let _ = std::fs::remove_dir_all(&cache);
    let expected = pacman_run("before-damage", &[], &cache);
    let files = cache_files(&cache);
    assert_eq!(files.len(), 1, "{files:?}");
    let good = std::fs::read(&files[0]).unwrap();

    for (what, damaged) in [
        ("truncated", good[..good.len() / 2].to_vec()),
        ("empty", Vec::new()),
        ("garbage", vec![0x5A; good.len()]),
    ] {
        std::fs::write(&files[0], &damaged).unwrap();
        let run = pacman_run(what, &[], &cache);
        assert!(run == expected, "{what}: the run differs");
        // The damaged file was replaced by a good one.
        assert_eq!(cache_files(&cache), files, "{what}");
        assert_eq!(
            std::fs::read(&files[0]).unwrap().len(),
            good.len(),
            "{what}: the cache file was not rewritten"
        );
    }
}

#[test]
fn the_interpreter_shows_the_same_frames_as_cranelift() {
    let cache = temp("cache-interpreter");
    let _ = std::fs::remove_dir_all(&cache);
    let cranelift = pacman_run("cranelift", &[], &cache);
    let pulley = pacman_run("pulley", &["--interpreter"], &cache);
    assert!(
        cranelift.0 == pulley.0,
        "the interpreter's screenshot differs"
    );
    assert!(
        cranelift.1 == pulley.1,
        "the interpreter's bus trace differs"
    );
    // Machine code and interpreter bytecode are cached apart.
    let names: Vec<String> = cache_files(&cache)
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.iter().any(|n| n.contains("-native-")), "{names:?}");
    assert!(names.iter().any(|n| n.contains("-pulley-")), "{names:?}");
}
