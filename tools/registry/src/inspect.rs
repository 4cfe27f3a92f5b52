//! What a published package is: a WIT package and its interfaces, or a component and the
//! interfaces it imports and exports. Decoded with wit-component, from the bytes alone.

use anyhow::{Context, Result};
use std::collections::BTreeSet;
use wit_component::DecodedWasm;
use wit_parser::{Resolve, WorldItem, WorldKey};

/// The contents of a package release.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Contents {
    /// A binary WIT package.
    WitPackage {
        /// Its name with version, e.g. `wasi:spi@0.1.0`.
        name: String,
        /// Its interfaces, fully named, e.g. `wasi:spi/spi@0.1.0`, sorted.
        interfaces: BTreeSet<String>,
    },
    /// A component.
    Component {
        /// The interfaces it imports, fully named, sorted.
        imports: BTreeSet<String>,
        /// The interfaces it exports, fully named, sorted.
        exports: BTreeSet<String>,
    },
}

impl Contents {
    /// The packages (`namespace:name`, no version) of every interface this names.
    pub fn packages_used(&self) -> BTreeSet<String> {
        let interfaces: Box<dyn Iterator<Item = &String>> = match self {
            Self::WitPackage { interfaces, .. } => Box::new(interfaces.iter()),
            Self::Component { imports, exports } => Box::new(imports.iter().chain(exports)),
        };
        interfaces.filter_map(|i| package_of(i)).collect()
    }
}

/// The package (`namespace:name`) of a fully named interface such as `wasi:spi/spi@0.1.0`.
pub fn package_of(interface: &str) -> Option<String> {
    let (package, _) = interface.split_once('/')?;
    Some(package.to_string())
}

/// Decodes `bytes` (a binary WIT package or a component).
pub fn inspect(bytes: &[u8]) -> Result<Contents> {
    let decoded =
        wit_component::decode(bytes).context("not a component or a binary WIT package")?;
    Ok(match &decoded {
        DecodedWasm::WitPackage(resolve, id) => {
            let package = &resolve.packages[*id];
            Contents::WitPackage {
                name: package.name.to_string(),
                interfaces: package
                    .interfaces
                    .values()
                    .filter_map(|&i| resolve.id_of(i))
                    .collect(),
            }
        }
        DecodedWasm::Component(resolve, world) => {
            let world = &resolve.worlds[*world];
            Contents::Component {
                imports: interface_names(resolve, world.imports.iter()),
                exports: interface_names(resolve, world.exports.iter()),
            }
        }
    })
}

fn interface_names<'a>(
    resolve: &Resolve,
    items: impl Iterator<Item = (&'a WorldKey, &'a WorldItem)>,
) -> BTreeSet<String> {
    items
        .filter_map(|(key, item)| match item {
            WorldItem::Interface { id, .. } => {
                resolve.id_of(*id).or_else(|| match key {
                    // An interface defined inline in the world has only its name.
                    WorldKey::Name(name) => Some(name.clone()),
                    WorldKey::Interface(_) => None,
                })
            }
            _ => None,
        })
        .collect()
}

/// The description recorded in the release's metadata (the OCI `description` annotation).
pub fn description(bytes: &[u8]) -> Option<String> {
    let payload = wasm_metadata::Payload::from_binary(bytes).ok()?;
    payload
        .metadata()
        .description
        .as_ref()
        .map(|d| d.to_string())
}
