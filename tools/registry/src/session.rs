//! A connection to one registry through wasm-pkg-client (the library behind wkg), with errors
//! that name the registry, the package and the version.

use crate::config::Registry;
use crate::signing::{self, Signature, SigningKey, TrustedKeys};
use anyhow::{Context, Result, anyhow, bail};
use futures_util::TryStreamExt;
use std::collections::BTreeSet;
use std::time::Duration;
use wasm_pkg_client::{Client, Error as PkgError, PackageRef, PublishOpts, Version};

/// How long a check that the registry answers may take.
const PING_TIMEOUT: Duration = Duration::from_secs(10);

/// A client for one registry, routing the given packages to it.
pub struct Session {
    registry: Registry,
    client: Client,
    runtime: tokio::runtime::Runtime,
}

impl Session {
    /// A session with `registry` for `packages` (names such as `wasi:spi`; see
    /// [`Registry::wkg_config_toml`]). Checks that the registry answers (and accepts the
    /// credentials, when it asks for basic authentication) before anything else.
    pub fn open(registry: &Registry, packages: &[String]) -> Result<Self> {
        let config = registry.wkg_config(packages)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("failed to start the async runtime")?;
        let session = Self {
            registry: registry.clone(),
            client: Client::new(config),
            runtime,
        };
        session.ping()?;
        Ok(session)
    }

    /// The registry.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Checks that the registry is there: the folder of a filesystem registry, or an OCI
    /// registry's `/v2/` endpoint.
    fn ping(&self) -> Result<()> {
        match &self.registry {
            Registry::Local { .. } => Ok(()),
            Registry::Oci { credentials, .. } => {
                let url = format!("{}/v2/", self.registry.server_url());
                let registry_url = self.registry.url();
                self.runtime.block_on(async {
                    let client = http_client()?;
                    let mut request = client.get(&url);
                    if let Some(c) = credentials {
                        request = request.basic_auth(&c.username, Some(&c.password));
                    }
                    let response = request.send().await.map_err(|e| {
                        anyhow!("the registry {registry_url} does not answer ({url}: {})", error_chain(&e))
                    })?;
                    let basic_challenge = response
                        .headers()
                        .get("www-authenticate")
                        .and_then(|v| v.to_str().ok())
                        .is_some_and(|v| v.to_ascii_lowercase().starts_with("basic"));
                    match response.status().as_u16() {
                        200..=299 => Ok(()),
                        401 if basic_challenge => match credentials {
                            Some(c) => bail!(
                                "the registry {registry_url} rejected the credentials of user `{}` (401 Unauthorized)",
                                c.username
                            ),
                            None => bail!(
                                "the registry {registry_url} needs credentials (401 Unauthorized): give a user name and password"
                            ),
                        },
                        // Token authentication: wasm-pkg-client does the exchange.
                        401 => Ok(()),
                        status => bail!("the registry {registry_url} answered {url} with HTTP {status}"),
                    }
                })
            }
        }
    }

    /// Every published version of `package`, ascending. Empty when the package is not there.
    pub fn versions(&self, package: &str) -> Result<Vec<Version>> {
        let package_ref = parse_package(package)?;
        let url = self.registry.url();
        self.runtime.block_on(async {
            match self.client.list_all_versions(&package_ref).await {
                Ok(versions) => {
                    let mut versions: Vec<Version> =
                        versions.into_iter().map(|v| v.version).collect();
                    versions.sort();
                    Ok(versions)
                }
                Err(PkgError::PackageNotFound) => Ok(Vec::new()),
                Err(e) => Err(anyhow!(
                    "cannot list the versions of {package} in {url}: {}",
                    error_chain(&e)
                )),
            }
        })
    }

    /// The content digest (`sha256:…`) of `package@version`, or `None` when that version is not
    /// published.
    pub fn digest(&self, package: &str, version: &Version) -> Result<Option<String>> {
        if !self.versions(package)?.contains(version) {
            return Ok(None);
        }
        let package_ref = parse_package(package)?;
        let release = self
            .runtime
            .block_on(self.client.get_release(&package_ref, version))
            .map_err(|e| {
                anyhow!(
                    "cannot read {package}@{version} from {}: {}",
                    self.registry.url(),
                    error_chain(&e)
                )
            })?;
        Ok(Some(release.content_digest.to_string()))
    }

    /// The bytes of `package@version`, checked against the digest the registry lists for it.
    pub fn fetch(&self, package: &str, version: &str) -> Result<Vec<u8>> {
        let url = self.registry.url();
        let package_ref = parse_package(package)?;
        let version: Version = version
            .parse()
            .with_context(|| format!("`{version}` is not a version (x.y.z)"))?;
        let versions = self.versions(package)?;
        if versions.is_empty() {
            bail!("there is no package {package} in {url}");
        }
        if !versions.contains(&version) {
            bail!(
                "there is no version {version} of {package} in {url} (it has {})",
                versions
                    .iter()
                    .map(|v| v.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        self.runtime
            .block_on(async {
                let release = self.client.get_release(&package_ref, &version).await?;
                let stream = self.client.stream_content(&package_ref, &release).await?;
                let chunks: Vec<bytes::Bytes> = stream.try_collect().await?;
                Ok::<_, PkgError>(chunks.concat())
            })
            .map_err(|e| {
                anyhow!(
                    "cannot fetch {package}@{version} from {url}: {}",
                    error_chain(&e)
                )
            })
    }

    /// Publishes `bytes` as `package@version`, after wasm-pkg-client's checks: the version must
    /// not exist, and the release must be semver-compatible with its neighbours on the same
    /// track.
    pub fn publish(&self, package: &str, version: &str, bytes: Vec<u8>) -> Result<()> {
        let url = self.registry.url();
        let package_ref = parse_package(package)?;
        let parsed: Version = version
            .parse()
            .with_context(|| format!("`{version}` is not a version (x.y.z)"))?;
        // wasm-pkg-client's filesystem backend writes the file in place; for that backend the
        // client only makes its checks (a dry run) and the file is then written whole here.
        let local_file = match &self.registry {
            Registry::Local { root } => Some(
                root.join(package_ref.namespace().to_string())
                    .join(package_ref.name().to_string())
                    .join(format!("{version}.wasm")),
            ),
            Registry::Oci { .. } => None,
        };
        let options = PublishOpts {
            package: Some((package_ref, parsed)),
            dry_run: local_file.is_some(),
            ..PublishOpts::default()
        };
        let data = Box::pin(std::io::Cursor::new(bytes.clone()));
        self.runtime
            .block_on(self.client.publish_release_data(data, options))
            .map(|_| ())
            .map_err(|e| match e {
                PkgError::SemverIncompatible {
                    previous,
                    new,
                    source,
                } => anyhow!(
                    "{package}@{new} is refused by {url}: it is not compatible with the published \
                     {package}@{previous} ({source:#}); a breaking change needs a new track \
                     (0.y -> 0.(y+1), or a major bump from 1.0; see docs/versioning.md)"
                ),
                PkgError::VersionAlreadyExists(..) => anyhow!(
                    "{package}@{version} is already published in {url}; a published version never \
                     changes: publish a new version"
                ),
                other => anyhow!(
                    "publishing {package}@{version} to {url} failed: {}",
                    error_chain(&other)
                ),
            })?;
        if let Some(path) = local_file {
            crate::fsutil::write_atomically(&path, &bytes, false)?;
        }
        Ok(())
    }

    /// The packages (`namespace:name`) the registry holds: the folders of a filesystem registry,
    /// or an OCI registry's repository catalog (`/v2/_catalog`) as `namespace/name`.
    pub fn list_packages(&self) -> Result<BTreeSet<String>> {
        match &self.registry {
            Registry::Local { root } => {
                let mut packages = BTreeSet::new();
                let namespaces = match std::fs::read_dir(root) {
                    Ok(entries) => entries,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(packages),
                    Err(e) => {
                        return Err(e).with_context(|| format!("cannot list {}", root.display()));
                    }
                };
                for namespace in namespaces {
                    let namespace = namespace?;
                    if !namespace.file_type()?.is_dir() {
                        continue;
                    }
                    for name in std::fs::read_dir(namespace.path())? {
                        let name = name?;
                        if name.file_type()?.is_dir() {
                            packages.insert(format!(
                                "{}:{}",
                                namespace.file_name().to_string_lossy(),
                                name.file_name().to_string_lossy()
                            ));
                        }
                    }
                }
                Ok(packages)
            }
            Registry::Oci {
                credentials,
                namespace_prefix,
                ..
            } => {
                let registry_url = self.registry.server_url();
                self.runtime.block_on(async {
                    #[derive(serde::Deserialize)]
                    struct Catalog {
                        repositories: Vec<String>,
                    }
                    const PAGE: usize = 1000;
                    let client = http_client()?;
                    let mut repositories: Vec<String> = Vec::new();
                    // Page by page: the registry answers at most PAGE names at a time.
                    loop {
                        let mut url = format!("{registry_url}/v2/_catalog?n={PAGE}");
                        if let Some(last) = repositories.last() {
                            url.push_str(&format!("&last={last}"));
                        }
                        let mut request = client.get(&url);
                        if let Some(c) = credentials {
                            request = request.basic_auth(&c.username, Some(&c.password));
                        }
                        let response = request.send().await.map_err(|e| {
                            anyhow!(
                                "the registry {registry_url} does not answer ({url}: {})",
                                error_chain(&e)
                            )
                        })?;
                        let status = response.status();
                        if !status.is_success() {
                            bail!(
                                "the registry {registry_url} does not list its repositories ({url}: HTTP {status})"
                            );
                        }
                        let page: Catalog = response
                            .json()
                            .await
                            .with_context(|| format!("{url} did not answer with a repository list"))?;
                        let full = page.repositories.len() >= PAGE;
                        repositories.extend(page.repositories);
                        if !full {
                            break;
                        }
                    }
                    // Under a namespace prefix only its repositories are the registry's packages.
                    Ok(repositories
                        .iter()
                        .filter_map(|r| r.strip_prefix(namespace_prefix.as_str()))
                        .filter_map(|r| {
                            let (namespace, name) = r.rsplit_once('/')?;
                            let namespace = namespace.rsplit('/').next()?;
                            Some(format!("{namespace}:{name}"))
                        })
                        .collect())
                })
            }
        }
    }
}

fn parse_package(package: &str) -> Result<PackageRef> {
    package
        .parse()
        .with_context(|| format!("`{package}` is not a package name (namespace:name)"))
}

fn http_client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(PING_TIMEOUT)
        .build()
        .context("failed to build an HTTP client")
}

/// An error and its causes on one line.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

impl Session {
    /// Publishes the component `bytes` as `package@version`.
    ///
    /// wasm-pkg-client 0.16.1 (and so `wkg publish`) cannot publish a component: it reads the
    /// package name and version from the decoded component before it applies the name given to
    /// it, and a decoded component is always the unversioned `root:component`. So components
    /// take the path wasm-pkg-client's backends take after their checks (an OCI push with the
    /// same manifest and annotations, or the file of the filesystem backend), and the checks are
    /// made here as wasm-pkg-client makes them for WIT packages: the version must not exist, and
    /// the component must be semver-compatible with its published neighbours on the same track.
    pub fn publish_component(&self, package: &str, version: &str, bytes: Vec<u8>) -> Result<()> {
        let url = self.registry.url();
        let parsed: Version = version
            .parse()
            .with_context(|| format!("`{version}` is not a version (x.y.z)"))?;
        let published = self.versions(package)?;
        if published.contains(&parsed) {
            bail!(
                "{package}@{version} is already published in {url}; a published version never \
                 changes: publish a new version"
            );
        }
        for neighbour in crate::semver::neighbours(&published, &parsed) {
            let theirs = self.fetch(package, &neighbour.to_string())?;
            let (older, newer) = if neighbour < parsed {
                ((&theirs, &neighbour), (&bytes, &parsed))
            } else {
                ((&bytes, &parsed), (&theirs, &neighbour))
            };
            crate::semver::check_components(older.0, newer.0).map_err(|e| {
                anyhow!(
                    "{package}@{version} is refused by {url}: {package}@{} and {package}@{} are \
                     not compatible ({e:#}); a breaking change needs a new track (0.y -> \
                     0.(y+1), or a major bump from 1.0; see docs/versioning.md)",
                    older.1,
                    newer.1
                )
            })?;
        }
        match &self.registry {
            Registry::Local { root } => {
                let package_ref = parse_package(package)?;
                let path = root
                    .join(package_ref.namespace().to_string())
                    .join(package_ref.name().to_string())
                    .join(format!("{version}.wasm"));
                crate::fsutil::write_atomically(&path, &bytes, false)
            }
            Registry::Oci {
                host,
                insecure,
                credentials,
                ..
            } => {
                let package_ref = parse_package(package)?;
                self.runtime
                    .block_on(push_component(
                        host,
                        *insecure,
                        credentials.as_ref(),
                        &self.registry.repository(package),
                        &package_ref,
                        version,
                        bytes,
                    ))
                    .map_err(|e| anyhow!("publishing {package}@{version} to {url} failed: {e:#}"))
            }
        }
    }
}

/// An OCI push of a component, as wasm-pkg-client's OCI publisher makes it: one
/// `application/wasm` layer titled `<name>.wasm`, the wasm config, and the annotations from the
/// component's metadata.
async fn push_component(
    host: &str,
    insecure: bool,
    credentials: Option<&crate::config::Credentials>,
    repository: &str,
    package: &PackageRef,
    version: &str,
    bytes: Vec<u8>,
) -> Result<()> {
    use oci_client::annotations as a;
    let payload = wasm_metadata::Payload::from_binary(&bytes)?;
    let meta = payload.metadata();
    let (config, mut layer) = oci_wasm::WasmConfig::from_raw_component(bytes, None)?;
    layer.annotations = Some(
        [(
            a::ORG_OPENCONTAINERS_IMAGE_TITLE.to_string(),
            format!("{}.wasm", package.name()),
        )]
        .into(),
    );
    let mut annotations = std::collections::BTreeMap::from([(
        a::ORG_OPENCONTAINERS_IMAGE_VERSION.to_string(),
        version.to_string(),
    )]);
    let mut put = |key: &str, value: Option<String>| {
        if let Some(v) = value {
            annotations.insert(key.to_string(), v);
        }
    };
    put(
        a::ORG_OPENCONTAINERS_IMAGE_DESCRIPTION,
        meta.description.as_ref().map(|d| d.to_string()),
    );
    put(
        a::ORG_OPENCONTAINERS_IMAGE_LICENSES,
        meta.licenses.as_ref().map(|d| d.to_string()),
    );
    put(
        a::ORG_OPENCONTAINERS_IMAGE_SOURCE,
        meta.source.as_ref().map(|d| d.to_string()),
    );
    put(
        a::ORG_OPENCONTAINERS_IMAGE_URL,
        meta.homepage.as_ref().map(|d| d.to_string()),
    );
    put(
        a::ORG_OPENCONTAINERS_IMAGE_AUTHORS,
        meta.authors.as_ref().map(|d| d.to_string()),
    );
    let client = oci_client::Client::new(oci_client::client::ClientConfig {
        protocol: if insecure {
            oci_client::client::ClientProtocol::Http
        } else {
            oci_client::client::ClientProtocol::Https
        },
        ..Default::default()
    });
    let client = oci_wasm::WasmClient::new(client);
    let reference = oci_client::Reference::with_tag(
        host.to_string(),
        repository.to_string(),
        version.to_string(),
    );
    let auth = match credentials {
        Some(c) => oci_client::secrets::RegistryAuth::Basic(c.username.clone(), c.password.clone()),
        None => oci_client::secrets::RegistryAuth::Anonymous,
    };
    client
        .push(&reference, &auth, layer, config, Some(annotations))
        .await?;
    Ok(())
}

/// Signatures: signing a published release, and fetching a release only when a trusted key
/// signed it (see [`crate::signing`] and docs/registry.md, "Signatures").
impl Session {
    /// An OCI client, the credentials and the host of this registry; an error for a filesystem
    /// registry, which keeps no signatures.
    fn oci_client(
        &self,
    ) -> Result<(
        oci_client::Client,
        oci_client::secrets::RegistryAuth,
        String,
    )> {
        let Registry::Oci {
            host,
            insecure,
            credentials,
            ..
        } = &self.registry
        else {
            bail!(
                "{} is a filesystem registry: signatures are kept in OCI registries only \
                 (see docs/registry.md, \"Signatures\")",
                self.registry.url()
            );
        };
        let client = oci_client::Client::new(oci_client::client::ClientConfig {
            protocol: if *insecure {
                oci_client::client::ClientProtocol::Http
            } else {
                oci_client::client::ClientProtocol::Https
            },
            ..Default::default()
        });
        let auth = match credentials {
            Some(c) => {
                oci_client::secrets::RegistryAuth::Basic(c.username.clone(), c.password.clone())
            }
            None => oci_client::secrets::RegistryAuth::Anonymous,
        };
        Ok((client, auth, host.clone()))
    }

    /// The image name a signature of `package` names: `HOST/REPOSITORY`.
    pub fn docker_reference(&self, package: &str) -> String {
        match &self.registry {
            Registry::Oci { host, .. } => format!("{host}/{}", self.registry.repository(package)),
            Registry::Local { .. } => self.registry.repository(package),
        }
    }

    /// The release `package@version` as the registry serves it: its manifest digest, the digest
    /// of its `application/wasm` layer, and the signatures stored for that manifest.
    pub fn signed_release(&self, package: &str, version: &str) -> Result<SignedRelease> {
        let (client, auth, host) = self.oci_client()?;
        let repository = self.registry.repository(package);
        let release = format!("{package}@{version}");
        let url = self.registry.url();
        self.runtime.block_on(async {
            let reference =
                oci_client::Reference::with_tag(host.clone(), repository.clone(), version.into());
            let (raw, served_digest) = client
                .pull_manifest_raw(
                    &reference,
                    &auth,
                    &[
                        oci_client::manifest::OCI_IMAGE_MEDIA_TYPE,
                        oci_client::manifest::IMAGE_MANIFEST_MEDIA_TYPE,
                    ],
                )
                .await
                .map_err(|e| anyhow!("cannot read {release} from {url}: {}", error_chain(&e)))?;
            // The digest is that of the bytes received, whatever a header said.
            let manifest_digest = crate::sha256_digest(&raw);
            if !served_digest.is_empty() && served_digest != manifest_digest {
                bail!(
                    "{release} in {url}: the registry says its manifest is {served_digest}, \
                     but the manifest received is {manifest_digest}"
                );
            }
            let layer_digest =
                signing::wasm_layer_digest(&raw).with_context(|| format!("{release} in {url}"))?;
            let signatures = read_signatures(&client, &auth, &host, &repository, &manifest_digest)
                .await
                .with_context(|| format!("cannot read the signatures of {release} in {url}"))?;
            Ok(SignedRelease {
                manifest: raw.to_vec(),
                manifest_digest,
                layer_digest,
                signatures,
            })
        })
    }

    /// Signs the published `package@version` with `key`: a simple-signing payload for its
    /// manifest digest, added as a layer to the image under the tag `sha256-<hex>.sig` (the
    /// signatures already there are kept). Nothing is pushed when a valid signature by `key` is
    /// already there. Returns the manifest digest signed.
    pub fn sign(&self, package: &str, version: &str, key: &SigningKey) -> Result<String> {
        let release = self.signed_release(package, version)?;
        let reference = self.docker_reference(package);
        let ours = TrustedKeys::new(vec![key.public_key()]);
        let name = format!("{package}@{version}");
        if signing::verify(
            &name,
            &reference,
            &release.manifest_digest,
            &release.signatures,
            &ours,
        )
        .is_ok()
        {
            return Ok(release.manifest_digest);
        }
        let signature = key.sign(&reference, &release.manifest_digest);
        let mut signatures = release.signatures.clone();
        signatures.push(signature);
        self.store_signatures(package, version, &release.manifest_digest, &signatures)?;
        Ok(release.manifest_digest)
    }

    /// Stores `signatures` as the signatures of the manifest `manifest_digest` of `package`
    /// (the image under the tag `sha256-<hex>.sig`, one layer per signature), replacing what
    /// that tag held. `version` names the release in errors. [`Session::sign`] adds to the
    /// signatures this way; tests use it to store signatures that do not fit.
    pub fn store_signatures(
        &self,
        package: &str,
        version: &str,
        manifest_digest: &str,
        signatures: &[Signature],
    ) -> Result<()> {
        let name = format!("{package}@{version}");
        let (client, auth, host) = self.oci_client()?;
        let repository = self.registry.repository(package);
        let url = self.registry.url();
        let mut layers: Vec<oci_client::client::ImageLayer> = signatures
            .iter()
            .map(|s| {
                oci_client::client::ImageLayer::new(
                    s.payload.clone(),
                    signing::SIMPLE_SIGNING_MEDIA_TYPE.to_string(),
                    Some(
                        [(
                            signing::SIGNATURE_ANNOTATION.to_string(),
                            s.signature.clone(),
                        )]
                        .into(),
                    ),
                )
            })
            .collect();
        layers.dedup_by(|a, b| a.data == b.data && a.annotations == b.annotations);
        let config = oci_client::client::Config::new(
            b"{}".to_vec(),
            oci_client::manifest::IMAGE_CONFIG_MEDIA_TYPE.to_string(),
            None,
        );
        let tag = signing::signature_tag(manifest_digest);
        self.runtime
            .block_on(async {
                let target = oci_client::Reference::with_tag(host, repository, tag);
                client.push(&target, &layers, config, &auth, None).await
            })
            .map_err(|e| {
                anyhow!(
                    "cannot store the signature of {name} in {url}: {}",
                    error_chain(&e)
                )
            })?;
        Ok(())
    }

    /// The bytes of `package@version`, only when one of `trusted` signed the manifest the
    /// registry serves for it, and the bytes are those that manifest names. An unsigned release,
    /// one signed by no trusted key, and one whose content changed after it was signed are
    /// errors naming the release and the reason.
    pub fn fetch_verified(
        &self,
        package: &str,
        version: &str,
        trusted: &TrustedKeys,
    ) -> Result<Vec<u8>> {
        let name = format!("{package}@{version}");
        let release = self.signed_release(package, version)?;
        signing::verify(
            &name,
            &self.docker_reference(package),
            &release.manifest_digest,
            &release.signatures,
            trusted,
        )?;
        let bytes = self.fetch(package, version)?;
        let digest = crate::sha256_digest(&bytes);
        if digest != release.layer_digest {
            bail!(
                "{name} is refused: the signed manifest names the content {}, but {} was fetched",
                release.layer_digest,
                digest
            );
        }
        Ok(bytes)
    }
}

/// A release as the registry serves it, with its signatures.
#[derive(Clone, Debug)]
pub struct SignedRelease {
    /// Its OCI manifest, as served (JSON): what [`signing::verify_release`] checks offline.
    pub manifest: Vec<u8>,
    /// The digest of its OCI manifest (what a signature covers).
    pub manifest_digest: String,
    /// The digest of its `application/wasm` layer (the release's bytes).
    pub layer_digest: String,
    /// The signatures stored under `sha256-<hex>.sig`, in layer order; empty when there is none.
    pub signatures: Vec<Signature>,
}

/// The signatures in the image `<repository>:sha256-<hex>.sig`, or none when there is no such tag.
async fn read_signatures(
    client: &oci_client::Client,
    auth: &oci_client::secrets::RegistryAuth,
    host: &str,
    repository: &str,
    manifest_digest: &str,
) -> Result<Vec<Signature>> {
    use oci_client::errors::{OciDistributionError as E, OciErrorCode};
    let reference = oci_client::Reference::with_tag(
        host.to_string(),
        repository.to_string(),
        signing::signature_tag(manifest_digest),
    );
    let manifest = match client.pull_image_manifest(&reference, auth).await {
        Ok((manifest, _)) => manifest,
        Err(E::ImageManifestNotFoundError(_)) => return Ok(Vec::new()),
        Err(E::RegistryError { envelope, .. })
            if envelope.errors.iter().any(|e| {
                matches!(
                    e.code,
                    OciErrorCode::ManifestUnknown | OciErrorCode::NotFound
                )
            }) =>
        {
            return Ok(Vec::new());
        }
        Err(e) => return Err(anyhow!("{}", error_chain(&e))),
    };
    let mut signatures = Vec::new();
    for layer in &manifest.layers {
        if layer.media_type != signing::SIMPLE_SIGNING_MEDIA_TYPE {
            continue;
        }
        let Some(signature) = layer
            .annotations
            .as_ref()
            .and_then(|a| a.get(signing::SIGNATURE_ANNOTATION))
        else {
            continue;
        };
        // A payload is a few hundred bytes; a larger layer is not one.
        if layer.size > 64 * 1024 {
            bail!(
                "the signature layer {} is {} bytes, too large for a payload",
                layer.digest,
                layer.size
            );
        }
        let mut payload = Vec::new();
        client
            .pull_blob(&reference, layer, &mut payload)
            .await
            .map_err(|e| anyhow!("{}", error_chain(&e)))?;
        signatures.push(Signature {
            payload,
            signature: signature.clone(),
        });
    }
    Ok(signatures)
}
