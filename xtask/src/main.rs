//! The project's own tasks, run as `cargo xtask <task>` (an alias in `.cargo/config.toml`).
//!
//! - `cargo xtask run`: set up the machine, build everything, run the main job.
//! - `cargo xtask test`: set up the machine, then every check CI runs (format, lints on host and
//!   guest crates, all tests).
//! - `cargo xtask build`: build every WIT package (binary WIT) and every guest component in
//!   release into `target/wasi-hal/`, and print what was built with sizes.
//! - `cargo xtask setup`: only install what is missing.
//!
//! Set-up is idempotent: each step looks first and installs only what is missing, so the same
//! command works on a fresh machine and on a warm one.

mod build;
mod setup;
mod workspace;

use anyhow::Result;
use clap::{Parser, Subcommand};

/// wasi-hal project tasks.
#[derive(Parser)]
#[command(name = "cargo xtask", about)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Install what the build needs (the wasm32-wasip2 target, rustfmt, clippy), skipping what is there.
    Setup,
    /// Build every WIT package and guest component into target/wasi-hal/ and list them with sizes.
    Build,
    /// Set up, build everything and run the main job.
    Run,
    /// Set up, then run every check CI runs: fmt, clippy (host and guests, warnings denied), tests.
    Test,
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.task {
        Task::Setup => setup::run(),
        Task::Build => build::run().map(|_| ()),
        Task::Run => run_main_job(),
        Task::Test => test(),
    };
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

/// The main job. Until the apps exist it is the full build with its listing.
fn run_main_job() -> Result<()> {
    setup::run()?;
    let built = build::run()?;
    println!(
        "\nbuilt {} WIT packages and {} components into {}",
        built.packages,
        built.components,
        workspace::output_dir().display()
    );
    Ok(())
}

/// Everything CI checks, in order from cheapest to dearest.
fn test() -> Result<()> {
    setup::run()?;
    let ws = workspace::Workspace::load()?;
    workspace::cargo(&["fmt", "--all", "--check"])?;

    let mut clippy_host = vec!["clippy", "--workspace", "--all-targets"];
    for guest in &ws.guests {
        clippy_host.extend(["--exclude", guest.as_str()]);
    }
    clippy_host.extend(["--", "-D", "warnings"]);
    workspace::cargo(&clippy_host)?;

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
    workspace::cargo(&clippy_guests)?;

    build::run()?;

    let mut test = vec!["test", "--workspace"];
    for guest in &ws.guests {
        test.extend(["--exclude", guest.as_str()]);
    }
    workspace::cargo(&test)?;

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
        workspace::cargo(&test)?;
    }
    Ok(())
}
