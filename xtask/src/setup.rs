//! Installing what a task needs, idempotently: look first, install only what is missing.
//!
//! Each task installs only what it uses ([`plan`]); `cargo xtask setup` and `cargo xtask test`
//! install everything:
//!
//! | task | installs |
//! | --- | --- |
//! | `run`, `bench` | the `wasm32-wasip2` target |
//! | `build`, `catalog --docs` | the `wasm32-wasip2` target; the npm packages of `host/js` for the web page and of the JavaScript guests (componentize-js), when Node.js 20.19 or newer is on PATH (else one line says they are skipped); componentize-py for the Python guests, when `python3` is on PATH (else one line says they are skipped) |
//! | `publish` | the `wasm32-wasip2` target and the pinned `wkg` (its output tells how to fetch with it); the npm packages (componentize-js for the JavaScript guests) when Node.js is there, componentize-py when `python3` is; no `wac` |
//! | `pi` | the `aarch64-unknown-linux-gnu` target, Debian's `gcc-aarch64-linux-gnu` and `libc6-dev-arm64-cross` |
//! | `test`, `setup` | everything: the `wasm32-wasip2` and `wasm32-wasip1` targets, rustfmt and clippy, Debian's `chromium` and `docker-registry`, the pinned `wac`, `cargo-component` and `wkg`, the npm packages of `host/js` and of the JavaScript guests (Node.js 20.19 or newer required), componentize-py (`python3` required); for the Raspberry Pi build the `aarch64-unknown-linux-gnu` target, Debian's `gcc-aarch64-linux-gnu`, `libc6-dev-arm64-cross` and `qemu-user-static`; for the VM tests QEMU, busybox, the kernel and its modules and gpio-sim (src/vm.rs, docs/kernel-tests.md) |
//!
//! - targets and components come from `rustup`;
//! - command-line tools come from crates.io at pinned versions, each into its own folder of a
//!   cache (`$WASI_HAL_CACHE`, default `~/.cache/wasi-hal`), so a version change installs beside
//!   the old one and nothing global is touched. They are compiled one after the other into one
//!   shared build folder (`<cache>/tools/build`), so the crates they have in common (the
//!   wasm-tools family, tokio, reqwest, ...) compile once; the build folder is deleted when every
//!   tool is in place (it holds over a gigabyte that only a version change would reuse);
//! - Debian packages with `apt-get`.
//!
//! The paths of the installed tools are handed to the test suite in environment variables
//! (`WASI_HAL_WAC`, `WASI_HAL_WKG`, …), so tests run the pinned binaries, not whatever is on PATH.

use crate::workspace;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The Rust target guest components are built for.
pub const WASM_TARGET: &str = "wasm32-wasip2";

/// The target `cargo component build` compiles for (it adapts the module to a component).
pub const WASIP1_TARGET: &str = "wasm32-wasip1";

/// A command-line tool installed from crates.io at a pinned version.
#[derive(Debug, PartialEq, Eq)]
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

/// `wac` 0.12.0. tests/tests/compositions.rs: `wac plug` and `wac compose` give the same
/// components as wasi-hal-compose; tests/tests/registry.rs plugs what wkg fetched.
pub const WAC: Tool = Tool {
    krate: "wac-cli",
    version: "0.12.0",
    bin: "wac",
    env: "WASI_HAL_WAC",
};

/// `cargo-component` 0.21.1. tests/tests/cargo_component.rs: every driver also builds with
/// `cargo component build`.
pub const CARGO_COMPONENT: Tool = Tool {
    krate: "cargo-component",
    version: "0.21.1",
    bin: "cargo-component",
    env: "WASI_HAL_CARGO_COMPONENT",
};

/// `wkg` 0.16.1. tests/tests/registry.rs: `wkg get` / `wkg fetch` from the published registry;
/// `cargo xtask publish` prints how to fetch with it.
pub const WKG: Tool = Tool {
    krate: "wkg",
    version: "0.16.1",
    bin: "wkg",
    env: "WASI_HAL_WKG",
};

/// The tools the test suite uses, with the versions known to work together. Each one is added
/// here when a test starts using it.
pub const TOOLS: &[&Tool] = &[&WAC, &CARGO_COMPONENT, &WKG];

/// The Debian packages the test suite uses. Each one is added here when a test starts using it.
pub const DEBIAN_PACKAGES: &[&str] = &[
    // tests/tests/browser.rs: the web page in headless Chromium (driven by playwright-core).
    "chromium",
    // tests/tests/registry.rs: a real OCI registry (the CNCF distribution registry).
    "docker-registry",
    // tools/wasi-hal/tests/live_view.rs: the live view in a real terminal emulator.
    "tmux",
    // tests/vm/tests/aarch64.rs: qemu-aarch64 runs the Raspberry Pi build.
    "qemu-user-static",
    // host/telemetry/tests/broker.rs, host/runtime/tests/telemetry.rs, tools/wasi-hal/tests/fleet.rs: a real MQTT broker.
    "mosquitto",
];

/// The Debian packages of the Raspberry Pi build (src/cross.rs): the cross linker and C
/// library for aarch64.
pub const PI_DEBIAN_PACKAGES: &[&str] = &["gcc-aarch64-linux-gnu", "libc6-dev-arm64-cross"];

/// The Rust target of the Raspberry Pi build (64-bit Raspberry Pi OS).
pub const PI_TARGET: &str = "aarch64-unknown-linux-gnu";

/// Where Debian's `mosquitto` package puts the broker; handed to the tests in
/// `WASI_HAL_MOSQUITTO`.
pub const MOSQUITTO: &str = "/usr/sbin/mosquitto";

/// Where Debian's `chromium` package puts the browser; handed to the tests in
/// `WASI_HAL_CHROMIUM`.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// The oldest Node.js the npm packages of `host/js` run on (rolldown, a jco dependency, needs
/// 20.19).
const NODE_MIN: (u32, u32) = (20, 19);

/// The task a set-up is for: each installs only what it uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// `cargo xtask run` and `cargo xtask bench`: build the components and run the host.
    Run,
    /// `cargo xtask build` (and `catalog --docs`): the components, and the web page when
    /// Node.js is there.
    Build,
    /// `cargo xtask publish`: the components, and wkg to fetch them with.
    #[cfg_attr(not(feature = "registry"), allow(dead_code))]
    Publish,
    /// `cargo xtask pi`: the Raspberry Pi target and Debian's cross gcc.
    Pi,
    /// `cargo xtask test` and `cargo xtask setup`: everything CI uses.
    Test,
}

/// Whether the npm packages (and so the web page) are needed or only wanted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// Set-up fails without them.
    Required,
    /// Installed when Node.js 20.19 or newer is on PATH, else skipped with one line.
    IfNodeIsThere,
}

/// One set-up step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// `rustup target add`.
    RustTarget(&'static str),
    /// `rustup component add`.
    RustComponent(&'static str),
    /// `apt-get install`.
    Debian(&'static str),
    /// `cargo install` of a pinned tool into the cache.
    Tool(&'static Tool),
    /// `npm install` in `host/js`.
    NpmPackages(Need),
    /// componentize-py from PyPI into the cache, for the Python guests; `true`: required (no
    /// `python3` is an error), `false`: skipped with one line without `python3`.
    ComponentizePy(bool),
    /// The kernel, modules and gpio-sim of the VM tests (src/vm.rs).
    VmKernel,
}

/// What set-up did, for the steps that come after it.
#[derive(Debug, Default)]
pub struct Done {
    /// `host/js`, when its npm packages are installed (the web page can be built).
    pub js: Option<PathBuf>,
    /// Why the npm packages were only wanted and are not there (Node.js missing or too old).
    pub no_js_because: Option<String>,
    /// componentize-py, when it is installed (the Python guests can be built).
    pub componentize_py: Option<crate::python::ComponentizePy>,
    /// Why componentize-py was only wanted and is not there (no `python3`).
    pub no_python_because: Option<String>,
}

/// The steps a task needs, in the order they run.
pub fn plan(purpose: Purpose) -> Vec<Step> {
    let mut steps = vec![Step::RustTarget(WASM_TARGET)];
    match purpose {
        Purpose::Run => {}
        Purpose::Build => {
            steps.push(Step::NpmPackages(Need::IfNodeIsThere));
            steps.push(Step::ComponentizePy(false));
        }
        Purpose::Publish => {
            steps.push(Step::Tool(&WKG));
            steps.push(Step::NpmPackages(Need::IfNodeIsThere));
            steps.push(Step::ComponentizePy(false));
        }
        Purpose::Pi => {
            steps.push(Step::RustTarget(PI_TARGET));
            steps.extend(PI_DEBIAN_PACKAGES.iter().map(|p| Step::Debian(p)));
        }
        Purpose::Test => {
            steps.push(Step::RustTarget(WASIP1_TARGET));
            steps.push(Step::RustTarget(PI_TARGET));
            steps.extend(["rustfmt", "clippy"].map(Step::RustComponent));
            steps.extend(DEBIAN_PACKAGES.iter().map(|p| Step::Debian(p)));
            steps.extend(PI_DEBIAN_PACKAGES.iter().map(|p| Step::Debian(p)));
            steps.extend(TOOLS.iter().map(|t| Step::Tool(t)));
            steps.push(Step::NpmPackages(Need::Required));
            steps.push(Step::ComponentizePy(true));
            steps.push(Step::VmKernel);
        }
    }
    steps
}

/// Runs the steps of `purpose`, and sets the tool path variables (`WASI_HAL_WKG`, …) for the
/// commands this process runs later.
pub fn run(purpose: Purpose) -> Result<Done> {
    let steps = plan(purpose);
    let mut done = Done::default();
    let mut installed_tools = false;
    for step in &steps {
        match *step {
            Step::RustTarget(target) => ensure_rustup("target", target)?,
            Step::RustComponent(component) => ensure_rustup("component", component)?,
            Step::Debian(package) => {
                ensure_deb(package)?;
                if package == "chromium" {
                    // SAFETY: xtask is single-threaded here; the variable is read by children.
                    unsafe { std::env::set_var("WASI_HAL_CHROMIUM", CHROMIUM) };
                }
                if package == "mosquitto" {
                    // SAFETY: as above.
                    unsafe { std::env::set_var("WASI_HAL_MOSQUITTO", MOSQUITTO) };
                }
            }
            Step::Tool(tool) => {
                let (bin, installed) = ensure_tool(tool)?;
                installed_tools |= installed;
                // SAFETY: as above.
                unsafe { std::env::set_var(tool.env, &bin) };
            }
            Step::NpmPackages(need) => {
                match ensure_npm_packages(need)? {
                    Ok(js) => done.js = Some(js),
                    Err(why) => done.no_js_because = Some(why),
                }
                if let Some(js) = &done.js {
                    // SAFETY: as above.
                    unsafe { std::env::set_var("WASI_HAL_JS_DIR", js) };
                }
            }
            Step::ComponentizePy(required) => {
                match crate::python::ensure_componentize_py(required)? {
                    Ok(tool) => done.componentize_py = Some(tool),
                    Err(why) => done.no_python_because = Some(why),
                }
            }
            Step::VmKernel => {
                crate::vm::ensure()?;
            }
        }
    }
    if installed_tools {
        remove_tool_build_dir()?;
    }
    Ok(done)
}

/// Adds a rustup `kind` (`target` or `component`) unless it is installed.
///
/// `rustup` does not install targets by itself here (`RUSTUP_AUTO_INSTALL=0`, and a
/// rust-toolchain file would not add targets either), so this step is what makes a fresh
/// machine able to build guests.
fn ensure_rustup(kind: &str, name: &str) -> Result<()> {
    let installed = output("rustup", &[kind, "list", "--installed"])?;
    // Components are listed with their host triple (`rustfmt-x86_64-unknown-linux-gnu`).
    let present = installed
        .lines()
        .any(|l| l.trim() == name || (kind == "component" && l.starts_with(name)));
    if present {
        eprintln!("==> rust {kind} {name}: present");
        return Ok(());
    }
    workspace::step(&format!("adding the rust {kind} {name}"), || {
        workspace::run(Command::new("rustup").args([kind, "add", name]))
    })
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

/// The build folder every tool is compiled in, one after the other.
fn tool_build_dir() -> PathBuf {
    cache_dir().join("tools").join("build")
}

/// Installs `tool` into the cache unless that version is already there; returns its binary and
/// whether it was installed now.
pub fn ensure_tool(tool: &Tool) -> Result<(PathBuf, bool)> {
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
        return Ok((bin, false));
    }
    workspace::step(
        &format!(
            "installing {} {} (compiles from crates.io, once per machine)",
            tool.krate, tool.version
        ),
        || {
            workspace::run(
                Command::new(workspace::cargo_bin())
                    .args(["install", "--locked", "--root"])
                    .arg(&root)
                    .arg("--target-dir")
                    .arg(tool_build_dir())
                    .args([tool.krate, "--version", tool.version]),
            )
        },
    )?;
    anyhow::ensure!(
        bin.exists(),
        "{} was installed but {} is missing",
        tool.krate,
        bin.display()
    );
    Ok((bin, true))
}

/// Deletes the shared build folder of the tools once they are all installed.
fn remove_tool_build_dir() -> Result<()> {
    let dir = tool_build_dir();
    if dir.exists() {
        workspace::step(
            &format!("removing the tools' build folder {}", dir.display()),
            || {
                std::fs::remove_dir_all(&dir)
                    .with_context(|| format!("cannot remove {}", dir.display()))
            },
        )?;
    }
    Ok(())
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
    workspace::step(&format!("installing the debian package {package}"), || {
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
    })
}

/// The Node.js on PATH, when it is new enough for the npm packages of `host/js`; otherwise why
/// not.
fn usable_node() -> Result<String> {
    let version = output("node", &["--version"])
        .context("Node.js is not on PATH (20.19 or newer runs jco and the web page)")?;
    let version = version.trim().to_string();
    let parsed: Vec<u32> = version
        .trim_start_matches('v')
        .split('.')
        .map_while(|n| n.parse().ok())
        .collect();
    anyhow::ensure!(
        parsed.len() >= 2 && (parsed[0], parsed[1]) >= NODE_MIN,
        "Node.js {version} is too old for the npm packages of host/js: {}.{} or newer is needed",
        NODE_MIN.0,
        NODE_MIN.1
    );
    Ok(version)
}

/// Installs the npm packages of `host/js` (jco, preview2-shim, playwright-core) at the versions
/// of its `package-lock.json`, unless `node_modules` was installed from this very lock file (a
/// copy of it is kept in `node_modules/.wasi-hal-lock.json`). Returns `host/js`, or why not
/// when they are only wanted and Node.js is missing or too old.
///
/// `npm install --no-save` rather than `npm ci`: the registry this project's machines reach
/// holds only the Linux x64 builds of optional native packages (rolldown's, for example), so
/// the lock file has no entries for the others and `npm ci` refuses it as out of sync. The
/// lock file pins every package that is installed; it is checked to be unchanged afterwards.
pub fn ensure_npm_packages(need: Need) -> Result<std::result::Result<PathBuf, String>> {
    let js = match ensure_npm_packages_in(&workspace::root().join("host").join("js"), need)? {
        Ok(js) => js,
        Err(why) => return Ok(Err(why)),
    };
    // The JavaScript guests (drivers/ and apps/ with a package.json) each pin their own
    // componentize-js; their packages are installed with host/js's.
    for guest in crate::js_guests::guests()? {
        if let Err(why) = ensure_npm_packages_in(&guest.dir, need)? {
            return Ok(Err(why));
        }
    }
    Ok(Ok(js))
}

/// As [`ensure_npm_packages`], for the npm packages of `dir` (`host/js`, `host/hub/web`, a
/// JavaScript guest): installs them at the versions of its lock file, unless `node_modules` was
/// installed from this very lock file (a copy of it is kept in `node_modules/.wasi-hal-lock.json`).
pub fn ensure_npm_packages_in(
    dir: &Path,
    need: Need,
) -> Result<std::result::Result<PathBuf, String>> {
    let dir = dir.to_path_buf();
    let label = dir
        .strip_prefix(workspace::root())
        .unwrap_or(&dir)
        .display()
        .to_string();
    let node = match usable_node() {
        Ok(version) => version,
        Err(e) if need == Need::IfNodeIsThere => return Ok(Err(format!("{e:#}"))),
        Err(e) => return Err(e),
    };
    let lock = dir.join("package-lock.json");
    let stamp = dir.join("node_modules").join(".wasi-hal-lock.json");
    let wanted = std::fs::read(&lock).with_context(|| format!("cannot read {}", lock.display()))?;
    if std::fs::read(&stamp).is_ok_and(|installed| installed == wanted) {
        eprintln!("==> npm packages of {label}: present (Node.js {node})");
        return Ok(Ok(dir));
    }
    workspace::step(&format!("installing the npm packages of {label}"), || {
        install_npm_packages(&dir, &lock, &wanted)
    })?;
    std::fs::write(&stamp, &wanted).with_context(|| format!("cannot write {}", stamp.display()))?;
    Ok(Ok(dir))
}

fn install_npm_packages(dir: &Path, lock: &Path, wanted: &[u8]) -> Result<()> {
    workspace::run(
        Command::new("npm")
            .args(["install", "--no-save", "--no-audit", "--no-fund"])
            .current_dir(dir),
    )?;
    let after = std::fs::read(lock).with_context(|| format!("cannot read {}", lock.display()))?;
    if after != wanted {
        std::fs::write(lock, wanted)
            .with_context(|| format!("cannot restore {}", lock.display()))?;
        anyhow::bail!(
            "npm changed {} while installing: it does not pin what package.json asks for; \
             update it with `npm install` in {} and commit it",
            lock.display(),
            dir.display()
        );
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The tools, targets and packages only the tests use.
    fn test_only(step: &Step) -> bool {
        match step {
            Step::RustTarget(t) => *t != WASM_TARGET,
            Step::RustComponent(_)
            | Step::Debian(_)
            | Step::Tool(_)
            | Step::NpmPackages(_)
            | Step::ComponentizePy(_)
            | Step::VmKernel => true,
        }
    }

    #[test]
    fn run_installs_only_the_wasm_target() {
        assert_eq!(plan(Purpose::Run), vec![Step::RustTarget(WASM_TARGET)]);
        let extra: Vec<Step> = plan(Purpose::Run).into_iter().filter(test_only).collect();
        assert!(extra.is_empty(), "run installs test-only steps: {extra:?}");
    }

    #[test]
    fn build_wants_the_web_page_and_python_guests_only_when_node_and_python_are_there() {
        assert_eq!(
            plan(Purpose::Build),
            vec![
                Step::RustTarget(WASM_TARGET),
                Step::NpmPackages(Need::IfNodeIsThere),
                Step::ComponentizePy(false),
            ]
        );
    }

    #[test]
    fn publish_installs_wkg_and_no_wac() {
        let steps = plan(Purpose::Publish);
        assert!(steps.contains(&Step::Tool(&WKG)));
        assert!(!steps.contains(&Step::Tool(&WAC)), "{steps:?}");
        assert!(!steps.contains(&Step::Tool(&CARGO_COMPONENT)), "{steps:?}");
        assert!(
            !steps.iter().any(|s| matches!(s, Step::Debian(_))),
            "{steps:?}"
        );
    }

    #[test]
    fn pi_installs_the_target_and_the_cross_gcc_only() {
        let steps = plan(Purpose::Pi);
        assert!(steps.contains(&Step::RustTarget(PI_TARGET)));
        for package in PI_DEBIAN_PACKAGES {
            assert!(steps.contains(&Step::Debian(package)), "{package} missing");
        }
        assert!(
            !steps
                .iter()
                .any(|s| matches!(s, Step::Tool(_) | Step::VmKernel | Step::NpmPackages(_))),
            "{steps:?}"
        );
    }

    #[test]
    fn test_installs_every_tool_and_package() {
        let steps = plan(Purpose::Test);
        for tool in TOOLS {
            assert!(steps.contains(&Step::Tool(tool)), "{} missing", tool.krate);
        }
        for package in DEBIAN_PACKAGES.iter().chain(PI_DEBIAN_PACKAGES) {
            assert!(steps.contains(&Step::Debian(package)), "{package} missing");
        }
        assert!(steps.contains(&Step::ComponentizePy(true)));
        for target in [WASM_TARGET, WASIP1_TARGET] {
            assert!(
                steps.contains(&Step::RustTarget(target)),
                "{target} missing"
            );
        }
        assert!(steps.contains(&Step::NpmPackages(Need::Required)));
        assert!(steps.contains(&Step::RustTarget(PI_TARGET)));
        assert!(steps.contains(&Step::VmKernel));
    }
}
