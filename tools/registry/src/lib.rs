//! Publishing wasi-hal to a package registry, and reading back what a registry holds.
//!
//! - [`config`]: which registry ([`Registry`]: wkg's filesystem backend or an OCI registry) and
//!   the configuration file wkg needs to reach it (wkg reads no per-project settings).
//! - [`project`]: what the project publishes: every WIT package as binary WIT, every driver and
//!   app component, every composition, each with name, version and metadata (description,
//!   licence, source) that become OCI annotations, sorted in dependency order.
//! - [`publish`]: publishing them through wasm-pkg-client (the library behind the wkg CLI, so the
//!   same duplicate-version and semver checks apply); a version already published with the same
//!   bytes is left alone, with other bytes it is an error.
//! - [`catalog`]: every package of a registry with its versions, and for each interface which
//!   components export and import it, as text or Markdown (`docs/catalog.md`).
//! - [`signing`]: cosign-compatible signatures on published releases, and their verification
//!   with a set of trusted keys.
//! - [`distribution`]: a real OCI registry (the CNCF distribution registry) on this machine.
//!
//! Decisions and the commands built on this crate (`cargo xtask publish`, `cargo xtask catalog`)
//! are described in `docs/registry.md`.

pub mod catalog;
pub mod config;
pub mod distribution;
mod fsutil;
pub mod inspect;
pub mod project;
pub mod publish;
pub mod semver;
pub mod session;
pub mod signing;

pub use config::{Credentials, Registry};
pub use fsutil::write_atomically;
pub use session::Session;

/// The `sha256:<hex>` digest of `bytes`, as OCI registries and `wkg.lock` write it.
pub fn sha256_digest(bytes: &[u8]) -> String {
    use sha2::Digest;
    let hash = sha2::Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for b in hash.iter() {
        hex.push_str(&format!("{b:02x}"));
    }
    format!("sha256:{hex}")
}
