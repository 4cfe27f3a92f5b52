//! What a registry holds: every package with its versions, and for each interface the
//! components that export it and those that import it, computed from the published bytes.

use crate::config::Registry;
use crate::inspect::{self, Contents};
use crate::session::Session;
use anyhow::{Context, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// One package of the registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageEntry {
    /// `namespace:name`.
    pub package: String,
    /// `WIT package` or `component` (of its newest version).
    pub kind: &'static str,
    /// Every published version, ascending.
    pub versions: Vec<String>,
    /// The newest version's description, from its metadata.
    pub description: Option<String>,
}

/// One interface seen in the registry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InterfaceEntry {
    /// The interface, fully named: `wasi:spi/spi@0.1.0`.
    pub interface: String,
    /// The WIT package release in this registry that defines it, if any.
    pub defined_by: Option<String>,
    /// Components (`namespace:name@version`) that export it.
    pub exported_by: BTreeSet<String>,
    /// Components that import it.
    pub imported_by: BTreeSet<String>,
}

/// A registry's catalog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Catalog {
    /// The registry, as a URL.
    pub registry: String,
    /// Packages, sorted by name.
    pub packages: Vec<PackageEntry>,
    /// Interfaces, sorted by name.
    pub interfaces: Vec<InterfaceEntry>,
}

/// Reads every release of every package in `registry` and builds its catalog.
pub fn build(registry: &Registry) -> Result<Catalog> {
    let lister = Session::open(registry, &[])?;
    let names: Vec<String> = lister.list_packages()?.into_iter().collect();
    drop(lister);
    let session = Session::open(registry, &names)?;
    let mut packages = Vec::new();
    let mut interfaces: BTreeMap<String, InterfaceEntry> = BTreeMap::new();
    for package in &names {
        let versions = session.versions(package)?;
        let mut entry = PackageEntry {
            package: package.clone(),
            kind: "component",
            versions: versions.iter().map(|v| v.to_string()).collect(),
            description: None,
        };
        for version in &versions {
            let release = format!("{package}@{version}");
            let bytes = session.fetch(package, &version.to_string())?;
            let contents = inspect::inspect(&bytes)
                .with_context(|| format!("{release} in {}", registry.url()))?;
            entry.description = inspect::description(&bytes);
            match contents {
                Contents::WitPackage {
                    interfaces: own, ..
                } => {
                    entry.kind = "WIT package";
                    for interface in own {
                        interfaces
                            .entry(interface.clone())
                            .or_insert_with(|| InterfaceEntry {
                                interface,
                                ..InterfaceEntry::default()
                            })
                            .defined_by = Some(release.clone());
                    }
                }
                Contents::Component { imports, exports } => {
                    entry.kind = "component";
                    for (set, is_export) in [(imports, false), (exports, true)] {
                        for interface in set {
                            let e = interfaces.entry(interface.clone()).or_insert_with(|| {
                                InterfaceEntry {
                                    interface,
                                    ..InterfaceEntry::default()
                                }
                            });
                            if is_export {
                                e.exported_by.insert(release.clone());
                            } else {
                                e.imported_by.insert(release.clone());
                            }
                        }
                    }
                }
            }
        }
        packages.push(entry);
    }
    Ok(Catalog {
        registry: registry.url(),
        packages,
        interfaces: interfaces.into_values().collect(),
    })
}

fn list(set: &BTreeSet<String>) -> String {
    if set.is_empty() {
        "-".to_string()
    } else {
        set.iter().cloned().collect::<Vec<_>>().join(", ")
    }
}

impl Catalog {
    /// The catalog as plain text, for a terminal.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "registry {}\n\npackages:", self.registry);
        for p in &self.packages {
            let _ = writeln!(
                out,
                "  {:<36} {:<12} {}",
                p.package,
                p.kind,
                p.versions.join(", ")
            );
            if let Some(d) = &p.description {
                let _ = writeln!(out, "      {d}");
            }
        }
        out.push_str("\ninterfaces:\n");
        for i in &self.interfaces {
            let _ = writeln!(
                out,
                "  {}{}",
                i.interface,
                i.defined_by
                    .as_ref()
                    .map(|d| format!(" (defined by {d})"))
                    .unwrap_or_default()
            );
            let _ = writeln!(out, "      exported by: {}", list(&i.exported_by));
            let _ = writeln!(out, "      imported by: {}", list(&i.imported_by));
        }
        out
    }

    /// The catalog as Markdown (what `docs/catalog.md` holds). It does not name the registry, so
    /// the same contents give the same page wherever they are published.
    pub fn to_markdown(&self) -> String {
        let cell = |s: &str| s.replace('|', "\\|");
        let mut out = String::new();
        out.push_str(
            "# Catalog\n\n\
             Every package the project publishes, and for each interface the components that \
             export it and import it, read back from a registry the packages were published to.\n\
             Generated by `cargo xtask catalog --docs`; do not edit (a test checks that it is up \
             to date).\n\n## Packages\n\n\
             | Package | Kind | Versions | Description |\n| --- | --- | --- | --- |\n",
        );
        for p in &self.packages {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                p.package,
                p.kind,
                p.versions.join(", "),
                cell(p.description.as_deref().unwrap_or("-"))
            );
        }
        out.push_str(
            "\n## Interfaces\n\n\
             | Interface | Defined by | Exported by | Imported by |\n| --- | --- | --- | --- |\n",
        );
        let code = |set: &BTreeSet<String>| {
            if set.is_empty() {
                "-".to_string()
            } else {
                set.iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        for i in &self.interfaces {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                i.interface,
                i.defined_by
                    .as_ref()
                    .map(|d| format!("`{d}`"))
                    .unwrap_or_else(|| "(not in this registry)".to_string()),
                code(&i.exported_by),
                code(&i.imported_by)
            );
        }
        out
    }
}
