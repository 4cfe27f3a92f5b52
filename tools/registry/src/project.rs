//! What the project publishes: every WIT package (binary WIT), every driver and app component,
//! and every composition, each with its package name, version and metadata.
//!
//! | What | Package name | Version from | Description from |
//! | --- | --- | --- | --- |
//! | `wit/<folder>` | its `package` line (`wasi:spi`) | the `package` line | the package's doc comment |
//! | `drivers/<crate>` | `wasi-hal:<crate>` (its `wit/world.wit` says the same) | the crate's version | the crate's `description` |
//! | `apps/<crate>` | `wasi-hal:<crate>` | the crate's version | the crate's `description` |
//! | `compositions/<name>.wac` | its `package` line | the `package` line | its leading comment |
//!
//! The licence, source and homepage come from the `[metadata]` table of the root `wkg.toml`. The
//! metadata is written into the component (custom sections, with wasm-metadata), and
//! wasm-pkg-client turns it into the OCI annotations `org.opencontainers.image.description`,
//! `.licenses`, `.source`, `.url` and `.version` when it publishes.

use crate::inspect::{self, Contents};
use anyhow::{Context, Result, bail};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use wasm_metadata::{AddMetadata, AddMetadataField};

/// The namespace of the project's components.
pub const COMPONENT_NAMESPACE: &str = "wasi-hal";

/// The folders whose crates are published as components, and what they hold.
pub const COMPONENT_FOLDERS: &[(&str, Kind)] = &[
    ("drivers", Kind::Driver),
    ("apps", Kind::App),
    ("virtual-boards", Kind::VirtualBoard),
    ("adapters", Kind::Adapter),
];

/// The manifest of a Python guest (built by componentize-py, not cargo): its `[component]`
/// table has the `description` and `version` a crate has in `[package]`.
pub const PYTHON_MANIFEST: &str = "python-component.toml";

/// What kind of package an item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A binary WIT package.
    WitPackage,
    /// A driver component (imports buses, exports a device class).
    Driver,
    /// An app component (imports device classes).
    App,
    /// A virtual board component (`virtual-boards/`: exports bus interfaces backed by simulated
    /// parts).
    VirtualBoard,
    /// An adapter component (`adapters/`: exports another project's hardware interfaces on top
    /// of ours, or starts another project's app).
    Adapter,
    /// A composition of an app and drivers.
    Composition,
}

impl Kind {
    /// A lower-case label: `wit`, `driver`, `app`, `composition`.
    pub fn label(self) -> &'static str {
        match self {
            Self::WitPackage => "wit",
            Self::Driver => "driver",
            Self::App => "app",
            Self::VirtualBoard => "board",
            Self::Adapter => "adapter",
            Self::Composition => "composition",
        }
    }
}

/// One package release to publish.
#[derive(Clone, Debug)]
pub struct Item {
    /// `namespace:name`, e.g. `wasi:spi` or `wasi-hal:pmod-oled`.
    pub package: String,
    /// Its version, e.g. `0.1.0`.
    pub version: String,
    /// What it is.
    pub kind: Kind,
    /// One line saying what it is.
    pub description: String,
    /// The bytes to publish, metadata included.
    pub bytes: Vec<u8>,
    /// The other items' packages (`namespace:name`) it uses: they are published first.
    pub depends_on: BTreeSet<String>,
}

impl Item {
    /// `namespace:name@version`.
    pub fn name(&self) -> String {
        format!("{}@{}", self.package, self.version)
    }

    /// The `sha256:…` digest of [`Item::bytes`], as registries and `wkg.lock` write it.
    pub fn digest(&self) -> String {
        crate::sha256_digest(&self.bytes)
    }
}

/// The metadata every release carries (from the root `wkg.toml`'s `[metadata]`).
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct CommonMetadata {
    /// SPDX licence expression.
    #[serde(alias = "license")]
    pub licenses: Option<String>,
    /// Source repository URL.
    #[serde(alias = "repository")]
    pub source: Option<String>,
    /// Homepage URL.
    pub homepage: Option<String>,
    /// Authors.
    #[serde(alias = "author")]
    pub authors: Option<String>,
}

impl CommonMetadata {
    /// Reads `[metadata]` from the `wkg.toml` at `path`.
    pub fn from_wkg_toml(path: &Path) -> Result<Self> {
        #[derive(serde::Deserialize)]
        struct Manifest {
            metadata: Option<CommonMetadata>,
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("failed to read {}", path.display()))?;
        let manifest: Manifest =
            toml::from_str(&text).with_context(|| format!("{} is not valid", path.display()))?;
        manifest
            .metadata
            .with_context(|| format!("{} has no [metadata] table", path.display()))
    }
}

/// Where the project's sources and built components are.
#[derive(Clone, Debug)]
pub struct Sources {
    /// The repository root (with `wit/`, `drivers/`, `apps/`, `compositions/`, `wkg.toml`).
    pub root: PathBuf,
    /// Built driver, app and virtual-board components: crate name -> component file.
    pub components: BTreeMap<String, PathBuf>,
}

/// Everything the project publishes, in dependency order (see [`dependency_order`]).
pub fn collect(sources: &Sources) -> Result<Vec<Item>> {
    let common = CommonMetadata::from_wkg_toml(&sources.root.join("wkg.toml"))?;
    let mut items = Vec::new();

    let mut packages = Vec::new();
    for package in wasi_hal_wit::Package::load_all(&sources.root.join("wit"))? {
        packages.extend(released_versions(&package)?);
        packages.push(package);
    }
    for package in &packages {
        let resolve = package.resolve();
        let depends_on = resolve
            .packages
            .iter()
            .filter(|(id, _)| *id != package.id())
            .map(|(_, p)| format!("{}:{}", p.name.namespace, p.name.name))
            .collect();
        let version = package
            .version()
            .with_context(|| format!("{} has no version in its package line", package.name()))?;
        let docs = resolve.packages[package.id()].docs.contents.clone();
        let description = first_sentence(docs.as_deref().unwrap_or_default())
            .with_context(|| format!("{} has no doc comment to describe it", package.name()))?;
        let raw = package.encode()?;
        items.push(Item {
            package: package.unversioned_name(),
            version,
            kind: Kind::WitPackage,
            bytes: with_metadata(&raw, &package.unversioned_name(), &description, &common)
                .with_context(|| format!("adding metadata to {}", package.name()))?,
            description,
            depends_on,
        });
    }

    let workspace_version = workspace_version(&sources.root)?;
    for (krate, file) in &sources.components {
        let (kind, dir) = COMPONENT_FOLDERS
            .iter()
            .map(|(folder, kind)| (*kind, sources.root.join(folder).join(krate)))
            .find(|(_, dir)| component_manifest(dir).is_some())
            .with_context(|| {
                format!("no crate `{krate}` in drivers/, apps/, virtual-boards/ or adapters/")
            })?;
        let (description, version) = describe_component(&dir, &workspace_version)?;
        let name = format!("{COMPONENT_NAMESPACE}:{krate}");
        check_world_package(&dir, &name)?;
        let raw = std::fs::read(file)
            .with_context(|| format!("the component {} is missing", file.display()))?;
        items.push(Item {
            depends_on: component_dependencies(&raw, &name)?,
            package: name.clone(),
            version,
            kind,
            bytes: with_metadata(&raw, &name, &description, &common)
                .with_context(|| format!("adding metadata to {}", file.display()))?,
            description,
        });
    }

    let deps: HashMap<String, PathBuf> = sources
        .components
        .iter()
        .map(|(k, v)| (format!("{COMPONENT_NAMESPACE}:{k}"), v.clone()))
        .collect();
    for wac in wac_files(&sources.root.join("compositions"))? {
        let text = std::fs::read_to_string(&wac)
            .with_context(|| format!("failed to read {}", wac.display()))?;
        let (package, version) = wac_package(&text)
            .with_context(|| format!("{} has no `package ns:name@version;` line", wac.display()))?;
        let description = wac_description(&text)
            .with_context(|| format!("{} has no leading comment to describe it", wac.display()))?;
        let raw = wasi_hal_compose::compose_file(&wac, &deps)
            .with_context(|| format!("composing {}", wac.display()))?;
        let mut depends_on = component_dependencies(&raw, &package)?;
        depends_on.extend(wac_instantiates(&text));
        items.push(Item {
            bytes: with_metadata(&raw, &package, &description, &common)
                .with_context(|| format!("adding metadata to {}", wac.display()))?,
            package,
            version,
            kind: Kind::Composition,
            description,
            depends_on,
        });
    }

    // Only dependencies on other items count for the order.
    let known: BTreeSet<String> = items.iter().map(|i| i.package.clone()).collect();
    for item in &mut items {
        item.depends_on
            .retain(|d| known.contains(d) && *d != item.package);
    }
    dependency_order(items)
}

/// The folder, inside a WIT package's folder, that keeps its earlier releases:
/// `wit/<package>/released/<version>/*.wit`, each the exact text of that release (see
/// docs/versioning.md, "Every release stays publishable").
pub const RELEASED_FOLDER: &str = "released";

/// The earlier releases kept beside `current` (`<its folder>/released/<version>/`), oldest first.
/// Each must declare the same package, the version its folder is named after, and a version
/// older than `current`'s.
pub fn released_versions(current: &wasi_hal_wit::Package) -> Result<Vec<wasi_hal_wit::Package>> {
    let dir = current.dir().join(RELEASED_FOLDER);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("failed to list {}", dir.display())),
    };
    let current_version = current
        .version()
        .and_then(|v| wasm_pkg_client::Version::parse(&v).ok())
        .with_context(|| format!("{} has no version in its package line", current.name()))?;
    let mut released = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("failed to list {}", dir.display()))?
            .path();
        if !path.is_dir() {
            continue;
        }
        let folder = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let version = wasm_pkg_client::Version::parse(&folder).with_context(|| {
            format!(
                "{}: a folder under {RELEASED_FOLDER}/ is named after the version it keeps, and \
                 `{folder}` is not a version",
                path.display()
            )
        })?;
        let package = wasi_hal_wit::Package::load(&path)?;
        if package.unversioned_name() != current.unversioned_name() {
            bail!(
                "{} declares {}, but it is kept beside {}",
                path.display(),
                package.name(),
                current.name()
            );
        }
        if package.version().as_deref() != Some(folder.as_str()) {
            bail!(
                "{} declares {}, but its folder says version {folder}",
                path.display(),
                package.name()
            );
        }
        if version >= current_version {
            bail!(
                "{} keeps {}, which is not older than the current {} in {}",
                path.display(),
                package.name(),
                current.name(),
                current.dir().display()
            );
        }
        released.push((version, package));
    }
    released.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(released.into_iter().map(|(_, p)| p).collect())
}

/// The names (`namespace:name`) of everything the project publishes, read from the sources alone
/// (nothing is built): for the wkg configuration, which routes these to the registry.
pub fn package_names(root: &Path) -> Result<Vec<String>> {
    let mut names: Vec<String> = wasi_hal_wit::Package::load_all(&root.join("wit"))?
        .iter()
        .map(|p| p.unversioned_name())
        .collect();
    for (folder, _) in COMPONENT_FOLDERS {
        let dir = root.join(folder);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry?.path();
            if path.join("Cargo.toml").exists()
                && let Some(name) = path.file_name()
            {
                names.push(format!("{COMPONENT_NAMESPACE}:{}", name.to_string_lossy()));
            }
        }
    }
    for wac in wac_files(&root.join("compositions"))? {
        let text = std::fs::read_to_string(&wac)
            .with_context(|| format!("failed to read {}", wac.display()))?;
        if let Some((name, _)) = wac_package(&text) {
            names.push(name);
        }
    }
    names.sort();
    names.dedup();
    Ok(names)
}

/// Sorts `items` so that each comes after every item it depends on; among items whose
/// dependencies are all placed, WIT packages first, then drivers, apps and compositions, each by
/// name. Fails on a cycle, naming it.
pub fn dependency_order(mut items: Vec<Item>) -> Result<Vec<Item>> {
    // Releases of one package oldest first: each is checked against the ones before it.
    items.sort_by(|a, b| {
        (a.kind, &a.package, version_key(&a.version)).cmp(&(
            b.kind,
            &b.package,
            version_key(&b.version),
        ))
    });
    let mut placed: BTreeSet<String> = BTreeSet::new();
    let mut ordered = Vec::with_capacity(items.len());
    while !items.is_empty() {
        let Some(next) = items
            .iter()
            .position(|i| i.depends_on.iter().all(|d| placed.contains(d)))
        else {
            let stuck: Vec<String> = items
                .iter()
                .map(|i| {
                    format!(
                        "{} (needs {})",
                        i.name(),
                        i.depends_on.iter().cloned().collect::<Vec<_>>().join(", ")
                    )
                })
                .collect();
            bail!(
                "the packages depend on each other in a cycle: {}",
                stuck.join("; ")
            );
        };
        let item = items.remove(next);
        placed.insert(item.package.clone());
        ordered.push(item);
    }
    Ok(ordered)
}

/// A version for sorting: parsed when it is one, else before every version, by its text.
fn version_key(version: &str) -> (Option<wasm_pkg_client::Version>, &str) {
    (wasm_pkg_client::Version::parse(version).ok(), version)
}

/// Adds the package name, version, description, licence, source and homepage to `wasm`.
fn with_metadata(
    wasm: &[u8],
    package: &str,
    description: &str,
    common: &CommonMetadata,
) -> Result<Vec<u8>> {
    let mut add = AddMetadata::default();
    add.name = AddMetadataField::Set(package.to_string());
    add.description =
        AddMetadataField::Set(wasm_metadata::Description::new(description.to_string()));
    if let Some(licenses) = &common.licenses {
        add.licenses = AddMetadataField::Set(
            wasm_metadata::Licenses::new(licenses)
                .with_context(|| format!("`{licenses}` is not an SPDX licence expression"))?,
        );
    }
    if let Some(source) = &common.source {
        add.source = AddMetadataField::Set(
            wasm_metadata::Source::new(source)
                .with_context(|| format!("`{source}` is not a URL"))?,
        );
    }
    if let Some(homepage) = &common.homepage {
        add.homepage = AddMetadataField::Set(
            wasm_metadata::Homepage::new(homepage)
                .with_context(|| format!("`{homepage}` is not a URL"))?,
        );
    }
    if let Some(authors) = &common.authors {
        add.authors = AddMetadataField::Set(wasm_metadata::Authors::new(authors.clone()));
    }
    add.to_wasm(wasm)
}

/// The packages a component's imports and exports come from, without `own`.
fn component_dependencies(bytes: &[u8], own: &str) -> Result<BTreeSet<String>> {
    let contents = inspect::inspect(bytes).with_context(|| format!("decoding {own}"))?;
    if !matches!(contents, Contents::Component { .. }) {
        bail!("{own} is a WIT package, not a component");
    }
    let mut used = contents.packages_used();
    used.remove(own);
    Ok(used)
}

/// The first sentence (or line) of a doc comment or description, trimmed.
fn first_sentence(text: &str) -> Option<String> {
    let paragraph = text.trim().split("\n\n").next()?.replace('\n', " ");
    let paragraph = paragraph.trim();
    if paragraph.is_empty() {
        return None;
    }
    let end = paragraph
        .find(". ")
        .map(|i| i + 1)
        .unwrap_or(paragraph.len());
    Some(paragraph[..end].trim().to_string())
}

fn read_toml(path: &Path) -> Result<toml::Table> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("failed to read {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("{} is not valid TOML", path.display()))
}

/// `workspace.package.version` of the root `Cargo.toml`.
fn workspace_version(root: &Path) -> Result<String> {
    let manifest = read_toml(&root.join("Cargo.toml"))?;
    manifest
        .get("workspace")
        .and_then(|w| w.get("package"))
        .and_then(|p| p.get("version"))
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .context("the root Cargo.toml has no workspace.package.version")
}

/// A driver's `wit/world.wit`, when it has one, must declare the package it is published as.
/// The manifest that says what a component folder holds: a crate's `Cargo.toml`, a Python
/// guest's [`PYTHON_MANIFEST`], or a JavaScript guest's `package.json`.
fn component_manifest(dir: &Path) -> Option<&'static str> {
    ["Cargo.toml", PYTHON_MANIFEST, "package.json"]
        .into_iter()
        .find(|m| dir.join(m).exists())
}

/// A component's description (first sentence) and version, from its manifest: a crate's
/// `[package]` (the workspace's version when it inherits it), a Python guest's `[component]`, or
/// a JavaScript guest's `package.json`.
fn describe_component(dir: &Path, workspace_version: &str) -> Result<(String, String)> {
    let manifest = component_manifest(dir).with_context(|| {
        format!(
            "{} has no Cargo.toml, {PYTHON_MANIFEST} or package.json",
            dir.display()
        )
    })?;
    let path = dir.join(manifest);
    let (description, version) = if manifest == "package.json" {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("failed to read {}", path.display()))?;
        let json: serde_json::Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not valid JSON", path.display()))?;
        let field = |key: &str| json.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        (field("description"), field("version"))
    } else {
        let table = if manifest == "Cargo.toml" {
            "package"
        } else {
            "component"
        };
        let doc = read_toml(&path)?;
        let section = doc
            .get(table)
            .with_context(|| format!("{} has no [{table}] table", path.display()))?;
        let field = |key: &str| section.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        (field("description"), field("version"))
    };
    let description = description
        .as_deref()
        .and_then(first_sentence)
        .with_context(|| format!("{} has no description", path.display()))?;
    Ok((
        description,
        version.unwrap_or_else(|| workspace_version.to_owned()),
    ))
}

fn check_world_package(crate_dir: &Path, name: &str) -> Result<()> {
    let world = crate_dir.join("wit").join("world.wit");
    let Ok(text) = std::fs::read_to_string(&world) else {
        return Ok(());
    };
    let declared = text.lines().find_map(|l| {
        l.trim()
            .strip_prefix("package ")
            .map(|rest| rest.trim_end_matches(';').trim().to_string())
    });
    match declared {
        Some(d) if d.split('@').next() == Some(name) => Ok(()),
        Some(d) => bail!(
            "{} declares `package {d}` but the component is published as {name}",
            world.display()
        ),
        None => Ok(()),
    }
}

fn wac_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "wac"))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e).with_context(|| format!("failed to list {}", dir.display())),
    };
    files.sort();
    Ok(files)
}

/// The `package ns:name@version;` line of a WAC file, split.
fn wac_package(text: &str) -> Option<(String, String)> {
    text.lines().find_map(|l| {
        let rest = l.trim().strip_prefix("package ")?;
        let (name, version) = rest.trim_end_matches(';').trim().split_once('@')?;
        Some((name.to_string(), version.to_string()))
    })
}

/// The first sentence of the `//` comment at the top of a WAC file.
fn wac_description(text: &str) -> Option<String> {
    let comment: Vec<&str> = text
        .lines()
        .map_while(|l| l.trim().strip_prefix("//"))
        .map(str::trim)
        .collect();
    first_sentence(&comment.join("\n"))
}

/// The packages a WAC file instantiates (`new ns:name`).
fn wac_instantiates(text: &str) -> BTreeSet<String> {
    text.split("new ")
        .skip(1)
        .filter_map(|rest| {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '-'))
                .collect();
            name.contains(':').then_some(name)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(package: &str, kind: Kind, deps: &[&str]) -> Item {
        Item {
            package: package.into(),
            version: "0.1.0".into(),
            kind,
            description: String::new(),
            bytes: Vec::new(),
            depends_on: deps.iter().map(|d| d.to_string()).collect(),
        }
    }

    #[test]
    fn dependencies_come_first() {
        let items = vec![
            item("x:comp", Kind::Composition, &["x:app", "x:drv"]),
            item("x:app", Kind::App, &["d:pixels"]),
            item("x:drv", Kind::Driver, &["d:pixels", "w:spi"]),
            item("d:pixels", Kind::WitPackage, &["w:spi"]),
            item("w:spi", Kind::WitPackage, &[]),
        ];
        let order: Vec<String> = dependency_order(items)
            .unwrap()
            .iter()
            .map(|i| i.package.clone())
            .collect();
        assert_eq!(order, ["w:spi", "d:pixels", "x:drv", "x:app", "x:comp"]);
    }

    #[test]
    fn a_cycle_is_an_error_naming_it() {
        let items = vec![
            item("a:a", Kind::WitPackage, &["b:b"]),
            item("b:b", Kind::WitPackage, &["a:a"]),
        ];
        let err = dependency_order(items).unwrap_err().to_string();
        assert!(err.contains("a:a@0.1.0 (needs b:b)"), "{err}");
    }

    #[test]
    fn wac_files_are_read() {
        let text = "// Pacman on a Pmod OLED: the app's display.\n// More.\npackage wasi-hal:p@0.2.0;\n\nlet oled = new wasi-hal:pmod-oled { ... };\nlet app = new wasi-hal:pacman { ...oled, ... };\n";
        assert_eq!(
            wac_package(text),
            Some(("wasi-hal:p".into(), "0.2.0".into()))
        );
        assert_eq!(
            wac_description(text).as_deref(),
            Some("Pacman on a Pmod OLED: the app's display.")
        );
        assert_eq!(
            wac_instantiates(text).into_iter().collect::<Vec<_>>(),
            ["wasi-hal:pacman", "wasi-hal:pmod-oled"]
        );
    }

    #[test]
    fn first_sentence_stops_at_the_first_full_stop() {
        assert_eq!(
            first_sentence("SPI access.\n\nMore text.").as_deref(),
            Some("SPI access.")
        );
        assert_eq!(
            first_sentence("Pixel displays as a device class. A driver exports it.").as_deref(),
            Some("Pixel displays as a device class.")
        );
        assert_eq!(first_sentence("  "), None);
    }
}
