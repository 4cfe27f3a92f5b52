//! The cache of precompiled components: compiling a composed app takes a good part of a second
//! (many seconds under a slow machine); loading the machine code compiled earlier takes well
//! under a millisecond.
//!
//! A cache file is named after what decides its contents, so a stale file is never used:
//! `<engine>-<target>-<component>.cwasm`, where `<engine>` is a hash of
//! [`Engine::precompile_compatibility_hash`] (Wasmtime's version, the compiler settings and the
//! enabled features), `<target>` is `native` or `pulley` (the portable interpreter's bytecode)
//! and `<component>` is the SHA-256 of the component file's bytes.
//!
//! Nothing in a cache file reaches Wasmtime unchecked. A file is a small header followed by
//! what [`Component::serialize`] gave: the header holds a magic line, the SHA-256 of the
//! component it was compiled from, and the SHA-256 of the serialized bytes after it, recorded
//! when the file was written. Loading reads the whole file, checks the magic, that the
//! component's hash is the one asked for (a file of another component copied under this name
//! is not used), and the digest of the rest (a damaged file is not used), and only then hands
//! the bytes to [`Component::deserialize`], which checks Wasmtime's own header and the engine's
//! settings. A file that fails any check is compiled again and replaced, with one warning line
//! on stderr; never a crash. Files are written to a temporary name and renamed into place, so
//! a reader never sees half a file.
//!
//! The cache folder is the user's own (`$WASI_HAL_CACHE/compiled`, default
//! `~/.cache/wasi-hal/compiled`), as Wasmtime's own cache is: the digests guard against damage
//! and mix-ups, not against someone who can write there (they could as well replace the
//! `wasi-hal` binary).

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

/// The magic line at the start of every cache file; the number is the header's version.
const MAGIC: &[u8; 16] = b"wasi-hal-cwasm1\n";

/// The size of a cache file's header: the magic, the component's SHA-256, the payload's SHA-256.
const HEADER_BYTES: usize = MAGIC.len() + 32 + 32;

/// The SHA-256 of `bytes`.
fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// A cache file for `serialized`, the machine code of the component whose SHA-256 is
/// `component_hash`.
fn wrap(component_hash: &[u8; 32], serialized: &[u8]) -> Vec<u8> {
    let mut file = Vec::with_capacity(HEADER_BYTES + serialized.len());
    file.extend_from_slice(MAGIC);
    file.extend_from_slice(component_hash);
    file.extend_from_slice(&sha256(serialized));
    file.extend_from_slice(serialized);
    file
}

/// The serialized component inside a cache file, once its header checks out for the component
/// whose SHA-256 is `component_hash`; else what is wrong with it.
fn unwrap<'a>(component_hash: &[u8; 32], file: &'a [u8]) -> Result<&'a [u8], &'static str> {
    if file.len() < HEADER_BYTES || &file[..MAGIC.len()] != MAGIC {
        return Err("is not a wasi-hal cache file (no header)");
    }
    let (stored_component, rest) = file[MAGIC.len()..].split_at(32);
    let (stored_digest, payload) = rest.split_at(32);
    if stored_component != component_hash {
        return Err("holds the machine code of another component");
    }
    if stored_digest != sha256(payload) {
        return Err("is damaged (its digest does not match its contents)");
    }
    Ok(payload)
}

/// The component of `bytes` (read from `path`), loaded from the cache folder `dir` when it was
/// compiled before by an engine like `engine` and the file checks out, else compiled and stored
/// there (a file that did not check out is replaced, with a warning on stderr).
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
    let component_hash = sha256(bytes);
    if file.is_file() {
        match std::fs::read(&file) {
            Ok(contents) => {
                let loaded = unwrap(&component_hash, &contents).and_then(|payload| {
                    // SAFETY: the payload is byte for byte what `Component::serialize` gave for
                    // this very component (its SHA-256 and the payload's were recorded when the
                    // file was written, in the user's own cache folder, and both match);
                    // Wasmtime checks its own header and the engine's settings.
                    unsafe { Component::deserialize(engine, payload) }
                        .map_err(|_| "was compiled by another Wasmtime or with other settings")
                });
                match loaded {
                    Ok(component) => return Ok((component, Source::CacheHit)),
                    Err(why) => eprintln!(
                        "warning: the cache file {} {why}; compiling {} again and replacing it",
                        file.display(),
                        path.display()
                    ),
                }
            }
            Err(e) => eprintln!(
                "warning: cannot read the cache file {} ({e}); compiling {} again",
                file.display(),
                path.display()
            ),
        }
    }
    let component = crate::compile(engine, path, bytes)?;
    if let Ok(serialized) = component.serialize() {
        // Best effort: the run does not depend on the cache.
        let _ = write_atomically(dir, &file, &wrap(&component_hash, &serialized));
    }
    Ok((component, Source::CacheMiss))
}

/// Writes `bytes` to `file` (in the folder `dir`, created if need be) through a temporary file
/// in the same folder and renames it into place, so that no reader ever sees a partial file.
pub fn write_atomically(dir: &Path, file: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, file).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        anyhow::Error::from(e).context(format!("cannot move {} into place", file.display()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cache_file_is_checked_before_its_payload_is_used() {
        let component = sha256(b"component");
        let file = wrap(&component, b"machine code");
        assert_eq!(unwrap(&component, &file), Ok(&b"machine code"[..]));
        assert!(
            unwrap(&sha256(b"other"), &file)
                .unwrap_err()
                .contains("another component")
        );
        let mut damaged = file.clone();
        *damaged.last_mut().unwrap() ^= 1;
        assert!(
            unwrap(&component, &damaged)
                .unwrap_err()
                .contains("damaged")
        );
        assert!(
            unwrap(&component, b"\x7fELF")
                .unwrap_err()
                .contains("no header")
        );
    }
}
