//! What the Node.js and browser tests share: finding `host/js` with its npm packages, running
//! the real `jco` CLI and Node.js, and scratch folders.
//!
//! `cargo xtask setup` installs the npm packages of `host/js` (`package-lock.json`) and sets
//! `WASI_HAL_JS_DIR` (and `WASI_HAL_CHROMIUM` for the browser); a plain `cargo test` falls back
//! to `host/js` of this checkout and says what to run when its packages are missing.

#![allow(dead_code, reason = "each test file uses part of this module")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate is inside the workspace")
        .to_path_buf()
}

/// `host/js`, with its npm packages installed.
pub fn js_dir() -> PathBuf {
    let dir = std::env::var_os("WASI_HAL_JS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("host/js"));
    assert!(
        jco_bin(&dir).exists(),
        "jco is not installed in {}: run `cargo xtask setup` (it installs the npm packages of \
         host/js/package-lock.json)",
        dir.display()
    );
    dir
}

/// The `jco` command of the npm packages in `dir`.
pub fn jco_bin(dir: &Path) -> PathBuf {
    dir.join("node_modules/.bin/jco")
}

/// A new empty folder under cargo's temporary folder for integration tests; the caller may
/// remove it.
pub fn scratch(label: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("js")
        .join(format!("{label}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}

/// Runs `cmd` and returns its output; panics with its stderr unless it succeeded. `what`
/// names the command in messages.
pub fn run(cmd: &mut Command, what: &str) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot start {what} ({cmd:?}): {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    out
}

/// Transpiles `component` with the real `jco` CLI through `host/js/src/transpile.mjs`
/// (`jco transpile --instantiation async`, plus its fix for destructors in compositions) into
/// `out`, as module `name`. Returns the path of the generated JavaScript module.
pub fn jco_transpile(component: &Path, out: &Path, name: &str) -> PathBuf {
    let mut cmd = node("src/transpile.mjs");
    cmd.arg(component).arg(out).arg(name);
    run(&mut cmd, &format!("jco transpile {}", component.display()));
    let module = out.join(format!("{name}.js"));
    assert!(
        module.exists(),
        "jco transpile wrote no {}",
        module.display()
    );
    module
}

/// A `node` command running `script` (a path under `host/js`).
pub fn node(script: &str) -> Command {
    let mut cmd = Command::new("node");
    cmd.arg(js_dir().join(script));
    cmd
}

/// The self-contained pacman (`compositions/pacman-pmod-oled-virtual.wac`: the app, the Pmod
/// OLED driver and the virtual board), composed from the components the tests build, as
/// `cargo xtask build` composes it; written once per test process. Returns its path.
pub fn virtual_pacman() -> PathBuf {
    use test_programs_artifacts::{
        APP_PACMAN, DRIVER_PMOD_OLED, VIRTUAL_BOARD_SIM_PACMAN_PMOD_OLED,
    };
    static DONE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DONE.get_or_init(|| {
        let wac = root().join("compositions/pacman-pmod-oled-virtual.wac");
        let deps = std::collections::HashMap::from([
            ("wasi-hal:pacman".to_string(), PathBuf::from(APP_PACMAN)),
            (
                "wasi-hal:pmod-oled".to_string(),
                PathBuf::from(DRIVER_PMOD_OLED),
            ),
            (
                "wasi-hal:sim-pacman-pmod-oled".to_string(),
                PathBuf::from(VIRTUAL_BOARD_SIM_PACMAN_PMOD_OLED),
            ),
        ]);
        let bytes = wasi_hal_compose::compose_file(&wac, &deps)
            .unwrap_or_else(|e| panic!("composing {} failed: {e:?}", wac.display()));
        let path = scratch("virtual-pacman").join("pacman-pmod-oled-virtual.wasm");
        std::fs::write(&path, bytes).unwrap();
        path
    })
    .clone()
}

/// The golden frame `frame-NNN.png` of the host-side simulation of pacman on the Pmod OLED.
pub fn golden_pacman_frame(frames: u64) -> wasi_hal_sim::Frame {
    let path = root().join(format!(
        "tests/golden/pacman-pmod-oled/frame-{frames:03}.png"
    ));
    wasi_hal_sim_render::load_png(&path).unwrap_or_else(|e| panic!("{e:#}"))
}
