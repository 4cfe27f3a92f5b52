//! Publishing the project's items to a registry, in dependency order.

use crate::project::{Item, Kind};
use crate::session::Session;
use anyhow::{Context, Result, bail};

/// What happened to one item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It was published now.
    Published,
    /// The registry already had this version with the same bytes: nothing to do.
    Unchanged,
}

/// One published (or already present) release.
#[derive(Clone, Debug)]
pub struct Published {
    /// `namespace:name@version`.
    pub name: String,
    /// What it is.
    pub kind: Kind,
    /// Its content digest, `sha256:…`.
    pub digest: String,
    /// Its size in bytes.
    pub size: usize,
    /// Published now, or already there.
    pub outcome: Outcome,
}

/// Publishes `items` in the order given (see [`crate::project::dependency_order`]) through
/// `session`, stopping at the first failure.
///
/// A version the registry already has is left alone when its bytes are the same
/// ([`Outcome::Unchanged`], so publishing twice is harmless) and is an error when they differ: a
/// published version never changes. A new version goes through wasm-pkg-client's checks (no
/// duplicate, semver-compatible with its published neighbours on the same track), and is read
/// back afterwards to check that the registry serves the digest that was sent.
pub fn publish_all(session: &Session, items: &[Item]) -> Result<Vec<Published>> {
    let url = session.registry().url();
    let mut done = Vec::with_capacity(items.len());
    for item in items {
        let version = item
            .version
            .parse()
            .with_context(|| format!("{}: `{}` is not a version", item.package, item.version))?;
        let ours = item.digest();
        let outcome = match session.digest(&item.package, &version)? {
            Some(theirs) if theirs == ours => Outcome::Unchanged,
            Some(theirs) => bail!(
                "{} is already published in {url} with other content (the registry has {theirs}, \
                 this build is {ours}); a published version never changes: give the changed \
                 package a new version (see docs/versioning.md)",
                item.name()
            ),
            None => {
                if item.kind == Kind::WitPackage {
                    session.publish(&item.package, &item.version, item.bytes.clone())?;
                } else {
                    session.publish_component(&item.package, &item.version, item.bytes.clone())?;
                }
                match session.digest(&item.package, &version)? {
                    Some(theirs) if theirs == ours => {}
                    other => bail!(
                        "{} was published to {url} but the registry serves {} instead of {ours}",
                        item.name(),
                        other.as_deref().unwrap_or("nothing")
                    ),
                }
                Outcome::Published
            }
        };
        done.push(Published {
            name: item.name(),
            kind: item.kind,
            digest: ours,
            size: item.bytes.len(),
            outcome,
        });
    }
    Ok(done)
}
