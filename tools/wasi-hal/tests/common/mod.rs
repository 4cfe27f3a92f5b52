//! What the command's test binaries share: the repository, a temporary folder of the test
//! process, and pacman composed with its driver.

use std::path::{Path, PathBuf};
use test_programs_artifacts::{APP_PACMAN, DRIVER_PMOD_OLED};

/// The repository's root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `name` in a temporary folder of this test binary and process.
pub fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "wasi-hal-{}-{}",
        env!("CARGO_CRATE_NAME"),
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Pacman composed with the Pmod OLED driver (as `cargo xtask build` composes it), written once
/// per test process.
pub fn pacman() -> PathBuf {
    static PATH: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        let deps = std::collections::HashMap::from([
            ("wasi-hal:pacman".to_string(), PathBuf::from(APP_PACMAN)),
            (
                "wasi-hal:pmod-oled".to_string(),
                PathBuf::from(DRIVER_PMOD_OLED),
            ),
        ]);
        let bytes = wasi_hal_compose::compose_file(
            &repo().join("compositions/pacman-pmod-oled.wac"),
            &deps,
        )
        .expect("pacman composes");
        let path = temp("pacman-pmod-oled.wasm");
        std::fs::write(&path, bytes).unwrap();
        path
    })
    .clone()
}
