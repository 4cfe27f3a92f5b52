//! The project's own tasks, run as `cargo xtask <task>` (an alias in `.cargo/config.toml`).
//!
//! - `cargo xtask run`: set up the machine, build everything, run the main job.
//! - `cargo xtask test`: set up the machine, then every check CI runs (format, lints on host and
//!   guest crates, all tests).
//! - `cargo xtask build`: build every WIT package (binary WIT) and every guest component in
//!   release into `target/wasi-hal/`, and print what was built with sizes.
//! - `cargo xtask setup`: only install what is missing.
//! - `cargo xtask pi`: build the `wasi-hal` command for a Raspberry Pi (aarch64, with Debian's
//!   cross gcc; see docs/raspberry-pi.md).
//! - `cargo xtask package`: check that the host crates a third-party host needs package for
//!   crates.io (`cargo package --no-verify`; part of `test`; see src/packaging.rs).
//! - `cargo xtask bench`: run every benchmark in release and write docs/performance.md.
//! - `cargo xtask publish [--registry R]`: build, then publish every WIT package, driver, app
//!   and composition to a registry (a local filesystem registry by default); see docs/registry.md.
//! - `cargo xtask catalog [--registry R] [--markdown] [--docs]`: what a registry holds;
//!   `--docs` regenerates docs/catalog.md.
//! - `cargo xtask registry-env [--registry R]`: the wkg configuration and cache for a registry.
//! - `cargo xtask keygen -o NAME`, `publish --sign-key NAME.key`, `fetch PKG@VER --registry R
//!   --trusted-key NAME.pub -o FILE`: signed releases (docs/registry.md, "Signatures").
//!
//! Set-up is idempotent: each step looks first and installs only what is missing, so the same
//! command works on a fresh machine and on a warm one. Each task installs only what it uses
//! (see [`setup::plan`]): `run` needs nothing but the `wasm32-wasip2` target.
//!
//! Every step prints what it does before it starts and how long it took when it ends
//! (`==> ...: done (12.3 s)`); a step still running after 30 s says so every 30 s when the
//! output is not a terminal.
//!
//! The registry tasks need the registry client (wasm-pkg-client and its TLS and QUIC stacks),
//! which takes minutes to compile; it is behind the `registry` feature, so the first
//! `cargo xtask run` compiles without it. `publish`, `catalog` and `registry-env` run
//! themselves again through `cargo run --package xtask --features registry` when this binary
//! was built without it.

mod bench;
mod build;
mod cross;
mod js_guests;
mod packaging;
mod python;
#[cfg(feature = "registry")]
mod registry;
mod setup;
mod vm;
mod workspace;

use anyhow::Result;
use clap::{Parser, Subcommand};
use setup::Purpose;

/// wasi-hal project tasks.
#[derive(Parser)]
#[command(name = "cargo xtask", about)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Install everything any task uses (what `test` installs), skipping what is there.
    Setup,
    /// Build every WIT package and guest component into target/wasi-hal/ and list them with sizes.
    Build,
    /// Set up, build everything and run the main job: pacman on a simulated Pmod OLED.
    Run {
        /// More arguments for `wasi-hal run` (e.g. `--frames 300`, `--record pacman.gif`).
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Set up, then run every check CI runs: fmt, clippy (host and guests, warnings denied), tests.
    Test,
    /// Check that the host crates a third-party host needs package for crates.io (part of `test`).
    Package,
    /// Build the wasi-hal command for a Raspberry Pi (aarch64-unknown-linux-gnu) and print where.
    Pi,
    /// Run every benchmark in release and write docs/performance.md with the machine and date.
    Bench {
        /// Only write docs/performance.md again from the results of the last run.
        #[arg(long)]
        report_only: bool,
    },
    /// Build, then publish every WIT package, driver, app and composition, in dependency order.
    Publish {
        /// `local` (target/wasi-hal/registry/local), a folder, or an OCI registry
        /// (`http://127.0.0.1:5000`, `https://HOST`).
        #[arg(long, default_value = "local")]
        registry: String,
        /// User name for an OCI registry; the password is read from WASI_HAL_REGISTRY_PASSWORD.
        #[arg(long)]
        username: Option<String>,
        /// Sign every release with this private key (PKCS#8 PEM, from `keygen`): cosign's
        /// simple signing, stored under the tag `sha256-<digest>.sig` (OCI registries only).
        #[arg(long)]
        sign_key: Option<std::path::PathBuf>,
    },
    /// Make a signing key pair: `<out>.key` (private, PKCS#8 PEM) and `<out>.pub` (public).
    Keygen {
        /// The two files' path without extension.
        #[arg(long, short)]
        output: std::path::PathBuf,
    },
    /// Fetch one release, only when a trusted key signed it, and write it to a file.
    Fetch {
        /// `namespace:name@version`, e.g. `wasi:spi@0.1.0`.
        release: String,
        /// The registry, as for `publish` (an OCI registry).
        #[arg(long)]
        registry: String,
        /// User name for an OCI registry; the password is read from WASI_HAL_REGISTRY_PASSWORD.
        #[arg(long)]
        username: Option<String>,
        /// A trusted public key (PEM); give it once per key.
        #[arg(long = "trusted-key", required = true)]
        trusted_keys: Vec<std::path::PathBuf>,
        /// Where to write the release.
        #[arg(long, short)]
        output: std::path::PathBuf,
    },
    /// Every package of a registry with its versions, and who exports and imports each interface.
    Catalog {
        /// The registry, as for `publish`.
        #[arg(long, default_value = "local")]
        registry: String,
        /// User name for an OCI registry; the password is read from WASI_HAL_REGISTRY_PASSWORD.
        #[arg(long)]
        username: Option<String>,
        /// Markdown instead of text.
        #[arg(long)]
        markdown: bool,
        /// Write to this file instead of printing.
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
        /// Regenerate docs/catalog.md (from a fresh local registry; other options are ignored).
        #[arg(long)]
        docs: bool,
    },
    /// Write the wkg configuration for a registry and print WKG_CONFIG_FILE / WKG_CACHE_DIR.
    RegistryEnv {
        /// The registry, as for `publish`.
        #[arg(long, default_value = "local")]
        registry: String,
        /// User name for an OCI registry; the password is read from WASI_HAL_REGISTRY_PASSWORD.
        #[arg(long)]
        username: Option<String>,
    },
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.task {
        Task::Setup => setup::run(Purpose::Test).map(|_| ()),
        Task::Build => setup::run(Purpose::Build).and_then(|done| {
            build::run(build::Options {
                js: done.js.as_deref(),
                no_js_because: done.no_js_because.as_deref(),
                python: done.componentize_py.as_ref(),
                no_python_because: done.no_python_because.as_deref(),
                test_programs: true,
            })
            .map(|_| ())
        }),
        Task::Run { args } => run_main_job(&args),
        Task::Test => test(),
        Task::Package => packaging::check(),
        Task::Pi => setup::run(Purpose::Pi).and_then(|_| {
            let bin = cross::build()?;
            println!("{}", bin.display());
            Ok(())
        }),
        Task::Bench { report_only } => bench::run(report_only),
        task @ (Task::Publish { .. }
        | Task::Catalog { .. }
        | Task::RegistryEnv { .. }
        | Task::Keygen { .. }
        | Task::Fetch { .. }) => registry_task(task),
    };
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

/// `publish`, `catalog` and `registry-env`, in a binary built with the registry client.
#[cfg(feature = "registry")]
fn registry_task(task: Task) -> Result<()> {
    match task {
        Task::Publish {
            registry,
            username,
            sign_key,
        } => registry::parse_registry(&registry, username.as_deref())
            .and_then(|r| registry::publish(&r, &registry, sign_key.as_deref())),
        Task::Keygen { output } => registry::keygen(&output),
        Task::Fetch {
            release,
            registry,
            username,
            trusted_keys,
            output,
        } => registry::parse_registry(&registry, username.as_deref())
            .and_then(|r| registry::fetch(&r, &release, &trusted_keys, &output)),
        Task::Catalog { docs: true, .. } => registry::catalog_docs(),
        Task::Catalog {
            registry,
            username,
            markdown,
            output,
            docs: false,
        } => registry::parse_registry(&registry, username.as_deref())
            .and_then(|r| registry::catalog(&r, markdown, output.as_deref())),
        Task::RegistryEnv { registry, username } => {
            registry::parse_registry(&registry, username.as_deref()).and_then(|r| registry::env(&r))
        }
        _ => unreachable!("registry_task is called for the registry tasks only"),
    }
}

/// `publish`, `catalog` and `registry-env` in a binary built without the registry client: runs
/// the same command line again in xtask built with `--features registry` (compiled once, then
/// kept beside the default build in target/debug).
#[cfg(not(feature = "registry"))]
fn registry_task(_task: Task) -> Result<()> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    eprintln!(
        "==> the registry tasks need the registry client: running xtask built with \
         `--features registry` (its first compile takes a few minutes)"
    );
    let status = std::process::Command::new(workspace::cargo_bin())
        .current_dir(workspace::root())
        .args(["run", "--package", "xtask", "--features", "registry", "--"])
        .args(&args)
        .status()
        .map_err(|e| anyhow::anyhow!("failed to start cargo: {e}"))?;
    std::process::exit(status.code().unwrap_or(1));
}

/// The composition and board of the main job.
const MAIN_COMPOSITION: &str = "target/wasi-hal/compositions/pacman-pmod-oled.wasm";
const MAIN_BOARD: &str = "boards/sim-pacman-pmod-oled.toml";

/// The main job: build everything, then run pacman, composed with the Pmod OLED driver, on the
/// simulated board. In a terminal it plays in real time in the terminal until stopped; anywhere
/// else (CI, a pipe) it plays 300 frames in simulated time and saves the last one as a PNG.
fn run_main_job(extra: &[String]) -> Result<()> {
    let start = std::time::Instant::now();
    setup::run(Purpose::Run)?;
    let built = build::run(build::Options {
        js: None,
        no_js_because: None,
        python: None,
        no_python_because: None,
        test_programs: false,
    })?;
    println!(
        "\nbuilt {} WIT packages and {} components into {}\n",
        built.packages,
        built.components,
        workspace::output_dir().display()
    );
    workspace::step(
        "building the wasi-hal command (host crates and Wasmtime, optimised)",
        || workspace::cargo(&["build", "--package", "wasi-hal", "--profile", HOST_PROFILE]),
    )?;
    let screenshot = workspace::output_dir().join("pacman.png");
    let mut args: Vec<String> = vec![
        "run".into(),
        MAIN_COMPOSITION.into(),
        "--board".into(),
        MAIN_BOARD.into(),
    ];
    let interactive = std::io::IsTerminal::is_terminal(&std::io::stdout());
    if extra.is_empty() {
        if interactive {
            args.push("--realtime".into());
        } else {
            args.extend(["--frames".into(), "300".into(), "--screenshot".into()]);
            args.push(screenshot.to_string_lossy().into_owned());
        }
    }
    args.extend(extra.iter().cloned());
    let mut cargo_args = vec![
        "run",
        "--quiet",
        "--package",
        "wasi-hal",
        "--profile",
        HOST_PROFILE,
        "--",
    ];
    cargo_args.extend(args.iter().map(String::as_str));
    workspace::step(
        &format!(
            "running pacman on the simulated Pmod OLED: wasi-hal {}",
            args.join(" ")
        ),
        || workspace::cargo(&cargo_args),
    )?;
    if !interactive && extra.is_empty() {
        println!("the last frame is in {}", screenshot.display());
    }
    eprintln!(
        "==> cargo xtask run: done ({})",
        workspace::duration(start.elapsed())
    );
    Ok(())
}

/// The cargo profile the main job builds and runs the `wasi-hal` command in (see the root
/// Cargo.toml).
const HOST_PROFILE: &str = "dev";

/// Everything CI checks, in order from cheapest to dearest.
fn test() -> Result<()> {
    let done = setup::run(Purpose::Test)?;
    let ws = workspace::Workspace::load()?;
    workspace::step("checking the format (cargo fmt)", || {
        workspace::cargo(&["fmt", "--all", "--check"])
    })?;
    workspace::step(
        "checking that the host crates package for crates.io (cargo package --no-verify)",
        packaging::check,
    )?;

    // The registry tasks of xtask are behind its `registry` feature: lint and test with it, and
    // lint xtask without it too (the default build of `cargo xtask`).
    let mut clippy_host = vec![
        "clippy",
        "--workspace",
        "--all-targets",
        "--features",
        "xtask/registry",
    ];
    for guest in &ws.guests {
        clippy_host.extend(["--exclude", guest.as_str()]);
    }
    clippy_host.extend(["--", "-D", "warnings"]);
    workspace::step("linting the host crates (clippy, warnings denied)", || {
        workspace::cargo(&clippy_host)?;
        workspace::cargo(&[
            "clippy",
            "--package",
            "xtask",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])
    })?;

    let mut clippy_guests = vec![
        "clippy",
        "--target",
        "wasm32-wasip2",
        "--profile",
        "guest",
        // Guests have no test targets: a wasm32 test harness would link std next to their
        // no_std runtime.
        "--lib",
        "--bins",
        "--examples",
    ];
    for guest in &ws.guests {
        clippy_guests.extend(["--package", guest.as_str()]);
    }
    clippy_guests.extend(["--", "-D", "warnings"]);
    workspace::step("linting the guest crates (clippy, warnings denied)", || {
        workspace::cargo(&clippy_guests)
    })?;

    build::run(build::Options {
        js: done.js.as_deref(),
        no_js_because: done.no_js_because.as_deref(),
        python: done.componentize_py.as_ref(),
        no_python_because: done.no_python_because.as_deref(),
        test_programs: true,
    })?;

    // The Raspberry Pi build, which tests/vm/tests/aarch64.rs runs under qemu-aarch64.
    cross::build()?;

    let mut counts = workspace::TestCounts::default();
    let mut test = vec!["test", "--workspace", "--features", "xtask/registry"];
    for guest in &ws.guests {
        test.extend(["--exclude", guest.as_str()]);
    }
    let result = workspace::step("running every test of the host crates", || {
        workspace::cargo_test(&test, &mut counts)
    });
    // The benchmarks, each run once in the test profile: they must run; timings are not checked.
    let result = result.and(workspace::step("running each benchmark once", || {
        bench::quick(&mut counts)
    }));

    // Guest crates whose logic is plain Rust run their unit tests natively too.
    let native: Vec<&str> = ws
        .guest_crates
        .iter()
        .filter(|g| g.native_tests)
        .map(|g| g.name.as_str())
        .collect();
    if !native.is_empty() {
        let mut test = vec!["test", "--lib", "--bins"];
        for name in &native {
            test.extend(["--package", name]);
        }
        let native_result =
            workspace::step("running the guest crates' unit tests natively", || {
                workspace::cargo_test(&test, &mut counts)
            });
        print_summary(counts);
        result?;
        native_result?;
        return Ok(());
    }
    print_summary(counts);
    result
}

/// The closing line CI reads: every test of every `cargo test` run above, added up.
fn print_summary(counts: workspace::TestCounts) {
    println!(
        "\nwasi-hal: {} passed, {} failed, {} skipped",
        counts.passed, counts.failed, counts.ignored
    );
}
