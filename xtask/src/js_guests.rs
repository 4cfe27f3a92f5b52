//! JavaScript guests: a folder under `drivers/` or `apps/` with a `package.json` is an npm
//! project whose `build` script makes its component with componentize-js (pinned in its own
//! lock file, installed by set-up beside `host/js`'s packages). `cargo xtask build` runs
//! `npm run build -- -o <file>` there and keeps the component under `target/wasi-hal/js/`,
//! keyed by a hash of the folder (its `wit/deps` links followed) and its lock file, because
//! componentize-js takes tens of seconds.

use crate::python::{build_cached, inputs_hash};
use crate::workspace;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A JavaScript guest.
#[derive(Debug)]
pub struct Guest {
    /// Its folder name: its package name (`wasi-hal:<name>`) and file name.
    pub name: String,
    /// Its folder.
    pub dir: PathBuf,
}

/// The JavaScript guests under `drivers/` and `apps/`, by name.
pub fn guests() -> Result<Vec<Guest>> {
    let mut guests = Vec::new();
    for folder in ["drivers", "apps"] {
        let Ok(entries) = std::fs::read_dir(workspace::root().join(folder)) else {
            continue;
        };
        for entry in entries {
            let dir = entry?.path();
            if dir.join("package.json").exists() {
                guests.push(Guest {
                    name: dir
                        .file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .into_owned(),
                    dir,
                });
            }
        }
    }
    guests.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(guests)
}

/// Builds every JavaScript guest into `components_out/<name>.wasm` (from the cache when nothing
/// it is made from changed); returns `(label, path)` for the listing. Set-up has installed each
/// guest's npm packages.
pub fn build(components_out: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut built = Vec::new();
    for guest in guests()? {
        let hash = inputs_hash(&[&guest.name], std::slice::from_ref(&guest.dir))?;
        let to = build_cached(
            "js",
            &guest.name,
            &hash,
            "JavaScript guest",
            components_out,
            |partial| {
                let partial = std::path::absolute(partial)
                    .with_context(|| format!("cannot resolve {}", partial.display()))?;
                workspace::run(
                    Command::new("npm")
                        .args(["run", "build", "--silent", "--", "-o"])
                        .arg(&partial)
                        .current_dir(&guest.dir),
                )
            },
        )?;
        built.push((format!("JavaScript guest {}", guest.name), to));
    }
    Ok(built)
}
