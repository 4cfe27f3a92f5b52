//! A real OCI registry on this machine: the CNCF distribution registry (Debian package
//! `docker-registry`), serving plain HTTP on 127.0.0.1 with its storage in a folder of its own.
//!
//! [`DistributionRegistry::start`] writes the registry's configuration, starts
//! `docker-registry serve`, and waits until `/v2/` answers; dropping the value stops the process.
//! The tests use it; anyone who wants a registry for a while can run the same command by hand
//! (see docs/registry.md).

use crate::config::{Credentials, Registry};
use anyhow::{Context, Result, bail};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long the registry may take to answer after it starts.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// The `docker-registry` binary: `$WASI_HAL_DOCKER_REGISTRY`, else `docker-registry` on `PATH`.
pub fn binary() -> PathBuf {
    std::env::var_os("WASI_HAL_DOCKER_REGISTRY")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("docker-registry"))
}

/// A running distribution registry; stopped when dropped.
pub struct DistributionRegistry {
    child: Child,
    host: String,
    dir: PathBuf,
    credentials: Option<Credentials>,
}

impl DistributionRegistry {
    /// Starts a registry with no authentication, keeping its configuration, storage and log in
    /// `dir` (created if missing).
    pub fn start(dir: &Path) -> Result<Self> {
        Self::start_with(dir, None)
    }

    /// Starts a registry that asks for basic authentication (an htpasswd file with one user).
    pub fn start_with_credentials(dir: &Path, credentials: Credentials) -> Result<Self> {
        Self::start_with(dir, Some(credentials))
    }

    fn start_with(dir: &Path, credentials: Option<Credentials>) -> Result<Self> {
        std::fs::create_dir_all(dir.join("storage"))
            .with_context(|| format!("failed to create {}", dir.display()))?;
        let mut last_error = None;
        // Another process may take the free port between our look and the registry's bind.
        for _ in 0..3 {
            match Self::try_start(dir, credentials.clone()) {
                Ok(registry) => return Ok(registry),
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error.expect("at least one attempt"))
    }

    fn try_start(dir: &Path, credentials: Option<Credentials>) -> Result<Self> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .context("no free port on 127.0.0.1")?
            .port();
        let host = format!("127.0.0.1:{port}");
        let mut config = format!(
            "version: 0.1\n\
             log:\n  level: warn\n  accesslog:\n    disabled: true\n\
             storage:\n  filesystem:\n    rootdirectory: {storage}\n  delete:\n    enabled: true\n\
             http:\n  addr: {host}\n  secret: wasi-hal-test-registry\n",
            storage = dir.join("storage").display(),
        );
        if let Some(c) = &credentials {
            let hash = bcrypt::hash(&c.password, 4).context("failed to hash the password")?;
            let htpasswd = dir.join("htpasswd");
            std::fs::write(&htpasswd, format!("{}:{hash}\n", c.username))
                .with_context(|| format!("failed to write {}", htpasswd.display()))?;
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: wasi-hal\n    path: {}\n",
                htpasswd.display()
            ));
        }
        let config_path = dir.join("config.yml");
        std::fs::write(&config_path, config)
            .with_context(|| format!("failed to write {}", config_path.display()))?;
        let log_path = dir.join("registry.log");
        let log = std::fs::File::create(&log_path)
            .with_context(|| format!("failed to create {}", log_path.display()))?;
        let child = Command::new(binary())
            .arg("serve")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| {
                format!(
                    "cannot start {} (the Debian package docker-registry; `cargo xtask setup` \
                     installs it)",
                    binary().display()
                )
            })?;
        let mut registry = Self {
            child,
            host,
            dir: dir.to_path_buf(),
            credentials,
        };
        registry.wait_until_ready(&log_path)?;
        Ok(registry)
    }

    /// Polls `/v2/` until it answers (200, or 401 when it asks for credentials).
    fn wait_until_ready(&mut self, log: &Path) -> Result<()> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "the registry on {} exited ({status}) before answering: {}",
                    self.host,
                    std::fs::read_to_string(log).unwrap_or_default().trim()
                );
            }
            if let Ok(status) = http_status(&self.host, "/v2/")
                && (status == 200 || status == 401)
            {
                return Ok(());
            }
            if started.elapsed() > START_TIMEOUT {
                bail!(
                    "the registry on {} did not answer http://{}/v2/ within {} s: {}",
                    self.host,
                    self.host,
                    START_TIMEOUT.as_secs(),
                    std::fs::read_to_string(log).unwrap_or_default().trim()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `127.0.0.1:PORT`.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The registry, as the rest of this crate takes it (with the credentials it was started
    /// with, if any).
    pub fn registry(&self) -> Registry {
        Registry::insecure_oci(&self.host).with_credentials(self.credentials.clone())
    }

    /// Where the registry keeps its blobs and manifests.
    pub fn storage(&self) -> PathBuf {
        self.dir.join("storage")
    }
}

impl Drop for DistributionRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The HTTP status of `GET path` on `host`, over a plain TCP connection.
fn http_status(host: &str, path: &str) -> std::io::Result<u16> {
    let mut stream = TcpStream::connect_timeout(
        &host
            .parse()
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?,
        Duration::from_secs(2),
    )?;
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head)?;
    // `HTTP/1.1 200`
    std::str::from_utf8(&head[9..12])
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("not an HTTP answer"))
}
