//! The host crates a third-party host depends on, packaged for crates.io: checked by
//! `cargo xtask test` without building them again (docs/versioning.md, "Host crates").
//!
//! - Every crate of [`PUBLISHED`] can be published (no `publish = false`), has a description, a
//!   licence and a repository, and depends on no other workspace crate outside the list.
//! - Every other workspace crate has `publish = false`, so that it cannot be published by
//!   mistake (but [`NOT_YET_MARKED`]).
//! - `cargo package --no-verify` packages the published crates together (cargo resolves their
//!   dependencies on one another from the packages it has just made); in each `.crate`, the
//!   normalised `Cargo.toml` has a version on every dependency and no `path` at all, and every
//!   WIT folder its `bindgen!` reads is inside the package.
//!
//! `--no-verify`: verifying would build every packaged crate, Wasmtime included, in a target
//! folder of its own (minutes on CI for nothing the other builds do not already check).

use crate::workspace;
use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The crates a third-party Wasmtime host needs: the policy, the simulated parts, one crate
/// per bus interface, the linker bundle of all of them, the board file and the device file. In
/// dependency order.
pub const PUBLISHED: &[&str] = &[
    "wasi-hal-policy",
    "wasi-hal-sim",
    "wasi-hal-delay",
    "wasi-hal-spi",
    "wasi-hal-i2c",
    "wasi-hal-gpio",
    "wasi-hal-pwm",
    "wasi-hal-iio",
    "wasi-hal-linker",
    "wasi-hal-board-file",
    "wasi-hal-device-file",
    "wasi-hal-board",
];

/// Workspace crates that are not published but do not say `publish = false` yet (none today;
/// kept so a crate can be marked later without failing the check in between).
const NOT_YET_MARKED: &[&str] = &[];

/// Runs every check; the error lists every problem found.
pub fn check() -> Result<()> {
    let meta = metadata()?;
    let mut problems = check_manifests(&meta);
    if problems.is_empty() {
        for krate in package()? {
            problems.extend(check_crate_file(&krate)?);
        }
    }
    if problems.is_empty() {
        println!(
            "packaged for crates.io: {} (versions on every dependency, no path, WIT inside)",
            PUBLISHED.join(", ")
        );
        return Ok(());
    }
    bail!(
        "the host crates cannot be published as they are:\n  - {}",
        problems.join("\n  - ")
    )
}

/// `cargo metadata --no-deps`: the workspace's packages.
fn metadata() -> Result<Value> {
    let out = Command::new(workspace::cargo_bin())
        .current_dir(workspace::root())
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .context("failed to run cargo metadata")?;
    anyhow::ensure!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).context("cargo metadata printed invalid JSON")
}

/// What is wrong with the workspace's manifests, as `cargo metadata` shows them.
fn check_manifests(meta: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let packages: Vec<&Value> = meta["packages"].as_array().into_iter().flatten().collect();
    let members: Vec<&str> = packages.iter().filter_map(|p| p["name"].as_str()).collect();
    for name in PUBLISHED {
        if !members.contains(name) {
            problems.push(format!("{name} is not a workspace member"));
        }
    }
    for package in packages {
        let name = package["name"].as_str().unwrap_or_default();
        let manifest = package["manifest_path"].as_str().unwrap_or_default();
        // `publish = false` is `"publish": []` in cargo metadata; unset is `null`.
        let unpublishable = package["publish"].as_array().is_some_and(|r| r.is_empty());
        if !PUBLISHED.contains(&name) {
            if !unpublishable && !NOT_YET_MARKED.contains(&name) {
                problems.push(format!(
                    "{manifest}: {name} is not for crates.io: add `publish = false` to [package]"
                ));
            }
            continue;
        }
        if unpublishable {
            problems.push(format!(
                "{manifest}: {name} is for crates.io but says `publish = false`"
            ));
        }
        for key in ["description", "license", "repository"] {
            if package[key].as_str().is_none_or(|v| v.trim().is_empty()) {
                problems.push(format!("{manifest}: {name} has no `{key}`"));
            }
        }
        for dep in package["dependencies"].as_array().into_iter().flatten() {
            let dep_name = dep["name"].as_str().unwrap_or_default();
            // Development dependencies are left out of a packaged crate.
            if dep["kind"].as_str() == Some("dev") || dep["path"].is_null() {
                continue;
            }
            if !PUBLISHED.contains(&dep_name) {
                problems.push(format!(
                    "{manifest}: {name} depends on {dep_name}, which is not published"
                ));
            }
            if dep["req"].as_str().is_none_or(|r| r == "*") {
                problems.push(format!(
                    "{manifest}: the dependency {dep_name} has a path and no version: \
                     write `{dep_name} = {{ version = \"0.1.0\", path = \"...\" }}`"
                ));
            }
        }
    }
    problems
}

/// `cargo package --no-verify` of the published crates; returns their `.crate` files.
fn package() -> Result<Vec<PathBuf>> {
    let mut args = vec!["package", "--no-verify", "--allow-dirty", "--quiet"];
    for name in PUBLISHED {
        args.extend(["--package", name]);
    }
    workspace::cargo(&args)?;
    let version = workspace_version()?;
    Ok(PUBLISHED
        .iter()
        .map(|name| {
            workspace::root()
                .join("target/package")
                .join(format!("{name}-{version}.crate"))
        })
        .collect())
}

/// `workspace.package.version` of the root Cargo.toml.
fn workspace_version() -> Result<String> {
    let path = workspace::root().join("Cargo.toml");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let manifest: toml::Table =
        toml::from_str(&text).with_context(|| format!("{} is not valid TOML", path.display()))?;
    manifest
        .get("workspace")
        .and_then(|w| w.get("package"))
        .and_then(|p| p.get("version"))
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .with_context(|| format!("{}: no workspace.package.version", path.display()))
}

/// What is wrong inside one `.crate` file: its manifest's dependencies, and WIT that bindgen
/// reads from outside the package.
fn check_crate_file(krate: &Path) -> Result<Vec<String>> {
    let stem = krate
        .file_stem()
        .context("a .crate file has a name")?
        .to_string_lossy()
        .into_owned();
    let files = tar(krate, &["-tzf"])?;
    let files: Vec<&str> = files.lines().collect();
    let manifest = tar_file(krate, &format!("{stem}/Cargo.toml"))?;
    let mut problems = manifest_problems(&stem, &manifest);
    for file in files.iter().filter(|f| f.ends_with(".rs")) {
        let source = tar_file(krate, file)?;
        for wit in bindgen_paths(&source) {
            let dir = Path::new(file)
                .parent()
                .map(|src| normalise(&src.join("..").join(&wit)))
                .unwrap_or_default();
            let inside = files
                .iter()
                .any(|f| Path::new(f).starts_with(&dir) && f.ends_with(".wit"));
            if !dir.starts_with(&stem) || !inside {
                problems.push(format!(
                    "{stem}: {file} reads WIT from `{wit}`, which is not in the package \
                     (put the WIT inside the crate, e.g. a `wit` link to the folder of wit/)"
                ));
            }
        }
    }
    Ok(problems)
}

/// Runs `tar ARGS crate` and returns what it printed.
fn tar(krate: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new("tar")
        .args(args)
        .arg(krate)
        .output()
        .context("failed to run tar")?;
    anyhow::ensure!(
        out.status.success(),
        "tar {} {} failed: {}",
        args.join(" "),
        krate.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// One file of a `.crate`.
fn tar_file(krate: &Path, file: &str) -> Result<String> {
    let out = Command::new("tar")
        .arg("-xzOf")
        .arg(krate)
        .arg(file)
        .output()
        .context("failed to run tar")?;
    anyhow::ensure!(
        out.status.success(),
        "{} has no {file}: {}",
        krate.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The problems of a packaged (normalised) `Cargo.toml`: a dependency with a `path`, or
/// without a version, in `[dependencies]`, `[build-dependencies]` or their `[target.*]` forms.
fn manifest_problems(krate: &str, text: &str) -> Vec<String> {
    let manifest: toml::Table = match toml::from_str(text) {
        Ok(m) => m,
        Err(e) => {
            return vec![format!(
                "{krate}: its packaged Cargo.toml is not valid TOML: {e}"
            )];
        }
    };
    let mut tables: Vec<(String, &toml::Table)> = Vec::new();
    for kind in ["dependencies", "build-dependencies"] {
        if let Some(deps) = manifest.get(kind).and_then(|d| d.as_table()) {
            tables.push((kind.to_string(), deps));
        }
    }
    for (target, spec) in manifest
        .get("target")
        .and_then(|t| t.as_table())
        .into_iter()
        .flatten()
    {
        for kind in ["dependencies", "build-dependencies"] {
            if let Some(deps) = spec.get(kind).and_then(|d| d.as_table()) {
                tables.push((format!("target.'{target}'.{kind}"), deps));
            }
        }
    }
    let mut problems = Vec::new();
    for (where_, deps) in tables {
        for (name, dep) in deps {
            let (has_version, has_path) = match dep {
                toml::Value::String(_) => (true, false),
                toml::Value::Table(t) => (t.contains_key("version"), t.contains_key("path")),
                _ => (false, false),
            };
            if has_path {
                problems.push(format!("{krate}: [{where_}] {name} has a path"));
            }
            if !has_version {
                problems.push(format!("{krate}: [{where_}] {name} has no version"));
            }
        }
    }
    problems
}

/// The `path: "..."` arguments of the `bindgen!` macros in a Rust source file.
fn bindgen_paths(source: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for (at, _) in source.match_indices("bindgen!(") {
        // The macro's arguments end at the first `});` after it.
        let rest = &source[at..];
        let body = &rest[..rest.find("});").unwrap_or(rest.len())];
        for (key, _) in body.match_indices("path:") {
            let value = body[key + "path:".len()..].trim_start();
            if let Some(quoted) = value.strip_prefix('"')
                && let Some(end) = quoted.find('"')
            {
                paths.push(quoted[..end].to_string());
            }
        }
    }
    paths
}

/// `a/b/../c` as `a/c` (no file system access: the paths are inside a tarball).
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_packaged_manifest_with_a_path_or_no_version_is_refused() {
        let good = r#"
[package]
name = "wasi-hal-board"
[dependencies.wasi-hal-sim]
version = "0.1.0"
[dependencies.serde]
version = "1"
features = ["derive"]
[target.'cfg(target_os = "linux")'.dependencies]
libc = "0.2"
"#;
        assert_eq!(manifest_problems("b", good), Vec::<String>::new());
        let bad = r#"
[dependencies.wasi-hal-sim]
path = "../sim"
[target.'cfg(unix)'.build-dependencies.cc]
path = "../cc"
version = "1"
"#;
        assert_eq!(
            manifest_problems("b", bad),
            vec![
                "b: [dependencies] wasi-hal-sim has a path",
                "b: [dependencies] wasi-hal-sim has no version",
                "b: [target.'cfg(unix)'.build-dependencies] cc has a path",
            ]
        );
    }

    #[test]
    fn bindgen_paths_are_found_in_each_macro() {
        let source = r#"
mod bindings {
    wasmtime::component::bindgen!({
        path: "wit",
        world: "wasi:spi/imports",
    });
}
wasmtime::component::bindgen!({ world: "x", path: "../../wit/y" });
"#;
        assert_eq!(bindgen_paths(source), vec!["wit", "../../wit/y"]);
        assert_eq!(
            normalise(Path::new("wasi-hal-spi-0.1.0/src/../wit")),
            Path::new("wasi-hal-spi-0.1.0/wit")
        );
        assert_eq!(
            normalise(Path::new("wasi-hal-spi-0.1.0/src/../../../wit/wasi-spi")),
            Path::new("../wit/wasi-spi")
        );
    }

    /// The real workspace: the manifests follow the rules (the `.crate` files are checked by
    /// `cargo xtask test`, which packages them).
    #[test]
    fn the_workspace_manifests_follow_the_packaging_rules() {
        let problems = check_manifests(&metadata().unwrap());
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
