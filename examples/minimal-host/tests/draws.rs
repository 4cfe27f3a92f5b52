//! Builds and runs the minimal host against the real Pmod OLED driver component and the
//! repository's simulated Pmod OLED board, and checks what the simulated glass shows.

use std::path::Path;
use std::process::Command;
use test_programs_artifacts::DRIVER_PMOD_OLED;

fn board() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../boards/sim-pacman-pmod-oled.toml")
        .display()
        .to_string()
}

#[test]
fn draws_a_border_and_a_square_on_the_simulated_pmod_oled() {
    let out = Command::new(env!("CARGO_BIN_EXE_minimal-host"))
        .args([DRIVER_PMOD_OLED, &board()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "minimal-host failed: {stderr}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = stdout.lines().collect();
    // The 128x32 panel, upright: what the host drew, pixel for pixel.
    let expected: Vec<String> = (0..32)
        .map(|y| {
            (0..128)
                .map(|x| {
                    let square = (8..24).contains(&x) && (8..24).contains(&y);
                    let border = x == 0 || y == 0 || x == 127 || y == 31;
                    if square || border { '#' } else { '.' }
                })
                .collect()
        })
        .collect();
    assert_eq!(rows, expected, "the simulated panel shows:\n{stdout}");
}

#[test]
fn missing_arguments_are_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_minimal-host"))
        .arg(DRIVER_PMOD_OLED)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("usage: minimal-host <driver.wasm> <board.toml>"),
        "{stderr}"
    );
}
