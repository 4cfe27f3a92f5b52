//! Builds every guest test program (the examples of each crate in tests/programs/), every
//! driver (cdylib crates in drivers/), every app (bin crates in apps/), every virtual board
//! (cdylib crates in virtual-boards/) and every adapter (adapters/) for wasm32-wasip2 and
//! writes `programs.rs`: one constant per component file, and a `foreach_program!` macro that
//! lists the test programs, so that a test suite can make sure each program has a test.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let programs_dir = manifest_dir.parent().unwrap().to_path_buf();
    let workspace = programs_dir
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").unwrap());
    // A target folder of its own: the outer cargo holds the lock on the usual one.
    let target_dir = workspace.join("target").join("test-programs");

    println!("cargo:rerun-if-changed={}", workspace.join("wit").display());
    // The foreign WIT the adapters export (adapters/wit/).
    println!(
        "cargo:rerun-if-changed={}",
        workspace.join("adapters").join("wit").display()
    );
    println!(
        "cargo:rerun-if-changed={}",
        workspace.join("Cargo.lock").display()
    );
    // The root manifest holds the `guest` profile the programs are built with.
    println!(
        "cargo:rerun-if-changed={}",
        workspace.join("Cargo.toml").display()
    );

    check_wasm_target();

    let mut programs = Vec::new();
    for crate_dir in guest_crates(&programs_dir) {
        println!("cargo:rerun-if-changed={}", crate_dir.display());
        let package = package_name(&crate_dir);
        let mut cmd = guest_cargo(&workspace, &target_dir);
        cmd.args(["--package", &package, "--examples"]);
        let status = cmd
            .status()
            .expect("failed to run cargo to build the guest test programs");
        assert!(
            status.success(),
            "building the guest test programs of {package} failed"
        );

        let examples = target_dir.join("wasm32-wasip2/guest/examples");
        for example in example_names(&crate_dir) {
            let wasm = examples.join(format!("{}.wasm", example.replace('-', "_")));
            assert!(wasm.exists(), "{} was not built", wasm.display());
            let short = package.trim_start_matches("test-programs-");
            let constant = format!("{short}_{example}")
                .to_uppercase()
                .replace('-', "_");
            programs.push((short.replace('-', "_"), constant, wasm));
        }
    }

    // Only crates the workspace lists: a folder that is not (yet) a member is not built.
    let root_manifest = fs::read_to_string(workspace.join("Cargo.toml")).unwrap();
    let mut components = Vec::new();
    for (folder, prefix) in [
        ("drivers", "DRIVER"),
        ("apps", "APP"),
        ("virtual-boards", "VIRTUAL_BOARD"),
        ("adapters", "ADAPTER"),
    ] {
        for crate_dir in guest_crates(&workspace.join(folder)) {
            let member = format!(
                "\"{folder}/{}\"",
                crate_dir.file_name().unwrap().to_string_lossy()
            );
            if !root_manifest.contains(&member) {
                continue;
            }
            println!("cargo:rerun-if-changed={}", crate_dir.display());
            let manifest = fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap();
            let selector = if manifest.contains("\"cdylib\"") {
                "--lib"
            } else if crate_dir.join("src/main.rs").exists() {
                "--bins"
            } else {
                continue; // a guest library: no component of its own
            };
            let package = package_name(&crate_dir);
            let mut cmd = guest_cargo(&workspace, &target_dir);
            cmd.args(["--package", &package, selector]);
            let status = cmd
                .status()
                .expect("failed to run cargo to build the guests");
            assert!(status.success(), "building the guest {package} failed");
            // A library's file name has `_` for `-`; a binary is named after its target, which
            // is the package name unless the manifest says otherwise.
            let out = target_dir.join("wasm32-wasip2/guest");
            let wasm = [package.replace('-', "_"), package.clone()]
                .iter()
                .map(|f| out.join(format!("{f}.wasm")))
                .find(|p| p.exists())
                .unwrap_or_else(|| out.join(format!("{package}.wasm")));
            assert!(wasm.exists(), "{} was not built", wasm.display());
            let constant = format!("{prefix}_{package}")
                .to_uppercase()
                .replace('-', "_");
            components.push((constant, wasm));
        }
    }

    let mut src = String::new();
    for (constant, path) in &components {
        src.push_str(&format!(
            "/// The component file of `{constant}`.\npub const {constant}: &str = {:?};\n",
            path.display().to_string()
        ));
    }
    for (_, constant, path) in &programs {
        src.push_str(&format!(
            "/// The component file of the test program `{constant}`.\npub const {constant}: &str = {:?};\n",
            path.display().to_string()
        ));
    }
    src.push_str(
        "/// Calls `$mac!(name)` (the constant's name in lower case) for every test program, so a test file can check that each one has a test.\n#[macro_export]\nmacro_rules! foreach_program {\n    ($mac:ident) => {\n",
    );
    for (_, constant, _) in &programs {
        src.push_str(&format!("        $mac!({});\n", constant.to_lowercase()));
    }
    src.push_str("    };\n}\n");
    // One macro per crate as well (`foreach_spi!` for the programs of `test-programs-spi`), so
    // a host crate's tests check only the programs written for it.
    let mut crates: Vec<&str> = programs.iter().map(|(c, _, _)| c.as_str()).collect();
    crates.dedup();
    for krate in crates {
        src.push_str(&format!(
            "/// Calls `$mac!(name)` for every test program of `test-programs-{krate}`.\n#[macro_export]\nmacro_rules! foreach_{krate} {{\n    ($mac:ident) => {{\n"
        ));
        for (_, constant, _) in programs.iter().filter(|(c, _, _)| c == krate) {
            src.push_str(&format!("        $mac!({});\n", constant.to_lowercase()));
        }
        src.push_str("    };\n}\n");
    }
    fs::write(out_dir.join("programs.rs"), src).unwrap();
}

/// `cargo build` for wasm32-wasip2 with the guest profile into `target_dir`.
fn guest_cargo(workspace: &Path, target_dir: &Path) -> Command {
    let mut cmd = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(workspace)
        .args(["build", "--target", "wasm32-wasip2", "--profile", "guest"])
        .arg("--target-dir")
        .arg(target_dir);
    // The outer build's compiler settings are for the host, not for the guests.
    for var in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_BUILD_RUSTC_WRAPPER",
        "CARGO_MAKEFLAGS",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// The crates in `dir`: every folder in it that has a Cargo.toml (but this one).
fn guest_crates(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("Cargo.toml").exists() && !p.ends_with("artifacts"))
        .collect();
    dirs.sort();
    dirs
}

fn package_name(crate_dir: &Path) -> String {
    let manifest = fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap();
    manifest
        .lines()
        .find_map(|l| l.strip_prefix("name = "))
        .map(|n| n.trim_matches('"').to_string())
        .unwrap_or_else(|| panic!("no package name in {}", crate_dir.display()))
}

fn example_names(crate_dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(crate_dir.join("examples"))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "rs"))
                .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Fails the build with a clear message when the wasm32-wasip2 standard library is missing.
fn check_wasm_target() {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(rustc)
        .args(["--print", "target-libdir", "--target", "wasm32-wasip2"])
        .output();
    let installed = out
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .is_some_and(|dir| dir.exists());
    assert!(
        installed,
        "the wasm32-wasip2 target is not installed: run `rustup target add wasm32-wasip2` \
         (`cargo xtask test` does this for you)"
    );
}
