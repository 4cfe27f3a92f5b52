//! The device file as data: what [`DeviceFile::load`](crate::DeviceFile::load) returns.

use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;
use wasi_hal_board_file::{BoardFile, Location};

/// A parsed and checked device file, with the board file it names.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceFile {
    /// The file it came from.
    pub path: PathBuf,
    /// `device.name`: the node's name in logs, readings and telemetry.
    pub name: String,
    /// `device.board`, resolved against the device file's folder.
    pub board_path: PathBuf,
    /// The board file, loaded and checked.
    pub board: BoardFile,
    /// `[component.NAME]` tables, in file order.
    pub components: Vec<ComponentEntry>,
    /// `[telemetry]`: the MQTT broker the device reports to; `None` reports nowhere.
    pub telemetry: Option<TelemetryEntry>,
    /// `[device] registry`, `trusted-keys` and `allow-unsigned-paths`: where `registry`
    /// components are fetched from, and whose signatures they need.
    pub supply: Supply,
}

/// Where registry components come from and which signatures a device requires
/// (`docs/device-file.md`, "Registry components and signatures").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Supply {
    /// `registry`: the registry `registry = "ns:name@x.y.z"` references are fetched from, as
    /// written (`http://HOST:PORT[/PREFIX]`, `https://HOST[/PREFIX]`, or a folder, resolved
    /// against the device file's folder when relative). `None`: no registry.
    pub registry: Option<String>,
    /// Where `registry` is written in the device file.
    pub registry_at: Location,
    /// `trusted-keys`: public key files (PEM), resolved against the device file's folder. When
    /// any is given, every registry component must be signed by one of them.
    pub trusted_keys: Vec<PathBuf>,
    /// Where `trusted-keys` is written in the device file.
    pub trusted_keys_at: Location,
    /// `allow-unsigned-paths`: with trusted keys, `path` components (which carry no signature)
    /// are refused unless this is `true`.
    pub allow_unsigned_paths: bool,
}

impl DeviceFile {
    /// The component named `name`.
    pub fn component(&self, name: &str) -> Option<&ComponentEntry> {
        self.components.iter().find(|c| c.name == name)
    }
}

/// One `[component.NAME]` table.
#[derive(Clone, Debug, PartialEq)]
pub struct ComponentEntry {
    /// The table's name: the component's name in logs, status and readings.
    pub name: String,
    /// Where its code comes from.
    pub source: ComponentSource,
    /// How it runs.
    pub kind: ComponentKind,
    /// The board names it may open (`grants`).
    pub grants: Vec<Grant>,
    /// `wasi:config` values (`[component.NAME.config]`), after the board's `[config]`. Numbers
    /// and booleans are kept as their TOML text.
    pub config: BTreeMap<String, String>,
    /// `memory-limit`: the most linear memory its instance may have, in bytes.
    pub memory_limit: u64,
    /// `[component.NAME.restart]`.
    pub restart: RestartPolicy,
    /// `commands`: the fleet's commands it is authorised to receive (docs/fleet.md); it must
    /// then export `wasi-hal:commands/handler`.
    pub commands: Vec<String>,
    /// Where its table starts in the device file.
    pub location: Location,
}

/// Where a component's code comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComponentSource {
    /// `path = "..."`: a component file (or a precompiled `.cwasm`), resolved against the device
    /// file's folder.
    Path(PathBuf),
    /// `registry = "ns:name@x.y.z"` with `digest = "sha256:..."`: a package version in the
    /// registry, refused unless its content has that digest.
    Registry {
        /// `ns:name`.
        package: String,
        /// `x.y.z`.
        version: String,
        /// `sha256:` and 64 lowercase hex digits.
        digest: String,
    },
    /// `app = {...}` with `plug = [{...}, ...]`: an app and the components plugged into its
    /// imports (its drivers), each a `Path` or a `Registry` reference, composed by the runtime
    /// as `wac plug` does: every import of the app that a plug exports is wired to that plug's
    /// export.
    Composed {
        /// `app`: the component whose imports the plugs fill.
        app: Box<ComponentSource>,
        /// `plug`: the components plugged in, in file order.
        plugs: Vec<ComponentSource>,
    },
}

impl ComponentSource {
    /// The pieces this source is made of: itself, or the app and its plugs of a composition.
    pub fn pieces(&self) -> Vec<&ComponentSource> {
        match self {
            ComponentSource::Composed { app, plugs } => {
                std::iter::once(app.as_ref()).chain(plugs.iter()).collect()
            }
            piece => vec![piece],
        }
    }
}

/// How the runtime runs a component.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComponentKind {
    /// `kind = "app"`: it exports `wasi:cli/run`, which the runtime calls.
    App,
    /// `kind = "sensor"`: it exports `sensor:environment/environment`; the runtime opens the
    /// sensor once and calls `measure()` every `poll-every`.
    Sensor {
        /// `poll-every`.
        poll_every: Duration,
    },
    /// `kind = "handler"`: it exports `wasi-hal:commands/handler`; the runtime instantiates it
    /// once and calls it for each of its `commands` that arrives from the fleet.
    Handler,
}

/// One entry of `grants`: a board name, or one address of an I2C bus.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Grant {
    /// The board's virtual name (an SPI device, an I2C bus, a GPIO line).
    pub name: String,
    /// `"BUS@0xAA"`: only this address of the I2C bus `name`. `None`: all of the name.
    pub address: Option<u8>,
}

impl std::fmt::Display for Grant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.address {
            Some(address) => write!(f, "{}@{address:#04x}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// What happens when a component fails (traps, breaks a limit, or its `run` returns an
/// error).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RestartPolicy {
    /// `policy = "never"`: it stays failed.
    Never,
    /// `policy = "on-failure"`: restarted after a backoff, up to a limit per window.
    OnFailure(Backoff),
}

/// Exponential backoff between restarts, and how many restarts a window allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// `initial-backoff`: the wait before the first restart.
    pub initial: Duration,
    /// `max-backoff`: waits double after each failure up to this.
    pub max: Duration,
    /// `limit`: the most restarts within one `window`; one more failure marks it failed.
    pub limit: u32,
    /// `window`: the time over which restarts are counted.
    pub window: Duration,
}

impl Default for Backoff {
    /// 1 s, doubling to 1 min, at most 5 restarts in 10 min.
    fn default() -> Self {
        Self {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(60),
            limit: 5,
            window: Duration::from_secs(600),
        }
    }
}

impl Backoff {
    /// The wait before restart number `n` (from 1): `initial` doubled `n - 1` times, at most
    /// `max`.
    pub fn delay(&self, n: u32) -> Duration {
        let doublings = n.saturating_sub(1).min(32);
        self.initial
            .saturating_mul(1u32 << doublings.min(31))
            .min(self.max)
    }
}

/// The `[telemetry]` table: the MQTT broker the device reports its readings to and takes its
/// commands from (docs/fleet.md). The broker keys are `wasi_hal_telemetry::BrokerConfig`'s; a
/// key left out takes that crate's default.
#[derive(Clone, Debug, PartialEq)]
pub struct TelemetryEntry {
    /// `url`: `mqtt://host[:port]` or `mqtts://host[:port]`.
    pub url: String,
    /// `username`.
    pub username: Option<String>,
    /// `password` (with `username`).
    pub password: Option<String>,
    /// `ca-cert`, resolved against the device file's folder.
    pub ca_cert: Option<PathBuf>,
    /// `client-cert`, resolved against the device file's folder.
    pub client_cert: Option<PathBuf>,
    /// `client-key`, resolved against the device file's folder.
    pub client_key: Option<PathBuf>,
    /// `keep-alive-s`: seconds.
    pub keep_alive_s: Option<u64>,
    /// `queue`: readings kept while the broker is away.
    pub queue: Option<usize>,
    /// `node`: the device's name in the fleet; `device.name` when left out.
    pub node: Option<String>,
    /// `discovery`: whether Home Assistant discovery messages are sent (default `true`).
    pub discovery: bool,
    /// Where the table starts.
    pub location: Location,
    /// Where each key's value is, by key.
    pub locations: BTreeMap<String, Location>,
}

impl TelemetryEntry {
    /// Where the value of `key` is (the table's start when the key is not in the file).
    pub fn location_of(&self, key: &str) -> Location {
        self.locations.get(key).copied().unwrap_or(self.location)
    }
}
