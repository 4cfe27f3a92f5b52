//! Which registry to use, and the configuration wkg needs to reach it.
//!
//! wkg (and wasm-pkg-client under it) reads one global configuration file; there is no
//! per-project registry setting. So the project writes a configuration file per registry and
//! hands it to wkg with `--config` / `WKG_CONFIG_FILE`, together with a cache folder of its own
//! (`--cache` / `WKG_CACHE_DIR`), so that two registries never share cached content.
//!
//! The configuration sends only the project's packages to the registry:
//! - the namespaces the project owns entirely (`display`, `sensor`, `wasi-hal`) as
//!   `[namespace_registries]`;
//! - the project's packages in the `wasi` namespace (`wasi:spi`, `wasi:i2c`, `wasi:gpio`,
//!   `wasi:delay`) one by one as `[package_registry_overrides]`, because that namespace is shared
//!   with upstream WASI: `wasi:config`, `wasi:io` and the rest keep resolving where wkg sends them
//!   by default.

use anyhow::{Context, Result, bail};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Namespaces shared with other publishers: the project's packages in them are routed one by one.
pub const SHARED_NAMESPACES: &[&str] = &["wasi"];

/// The registry name wkg's configuration uses for a filesystem registry (any host-like name works;
/// it only keys the configuration).
pub const LOCAL_REGISTRY_NAME: &str = "wasi-hal.local";

/// User name and password for an OCI registry with basic authentication.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user name.
    pub username: String,
    /// The password.
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<hidden>")
            .finish()
    }
}

/// A package registry: wkg's filesystem backend or an OCI registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Registry {
    /// wkg's filesystem backend: `<root>/<namespace>/<name>/<version>.wasm`. Needs no server.
    Local {
        /// The registry's folder (absolute).
        root: PathBuf,
    },
    /// An OCI distribution registry.
    Oci {
        /// `host` or `host:port`.
        host: String,
        /// Plain HTTP instead of HTTPS (a registry on this machine).
        insecure: bool,
        /// Basic-auth credentials, if the registry needs them.
        credentials: Option<Credentials>,
        /// The OCI namespace prefix the packages live under, with its trailing `/` (`myorg/` for
        /// `https://ghcr.io/myorg`), or empty: `wasi:spi` is the repository
        /// `<prefix>wasi/spi`, as wkg's registry metadata `namespacePrefix` says.
        namespace_prefix: String,
    },
}

impl Registry {
    /// Parses a registry given on a command line:
    /// - `local` is the filesystem registry at `default_local`;
    /// - `file:DIR`, or a path (`./dir`, `/abs/dir`), is a filesystem registry there;
    /// - `http://HOST[:PORT]` is an OCI registry over plain HTTP;
    /// - `https://HOST[:PORT]` or `HOST[:PORT]` is an OCI registry over HTTPS, except that
    ///   `localhost` and `127.0.0.1` without a scheme use plain HTTP (as wkg and docker do);
    /// - a path after the host (`https://ghcr.io/myorg`) is the OCI namespace prefix the packages
    ///   live under (`myorg/wasi/spi`): lower-case OCI path components separated by `/`.
    pub fn parse(spec: &str, default_local: &Path) -> Result<Self> {
        let spec = spec.trim();
        if spec.is_empty() {
            bail!(
                "the registry is empty: give `local`, a folder, or an OCI registry such as http://127.0.0.1:5000"
            );
        }
        if spec == "local" {
            return Ok(Self::local(default_local));
        }
        if let Some(dir) = spec.strip_prefix("file:") {
            return Ok(Self::local(Path::new(dir.trim_start_matches("//"))));
        }
        if spec.starts_with('/') || spec.starts_with('.') {
            return Ok(Self::local(Path::new(spec)));
        }
        let (insecure, host) = if let Some(rest) = spec.strip_prefix("http://") {
            (true, rest)
        } else if let Some(rest) = spec.strip_prefix("https://") {
            (false, rest)
        } else {
            let name = spec.split(':').next().unwrap_or_default();
            (name == "localhost" || name == "127.0.0.1", spec)
        };
        let (host, path) = host.split_once('/').unwrap_or((host, ""));
        if host.is_empty() || host.contains(char::is_whitespace) {
            bail!(
                "`{spec}` is not a registry: give `local`, a folder, or \
                 `http(s)://HOST[:PORT][/PREFIX]`"
            );
        }
        host.parse::<wasm_pkg_client::Registry>()
            .with_context(|| format!("`{host}` is not a valid registry host"))?;
        let namespace_prefix = namespace_prefix(path).with_context(|| {
            format!("`{spec}`: the path after the host is not a namespace prefix")
        })?;
        Ok(Self::Oci {
            host: host.to_string(),
            insecure,
            credentials: None,
            namespace_prefix,
        })
    }

    /// A filesystem registry in `root` (made absolute against the current folder).
    pub fn local(root: &Path) -> Self {
        let root = if root.is_absolute() {
            root.to_path_buf()
        } else {
            std::env::current_dir()
                .map(|d| d.join(root))
                .unwrap_or_else(|_| root.to_path_buf())
        };
        Self::Local { root }
    }

    /// An OCI registry over plain HTTP at `host:port` (for one on this machine).
    pub fn insecure_oci(host: &str) -> Self {
        Self::Oci {
            host: host.to_string(),
            insecure: true,
            credentials: None,
            namespace_prefix: String::new(),
        }
    }

    /// The OCI repository of `package` (`namespace:name`): `<prefix>namespace/name`. For a
    /// filesystem registry, `namespace/name`.
    pub fn repository(&self, package: &str) -> String {
        let path = package.replacen(':', "/", 1);
        match self {
            Self::Oci {
                namespace_prefix, ..
            } => format!("{namespace_prefix}{path}"),
            Self::Local { .. } => path,
        }
    }

    /// The same registry with basic-auth credentials (ignored for a filesystem registry).
    pub fn with_credentials(self, credentials: Option<Credentials>) -> Self {
        match self {
            Self::Oci {
                host,
                insecure,
                namespace_prefix,
                ..
            } => Self::Oci {
                host,
                insecure,
                credentials,
                namespace_prefix,
            },
            local => local,
        }
    }

    /// The registry as a URL, for messages: `http://127.0.0.1:5000`, `https://ghcr.io/myorg`,
    /// `file:///path/to/registry`.
    pub fn url(&self) -> String {
        match self {
            Self::Local { root } => format!("file://{}", root.display()),
            Self::Oci {
                host,
                insecure,
                namespace_prefix,
                ..
            } => format!(
                "{}://{host}{}{}",
                if *insecure { "http" } else { "https" },
                if namespace_prefix.is_empty() { "" } else { "/" },
                namespace_prefix.trim_end_matches('/')
            ),
        }
    }

    /// The registry's own URL, without a namespace prefix: where `/v2/` is.
    pub fn server_url(&self) -> String {
        match self {
            Self::Oci { host, insecure, .. } => {
                format!("{}://{host}", if *insecure { "http" } else { "https" })
            }
            Self::Local { .. } => self.url(),
        }
    }

    /// The registry's name in wkg's configuration: the OCI host, or [`LOCAL_REGISTRY_NAME`].
    pub fn wkg_name(&self) -> &str {
        match self {
            Self::Local { .. } => LOCAL_REGISTRY_NAME,
            Self::Oci { host, .. } => host,
        }
    }

    /// A file-name-safe key for this registry (for its cache and configuration folders).
    pub fn key(&self) -> String {
        let raw = match self {
            Self::Local { root } => format!("local-{}", root.display()),
            Self::Oci {
                host,
                namespace_prefix,
                ..
            } => format!("oci-{host}-{namespace_prefix}"),
        };
        raw.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect::<String>()
            .trim_matches('_')
            .to_string()
    }

    /// The text of a wkg configuration file that sends `packages` (names such as `wasi:spi`) to
    /// this registry: whole namespaces, except [`SHARED_NAMESPACES`], whose packages are routed
    /// one by one. Sorted, so the same inputs always give the same file.
    pub fn wkg_config_toml(&self, packages: &[String]) -> Result<String> {
        let name = self.wkg_name();
        let mut namespaces = std::collections::BTreeSet::new();
        let mut overrides = std::collections::BTreeSet::new();
        for package in packages {
            let package = package.split('@').next().unwrap_or_default();
            let Some((namespace, _)) = package.split_once(':') else {
                bail!("`{package}` is not a package name (namespace:name)");
            };
            if SHARED_NAMESPACES.contains(&namespace) {
                overrides.insert(package.to_string());
            } else {
                namespaces.insert(namespace.to_string());
            }
        }
        let quoted = |s: &str| toml::Value::String(s.to_string()).to_string();
        // With a namespace prefix, each route carries the registry metadata wkg would otherwise
        // read from `/.well-known/wasm-pkg/registry.json`: the OCI host and the prefix.
        let target = match self {
            Self::Oci {
                host,
                namespace_prefix,
                ..
            } if !namespace_prefix.is_empty() => format!(
                "{{ registry = {}, metadata = {{ preferredProtocol = \"oci\", oci = {{ registry = {}, namespacePrefix = {} }} }} }}",
                quoted(name),
                quoted(host),
                quoted(namespace_prefix)
            ),
            _ => quoted(name),
        };
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# wkg configuration for the wasi-hal packages in {}.\n\
             # Written by the wasi-hal tooling (`cargo xtask publish` / `cargo xtask registry-env`);\n\
             # use it with `wkg --config <this file>` or WKG_CONFIG_FILE, with a cache of its own\n\
             # (`--cache` / WKG_CACHE_DIR). Other packages resolve as wkg's defaults say.",
            self.url()
        );
        out.push_str("\n[namespace_registries]\n");
        for namespace in &namespaces {
            let _ = writeln!(out, "{} = {target}", quoted(namespace));
        }
        out.push_str("\n[package_registry_overrides]\n");
        for package in &overrides {
            let _ = writeln!(out, "{} = {target}", quoted(package));
        }
        match self {
            Self::Local { root } => {
                let _ = writeln!(out, "\n[registry.{}]\ntype = \"local\"", quoted(name));
                let _ = writeln!(
                    out,
                    "\n[registry.{}.local]\nroot = {}",
                    quoted(name),
                    quoted(&root.to_string_lossy())
                );
            }
            Self::Oci {
                insecure,
                credentials,
                ..
            } => {
                let _ = writeln!(out, "\n[registry.{}]\ntype = \"oci\"", quoted(name));
                let _ = writeln!(
                    out,
                    "\n[registry.{}.oci]\nprotocol = \"{}\"",
                    quoted(name),
                    if *insecure { "http" } else { "https" }
                );
                if let Some(c) = credentials {
                    let _ = writeln!(
                        out,
                        "auth = {{ username = {}, password = {} }}",
                        quoted(&c.username),
                        quoted(&c.password)
                    );
                }
            }
        }
        // The text must be what wasm-pkg-client reads.
        wasm_pkg_client::Config::from_toml(&out).with_context(|| {
            format!(
                "the wkg configuration written for {} is invalid",
                self.url()
            )
        })?;
        Ok(out)
    }

    /// The wasm-pkg-client configuration read from [`Registry::wkg_config_toml`]: the library
    /// sees exactly what the wkg CLI sees.
    pub fn wkg_config(&self, packages: &[String]) -> Result<wasm_pkg_client::Config> {
        let text = self.wkg_config_toml(packages)?;
        let mut config = wasm_pkg_client::Config::default();
        config.merge(wasm_pkg_client::Config::from_toml(&text)?);
        Ok(config)
    }

    /// Writes the wkg configuration for `packages` to `path`, whole or not at all; readable only
    /// by its owner when it holds credentials.
    pub fn write_wkg_config(&self, path: &Path, packages: &[String]) -> Result<()> {
        let text = self.wkg_config_toml(packages)?;
        let secret = matches!(
            self,
            Self::Oci {
                credentials: Some(_),
                ..
            }
        );
        crate::fsutil::write_atomically(path, text.as_bytes(), secret)
    }
}

/// `path` (the part of a registry URL after the host) as an OCI namespace prefix: empty, or
/// lower-case OCI path components (`[a-z0-9]+` joined by `.`, `_`, `__` or `-`) separated by `/`,
/// with a trailing `/`.
fn namespace_prefix(path: &str) -> Result<String> {
    let path = path.trim_matches('/');
    if path.is_empty() {
        return Ok(String::new());
    }
    for component in path.split('/') {
        let valid = !component.is_empty()
            && component.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
            })
            && component.starts_with(|c: char| c.is_ascii_alphanumeric())
            && component.ends_with(|c: char| c.is_ascii_alphanumeric());
        if !valid {
            bail!(
                "`{component}` is not an OCI path component (lower-case letters and digits, \
                 joined by `.`, `_` or `-`)"
            );
        }
    }
    Ok(format!("{path}/"))
}

/// Where the wkg configuration and cache for `registry` live under `base` (the project uses
/// `target/wasi-hal/registry/`): `<base>/wkg/<key>/config.toml` and `<base>/wkg/<key>/cache/`.
pub fn wkg_paths(base: &Path, registry: &Registry) -> (PathBuf, PathBuf) {
    let dir = base.join("wkg").join(registry.key());
    (dir.join("config.toml"), dir.join("cache"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packages() -> Vec<String> {
        [
            "wasi:spi",
            "wasi:gpio",
            "display:pixels",
            "wasi-hal:pmod-oled",
        ]
        .map(String::from)
        .to_vec()
    }

    #[test]
    fn registries_parse_from_the_command_line() {
        let local = Path::new("/tmp/reg");
        assert_eq!(
            Registry::parse("local", local).unwrap(),
            Registry::local(local)
        );
        assert_eq!(
            Registry::parse("http://127.0.0.1:5000", local).unwrap(),
            Registry::insecure_oci("127.0.0.1:5000")
        );
        assert_eq!(
            Registry::parse("localhost:5000", local).unwrap().url(),
            "http://localhost:5000"
        );
        assert_eq!(
            Registry::parse("ghcr.io", local).unwrap().url(),
            "https://ghcr.io"
        );
        assert_eq!(
            Registry::parse("file:/srv/reg", local).unwrap(),
            Registry::local(Path::new("/srv/reg"))
        );
        let prefixed = Registry::parse("https://ghcr.io/my-org/hal/", local).unwrap();
        assert_eq!(prefixed.url(), "https://ghcr.io/my-org/hal");
        assert_eq!(prefixed.server_url(), "https://ghcr.io");
        assert_eq!(prefixed.repository("wasi:spi"), "my-org/hal/wasi/spi");
        let err = format!(
            "{:#}",
            Registry::parse("https://ghcr.io/MyOrg", local).unwrap_err()
        );
        assert!(
            err.contains("`MyOrg` is not an OCI path component"),
            "{err}"
        );
    }

    #[test]
    fn only_the_projects_packages_go_to_the_registry() {
        let registry = Registry::insecure_oci("127.0.0.1:5000");
        let config = registry.wkg_config(&packages()).unwrap();
        let resolve = |p: &str| {
            config
                .resolve_registry(&p.parse().unwrap())
                .map(|r| r.to_string())
        };
        for ours in [
            "wasi:spi",
            "wasi:gpio",
            "display:pixels",
            "wasi-hal:anything",
        ] {
            assert_eq!(resolve(ours).as_deref(), Some("127.0.0.1:5000"), "{ours}");
        }
        // The shared `wasi` namespace keeps its default for everything else.
        assert_eq!(resolve("wasi:config").as_deref(), Some("wasi.dev"));
        assert_eq!(resolve("wasi:i2c").as_deref(), Some("wasi.dev"));
    }

    #[test]
    fn a_namespace_prefix_goes_into_the_routes_as_wkg_reads_it() {
        let registry = Registry::parse("http://127.0.0.1:5000/myorg", Path::new("/tmp")).unwrap();
        let config = registry.wkg_config(&packages()).unwrap();
        for ours in ["wasi:spi", "display:pixels", "wasi-hal:anything"] {
            let package = ours.parse().unwrap();
            let mapping = config.resolve_registry(&package).map(|r| r.to_string());
            assert_eq!(mapping.as_deref(), Some("127.0.0.1:5000"), "{ours}");
            let text = registry.wkg_config_toml(&packages()).unwrap();
            assert!(text.contains("namespacePrefix = \"myorg/\""), "{text}");
        }
    }

    #[test]
    fn the_configuration_is_deterministic_and_keeps_passwords_out_of_debug() {
        let registry =
            Registry::insecure_oci("127.0.0.1:5000").with_credentials(Some(Credentials {
                username: "hal".into(),
                password: "secret".into(),
            }));
        let mut reversed = packages();
        reversed.reverse();
        assert_eq!(
            registry.wkg_config_toml(&packages()).unwrap(),
            registry.wkg_config_toml(&reversed).unwrap()
        );
        assert!(
            registry
                .wkg_config_toml(&packages())
                .unwrap()
                .contains("protocol = \"http\"")
        );
        assert!(!format!("{registry:?}").contains("secret"));
    }
}
