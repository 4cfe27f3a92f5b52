//! Installing what the build needs, idempotently: look first, install only what is missing.

use crate::workspace;
use anyhow::{Context, Result};
use std::process::Command;

/// The Rust target guest components are built for.
pub const WASM_TARGET: &str = "wasm32-wasip2";

/// Installs the wasm32-wasip2 target and the rustfmt and clippy components when missing.
///
/// `rustup` does not install targets by itself here (`RUSTUP_AUTO_INSTALL=0`, and a
/// rust-toolchain file would not add targets either), so this step is what makes a fresh
/// machine able to build guests.
pub fn run_rustup() -> Result<()> {
    let installed = output("rustup", &["target", "list", "--installed"])?;
    if installed.lines().any(|l| l.trim() == WASM_TARGET) {
        eprintln!("==> rust target {WASM_TARGET}: present");
    } else {
        workspace::run(Command::new("rustup").args(["target", "add", WASM_TARGET]))?;
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

/// Every set-up step.
pub fn run() -> Result<()> {
    run_rustup()
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
