//! The `wasi-hal run` command, run as a process: each error a user can meet is clear, and a
//! guest's misbehaviour ends the run with the right exit code and the board left safe.

mod common;
use common::{pacman, repo, temp};
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
        .env_remove("WASI_HAL_BOARD")
        .arg("run")
        .arg("--no-view")
        .args(args)
        .output()
        .expect("the wasi-hal binary runs")
}

/// `wasi-hal ARGS...` (any subcommand), with the cache in this test process's own folder.
fn wasi_hal_command(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasi-hal"))
        .env("WASI_HAL_CACHE", temp("cache"))
        .env_remove("WASI_HAL_BOARD")
        .args(args)
        .output()
        .expect("the wasi-hal binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
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
fn cli_exit_zero() {
    let b = board(PACMAN_BOARD);
    let out = wasi_hal(&[CLI_EXIT_ZERO, "--board", b.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "exiting with 0\n");
    assert!(!stderr(&out).contains("trap"), "{}", stderr(&out));
}

#[test]
fn cli_exit_seven() {
    let b = board(PACMAN_BOARD);
    let out = wasi_hal(&[CLI_EXIT_SEVEN, "--board", b.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    assert_eq!(stdout(&out), "exiting with 7\n");
    assert!(!stderr(&out).contains("trap"), "{}", stderr(&out));
}

#[test]
fn cli_run_err() {
    let b = board(PACMAN_BOARD);
    let out = wasi_hal(&[CLI_RUN_ERR, "--board", b.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the guest's run returned an error"),
        "{}",
        stderr(&out)
    );
}

/// The error of running `component` on the pacman board, which must not start (exit 2).
fn refused(component: &str) -> String {
    let b = board(PACMAN_BOARD);
    let out = wasi_hal(&[component, "--board", b.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    stderr(&out)
}

#[test]
fn cli_import_unknown_package() {
    let err = refused(CLI_IMPORT_UNKNOWN_PACKAGE);
    assert!(
        err.contains(
            "acme:teleport/beam@1.0.0: this host does not have the package `acme:teleport` at all"
        ),
        "{err}"
    );
    assert!(err.contains("this host offers: WASI 0.2.x"), "{err}");
    assert!(err.contains("wasi:spi/spi@0.1.x"), "{err}");
    assert!(!err.contains("board"), "the board is blamed: {err}");
}

#[test]
fn cli_import_missing_interface() {
    let err = refused(CLI_IMPORT_MISSING_INTERFACE);
    assert!(
        err.contains(
            "wasi:gpio/pwm@0.1.0: this host has the package `wasi:gpio` but no interface `pwm` \
             in it (it has: gpio)"
        ),
        "{err}"
    );
    assert!(!err.contains("board"), "the board is blamed: {err}");
}

#[test]
fn cli_import_other_version() {
    let err = refused(CLI_IMPORT_OTHER_VERSION);
    assert!(
        err.contains(
            "wasi:delay/delay@0.2.0: this host has `wasi:delay/delay` at version 0.1.x, not 0.2.0"
        ),
        "{err}"
    );
    assert!(!err.contains("board"), "the board is blamed: {err}");
}

#[test]
fn a_driver_is_told_to_be_composed_with_an_app() {
    let err = refused(DRIVER_PMOD_OLED);
    assert!(
        err.contains("does not export `wasi:cli/run@0.2.x`, so there is nothing to run"),
        "{err}"
    );
    assert!(
        err.contains("it exports: display:pixels/display@0.1.1, display:pixels/word-pixels@0.1.1"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "compose it with an app: wac plug APP --plug {DRIVER_PMOD_OLED}"
        )),
        "{err}"
    );
    // Nothing of Wasmtime's own wording.
    assert!(!err.contains("instance export"), "{err}");
    assert!(!err.contains("matching implementation"), "{err}");
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
        err.contains("wasi:i2c/i2c@0.1.0: the board ")
            && err.contains("offers no I2C bus: add an `[i2c.NAME]` entry"),
        "{err}"
    );

    // An app alone imports a display that only a driver provides.
    let out = wasi_hal(&[WORLDS_DISPLAY_APP, "--board", b.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("display:pixels/display@0.1.1: this host does not have the package `display:pixels`: it is a device class"),
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
        stderr(&out).contains("memory limit: the guest asked for")
            && stderr(&out).contains("more than the limit of 16 MiB (--max-memory-mib)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_memory_limit_below_the_components_own_memory_is_named() {
    let b = board(PACMAN_BOARD);
    let out = wasi_hal(&[
        CLI_OK,
        "--board",
        b.to_str().unwrap(),
        "--max-memory-mib",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("the memory limit of 1 MiB (--max-memory-mib) is too small for"),
        "{err}"
    );
    assert!(!err.contains("not a valid component"), "{err}");
}

#[test]
fn cli_long_host_call() {
    // One transaction of 400 000 one-byte reads: the host works on it (and calls the guest's
    // allocator for every result) far longer than the watchdog's 100 ms.
    let bulk = temp("bulk-board.toml");
    std::fs::write(
        &bulk,
        "[board]\nname = \"bulk\"\nbackend = \"simulated\"\n\n[spi.bulk]\nmax-frequency-hz = 100_000_000\nfrequency-hz = 100_000_000\nmax-transfer-bytes = 1_000_000\n",
    )
    .unwrap();
    let started = std::time::Instant::now();
    let out = wasi_hal(&[
        CLI_LONG_HOST_CALL,
        "--board",
        bulk.to_str().unwrap(),
        "--watchdog-ms",
        "100",
        "--max-memory-mib",
        "256",
        "--",
        "400000",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "read 400000 bytes\n");
    // The test means something only when the host call outlasted the watchdog.
    assert!(started.elapsed() > std::time::Duration::from_millis(300));
}

#[test]
fn a_device_as_component_is_refused_at_once() {
    let b = board(PACMAN_BOARD);
    let out = wasi_hal(&["/dev/zero", "--board", b.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("/dev/zero is not a WebAssembly file"),
        "{}",
        stderr(&out)
    );
    // A component larger than the limit is refused without being read past it.
    let out = wasi_hal(&[
        "--max-component-mib",
        "0",
        "--board",
        b.to_str().unwrap(),
        CLI_OK,
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is larger than 0 MiB, the most wasi-hal reads of a component file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn output_paths_are_checked_before_the_guest_starts() {
    let b = board(PACMAN_BOARD);
    for flag in ["--screenshot", "--record", "--trace"] {
        let out = wasi_hal(&[
            CLI_TRAP,
            "--board",
            b.to_str().unwrap(),
            flag,
            "/nonexistent/dir/out.gif",
        ]);
        assert_eq!(out.status.code(), Some(2), "{flag}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains(&format!(
                "{flag} /nonexistent/dir/out.gif: the folder /nonexistent/dir does not exist"
            )),
            "{err}"
        );
        assert!(!err.contains("trapped"), "the guest ran: {err}");
    }
}

// ---------------------------------------------------------------------------------------------
// The precompiled-component cache and the interpreter
// ---------------------------------------------------------------------------------------------

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

/// The offset and size of the ELF section `name` in `elf` (a 64-bit little-endian ELF file, as
/// Wasmtime writes on this machine).
fn elf_section(elf: &[u8], name: &str) -> (usize, usize) {
    let u16_at = |o: usize| u16::from_le_bytes(elf[o..o + 2].try_into().unwrap()) as usize;
    let u64_at = |o: usize| u64::from_le_bytes(elf[o..o + 8].try_into().unwrap()) as usize;
    assert_eq!(&elf[..4], b"\x7fELF");
    let (shoff, shentsize, shnum, shstrndx) =
        (u64_at(0x28), u16_at(0x3a), u16_at(0x3c), u16_at(0x3e));
    let header = |i: usize| shoff + i * shentsize;
    let strtab = u64_at(header(shstrndx) + 0x18);
    (0..shnum)
        .find_map(|i| {
            let start = strtab
                + u32::from_le_bytes(elf[header(i)..header(i) + 4].try_into().unwrap()) as usize;
            let end = start + elf[start..].iter().position(|&b| b == 0).unwrap();
            (&elf[start..end] == name.as_bytes())
                .then(|| (u64_at(header(i) + 0x18), u64_at(header(i) + 0x20)))
        })
        .unwrap_or_else(|| panic!("no section {name}"))
}

#[test]
fn a_cache_file_with_damaged_machine_code_is_never_run() {
    let cache = temp("cache-text");
    let _ = std::fs::remove_dir_all(&cache);
    let expected = pacman_run("text-before", &[], &cache);
    let files = cache_files(&cache);
    assert_eq!(files.len(), 1, "{files:?}");
    let good = std::fs::read(&files[0]).unwrap();

    // 64 bytes flipped in the middle of the machine code.
    let elf_start = good.windows(4).position(|w| w == b"\x7fELF").unwrap();
    let (text, size) = elf_section(&good[elf_start..], ".text");
    let mut damaged = good.clone();
    let middle = elf_start + text + size / 2;
    for byte in &mut damaged[middle..middle + 64] {
        *byte = !*byte;
    }
    std::fs::write(&files[0], &damaged).unwrap();

    let b = board(PACMAN_BOARD);
    let png = temp("text-after.png");
    let trace = temp("text-after.jsonl");
    let pacman = pacman();
    let out = wasi_hal_cached(
        &[
            pacman.to_str().unwrap(),
            "--board",
            b.to_str().unwrap(),
            "--frames",
            "90",
            "--screenshot",
            png.to_str().unwrap(),
            "--trace",
            trace.to_str().unwrap(),
        ],
        &cache,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let warnings: Vec<String> = stderr(&out)
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .map(str::to_string)
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("is damaged"), "{warnings:?}");
    assert!(
        (std::fs::read(&png).unwrap(), std::fs::read(&trace).unwrap()) == expected,
        "the run differs"
    );
    // Replaced by a good file: the next run loads it without a word.
    assert_eq!(std::fs::read(&files[0]).unwrap(), good);
    let again = pacman_run("text-again", &[], &cache);
    assert!(again == expected);
}

#[test]
fn a_cache_file_of_another_component_is_not_used() {
    let cache = temp("cache-other");
    let _ = std::fs::remove_dir_all(&cache);
    let b = board(PACMAN_BOARD);
    // Cache files for `ok` and for pacman.
    let out = wasi_hal_cached(&[CLI_OK, "--board", b.to_str().unwrap()], &cache);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let ok_file = cache_files(&cache).remove(0);
    let expected = pacman_run("other-before", &[], &cache);
    let pacman_file = cache_files(&cache)
        .into_iter()
        .find(|f| *f != ok_file)
        .unwrap();
    let pacman_good = std::fs::read(&pacman_file).unwrap();

    // `ok`'s machine code under pacman's name: pacman must still run as pacman.
    std::fs::copy(&ok_file, &pacman_file).unwrap();
    let png = temp("other-after.png");
    let trace = temp("other-after.jsonl");
    let pacman = pacman();
    let out = wasi_hal_cached(
        &[
            pacman.to_str().unwrap(),
            "--board",
            b.to_str().unwrap(),
            "--frames",
            "90",
            "--screenshot",
            png.to_str().unwrap(),
            "--trace",
            trace.to_str().unwrap(),
        ],
        &cache,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("holds the machine code of another component"),
        "{}",
        stderr(&out)
    );
    assert!(!stdout(&out).contains("args:"), "ok ran in pacman's place");
    assert!(
        (std::fs::read(&png).unwrap(), std::fs::read(&trace).unwrap()) == expected,
        "the run differs"
    );
    assert_eq!(std::fs::read(&pacman_file).unwrap(), pacman_good);
}

// ---------------------------------------------------------------------------------------------
// Host-side bounds: --frames, --max-time, Ctrl-C
// ---------------------------------------------------------------------------------------------

/// The `endless` app composed with the Pmod OLED driver, written once per test process.
fn endless() -> PathBuf {
    static PATH: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        let deps = std::collections::HashMap::from([
            ("test:endless".to_string(), PathBuf::from(CLI_ENDLESS)),
            (
                "wasi-hal:pmod-oled".to_string(),
                PathBuf::from(DRIVER_PMOD_OLED),
            ),
        ]);
        let source = "package test:endless-pmod-oled@0.1.0;\n\
                      let oled = new wasi-hal:pmod-oled { ... };\n\
                      let app = new test:endless { ...oled, ... };\n\
                      export app...;\n";
        let bytes = wasi_hal_compose::compose_source(source, Path::new("endless.wac"), &deps)
            .expect("endless composes");
        let path = temp("endless-pmod-oled.wasm");
        std::fs::write(&path, bytes).unwrap();
        path
    })
    .clone()
}

/// The lit pixels of row `y` of an RGB frame.
fn lit_in_row(frame: &wasi_hal_sim::Frame, y: u32) -> usize {
    let row = (y * frame.width * 3) as usize..((y + 1) * frame.width * 3) as usize;
    frame.rgb[row]
        .chunks(3)
        .filter(|p| p.iter().any(|&c| c > 64))
        .count()
}

#[test]
fn cli_endless() {
    // The app ignores --frames; the host stops it after 5 frames, and the outputs show 5.
    let b = board(PACMAN_BOARD);
    let png = temp("endless.png");
    let gif = temp("endless.gif");
    let trace = temp("endless.jsonl");
    let app = endless();
    let out = wasi_hal(&[
        "--board",
        b.to_str().unwrap(),
        "--frames",
        "5",
        // A backstop: were --frames not enforced, the run would end at 124, not hang.
        "--max-time",
        "30s",
        "--scale",
        "3",
        "--screenshot",
        png.to_str().unwrap(),
        "--record",
        gif.to_str().unwrap(),
        "--trace",
        trace.to_str().unwrap(),
        app.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("stopped by the host after 5 frames (--frames)"),
        "{}",
        stderr(&out)
    );
    // The fifth frame: a bar 5 pixels long, each pixel 3x3.
    let shot = wasi_hal_sim_render::load_png(&png).unwrap();
    assert_eq!((shot.width, shot.height), (128 * 3, 32 * 3));
    assert_eq!(lit_in_row(&shot, 0), 15);
    assert_eq!(lit_in_row(&shot, 3 * 4), 0);
    // The recording ends with the same frame.
    let frames = gif_frames(&gif);
    assert_eq!(frames.last(), Some(&shot));
    assert!(frames.len() <= 6, "{} frames", frames.len());
    assert!(!std::fs::read_to_string(&trace).unwrap().is_empty());
}

/// Every frame of a GIF file.
fn gif_frames(path: &Path) -> Vec<wasi_hal_sim::Frame> {
    use image::AnimationDecoder;
    let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    image::codecs::gif::GifDecoder::new(file)
        .unwrap()
        .into_frames()
        .map(|f| {
            let rgba = f.unwrap().into_buffer();
            wasi_hal_sim::Frame {
                width: rgba.width(),
                height: rgba.height(),
                rgb: rgba
                    .pixels()
                    .flat_map(|p| [p.0[0], p.0[1], p.0[2]])
                    .collect(),
            }
        })
        .collect()
}

#[test]
fn the_guests_outcome_is_reported_when_an_output_cannot_be_saved() {
    // The screenshot's folder is there when the run starts and gone when it ends.
    let b = board(PACMAN_BOARD);
    let dir = temp("vanishing");
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join("shot.png");
    let child = Command::new(env!("CARGO_BIN_EXE_wasi-hal"))
        .env("WASI_HAL_CACHE", temp("cache"))
        .env_remove("WASI_HAL_BOARD")
        .args(["run", "--no-view", "--realtime", "--max-time", "4s"])
        .args(["--board", b.to_str().unwrap()])
        .args(["--screenshot", png.to_str().unwrap()])
        .arg(endless())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    std::fs::remove_dir_all(&dir).unwrap();
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(124), "{err}");
    assert!(
        err.contains("stopped by the host at 4s (--max-time)"),
        "{err}"
    );
    assert!(
        err.contains("failed to save the screenshot of `oled`"),
        "{err}"
    );
}

#[test]
fn max_time_bounds_simulated_time() {
    let b = board(PACMAN_BOARD);
    let png = temp("max-time.png");
    let app = endless();
    let out = wasi_hal(&[
        "--board",
        b.to_str().unwrap(),
        "--max-time",
        "2s",
        "--screenshot",
        png.to_str().unwrap(),
        app.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(124), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("stopped by the host at 2s (--max-time)"),
        "{}",
        stderr(&out)
    );
    // About 60 frames at 30 a second: the bar is about 60 pixels long.
    let shot = wasi_hal_sim_render::load_png(&png).unwrap();
    let bar = lit_in_row(&shot, 0);
    assert!((50..=64).contains(&bar), "{bar}");
}

#[test]
fn sigint_stops_a_realtime_run_and_leaves_everything_safe_and_saved() {
    let b = board(PACMAN_BOARD);
    let dir = temp("sigint");
    std::fs::create_dir_all(&dir).unwrap();
    // Precompiled first, so that the run starts at once.
    let cwasm = dir.join("pacman.cwasm");
    let out = wasi_hal_command(&[
        "compile",
        pacman().to_str().unwrap(),
        "-o",
        cwasm.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (png, gif, trace) = (dir.join("p.png"), dir.join("p.gif"), dir.join("p.jsonl"));
    let child = Command::new(env!("CARGO_BIN_EXE_wasi-hal"))
        .env_remove("WASI_HAL_BOARD")
        .args([
            "run",
            "--no-view",
            "--realtime",
            "--board",
            b.to_str().unwrap(),
        ])
        .args(["--screenshot", png.to_str().unwrap()])
        .args(["--record", gif.to_str().unwrap()])
        .args(["--trace", trace.to_str().unwrap()])
        .arg(&cwasm)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_secs(3));
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("interrupted (SIGINT)"),
        "{}",
        stderr(&out)
    );

    // The screenshot and the recording decode; pacman was drawn.
    let shot = wasi_hal_sim_render::load_png(&png).unwrap();
    assert!((0..32).map(|y| lit_in_row(&shot, y)).sum::<usize>() > 0);
    let frames = gif_frames(&gif);
    // Pacman moves: about 90 pictures in 3 s, a few at the least on a loaded machine.
    assert!(frames.len() > 3, "{} frames", frames.len());
    // Every line of the trace is JSON; every output line ends at its safe level.
    let mut last_level = std::collections::HashMap::new();
    for line in std::fs::read_to_string(&trace).unwrap().lines() {
        let event: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        if event["kind"] == "gpio" {
            last_level.insert(
                event["line"].as_str().unwrap().to_string(),
                event["high"].as_bool().unwrap(),
            );
        }
    }
    for (line, safe_high) in [
        ("oled-vbatc", true),
        ("oled-vddc", true),
        ("oled-dc", false),
        ("oled-res", false),
    ] {
        assert_eq!(
            last_level.get(line),
            Some(&safe_high),
            "{line}: {last_level:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// inspect, check, compile, completions, runner-style arguments
// ---------------------------------------------------------------------------------------------

#[test]
fn inspect_lists_imports_exports_and_the_board_entries_that_serve_them() {
    let b = board(PACMAN_BOARD);
    let pacman = pacman();
    let out = wasi_hal_command(&[
        "inspect",
        pacman.to_str().unwrap(),
        "--board",
        b.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("exports:\n  wasi:cli/run@0.2."), "{text}");
    let spi = text
        .lines()
        .find(|l| l.trim_start().starts_with("wasi:spi/spi@0.1.0"))
        .unwrap();
    assert!(
        spi.ends_with("host: wasi-hal-spi; board: [spi.oled]"),
        "{spi}"
    );
    let gpio = text
        .lines()
        .find(|l| l.trim_start().starts_with("wasi:gpio/gpio@0.1.0"))
        .unwrap();
    assert!(
        gpio.contains("[gpio.oled-dc]") && gpio.contains("[gpio.btn-up]"),
        "{gpio}"
    );
    assert!(text.contains("runs with `wasi-hal run`"), "{text}");

    // A driver: what it exports, and that it does not run alone.
    let out = wasi_hal_command(&["inspect", DRIVER_PMOD_OLED]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("  display:pixels/display@0.1.1\n"), "{text}");
    assert!(text.contains("does not run with `wasi-hal run`"), "{text}");
    assert!(text.contains("wac plug APP --plug"), "{text}");
}

#[test]
fn check_validates_a_board_and_lists_what_it_offers() {
    let b = board(PACMAN_BOARD);
    let out = wasi_hal_command(&["check", b.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("valid board file"), "{text}");
    assert!(
        text.contains("[spi.oled] SPI device: up to 10000000 Hz"),
        "{text}"
    );
    assert!(
        text.contains("[gpio.oled-vbatc] GPIO line: output, initial High, safe High"),
        "{text}"
    );
    assert!(text.contains("[gpio.btn-up] GPIO line: input"), "{text}");
    assert!(text.contains("simulated displays: oled"), "{text}");

    let bad = temp("check-bad.toml");
    std::fs::write(
        &bad,
        "[board]\nname = \"x\"\nbackend = \"simulated\"\n\n[gpio.a]\nmodes = [\"sideways\"]\n",
    )
    .unwrap();
    let out = wasi_hal_command(&["check", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("check-bad.toml:6"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_compiled_component_runs_and_a_foreign_one_is_refused() {
    let b = board(PACMAN_BOARD);
    let cwasm = temp("ok.cwasm");
    let out = wasi_hal_command(&["compile", CLI_OK, "-o", cwasm.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = wasi_hal(&["--board", b.to_str().unwrap(), cwasm.to_str().unwrap(), "x"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "args: x\n");

    // Machine code is not interpreter bytecode.
    let out = wasi_hal(&[
        "--board",
        b.to_str().unwrap(),
        "--interpreter",
        cwasm.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("was precompiled for another engine than this run's"),
        "{}",
        stderr(&out)
    );
    // An ELF file that Wasmtime did not make.
    let out = wasi_hal(&[
        "--board",
        b.to_str().unwrap(),
        env!("CARGO_BIN_EXE_wasi-hal"),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is an ELF file but not one Wasmtime precompiled"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn guest_arguments_follow_the_component_as_for_a_cargo_runner() {
    let b = board(PACMAN_BOARD);
    // Everything after the component that is not an option of ours goes to the guest, as it
    // does with `runner = "wasi-hal run --board B"`; --frames here is the guest's.
    let out = Command::new(env!("CARGO_BIN_EXE_wasi-hal"))
        .env("WASI_HAL_CACHE", temp("cache"))
        .env("WASI_HAL_BOARD", &b)
        .args([
            "run",
            "--no-view",
            CLI_OK,
            "first",
            "--frames",
            "3",
            "--seed",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "args: first --frames 3 --seed\n");

    // Without WASI_HAL_BOARD and --board, clap names what is missing.
    let out = wasi_hal_command(&["run", CLI_OK]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--board"), "{}", stderr(&out));
}

#[test]
fn completions_are_printed_for_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let out = wasi_hal_command(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        assert!(script.contains("wasi-hal"), "{shell}");
        assert!(
            script.contains("max-time"),
            "{shell}: options are completed"
        );
    }
}

/// A board file in this test's temp folder.
fn temp_board(name: &str, text: &str) -> PathBuf {
    let path = temp(name).join("board.toml");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

/// `CLI_SENSOR_PRINT` on a board whose `[sensor.NAME]` is a simulated DHT22, then one whose
/// DHT22 fails every read (the kernel's `EIO`): readings reach the app, and the failure is an
/// error the app prints, not a crash of the run.
#[test]
fn cli_sensor_print() {
    let sim = temp_board(
        "sensor-sim",
        "[board]\nname = \"dht\"\nbackend = \"simulated\"\n\n[sensor.room]\nmodel = \"dht22\"\n\
         temperature-c = 23.46\nhumidity-percent = 51.2\n",
    );
    let out = wasi_hal(&[CLI_SENSOR_PRINT, "--board", sim.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "info dht11\nok t=23.5 h=51.2\nok t=23.5 h=51.2\nok t=23.5 h=51.2\n"
    );

    let failing = temp_board(
        "sensor-sim-eio",
        "[board]\nname = \"dht\"\nbackend = \"simulated\"\n\n[sensor.room]\nfail-every = 1\n",
    );
    let out = wasi_hal(&[CLI_SENSOR_PRINT, "--board", failing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "info dht11\nerr bus-error\nerr bus-error\nerr bus-error\n"
    );

    // A board without a host-read sensor is refused before the run, naming the entry to add.
    let out = wasi_hal(&[
        CLI_SENSOR_PRINT,
        "--board",
        board(PACMAN_BOARD).to_str().unwrap(),
    ]);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("has no host-read sensor: add a `[sensor.NAME]` entry"),
        "{}",
        stderr(&out)
    );
}

/// A fake `/sys/bus/iio/devices` with the kernel's dht11 driver (which reads DHT22s) as
/// `iio:device1`; its temperature file can be made to fail with `EIO`.
fn fake_iio(name: &str) -> PathBuf {
    let root = temp(name).join("iio");
    let _ = std::fs::remove_dir_all(&root);
    let bme = root.join("iio:device0");
    std::fs::create_dir_all(&bme).unwrap();
    std::fs::write(bme.join("name"), "bme280\n").unwrap();
    std::fs::write(bme.join("in_temp_input"), "20000\n").unwrap();
    let dht = root.join("iio:device1");
    std::fs::create_dir_all(&dht).unwrap();
    std::fs::write(dht.join("name"), "dht11\n").unwrap();
    std::fs::write(dht.join("in_temp_input"), "21300\n").unwrap();
    std::fs::write(dht.join("in_humidityrelative_input"), "45600\n").unwrap();
    root
}

/// A Linux board whose `[sensor.room]` is a kernel IIO device (a fake sysfs tree): its readings
/// reach the app through `wasi-hal run`; the kernel's `EIO` comes back as an error; a device
/// that is not there is a board error naming the file and the key.
#[test]
fn a_kernel_sensor_reaches_the_app_and_its_eio_is_an_error() {
    let iio = fake_iio("kernel-sensor");
    let dht = iio.join("iio:device1");
    let linux = |name: &str, device: &Path| {
        temp_board(
            name,
            &format!(
                "[board]\nname = \"pi\"\nbackend = \"linux\"\n\n[sensor.room]\ndevice = {:?}\n",
                device.display().to_string()
            ),
        )
    };
    let path = linux("kernel-sensor-ok", &dht);
    let out = wasi_hal(&[CLI_SENSOR_PRINT, "--board", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "info dht11\nok t=21.3 h=45.6\nok t=21.3 h=45.6\nok t=21.3 h=45.6\n"
    );

    // Reading /proc/self/mem from its start fails in the kernel with EIO: what a failed DHT
    // read gives.
    let temp_file = dht.join("in_temp_input");
    std::fs::remove_file(&temp_file).unwrap();
    std::os::unix::fs::symlink("/proc/self/mem", &temp_file).unwrap();
    let out = wasi_hal(&[CLI_SENSOR_PRINT, "--board", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "info dht11\nerr bus-error\nerr bus-error\nerr bus-error\n"
    );

    let missing = linux("kernel-sensor-missing", &iio.join("iio:device7"));
    let out = wasi_hal(&[CLI_SENSOR_PRINT, "--board", missing.to_str().unwrap()]);
    assert_ne!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(
        err.contains(&missing.display().to_string()) && err.contains("key `sensor.room.device`"),
        "{err}"
    );
    assert!(err.contains("iio:device7"), "{err}");
}
