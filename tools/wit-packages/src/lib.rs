//! The wasi-hal WIT packages: find them, resolve them with their dependencies, check them and
//! encode them as binary WIT.
//!
//! Every folder under the repository's `wit/` is one package (its `.wit` files, plus a `deps/`
//! folder when it depends on other packages). This crate is what the build (`cargo xtask build`)
//! and the tests use, so that "a package" means the same thing everywhere.
//!
//! ```
//! let packages = wasi_hal_wit::Package::load_all(&wasi_hal_wit::wit_root())?;
//! let spi = packages.iter().find(|p| p.name() == "wasi:spi@0.1.0").unwrap();
//! let binary = spi.encode()?;
//! assert_eq!(wasi_hal_wit::decode_package_name(&binary)?, "wasi:spi@0.1.0");
//! # anyhow::Ok(())
//! ```

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use wit_parser::{Docs, PackageId, Resolve, TypeDefKind, WorldId};

/// The repository's `wit/` folder, found from this crate's location in the source tree.
pub fn wit_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../wit")
}

/// One WIT package folder, resolved together with its dependencies.
#[derive(Debug)]
pub struct Package {
    dir: PathBuf,
    resolve: Resolve,
    id: PackageId,
}

impl Package {
    /// Parses and resolves the package in `dir` (and its `deps/`).
    pub fn load(dir: &Path) -> Result<Self> {
        let mut resolve = Resolve::default();
        let (id, _) = resolve
            .push_dir(dir)
            .with_context(|| format!("failed to resolve the WIT package in {}", dir.display()))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            resolve,
            id,
        })
    }

    /// Loads every package folder under `root`, sorted by folder name.
    pub fn load_all(root: &Path) -> Result<Vec<Self>> {
        let mut dirs = Vec::new();
        let entries = std::fs::read_dir(root)
            .with_context(|| format!("failed to list WIT packages in {}", root.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("failed to read {}", root.display()))?;
            if entry.file_type()?.is_dir() {
                dirs.push(entry.path());
            }
        }
        dirs.sort();
        if dirs.is_empty() {
            bail!("no WIT package folders in {}", root.display());
        }
        dirs.iter().map(|d| Self::load(d)).collect()
    }

    /// The folder the package was read from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The package name with its version, e.g. `wasi:spi@0.1.0`.
    pub fn name(&self) -> String {
        self.resolve.packages[self.id].name.to_string()
    }

    /// The package name without its version, e.g. `wasi:spi`.
    pub fn unversioned_name(&self) -> String {
        let name = &self.resolve.packages[self.id].name;
        format!("{}:{}", name.namespace, name.name)
    }

    /// The package version, if it has one.
    pub fn version(&self) -> Option<String> {
        self.resolve.packages[self.id]
            .name
            .version
            .as_ref()
            .map(|v| v.to_string())
    }

    /// The file name for the package's binary WIT, e.g. `wasi-spi@0.1.0.wasm`.
    pub fn binary_file_name(&self) -> String {
        let name = &self.resolve.packages[self.id].name;
        match &name.version {
            Some(v) => format!("{}-{}@{}.wasm", name.namespace, name.name, v),
            None => format!("{}-{}.wasm", name.namespace, name.name),
        }
    }

    /// The resolved package and everything it depends on.
    pub fn resolve(&self) -> &Resolve {
        &self.resolve
    }

    /// The package's id within [`Package::resolve`].
    pub fn id(&self) -> PackageId {
        self.id
    }

    /// The names of the package's worlds.
    pub fn world_names(&self) -> Vec<String> {
        self.resolve.packages[self.id]
            .worlds
            .keys()
            .cloned()
            .collect()
    }

    /// The world called `name` in this package.
    pub fn world(&self, name: &str) -> Result<WorldId> {
        self.resolve.packages[self.id]
            .worlds
            .get(name)
            .copied()
            .with_context(|| format!("package {} has no world `{name}`", self.name()))
    }

    /// Encodes the package as a binary WIT package (a component-model type package).
    pub fn encode(&self) -> Result<Vec<u8>> {
        wit_component::encode(&self.resolve, self.id, false)
            .with_context(|| format!("failed to encode {} as binary WIT", self.name()))
    }

    /// Checks that `component` (the bytes of a component) targets the world `world` of this
    /// package: it imports nothing the world does not offer, exports everything the world
    /// requires, and every shared item has the world's type.
    pub fn check_component_targets(&self, world: &str, component: &[u8]) -> Result<()> {
        let world_id = self.world(world)?;
        wit_component::targets(&self.resolve, world_id, component, false).with_context(|| {
            format!(
                "the component does not target world `{world}` of {}",
                self.name()
            )
        })
    }

    /// Every item of the package that has no doc comment, as a readable path such as
    /// `interface spi / enum error-code / case overrun`. Empty when everything is documented.
    ///
    /// Checked: the package's worlds, interfaces, types (and each field, case and flag), resources
    /// and functions. Dependencies are not checked: they are other packages.
    pub fn missing_docs(&self) -> Vec<String> {
        let mut missing = Vec::new();
        let package = &self.resolve.packages[self.id];
        let mut need = |docs: &Docs, what: String| {
            if docs.contents.as_deref().is_none_or(|c| c.trim().is_empty()) {
                missing.push(what);
            }
        };
        need(&package.docs, "package".to_string());
        for (name, &world) in &package.worlds {
            need(&self.resolve.worlds[world].docs, format!("world {name}"));
        }
        for (name, &iface) in &package.interfaces {
            let interface = &self.resolve.interfaces[iface];
            need(&interface.docs, format!("interface {name}"));
            for (fname, func) in &interface.functions {
                need(&func.docs, format!("interface {name} / func {fname}"));
            }
            for (tname, &ty) in &interface.types {
                let def = &self.resolve.types[ty];
                // A type brought in by `use` is documented where it is defined.
                if let TypeDefKind::Type(wit_parser::Type::Id(target)) = def.kind
                    && self.resolve.types[target].owner != def.owner
                {
                    continue;
                }
                let what = format!("interface {name} / type {tname}");
                need(&def.docs, what.clone());
                match &def.kind {
                    TypeDefKind::Record(r) => {
                        for f in &r.fields {
                            need(&f.docs, format!("{what} / field {}", f.name));
                        }
                    }
                    TypeDefKind::Variant(v) => {
                        for c in &v.cases {
                            need(&c.docs, format!("{what} / case {}", c.name));
                        }
                    }
                    TypeDefKind::Enum(e) => {
                        for c in &e.cases {
                            need(&c.docs, format!("{what} / case {}", c.name));
                        }
                    }
                    TypeDefKind::Flags(f) => {
                        for flag in &f.flags {
                            need(&flag.docs, format!("{what} / flag {}", flag.name));
                        }
                    }
                    _ => {}
                }
            }
        }
        missing
    }
}

/// Decodes a binary WIT package and returns its name with version, e.g. `wasi:spi@0.1.0`.
pub fn decode_package_name(bytes: &[u8]) -> Result<String> {
    match wit_component::decode(bytes).context("failed to decode binary WIT")? {
        wit_component::DecodedWasm::WitPackage(resolve, id) => {
            Ok(resolve.packages[id].name.to_string())
        }
        wit_component::DecodedWasm::Component(..) => {
            bail!("expected a binary WIT package, found a component")
        }
    }
}
