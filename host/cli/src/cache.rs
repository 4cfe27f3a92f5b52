//! The cache of precompiled components: compiling a composed app takes a good part of a second
//! (many seconds under a slow machine); loading the machine code compiled earlier takes well
//! under a millisecond.
//!
//! A cache file is named after what decides its contents, so a stale file is never used:
//! `<engine>-<target>-<component>.cwasm`, where `<engine>` is a hash of
//! [`Engine::precompile_compatibility_hash`] (Wasmtime's version, the compiler settings and the
//! enabled features), `<target>` is `native` or `pulley` (the portable interpreter's bytecode)
//! and `<component>` is the SHA-256 of the component file's bytes. Files are written to a
//! temporary name and renamed into place, so a reader never sees half a file; a file that
//! cannot be loaded all the same (truncated by a full disk, damaged, from another build) is
//! compiled again and replaced, never a crash.
//!
//! Loading a cache file trusts its contents as much as the `wasi-hal` binary itself: the folder
//! is the user's own (`$WASI_HAL_CACHE/compiled`, default `~/.cache/wasi-hal/compiled`), as
//! Wasmtime's own cache is.

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use wasmtime::Engine;
use wasmtime::component::Component;

/// The cache folder: `$WASI_HAL_CACHE/compiled`, else `$XDG_CACHE_HOME/wasi-hal/compiled`, else
/// `~/.cache/wasi-hal/compiled`; `None` when none of these is set.
pub fn default_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("WASI_HAL_CACHE").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("compiled"));
    }
    std::env::var_os("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .map(|base| base.join("wasi-hal").join("compiled"))
}

/// Where a component came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Compiled now; no cache was asked for.
    Compiled,
    /// Loaded from the cache.
    CacheHit,
    /// Not in the cache (or not loadable from it): compiled now and written to the cache.
    CacheMiss,
}

/// The name of the cache file of `component_bytes` compiled by `engine`.
pub fn file_name(engine: &Engine, component_bytes: &[u8]) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    let target = if engine.is_pulley() {
        "pulley"
    } else {
        "native"
    };
    let digest = Sha256::digest(component_bytes);
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push_str(&format!("{byte:02x}"));
    }
    format!("{:016x}-{target}-{hex}.cwasm", hasher.finish())
}

/// The component of `bytes` (read from `path`), loaded from the cache folder `dir` when it was
/// compiled before by an engine like `engine`, else compiled and stored there.
///
/// A cache that cannot be written (read-only folder, full disk) is not an error: the component
/// is compiled and the run goes on.
pub fn load_or_compile(
    engine: &Engine,
    path: &Path,
    bytes: &[u8],
    dir: &Path,
) -> Result<(Component, Source)> {
    let file = dir.join(file_name(engine, bytes));
    if file.is_file() {
        // SAFETY: the file was written by `store` below from `Component::serialize` (renamed into
        // place only once complete) in the user's own cache folder; Wasmtime checks its header,
        // version and engine settings, and a file that fails them is compiled again.
        if let Ok(component) = unsafe { Component::deserialize_file(engine, &file) } {
            return Ok((component, Source::CacheHit));
        }
    }
    let component = Component::new(engine, bytes)
        .map_err(anyhow::Error::from)
        .with_context(|| format!("{} is not a valid component", path.display()))?;
    if let Ok(serialized) = component.serialize() {
        // Best effort: the run does not depend on the cache.
        let _ = store(dir, &file, &serialized);
    }
    Ok((component, Source::CacheMiss))
}

/// Writes `bytes` to `file` through a temporary file in the same folder and renames it into
/// place, so that no reader ever sees a partial file.
fn store(dir: &Path, file: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let tmp = file.with_extension(format!("cwasm.tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, file).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        anyhow::Error::from(e).context(format!("cannot move {} into place", file.display()))
    })
}
