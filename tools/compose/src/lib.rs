//! Composition of components from WAC files, as `wac compose` does, as a library.
//!
//! A WAC file (`compositions/*.wac`) says which components to instantiate and how to wire one's
//! exports to another's imports. This crate parses it with `wac-parser`, finds each referenced
//! package in a map of local component files (packages are fetched from a registry with `wkg`
//! beforehand, never by this crate), and encodes the composition with `wac-graph`.
//!
//! ```no_run
//! use std::collections::HashMap;
//! let deps = HashMap::from([
//!     ("wasi-hal:pacman".to_string(), "target/wasi-hal/components/pacman.wasm".into()),
//!     ("wasi-hal:pmod-oled".to_string(), "target/wasi-hal/components/pmod-oled.wasm".into()),
//! ]);
//! let bytes = wasi_hal_compose::compose_file("compositions/pacman-pmod-oled.wac".as_ref(), &deps)?;
//! # anyhow::Ok(())
//! ```

use anyhow::{Context, Result, anyhow};
use miette::Diagnostic;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use wac_graph::EncodeOptions;
use wac_parser::Document;
use wac_resolver::FileSystemPackageResolver;

/// Composes the WAC file at `wac` into one component.
///
/// `deps` maps each package name the file references (e.g. `wasi-hal:pacman`) to a component
/// file. Errors name the WAC file with the line and column of the offending statement.
pub fn compose_file(wac: &Path, deps: &HashMap<String, PathBuf>) -> Result<Vec<u8>> {
    let source = std::fs::read_to_string(wac)
        .with_context(|| format!("failed to read the WAC file {}", wac.display()))?;
    compose_source(&source, wac, deps)
}

/// The package names the WAC file at `wac` instantiates (e.g. `wasi-hal:pacman`), sorted, each
/// once: what `deps` must map for [`compose_file`].
pub fn referenced_packages(wac: &Path) -> Result<Vec<String>> {
    let source = std::fs::read_to_string(wac)
        .with_context(|| format!("failed to read the WAC file {}", wac.display()))?;
    let document = Document::parse(&source).map_err(|e| located(&e, &source, wac))?;
    let keys = wac_resolver::packages(&document).map_err(|e| located(&e, &source, wac))?;
    let mut names: Vec<String> = keys.keys().map(|key| key.name.to_string()).collect();
    names.sort();
    names.dedup();
    Ok(names)
}

/// Composes WAC source text; `path` is only used in error messages.
pub fn compose_source(
    source: &str,
    path: &Path,
    deps: &HashMap<String, PathBuf>,
) -> Result<Vec<u8>> {
    let document = Document::parse(source).map_err(|e| located(&e, source, path))?;
    let keys = wac_resolver::packages(&document).map_err(|e| located(&e, source, path))?;
    for key in keys.keys() {
        if !deps.contains_key(key.name) {
            let known: Vec<&str> = deps.keys().map(String::as_str).collect();
            let at = keys
                .get(key)
                .map(|span| position(source, span.offset()))
                .unwrap_or((1, 1));
            return Err(anyhow!(
                "{}:{}:{}: no component given for package `{}` (known: {})",
                path.display(),
                at.0,
                at.1,
                key.name,
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ));
        }
    }
    // A deps folder that does not exist: every package comes from `deps`.
    let resolver =
        FileSystemPackageResolver::new(path.with_extension("no-deps-folder"), deps.clone(), true);
    let packages = resolver
        .resolve(&keys)
        .map_err(|e| located(&e, source, path))?;
    let resolution = document
        .resolve(packages)
        .map_err(|e| located(&e, source, path))?;
    resolution
        .encode(EncodeOptions {
            define_components: true,
            validate: true,
            ..Default::default()
        })
        .with_context(|| format!("failed to encode the composition {}", path.display()))
}

/// Turns a wac diagnostic into `file:line:column: message (label)`.
fn located<E: Diagnostic + std::error::Error>(e: &E, source: &str, path: &Path) -> anyhow::Error {
    let label = e.labels().and_then(|mut labels| labels.next());
    let (line, column) = label
        .as_ref()
        .map(|l| position(source, l.offset()))
        .unwrap_or((1, 1));
    let mut message = e.to_string();
    if let Some(text) = label.as_ref().and_then(|l| l.label()) {
        message.push_str(&format!(" ({text})"));
    }
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        message.push_str(&format!(": {c}"));
        cause = c.source();
    }
    anyhow!("{}:{line}:{column}: {message}", path.display())
}

/// 1-based line and column of a byte offset.
fn position(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}
