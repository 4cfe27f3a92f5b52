//! The Raspberry Pi build: the `wasi-hal` command for `aarch64-unknown-linux-gnu` (64-bit
//! Raspberry Pi OS), linked with Debian's `aarch64-linux-gnu-gcc` (docs/raspberry-pi.md).
//!
//! It is a dev-profile build, like the native one the tests use (the workspace's profiles
//! optimise Cranelift, the register allocator and the Pulley interpreter even there), so CI
//! compiles it once and cargo reuses it afterwards. tests/vm/tests/aarch64.rs runs it under
//! `qemu-aarch64` user emulation.

use crate::setup::PI_TARGET;
use crate::workspace;
use anyhow::Result;
use std::path::PathBuf;
use std::process::Command;

/// Debian's cross C compiler and linker for the Pi target.
pub const CROSS_GCC: &str = "aarch64-linux-gnu-gcc";

/// Where the build puts the binary.
pub fn binary() -> PathBuf {
    workspace::root()
        .join("target")
        .join(PI_TARGET)
        .join("debug")
        .join("wasi-hal")
}

/// Builds `wasi-hal` for the Pi and sets `WASI_HAL_AARCH64_BIN` to it for the tests this
/// process runs.
pub fn build() -> Result<PathBuf> {
    workspace::step(
        &format!("building the wasi-hal command for the Raspberry Pi ({PI_TARGET})"),
        || {
            workspace::run(
                Command::new(workspace::cargo_bin())
                    .current_dir(workspace::root())
                    .args(["build", "--package", "wasi-hal", "--target", PI_TARGET])
                    // The linker, and the C compiler for any build script that compiles C.
                    .env("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER", CROSS_GCC)
                    .env("CC_aarch64_unknown_linux_gnu", CROSS_GCC),
            )
        },
    )?;
    let bin = binary();
    anyhow::ensure!(
        bin.exists(),
        "the Raspberry Pi build finished but {} is missing",
        bin.display()
    );
    // SAFETY: xtask is single-threaded here; the variable is read by children.
    unsafe { std::env::set_var("WASI_HAL_AARCH64_BIN", &bin) };
    Ok(bin)
}
