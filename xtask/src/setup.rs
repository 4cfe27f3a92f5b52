//! Installing what the build needs, idempotently: look first, install only what is missing.
//!
//! - the `wasm32-wasip2` target and the rustfmt/clippy components, with `rustup`;
//! - command-line tools from crates.io at pinned versions, each into its own folder of a cache
//!   (`$WASI_HAL_CACHE`, default `~/.cache/wasi-hal`), so a version change installs beside the
//!   old one and nothing global is touched;
//! - Debian packages with `apt-get`, when a step needs one.
//!
//! The paths of the installed tools are handed to the test suite in environment variables
//! (`WASI_HAL_WAC`, `WASI_HAL_WKG`, …), so tests run the pinned binaries, not whatever is on PATH.

use crate::workspace;
use anyhow::{Context, Result};
use std::path::PathBuf;
use std::process::Command;

/// The Rust target guest components are built for.
pub const WASM_TARGET: &str = "wasm32-wasip2";

/// The target `cargo component build` compiles for (it adapts the module to a component).
pub const WASIP1_TARGET: &str = "wasm32-wasip1";

/// A command-line tool installed from crates.io at a pinned version.
pub struct Tool {
    /// The crate to install.
    pub krate: &'static str,
    /// The pinned version.
    pub version: &'static str,
    /// The binary it provides.
    pub bin: &'static str,
    /// The environment variable that hands its path to the tests.
    pub env: &'static str,
}

/// The tools the test suite uses, with the versions known to work together (see
/// ../shared/notes/toolchain.md). Each one is added here when a test starts using it.
pub const TOOLS: &[Tool] = &[
    // tests/tests/compositions.rs: `wac plug` and `wac compose` give the same components as
    // wasi-hal-compose.
    Tool {
        krate: "wac-cli",
        version: "0.12.0",
        bin: "wac",
        env: "WASI_HAL_WAC",
    },
    // tests/tests/cargo_component.rs: every driver also builds with `cargo component build`.
    Tool {
        krate: "cargo-component",
        version: "0.21.1",
        bin: "cargo-component",
        env: "WASI_HAL_CARGO_COMPONENT",
    },
    // tests/tests/registry.rs: `wkg get` / `wkg fetch` from the published registry.
    Tool {
        krate: "wkg",
        version: "0.16.1",
        bin: "wkg",
        env: "WASI_HAL_WKG",
    },
];

/// The Debian packages the test suite uses. Each one is added here when a test starts using it.
pub const DEBIAN_PACKAGES: &[&str] = &[
    // tests/tests/browser.rs: the web page in headless Chromium (driven by playwright-core).
    "chromium",
    // tests/tests/registry.rs: a real OCI registry (the CNCF distribution registry).
    "docker-registry",
    // host/cli/tests/live_view.rs: the live view in a real terminal emulator.
    "tmux",
];

/// Where Debian's `chromium` package puts the browser; handed to the tests in
/// `WASI_HAL_CHROMIUM`.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// The oldest Node.js the npm packages of `host/js` run on (rolldown, a jco dependency, needs
/// 20.19).
const NODE_MIN: (u32, u32) = (20, 19);

/// Installs the wasm32-wasip2 and wasm32-wasip1 targets and the rustfmt and clippy components
/// when missing.
///
/// `rustup` does not install targets by itself here (`RUSTUP_AUTO_INSTALL=0`, and a
/// rust-toolchain file would not add targets either), so this step is what makes a fresh
/// machine able to build guests.
pub fn run_rustup() -> Result<()> {
    let installed = output("rustup", &["target", "list", "--installed"])?;
    for target in [WASM_TARGET, WASIP1_TARGET] {
        if installed.lines().any(|l| l.trim() == target) {
            eprintln!("==> rust target {target}: present");
        } else {
            workspace::run(Command::new("rustup").args(["target", "add", target]))?;
        }
    }
    let components = output("rustup", &["component", "list", "--installed"])?;
    for component in ["rustfmt", "clippy"] {
        if components.lines().any(|l| l.starts_with(component)) {
            eprintln!("==> rust component {component}: present");
        } else {
            workspace::run(Command::new("rustup").args(["component", "add", component]))?;
        }
    }
    Ok(())
}

/// The cache folder for installed tools.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("WASI_HAL_CACHE") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| workspace::root().join("target"));
    base.join("wasi-hal")
}

/// Installs `tool` into the cache unless that version is already there; returns its binary.
pub fn ensure_tool(tool: &Tool) -> Result<PathBuf> {
    let root = cache_dir()
        .join("tools")
        .join(format!("{}-{}", tool.krate, tool.version));
    let bin = root.join("bin").join(tool.bin);
    if bin.exists() {
        eprintln!(
            "==> {} {}: present ({})",
            tool.krate,
            tool.version,
            bin.display()
        );
        return Ok(bin);
    }
    eprintln!(
        "==> installing {} {} (compiles from source; once per machine)",
        tool.krate, tool.version
    );
    workspace::run(
        Command::new(workspace::cargo_bin())
            .args(["install", "--locked", "--root"])
            .arg(&root)
            .args([tool.krate, "--version", tool.version]),
    )?;
    anyhow::ensure!(
        bin.exists(),
        "{} was installed but {} is missing",
        tool.krate,
        bin.display()
    );
    Ok(bin)
}

/// Installs the Debian package `package` unless `dpkg` says it is installed.
pub fn ensure_deb(package: &str) -> Result<()> {
    let present = Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"));
    if present {
        eprintln!("==> debian package {package}: present");
        return Ok(());
    }
    workspace::run(
        Command::new("apt-get")
            .arg("update")
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    workspace::run(
        Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends", package])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

/// Every set-up step. Sets the tool path variables for the commands this process runs later.
pub fn run() -> Result<()> {
    run_rustup()?;
    for package in DEBIAN_PACKAGES {
        ensure_deb(package)?;
    }
    for tool in TOOLS {
        let bin = ensure_tool(tool)?;
        // SAFETY: xtask is single-threaded here; the variable is read by child processes.
        unsafe { std::env::set_var(tool.env, &bin) };
    }
    let js = ensure_npm_packages()?;
    // SAFETY: as above.
    unsafe {
        std::env::set_var("WASI_HAL_JS_DIR", &js);
        std::env::set_var("WASI_HAL_CHROMIUM", CHROMIUM);
    }
    Ok(())
}

/// Installs the npm packages of `host/js` (jco, preview2-shim, playwright-core) at the versions
/// of its `package-lock.json`, unless `node_modules` was installed from this very lock file (a
/// copy of it is kept in `node_modules/.wasi-hal-lock.json`). Returns `host/js`.
///
/// `npm install --no-save` rather than `npm ci`: the registry this project's machines reach
/// holds only the Linux x64 builds of optional native packages (rolldown's, for example), so
/// the lock file has no entries for the others and `npm ci` refuses it as out of sync. The
/// lock file pins every package that is installed; it is checked to be unchanged afterwards.
pub fn ensure_npm_packages() -> Result<PathBuf> {
    let dir = workspace::root().join("host").join("js");
    let lock = dir.join("package-lock.json");
    let stamp = dir.join("node_modules").join(".wasi-hal-lock.json");
    let wanted = std::fs::read(&lock).with_context(|| format!("cannot read {}", lock.display()))?;
    if std::fs::read(&stamp).is_ok_and(|installed| installed == wanted) {
        eprintln!("==> npm packages of host/js: present");
        return Ok(dir);
    }
    let version = output("node", &["--version"])
        .context("Node.js runs jco and the browser test: install Node.js 20.19 or newer")?;
    let parsed: Vec<u32> = version
        .trim()
        .trim_start_matches('v')
        .split('.')
        .map_while(|n| n.parse().ok())
        .collect();
    anyhow::ensure!(
        parsed.len() >= 2 && (parsed[0], parsed[1]) >= NODE_MIN,
        "Node.js {} is too old for the npm packages of host/js: {}.{} or newer is needed",
        version.trim(),
        NODE_MIN.0,
        NODE_MIN.1
    );
    workspace::run(
        Command::new("npm")
            .args(["install", "--no-save", "--no-audit", "--no-fund"])
            .current_dir(&dir),
    )?;
    let after = std::fs::read(&lock).with_context(|| format!("cannot read {}", lock.display()))?;
    if after != wanted {
        std::fs::write(&lock, &wanted)
            .with_context(|| format!("cannot restore {}", lock.display()))?;
        anyhow::bail!(
            "npm changed {} while installing: it does not pin what package.json asks for; \
             update it with `npm install` in host/js and commit it",
            lock.display()
        );
    }
    std::fs::write(&stamp, &wanted).with_context(|| format!("cannot write {}", stamp.display()))?;
    Ok(dir)
}

fn output(program: &str, args: &[&str]) -> Result<String> {
    let out = Command::new(program)
        .args(args)
        .output()
        .with_context(|| format!("failed to run {program}: is it installed and on PATH?"))?;
    anyhow::ensure!(
        out.status.success(),
        "`{program} {}` failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
