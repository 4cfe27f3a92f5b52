//! `cargo xtask publish`, `cargo xtask catalog` and `cargo xtask registry-env`: the project's
//! registry tasks, on the `wasi-hal-registry` library (see docs/registry.md).
//!
//! The registry is `local` by default: wkg's filesystem backend in
//! `target/wasi-hal/registry/local/`, which needs no server. `--registry http://HOST:PORT` (or
//! `https://HOST`) names an OCI registry instead; a password for `--username` is read from
//! `WASI_HAL_REGISTRY_PASSWORD`, never from the command line.

use crate::build;
use crate::setup::{self, Purpose};
use crate::workspace::{self, GuestKind, Workspace};
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use wasi_hal_registry::project::{self, Sources};
use wasi_hal_registry::publish::{self, Outcome};
use wasi_hal_registry::signing::{SigningKey, TrustedKeys};
use wasi_hal_registry::{Credentials, Registry, Session, catalog, config};

/// Where the registry tasks keep their files: the local registry, wkg configurations, caches.
pub fn registry_dir() -> PathBuf {
    workspace::output_dir().join("registry")
}

/// The registry named on the command line (`local` by default), with credentials when a user
/// name is given.
pub fn parse_registry(spec: &str, username: Option<&str>) -> Result<Registry> {
    let registry = Registry::parse(spec, &registry_dir().join("local"))?;
    let credentials = match username {
        Some(username) => Some(Credentials {
            username: username.to_string(),
            password: std::env::var("WASI_HAL_REGISTRY_PASSWORD").context(
                "--username needs the password in the environment variable WASI_HAL_REGISTRY_PASSWORD",
            )?,
        }),
        None => None,
    };
    Ok(registry.with_credentials(credentials))
}

/// Writes the wkg configuration for `registry` and returns it with its cache folder.
fn wkg_files(registry: &Registry) -> Result<(PathBuf, PathBuf)> {
    let (config_file, cache) = config::wkg_paths(&registry_dir(), registry);
    let names = project::package_names(&workspace::root())?;
    registry.write_wkg_config(&config_file, &names)?;
    Ok((config_file, cache))
}

/// The built drivers, apps, virtual boards and adapters: crate name -> `target/wasi-hal/components/<crate>.wasm`,
/// and the Python and JavaScript guests that were built (folder name -> the same place).
fn built_components() -> Result<BTreeMap<String, PathBuf>> {
    let ws = Workspace::load()?;
    let dir = workspace::output_dir().join("components");
    let mut components: BTreeMap<String, PathBuf> = ws
        .guest_crates
        .iter()
        .filter(|g| {
            matches!(
                g.kind,
                GuestKind::Driver | GuestKind::App | GuestKind::VirtualBoard | GuestKind::Adapter
            )
        })
        .map(|g| (g.name.clone(), dir.join(format!("{}.wasm", g.name))))
        .collect();
    // Python and JavaScript guests are built only where python3 and Node.js are (the build said
    // so when it skipped them).
    let names = crate::python::guests()?
        .into_iter()
        .map(|g| g.name)
        .chain(crate::js_guests::guests()?.into_iter().map(|g| g.name));
    for name in names {
        let file = dir.join(format!("{name}.wasm"));
        if file.exists() {
            components.insert(name, file);
        }
    }
    Ok(components)
}

/// Builds everything, then publishes every WIT package, driver, app and composition to
/// `registry` (named `spec` on the command line) in dependency order, and prints what it did and
/// the two `export` lines that hand wkg its configuration (those of `registry-env`).
pub fn publish(registry: &Registry, spec: &str, sign_key: Option<&Path>) -> Result<()> {
    // A registry that is down or rejects the credentials, or a key that cannot sign there, fails
    // before anything is built.
    let session = Session::open(registry, &project::package_names(&workspace::root())?)?;
    let sign_key = sign_key.map(SigningKey::read).transpose()?;
    if sign_key.is_some() && matches!(registry, Registry::Local { .. }) {
        anyhow::bail!(
            "--sign-key: {} is a filesystem registry, and signatures are kept in OCI registries \
             only (docs/registry.md, \"Signatures\")",
            registry.url()
        );
    }
    let done = setup::run(Purpose::Publish)?;
    build::run(build::Options {
        js: done.js.as_deref(),
        no_js_because: done.no_js_because.as_deref(),
        python: done.componentize_py.as_ref(),
        no_python_because: done.no_python_because.as_deref(),
        test_programs: false,
    })?;
    let items = project::collect(&Sources {
        root: workspace::root(),
        components: built_components()?,
    })?;
    let done = workspace::step(&format!("publishing to {}", registry.url()), || {
        publish::publish_all(&session, &items)
    })?;
    if let Some(key) = &sign_key {
        workspace::step("signing every release", || {
            for item in &items {
                session.sign(&item.package, &item.version, key)?;
            }
            Ok(())
        })?;
    }
    println!(
        "{:<44} {:<12} {:>9}  {:<10} digest",
        "package", "kind", "bytes", ""
    );
    for p in &done {
        println!(
            "{:<44} {:<12} {:>9}  {:<10} {}",
            p.name,
            p.kind.label(),
            p.size,
            match p.outcome {
                Outcome::Published => "published",
                Outcome::Unchanged => "unchanged",
            },
            p.digest
        );
    }
    let (config_file, cache) = wkg_files(registry)?;
    let wkg = std::env::var(setup::WKG.env).unwrap_or_else(|_| "wkg".into());
    println!(
        "\nto fetch with wkg ({wkg}), hand it this registry as `cargo xtask registry-env{}` does:\n\
         export WKG_CONFIG_FILE='{}'\nexport WKG_CACHE_DIR='{}'\n\
         then, for example: wkg get wasi:spi@0.1.0 -o ./spi.wasm",
        if spec == "local" {
            String::new()
        } else {
            format!(" --registry {spec}")
        },
        config_file.display(),
        cache.display()
    );
    Ok(())
}

fn names_of(items: &[project::Item]) -> Vec<String> {
    items.iter().map(|i| i.package.clone()).collect()
}

/// Prints the catalog of `registry`, as text or Markdown, or writes it to `output`.
pub fn catalog(registry: &Registry, markdown: bool, output: Option<&Path>) -> Result<()> {
    let catalog = catalog::build(registry)?;
    let text = if markdown {
        catalog.to_markdown()
    } else {
        catalog.to_text()
    };
    match output {
        Some(path) => {
            wasi_hal_registry::write_atomically(path, text.as_bytes(), false)?;
            println!("wrote {}", path.display());
        }
        None => print!("{text}"),
    }
    Ok(())
}

/// `docs/catalog.md`: builds everything, publishes it to a fresh local registry under
/// `target/wasi-hal/registry/docs/`, and writes that registry's catalog as Markdown.
pub fn catalog_docs() -> Result<()> {
    let root = registry_dir().join("docs");
    if root.exists() {
        std::fs::remove_dir_all(&root)
            .with_context(|| format!("failed to empty {}", root.display()))?;
    }
    let registry = Registry::local(&root);
    let done = setup::run(Purpose::Build)?;
    build::run(build::Options {
        js: done.js.as_deref(),
        no_js_because: done.no_js_because.as_deref(),
        python: done.componentize_py.as_ref(),
        no_python_because: done.no_python_because.as_deref(),
        test_programs: false,
    })?;
    let items = project::collect(&Sources {
        root: workspace::root(),
        components: built_components()?,
    })?;
    let session = Session::open(&registry, &names_of(&items))?;
    publish::publish_all(&session, &items)?;
    drop(session);
    catalog(
        &registry,
        true,
        Some(&workspace::root().join("docs").join("catalog.md")),
    )
}

/// Writes the wkg configuration for `registry` and prints the environment that hands it (and a
/// cache of its own) to wkg: `eval "$(cargo xtask registry-env)"`.
pub fn env(registry: &Registry) -> Result<()> {
    let (config_file, cache) = wkg_files(registry)?;
    println!("export WKG_CONFIG_FILE='{}'", config_file.display());
    println!("export WKG_CACHE_DIR='{}'", cache.display());
    Ok(())
}

/// Writes a new signing key pair: `<output>.key` (PKCS#8 PEM, readable by its owner only) and
/// `<output>.pub` (SubjectPublicKeyInfo PEM, what `--trusted-key` and `cosign verify --key` read).
pub fn keygen(output: &Path) -> Result<()> {
    let key = SigningKey::generate();
    let private = output.with_extension("key");
    let public = output.with_extension("pub");
    for path in [&private, &public] {
        if path.exists() {
            anyhow::bail!("{} exists: keygen never replaces a key", path.display());
        }
    }
    wasi_hal_registry::write_atomically(&private, key.to_pem()?.as_bytes(), true)?;
    wasi_hal_registry::write_atomically(&public, key.public_key().to_pem()?.as_bytes(), false)?;
    println!("wrote {} and {}", private.display(), public.display());
    Ok(())
}

/// Fetches `release` (`namespace:name@version`) from `registry` and writes it to `output`, only
/// when one of the keys in `trusted_keys` signed it; nothing is written otherwise.
pub fn fetch(
    registry: &Registry,
    release: &str,
    trusted_keys: &[PathBuf],
    output: &Path,
) -> Result<()> {
    let (package, version) = release
        .split_once('@')
        .with_context(|| format!("`{release}` is not `namespace:name@version`"))?;
    let trusted = TrustedKeys::read(trusted_keys)?;
    let session = Session::open(registry, &[package.to_string()])?;
    let bytes = session.fetch_verified(package, version, &trusted)?;
    wasi_hal_registry::write_atomically(output, &bytes, false)?;
    println!(
        "{release}: signed by a trusted key; wrote {} ({} bytes, {})",
        output.display(),
        bytes.len(),
        wasi_hal_registry::sha256_digest(&bytes)
    );
    Ok(())
}
