//! Every driver also builds with `cargo component build` (cargo-component 0.21.1, from the
//! `[package.metadata.component]` of its Cargo.toml and the world in its `wit/` folder), and that
//! build imports and exports the same interfaces as the workspace's own build
//! (`cargo build --target wasm32-wasip2`), with the types of the driver's world.

use std::path::PathBuf;
use std::process::Command;
use test_programs_artifacts::{
    DRIVER_BME680, DRIVER_PMOD_OLED, DRIVER_SSD1306_I2C, DRIVER_SSD1306_SPI,
};
use wasi_hal_tests::root;
use wit_parser::Resolve;

/// The pinned cargo-component: `$WASI_HAL_CARGO_COMPONENT` (set by `cargo xtask test`), else
/// where `cargo xtask setup` installs it.
fn cargo_component() -> PathBuf {
    if let Some(path) = std::env::var_os("WASI_HAL_CARGO_COMPONENT") {
        return PathBuf::from(path);
    }
    let cache = std::env::var_os("WASI_HAL_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/wasi-hal")))
        .unwrap_or_default();
    let bin = cache.join("tools/cargo-component-0.21.1/bin/cargo-component");
    assert!(
        bin.exists(),
        "cargo-component 0.21.1 is not installed ({} is missing): run `cargo xtask setup`",
        bin.display()
    );
    bin
}

/// Builds `krate` with `cargo component build` into a target folder of its own and returns the
/// component file.
fn build_with_cargo_component(krate: &str) -> PathBuf {
    let target = root().join("target/cargo-component");
    let mut cmd = Command::new(cargo_component());
    cmd.current_dir(root())
        .args([
            "component",
            "build",
            "--profile",
            "guest",
            "--package",
            krate,
        ])
        .arg("--target-dir")
        .arg(&target);
    // The outer build's compiler settings are for the host, not for the guests.
    for var in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_MAKEFLAGS",
    ] {
        cmd.env_remove(var);
    }
    let out = cmd.output().expect("cargo-component runs");
    assert!(
        out.status.success(),
        "cargo component build -p {krate} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = target
        .join("wasm32-wasip1/guest")
        .join(format!("{}.wasm", krate.replace('-', "_")));
    assert!(file.exists(), "{} was not built", file.display());
    file
}

/// The import and export names of a component.
fn interface_names(bytes: &[u8]) -> (Vec<String>, Vec<String>) {
    let wit_component::DecodedWasm::Component(resolve, world) =
        wit_component::decode(bytes).expect("a component")
    else {
        panic!("not a component");
    };
    let w = &resolve.worlds[world];
    let names = |items: &wit_parser::IndexMap<wit_parser::WorldKey, wit_parser::WorldItem>| {
        let mut names: Vec<String> = items.keys().map(|k| resolve.name_world_key(k)).collect();
        names.sort();
        names
    };
    (names(&w.imports), names(&w.exports))
}

/// The driver's own world (`drivers/<crate>/wit`, with the packages it names).
fn driver_world(krate: &str, deps: &[&str]) -> (Resolve, wit_parser::WorldId) {
    let mut resolve = Resolve::default();
    for dep in deps {
        resolve.push_dir(root().join(dep)).unwrap();
    }
    let (package, _) = resolve
        .push_dir(root().join("drivers").join(krate).join("wit"))
        .unwrap();
    let world = resolve.select_world(&[package], Some("driver")).unwrap();
    (resolve, world)
}

fn same_interfaces(krate: &str, workspace_build: &str, deps: &[&str]) {
    let ours = std::fs::read(workspace_build).unwrap();
    let theirs = std::fs::read(build_with_cargo_component(krate)).unwrap();
    assert_eq!(
        interface_names(&ours),
        interface_names(&theirs),
        "{krate}: the two builds import or export different interfaces"
    );
    let (resolve, world) = driver_world(krate, deps);
    for (build, bytes) in [("cargo build", &ours), ("cargo component build", &theirs)] {
        wit_component::targets(&resolve, world, bytes, false).unwrap_or_else(|e| {
            panic!("{krate}: the {build} component does not fit its world: {e:?}")
        });
    }
}

const CONFIG: &str = "drivers/wit-deps/config";

#[test]
fn ssd1306_i2c_builds_the_same_with_cargo_component() {
    same_interfaces(
        "ssd1306-i2c",
        DRIVER_SSD1306_I2C,
        &["wit/display-pixels", "wit/wasi-i2c", CONFIG],
    );
}

#[test]
fn ssd1306_spi_builds_the_same_with_cargo_component() {
    same_interfaces(
        "ssd1306-spi",
        DRIVER_SSD1306_SPI,
        &[
            "wit/display-pixels",
            "wit/wasi-spi",
            "wit/wasi-gpio",
            "wit/wasi-delay",
            CONFIG,
        ],
    );
}

#[test]
fn pmod_oled_builds_the_same_with_cargo_component() {
    same_interfaces(
        "pmod-oled",
        DRIVER_PMOD_OLED,
        &[
            "wit/display-pixels",
            "wit/wasi-spi",
            "wit/wasi-gpio",
            "wit/wasi-delay",
            CONFIG,
        ],
    );
}

#[test]
fn bme680_builds_the_same_with_cargo_component() {
    same_interfaces(
        "bme680",
        DRIVER_BME680,
        &[
            "wit/sensor-environment",
            "wit/wasi-i2c",
            "wit/wasi-delay",
            CONFIG,
        ],
    );
}
