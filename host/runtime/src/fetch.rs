//! Where a component's file comes from: a `path`, a `registry` reference fetched into the
//! device's supply cache (pinned by digest, and signed by a trusted key when the device names
//! trusted keys), or an `app` with its `plug`s composed by the runtime (with
//! `wasi-hal-compose`, the project's one composer) and cached by the digests of its pieces.
//!
//! The supply cache of a device is one folder, `<root>/<device name>-<hash of the device
//! file's path>/` (root: [`default_dir`], `$WASI_HAL_CACHE/supply` by default), holding:
//!
//! - `<hex>.wasm`: a fetched component whose SHA-256 is `<hex>` (its digest pin);
//! - `<hex>.release.json`: what the registry served with it (package, version, the OCI
//!   manifest and the signatures stored for it), so its signature is checked again on every
//!   load, offline;
//! - `composed-<key>-<hex>.wasm`: a composition, `<key>` the SHA-256 of the digests of its
//!   pieces in order, `<hex>` the SHA-256 of the composed bytes.
//!
//! Every file is written to a temporary name and renamed into place, and checked against the
//! digest in its name before use (a damaged file is fetched or composed again). After a
//! successful load or reload, every file the device file no longer names is deleted, so the
//! folder only ever holds what the device runs (decisions: docs/runtime.md, "Where
//! components come from").

use crate::component::{self, FileKind};
use anyhow::{Context as _, Result, anyhow, bail};
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use wasi_hal_device_file::{ComponentEntry, ComponentSource, DeviceFile};
use wasi_hal_registry::signing::{self, Signature, TrustedKeys};
use wasi_hal_registry::{Registry, Session};

/// The largest `.release.json` read from the cache (a manifest and a few signatures).
const MAX_RELEASE_RECORD_BYTES: u64 = 1 << 20;

/// The root of the supply caches: `$WASI_HAL_CACHE/supply`, else
/// `$XDG_CACHE_HOME/wasi-hal/supply`, else `~/.cache/wasi-hal/supply`; `None` when none of these
/// is set.
pub fn default_dir() -> Option<PathBuf> {
    crate::cache::default_dir().map(|compiled| compiled.with_file_name("supply"))
}

/// What the registry served with a fetched component, kept beside it in the cache.
#[derive(serde::Serialize, serde::Deserialize)]
struct ReleaseRecord {
    /// `ns:name@x.y.z`.
    release: String,
    /// The OCI manifest as served (JSON text); empty for a filesystem registry.
    manifest: String,
    /// The signatures stored for that manifest.
    signatures: Vec<Signature>,
}

/// Resolves the components of one device file to files, fetching and composing what it must.
pub(crate) struct Supplier {
    /// The device file, for messages.
    device_path: PathBuf,
    /// The device's folder in the supply cache; `None` when there is no cache root.
    dir: Option<PathBuf>,
    registry: Option<Registry>,
    trusted: Option<TrustedKeys>,
    allow_unsigned_paths: bool,
    /// The registry packages the device file names (wkg's routing needs them).
    packages: Vec<String>,
    session: Option<Session>,
    /// Files of the cache folder this device file uses.
    used: BTreeSet<PathBuf>,
}

/// `sha256:<hex>` of `bytes`.
fn digest_of(bytes: &[u8]) -> String {
    wasi_hal_registry::sha256_digest(bytes)
}

impl Supplier {
    /// A supplier for `file`, its cache folder under `root` (`None`: [`default_dir`]). Reads the
    /// trusted keys and parses the registry; fetches nothing yet.
    pub(crate) fn new(file: &DeviceFile, root: Option<&Path>) -> Result<Self> {
        let supply = &file.supply;
        let place = |at| format!("{}:{at}", file.path.display());
        let registry = match &supply.registry {
            Some(text) => Some(
                // A folder was resolved against the device file when it was read.
                Registry::parse(text, Path::new(text)).with_context(|| {
                    format!("{}: key `device.registry`", place(supply.registry_at))
                })?,
            ),
            None => None,
        };
        if let Some(local @ Registry::Local { .. }) = &registry
            && !supply.trusted_keys.is_empty()
        {
            bail!(
                "{}: key `device.trusted-keys`: {} is a filesystem registry, which keeps no \
                 signatures; a device with trusted keys fetches from an OCI registry",
                place(supply.trusted_keys_at),
                local.url()
            );
        }
        let trusted = if supply.trusted_keys.is_empty() {
            None
        } else {
            Some(TrustedKeys::read(&supply.trusted_keys).with_context(|| {
                format!(
                    "{}: key `device.trusted-keys`",
                    place(supply.trusted_keys_at)
                )
            })?)
        };
        let mut packages = BTreeSet::new();
        for entry in &file.components {
            for piece in entry.source.pieces() {
                if let ComponentSource::Registry { package, .. } = piece {
                    if registry.is_none() {
                        bail!(
                            "{}: component `{}` is a registry reference (`{package}`), but the \
                             device file names no registry: add `registry = \"http://HOST:PORT\"` \
                             to `[device]`",
                            place(entry.location),
                            entry.name
                        );
                    }
                    packages.insert(package.clone());
                }
            }
        }
        let root = root.map(Path::to_path_buf).or_else(default_dir);
        let dir = root.map(|root| root.join(device_key(file)));
        Ok(Self {
            device_path: file.path.clone(),
            dir,
            registry,
            trusted,
            allow_unsigned_paths: supply.allow_unsigned_paths,
            packages: packages.into_iter().collect(),
            session: None,
            used: BTreeSet::new(),
        })
    }

    /// The file to run for `entry`: its `path`, its fetched registry component, or its
    /// composition.
    pub(crate) fn component_file(&mut self, entry: &ComponentEntry) -> Result<PathBuf> {
        let place = format!(
            "{}:{}: component `{}`",
            self.device_path.display(),
            entry.location,
            entry.name
        );
        match &entry.source {
            ComponentSource::Composed { app, plugs } => {
                let mut pieces = Vec::new();
                for (index, piece) in std::iter::once(app.as_ref()).chain(plugs).enumerate() {
                    let which = if index == 0 {
                        "its app".to_string()
                    } else {
                        format!("its plug[{}]", index - 1)
                    };
                    let file = self.piece_file(&format!("{place}, {which}"), piece)?;
                    pieces.push(file);
                }
                self.compose(&place, &pieces)
            }
            piece => self.piece_file(&place, piece),
        }
    }

    /// A `path` (allowed by the trust settings) or a fetched registry component.
    fn piece_file(&mut self, place: &str, source: &ComponentSource) -> Result<PathBuf> {
        match source {
            ComponentSource::Path(path) => {
                if self.trusted.is_some() && !self.allow_unsigned_paths {
                    bail!(
                        "{place}: `path = {:?}` is refused: this device requires components \
                         signed by its trusted keys (`device.trusted-keys`), and a file carries \
                         no signature. Publish and sign it and give its `registry` reference, \
                         or set `allow-unsigned-paths = true` in `[device]`",
                        path.display().to_string()
                    );
                }
                Ok(path.clone())
            }
            ComponentSource::Registry {
                package,
                version,
                digest,
            } => self.fetch(place, package, version, digest),
            ComponentSource::Composed { .. } => {
                bail!("{place}: a composition cannot be a piece of a composition")
            }
        }
    }

    fn dir(&self, place: &str) -> Result<&Path> {
        self.dir.as_deref().ok_or_else(|| {
            anyhow!(
                "{place}: there is no cache folder for fetched and composed components: set \
                 WASI_HAL_CACHE (or HOME)"
            )
        })
    }

    /// The checked cache file of `package@version` pinned to `digest`, fetched first when it is
    /// not in the cache (or no longer passes the checks).
    fn fetch(
        &mut self,
        place: &str,
        package: &str,
        version: &str,
        digest: &str,
    ) -> Result<PathBuf> {
        let release = format!("{package}@{version}");
        let place = format!("{place} (`{release}`)");
        let hex = digest.trim_start_matches("sha256:");
        let dir = self.dir(&place)?.to_path_buf();
        let file = dir.join(format!("{hex}.wasm"));
        let record = dir.join(format!("{hex}.release.json"));
        let cached = if file.exists() {
            match self.check_cached(&release, package, digest, &file, &record) {
                Ok(()) => {
                    self.used.insert(file.clone());
                    self.used.insert(record);
                    return Ok(file);
                }
                Err(e) => Some(e),
            }
        } else {
            None
        };
        let fetched = self.fetch_from_registry(&release, package, version, digest, &file, &record);
        match (fetched, cached) {
            (Ok(()), cached) => {
                if let Some(reason) = cached {
                    tracing::warn!(
                        "{place}: the cached copy was not used ({reason:#}); fetched it again"
                    );
                }
                self.used.insert(file.clone());
                self.used.insert(record);
                Ok(file)
            }
            (Err(e), None) => Err(e.context(place)),
            (Err(e), Some(cached)) => Err(e.context(format!(
                "{place}: the cached copy is not usable ({cached:#}), and fetching it again failed"
            ))),
        }
    }

    /// Checks a cached component: its bytes have the pinned digest and, when the device trusts
    /// keys, the manifest and signatures kept with it verify.
    fn check_cached(
        &self,
        release: &str,
        package: &str,
        digest: &str,
        file: &Path,
        record: &Path,
    ) -> Result<()> {
        let (bytes, _) = component::read(file, component::DEFAULT_MAX_COMPONENT_BYTES)?;
        let found = digest_of(&bytes);
        if found != digest {
            bail!("{} has the digest {found} (damaged)", file.display());
        }
        let Some(trusted) = &self.trusted else {
            return Ok(());
        };
        let record = read_record(record)?;
        if record.release != release {
            bail!("its record names {}, not {release}", record.release);
        }
        signing::verify_release(
            release,
            &self.docker_reference(package)?,
            record.manifest.as_bytes(),
            digest,
            &record.signatures,
            trusted,
        )
    }

    /// `HOST/REPOSITORY` of `package` in the device's (OCI) registry: what a signature names.
    fn docker_reference(&self, package: &str) -> Result<String> {
        match &self.registry {
            Some(registry @ Registry::Oci { host, .. }) => {
                Ok(format!("{host}/{}", registry.repository(package)))
            }
            Some(registry) => bail!(
                "{} is a filesystem registry, which keeps no signatures; a device with \
                 `trusted-keys` fetches from an OCI registry",
                registry.url()
            ),
            None => bail!("the device file names no registry"),
        }
    }

    fn session(&mut self) -> Result<&Session> {
        if self.session.is_none() {
            let registry = self
                .registry
                .as_ref()
                .context("the device file names no registry")?;
            self.session = Some(Session::open(registry, &self.packages)?);
        }
        Ok(self.session.as_ref().expect("opened above"))
    }

    /// Fetches `package@version` into `file` (and its record into `record`): refused unless the
    /// registry's content has the pinned `digest` (checked against the manifest before the
    /// content is downloaded, and against the bytes after) and, with trusted keys, a trusted
    /// key signed it.
    fn fetch_from_registry(
        &mut self,
        release: &str,
        package: &str,
        version: &str,
        digest: &str,
        file: &Path,
        record: &Path,
    ) -> Result<()> {
        let docker_reference = self.docker_reference(package).ok();
        let trusted = self.trusted.clone();
        let session = self.session()?;
        let url = session.registry().url();
        let pin_mismatch = |found: &str| {
            anyhow!(
                "{release} in {url} is refused: its content has the digest {found}, but the \
                 device file pins {digest} (the tag moved, or the pin is wrong)"
            )
        };
        let (manifest, signatures) = match session.registry() {
            Registry::Oci { .. } => {
                let served = session.signed_release(package, version)?;
                if served.layer_digest != digest {
                    return Err(pin_mismatch(&served.layer_digest));
                }
                let size = wasm_layer_size(&served.manifest);
                if size > component::DEFAULT_MAX_COMPONENT_BYTES {
                    bail!(
                        "{release} in {url} is {size} bytes, more than the {} MiB a component \
                         may be",
                        component::DEFAULT_MAX_COMPONENT_BYTES >> 20
                    );
                }
                if let (Some(trusted), Some(reference)) = (&trusted, &docker_reference) {
                    signing::verify_release(
                        release,
                        reference,
                        &served.manifest,
                        digest,
                        &served.signatures,
                        trusted,
                    )?;
                }
                (
                    String::from_utf8(served.manifest)
                        .map_err(|_| anyhow!("the manifest of {release} is not UTF-8 text"))?,
                    served.signatures,
                )
            }
            Registry::Local { .. } => {
                // A filesystem registry with trusted keys is refused by `Supplier::new`.
                let found = session
                    .digest(package, &version.parse().context("a version x.y.z")?)?
                    .ok_or_else(|| anyhow!("there is no {release} in {url}"))?;
                if found != digest {
                    return Err(pin_mismatch(&found));
                }
                (String::new(), Vec::new())
            }
        };
        let bytes = session.fetch(package, version)?;
        let found = digest_of(&bytes);
        if found != digest {
            return Err(pin_mismatch(&found));
        }
        if !bytes.starts_with(b"\0asm") || !wasmparser::Parser::is_component(&bytes) {
            bail!("{release} in {url} is not a WebAssembly component");
        }
        let text = serde_json::to_vec_pretty(&ReleaseRecord {
            release: release.to_string(),
            manifest,
            signatures,
        })?;
        // The record first: a component file is only ever there with its record.
        wasi_hal_registry::write_atomically(record, &text, false)?;
        wasi_hal_registry::write_atomically(file, &bytes, false)?;
        tracing::info!(%release, %digest, "fetched from {url}");
        Ok(())
    }

    /// The composition of `pieces` (the app, then its plugs), from the cache when the same
    /// pieces were composed before.
    fn compose(&mut self, place: &str, pieces: &[PathBuf]) -> Result<PathBuf> {
        let mut key = Sha256::new();
        key.update(b"wasi-hal compose: app, plugs\n");
        for piece in pieces {
            let (bytes, kind) = component::read(piece, component::DEFAULT_MAX_COMPONENT_BYTES)
                .with_context(|| place.to_string())?;
            if kind != FileKind::Component {
                bail!(
                    "{place}: {} is precompiled machine code; a composition is made of \
                     components (.wasm)",
                    piece.display()
                );
            }
            key.update(digest_of(&bytes).as_bytes());
            key.update(b"\n");
        }
        let key = hex(&key.finalize());
        let dir = self.dir(place)?.to_path_buf();
        let prefix = format!("composed-{key}-");
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let Some(hex) = name
                    .strip_prefix(&prefix)
                    .and_then(|rest| rest.strip_suffix(".wasm"))
                else {
                    continue;
                };
                let path = entry.path();
                match component::read(&path, component::DEFAULT_MAX_COMPONENT_BYTES) {
                    Ok((bytes, _)) if digest_of(&bytes) == format!("sha256:{hex}") => {
                        self.used.insert(path.clone());
                        return Ok(path);
                    }
                    _ => {
                        tracing::warn!("{place}: {} is damaged; composing again", path.display());
                        let _ = std::fs::remove_file(&path);
                    }
                }
            }
        }
        let source = composition_wac(pieces.len() - 1);
        let deps: HashMap<String, PathBuf> = pieces
            .iter()
            .enumerate()
            .map(|(index, path)| (piece_package(index), path.clone()))
            .collect();
        let bytes = wasi_hal_compose::compose_source(&source, Path::new("composition.wac"), &deps)
            .map_err(|e| {
                anyhow!(
                    "{place}: its app and plugs do not compose: {}",
                    describe_compose_error(&format!("{e:#}"), pieces)
                )
            })?;
        let path = dir.join(format!(
            "{prefix}{}.wasm",
            digest_of(&bytes).trim_start_matches("sha256:")
        ));
        wasi_hal_registry::write_atomically(&path, &bytes, false)?;
        self.used.insert(path.clone());
        Ok(path)
    }

    /// What [`Pruner::prune`] needs: the folder and the files used (the registry session is
    /// closed here, on the thread that opened it).
    pub(crate) fn into_pruner(self) -> Pruner {
        Pruner {
            dir: self.dir,
            used: self.used,
        }
    }
}

/// Deletes what a device file no longer uses from its supply cache folder.
pub(crate) struct Pruner {
    dir: Option<PathBuf>,
    used: BTreeSet<PathBuf>,
}

impl Pruner {
    /// Deletes every file of the device's cache folder that its device file does not use.
    pub(crate) fn prune(&self) {
        let Some(dir) = &self.dir else {
            return;
        };
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            // Another process's temporary file is its own.
            if name.starts_with('.') || self.used.contains(&path) {
                continue;
            }
            match std::fs::remove_file(&path) {
                Ok(()) => {
                    tracing::info!("pruned {} (no longer in the device file)", path.display())
                }
                Err(e) => tracing::warn!("cannot prune {}: {e}", path.display()),
            }
        }
    }
}

/// The package name a piece has in the generated WAC file: `device:app`, `device:plug0`, ...
fn piece_package(index: usize) -> String {
    if index == 0 {
        "device:app".to_string()
    } else {
        format!("device:plug{}", index - 1)
    }
}

/// The name of the generated WAC file in errors (they are rewritten to name the pieces).
const WAC_NAME: &str = "composition.wac";

/// The WAC text that plugs `plugs` components into an app, as `wac plug` does: each plug is
/// instantiated with its imports left open, the app with every plug's exports as arguments
/// (an import of the app that a plug exports is wired to it; an earlier plug wins), and the
/// app's exports are the composition's. One plug per line, so an error's line names the plug.
fn composition_wac(plugs: usize) -> String {
    let mut text = String::from("package device:composition;\n");
    for index in 0..plugs {
        text.push_str(&format!(
            "let plug{index} = new {} {{ ... }};\n",
            piece_package(index + 1)
        ));
    }
    text.push_str(&format!("let app = new {} {{\n", piece_package(0)));
    for index in 0..plugs {
        text.push_str(&format!("  ...plug{index},\n"));
    }
    text.push_str("  ...\n};\nexport app...;\n");
    text
}

/// A composition error, naming the piece and file it is about instead of the generated WAC
/// file's line and package names.
fn describe_compose_error(message: &str, pieces: &[PathBuf]) -> String {
    let plugs = pieces.len() - 1;
    let mut message = message.to_string();
    if let Some(rest) = message.strip_prefix(&format!("{WAC_NAME}:")) {
        let mut parts = rest.splitn(3, ':');
        let line: usize = parts.next().and_then(|l| l.parse().ok()).unwrap_or(0);
        let _column = parts.next();
        let rest = parts.next().unwrap_or_default().trim_start().to_string();
        let plug = if (2..2 + plugs).contains(&line) {
            Some(line - 2)
        } else if (3 + plugs..3 + 2 * plugs).contains(&line) {
            Some(line - 3 - plugs)
        } else {
            None
        };
        message = match plug {
            Some(index) => format!("plug[{index}] (`{}`): {rest}", pieces[index + 1].display()),
            None => format!("app (`{}`): {rest}", pieces[0].display()),
        };
    }
    // Longest names first (`device:plug10` before `device:plug1`).
    for index in (0..pieces.len()).rev() {
        message = message.replace(
            &piece_package(index),
            &format!("`{}`", pieces[index].display()),
        );
    }
    message
}

/// The size of the `application/wasm` layer an OCI manifest names (0 when it names none).
fn wasm_layer_size(manifest: &[u8]) -> u64 {
    let value: serde_json::Value = serde_json::from_slice(manifest).unwrap_or_default();
    value["layers"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|l| l["mediaType"] == "application/wasm")
        .and_then(|l| l["size"].as_u64())
        .unwrap_or(0)
}

fn read_record(path: &Path) -> Result<ReleaseRecord> {
    let mut text = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_RELEASE_RECORD_BYTES).read_to_end(&mut text))
        .with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_slice(&text).with_context(|| format!("{} is damaged", path.display()))
}

/// The device's folder name in the supply cache: its name (file-name-safe) and a hash of the
/// device file's absolute path, so two device files never share (or prune) one folder.
fn device_key(file: &DeviceFile) -> String {
    let absolute = std::fs::canonicalize(&file.path).unwrap_or_else(|_| file.path.clone());
    let hash = Sha256::digest(absolute.to_string_lossy().as_bytes());
    let name: String = file
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    format!("{name}-{}", &hex(&hash)[..16])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
