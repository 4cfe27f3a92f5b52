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
//! Nothing in a cache file reaches Wasmtime unchecked. A file is what [`Component::serialize`]
//! gave followed by a small trailer: the SHA-256 of the component it was compiled from, the
//! SHA-256 of the serialized bytes before it, recorded when the file was written, and a magic
//! line. Loading reads the whole file, checks the magic, that the component's hash is the one
//! asked for (a file of another component copied under this name is not used), and the digest
//! of the rest (a damaged file is not used), and only then hands the file to
//! [`Component::deserialize_file`], which checks Wasmtime's own header and the engine's
//! settings. A file that fails any check is compiled again and replaced, with one warning line
//! on stderr; never a crash. Files are written to a temporary name and renamed into place, so
//! a reader never sees half a file.
//!
//! The trailer is at the end so that the machine code starts at the file's first byte: Wasmtime
//! maps the file instead of copying it, and the guests' initial memories are mapped
//! copy-on-write from the page cache (shared by every component and process that loads the same
//! file) instead of from an in-memory copy of their own. A file renamed into place between the
//! check and the mapping is another complete file of the same name, that is of the same
//! component compiled by the same engine.
//!
//! The cache folder is the user's own (`$WASI_HAL_CACHE/compiled`, default
//! `~/.cache/wasi-hal/compiled`), as Wasmtime's own cache is: the digests guard against damage
//! and mix-ups, not against someone who can write there (they could as well replace the
//! `wasi-hal` binary).

use anyhow::Result;
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

/// The magic line at the end of every cache file; the number is the trailer's version.
const MAGIC: &[u8; 16] = b"wasi-hal-cwasm2\n";

/// The size of a cache file's trailer: the component's SHA-256, the payload's SHA-256, the
/// magic.
const TRAILER_BYTES: usize = 32 + 32 + MAGIC.len();

/// The SHA-256 of `bytes`.
fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// A cache file for `serialized`, the machine code of the component whose SHA-256 is
/// `component_hash`.
fn wrap(component_hash: &[u8; 32], serialized: &[u8]) -> Vec<u8> {
    let mut file = Vec::with_capacity(serialized.len() + TRAILER_BYTES);
    file.extend_from_slice(serialized);
    file.extend_from_slice(component_hash);
    file.extend_from_slice(&sha256(serialized));
    file.extend_from_slice(MAGIC);
    file
}

/// The serialized component inside a cache file, once its trailer checks out for the component
/// whose SHA-256 is `component_hash`; else what is wrong with it.
fn unwrap<'a>(component_hash: &[u8; 32], file: &'a [u8]) -> Result<&'a [u8], &'static str> {
    if file.len() < TRAILER_BYTES || !file.ends_with(MAGIC) {
        return Err("is not a wasi-hal cache file (no trailer)");
    }
    let (payload, trailer) = file.split_at(file.len() - TRAILER_BYTES);
    let (stored_component, rest) = trailer.split_at(32);
    let stored_digest = &rest[..32];
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
                let checked = unwrap(&component_hash, &contents).map(|_| ());
                drop(contents);
                let loaded = checked.and_then(|()| {
                    // SAFETY: the file starts with byte for byte what `Component::serialize`
                    // gave for this very component (its SHA-256 and the payload's were recorded
                    // when the file was written, in the user's own cache folder, and both
                    // match; the trailer after the machine code is not part of any ELF
                    // section); Wasmtime checks its own header and the engine's settings.
                    unsafe { Component::deserialize_file(engine, &file) }
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
        let _ = write_atomically(&file, &wrap(&component_hash, &serialized), false);
    }
    Ok((component, Source::CacheMiss))
}

/// Writes a file whole or not at all (the registry client's: one implementation for every file
/// the tools write whole).
pub use wasi_hal_registry::write_atomically;

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
        damaged[0] ^= 1;
        assert!(
            unwrap(&component, &damaged)
                .unwrap_err()
                .contains("damaged")
        );
        assert!(
            unwrap(&component, b"\x7fELF")
                .unwrap_err()
                .contains("no trailer")
        );
    }
}
