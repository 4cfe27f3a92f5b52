//! The Raspberry Pi build (`cargo xtask pi`: `wasi-hal` for aarch64-unknown-linux-gnu) runs the
//! main job under `qemu-aarch64` user emulation: pacman composed with the Pmod OLED driver on
//! the simulated board, 150 frames, and its screenshot is the golden frame
//! `tests/golden/pacman-pmod-oled/frame-150.png` pixel for pixel, with Cranelift compiling to
//! aarch64 and with the Pulley interpreter (`--interpreter`).
//!
//! The binary comes from `WASI_HAL_AARCH64_BIN` (set by `cargo xtask test`), else
//! `target/aarch64-unknown-linux-gnu/debug/wasi-hal`; the composition from `cargo xtask build`
//! (`target/wasi-hal/compositions/pacman-pmod-oled.wasm`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The frame the golden screenshot was taken after.
const FRAMES: u32 = 150;

/// The longest one emulated run may take before it is killed.
const LIMIT: Duration = Duration::from_secs(600);

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository root")
}

fn binary() -> PathBuf {
    let bin = std::env::var_os("WASI_HAL_AARCH64_BIN").map_or_else(
        || root().join("target/aarch64-unknown-linux-gnu/debug/wasi-hal"),
        PathBuf::from,
    );
    assert!(
        bin.exists(),
        "the Raspberry Pi build {} is missing: build it with `cargo xtask pi`",
        bin.display()
    );
    bin
}

fn composition() -> PathBuf {
    let path = root().join("target/wasi-hal/compositions/pacman-pmod-oled.wasm");
    assert!(
        path.exists(),
        "{} is missing: build it with `cargo xtask build`",
        path.display()
    );
    path
}

/// Runs the main job with the aarch64 build under qemu-aarch64 and returns the screenshot's
/// pixels.
fn run_main_job(extra: &[&str], label: &str) -> image::RgbaImage {
    let out = std::env::temp_dir().join(format!(
        "wasi-hal-aarch64-{label}-{}.png",
        std::process::id()
    ));
    let mut cmd = Command::new("qemu-aarch64-static");
    // The aarch64 dynamic loader and C library of Debian's libc6-arm64-cross.
    cmd.args(["-L", "/usr/aarch64-linux-gnu"])
        .arg(binary())
        .args([
            "run",
            "--no-view",
            "--no-cache",
            "--frames",
            &FRAMES.to_string(),
        ])
        .args(extra)
        .arg("--screenshot")
        .arg(&out)
        .arg("--board")
        .arg(root().join("boards/sim-pacman-pmod-oled.toml"))
        .arg(composition())
        .stdin(std::process::Stdio::null());
    let start = Instant::now();
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("qemu-aarch64-static (Debian's qemu-user-static; `cargo xtask setup`)");
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for qemu-aarch64") {
            break status;
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{label}: the emulated run took over {} s and was killed",
                LIMIT.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let output = child.wait_with_output().expect("qemu-aarch64 output");
    eprintln!(
        "{label}: the aarch64 main job took {:.1} s under qemu-aarch64",
        start.elapsed().as_secs_f64()
    );
    assert!(
        status.success(),
        "{label}: wasi-hal (aarch64) failed with {status}:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let shot = image::open(&out)
        .unwrap_or_else(|e| panic!("{label}: the screenshot {}: {e}", out.display()))
        .to_rgba8();
    let _ = std::fs::remove_file(&out);
    shot
}

fn assert_golden(shot: &image::RgbaImage, label: &str) {
    let golden_path = root().join(format!(
        "tests/golden/pacman-pmod-oled/frame-{FRAMES:03}.png"
    ));
    let golden = image::open(&golden_path)
        .expect("the golden frame")
        .to_rgba8();
    assert_eq!(
        shot.dimensions(),
        golden.dimensions(),
        "{label}: screenshot size"
    );
    let differing = shot
        .pixels()
        .zip(golden.pixels())
        .filter(|(a, b)| a != b)
        .count();
    assert_eq!(
        differing,
        0,
        "{label}: {differing} pixels differ from {}",
        golden_path.display()
    );
}

#[test]
fn the_pi_build_shows_the_golden_frame_with_cranelift() {
    let shot = run_main_job(&[], "cranelift");
    assert_golden(&shot, "cranelift");
}

#[test]
fn the_pi_build_shows_the_golden_frame_with_pulley() {
    let shot = run_main_job(&["--interpreter"], "pulley");
    assert_golden(&shot, "pulley");
}
