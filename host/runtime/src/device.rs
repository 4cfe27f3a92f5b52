//! A device: its device file, its board, its components compiled, and the run of them all.

use crate::clock::Clock;
use crate::guest::{self, EPOCH_TICK};
use crate::readings::{Reading, SUBSCRIBER_BACKLOG};
use crate::status::{DeviceStatus, StatusBoard};
use crate::supervisor::{self, Prepared, Shared};
use crate::{cache, component, fetch, grants, imports};
use anyhow::{Context as _, Result, anyhow, bail};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, broadcast, watch};
use wasi_hal_board::{Backend, Board};
use wasi_hal_device_file::{ComponentEntry, ComponentKind, ComponentSource, DeviceFile};
use wasmtime::Engine;

/// How to bring a device up.
#[derive(Clone, Debug, Default)]
pub struct UpOptions {
    /// The device file.
    pub device: PathBuf,
    /// The folder of the precompiled-component cache; `None` compiles every time.
    pub cache: Option<PathBuf>,
    /// Run a simulated board in virtual time (as fast as it goes, the same every run) instead
    /// of real time. Ignored on a Linux board, which is always real time.
    pub virtual_time: bool,
    /// Stop after this long on the device's clock.
    pub max_time: Option<Duration>,
    /// Serve the status on this address (HTTP; docs/runtime.md). Only loopback addresses are
    /// allowed.
    pub status: Option<SocketAddr>,
    /// The root of the supply cache (fetched registry components and compositions, one folder
    /// per device file); `None`: [`fetch::default_dir`].
    pub supply_cache: Option<PathBuf>,
}

/// Asks a running device to stop or to reload, from another thread (a signal handler).
#[derive(Clone, Debug, Default)]
pub struct Control {
    inner: Arc<ControlInner>,
}

#[derive(Debug, Default)]
struct ControlInner {
    stop: AtomicBool,
    reload: AtomicBool,
    notify: Notify,
}

impl Control {
    /// Stops every component (outputs to their safe levels) and ends the run.
    pub fn stop(&self) {
        self.inner.stop.store(true, Ordering::SeqCst);
        self.inner.notify.notify_one();
    }

    /// Reads the device file again: components whose entry or file changed restart, the rest
    /// keep running.
    pub fn reload(&self) {
        self.inner.reload.store(true, Ordering::SeqCst);
        self.inner.notify.notify_one();
    }
}

/// A running component: how to stop it, and what it was started from.
struct Running {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    fingerprint: Fingerprint,
}

/// What decides whether a reload restarts a component.
#[derive(Clone, Debug, PartialEq)]
struct Fingerprint {
    entry: ComponentEntry,
    content: [u8; 32],
}

impl Fingerprint {
    fn of(prepared: &Prepared) -> Self {
        let mut entry = prepared.entry.clone();
        // Moving a table in the file is no change.
        entry.location = Default::default();
        Self {
            entry,
            content: prepared.content,
        }
    }
}

/// A device loaded and checked, ready to run.
pub struct Device {
    file: DeviceFile,
    board: Arc<Board>,
    engine: Engine,
    components: Vec<Prepared>,
    options: UpOptions,
    status: StatusBoard,
    readings: broadcast::Sender<Reading>,
    /// The link to the fleet's broker while running, when the file has `[telemetry]`.
    telemetry: Option<crate::telemetry::Sink>,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device")
            .field("name", &self.file.name)
            .field("components", &self.file.components.len())
            .finish_non_exhaustive()
    }
}

/// What `wasi-hal up --check` found: one line per component.
#[derive(Clone, Debug)]
pub struct CheckReport {
    /// The device's name.
    pub device: String,
    /// The board file.
    pub board: PathBuf,
    /// `NAME: kind, grants, source` per component.
    pub components: Vec<String>,
}

/// Reads a component's file (`path`: what [`fetch::Supplier`] resolved its source to) and
/// checks it against its entry and the board as the component sees it; compiles it when
/// `engine` is given.
fn prepare(
    file: &DeviceFile,
    entry: &ComponentEntry,
    path: &Path,
    engine: Option<&Engine>,
    cache_dir: Option<&Path>,
) -> Result<Option<Prepared>> {
    let place = format!(
        "{}:{}: component `{}`",
        file.path.display(),
        entry.location,
        entry.name
    );
    let (bytes, kind) = component::read(path, component::DEFAULT_MAX_COMPONENT_BYTES)
        .with_context(|| place.clone())?;
    if kind == component::FileKind::Precompiled && !matches!(entry.source, ComponentSource::Path(_))
    {
        // Machine code is loaded without the checks a component gets: only from a file the
        // owner of the device named.
        bail!(
            "{place}: {} is precompiled machine code, which is run only from a `path`",
            path.display()
        );
    }
    let precompiled = match (kind, engine) {
        (component::FileKind::Precompiled, Some(engine)) => Some(
            crate::deserialize_precompiled(engine, path, &bytes).with_context(|| place.clone())?,
        ),
        (component::FileKind::Precompiled, None) => None,
        (component::FileKind::Component, _) => None,
    };
    let shape = match (&precompiled, engine) {
        (Some(compiled), Some(engine)) => crate::compiled_shape(engine, compiled),
        _ if kind == component::FileKind::Precompiled => {
            // Checked when run; without an engine a precompiled file cannot be read.
            return Ok(None);
        }
        _ => component::shape(path, &bytes).with_context(|| place.clone())?,
    };
    let visible = grants::visible_board(&file.board, entry);
    let unsatisfied = imports::check_imports(shape.imports.iter().map(String::as_str), &visible);
    if !unsatisfied.is_empty() {
        let mut message = format!("{place} has imports that its grants cannot satisfy:");
        for u in &unsatisfied {
            message.push_str(&format!("\n  - {}: {}", u.import, u.hint));
        }
        let granted: Vec<String> = entry.grants.iter().map(ToString::to_string).collect();
        message.push_str(&format!(
            "\nit is granted: {}",
            if granted.is_empty() {
                "nothing".to_string()
            } else {
                granted.join(", ")
            }
        ));
        bail!(message);
    }
    match entry.kind {
        ComponentKind::App => {
            if let Some(message) = imports::not_a_command(&place, &shape.exports, &shape.imports) {
                bail!(message);
            }
        }
        ComponentKind::Sensor { .. } => {
            if !shape
                .exports
                .iter()
                .any(|e| e.starts_with("sensor:environment/environment@0.1"))
            {
                bail!(
                    "{place} is `kind = \"sensor\"` but does not export \
                     `sensor:environment/environment@0.1.0` (it exports: {})",
                    if shape.exports.is_empty() {
                        "nothing".to_string()
                    } else {
                        shape.exports.join(", ")
                    }
                );
            }
        }
        // Its export is checked with its `commands` just below.
        ComponentKind::Handler => {}
    }
    if let Some(message) = crate::commands::check_exports(&place, entry, &shape.exports) {
        bail!(message);
    }
    if shape.largest_initial_memory > entry.memory_limit {
        bail!(
            "{place}: its memory-limit of {} KiB is too small: one of its memories starts at {} KiB",
            entry.memory_limit >> 10,
            shape.largest_initial_memory.div_ceil(1 << 10)
        );
    }
    let Some(engine) = engine else {
        return Ok(None);
    };
    let compiled = match precompiled {
        Some(compiled) => compiled,
        None => match cache_dir {
            Some(dir) => cache::load_or_compile(engine, path, &bytes, dir)?.0,
            None => crate::compile(engine, path, &bytes)?,
        },
    };
    // The linker must take it (an import with a known name but other functions is refused
    // here, not at the first start).
    Ok(Some(Prepared {
        entry: entry.clone(),
        component: compiled,
        content: Sha256::digest(&bytes).into(),
    }))
}

/// The file of every component of `file`, in order: fetched, verified and composed as their
/// sources say ([`fetch`]), with the supply cache under `root`; and what prunes the cache to
/// them once the device file has loaded.
fn supply(file: &DeviceFile, root: Option<&Path>) -> Result<(Vec<PathBuf>, fetch::Pruner)> {
    let mut supplier = fetch::Supplier::new(file, root)?;
    let paths = file
        .components
        .iter()
        .map(|entry| supplier.component_file(entry))
        .collect::<Result<Vec<_>>>()?;
    Ok((paths, supplier.into_pruner()))
}

/// Where a component came from, for `up --check`: nothing for a file, else `, from
/// ns:name@x.y.z (sha256:0123456789ab…), signed` or `, composed: app ... + plugs ...`.
fn source_summary(source: &ComponentSource, signed: bool) -> String {
    fn piece(source: &ComponentSource, signed: bool) -> String {
        match source {
            ComponentSource::Path(path) => path.display().to_string(),
            ComponentSource::Registry {
                package,
                version,
                digest,
            } => format!(
                "{package}@{version} ({}…){}",
                &digest[..digest.len().min(19)],
                if signed { ", signed" } else { "" }
            ),
            ComponentSource::Composed { .. } => "a composition".to_string(),
        }
    }
    match source {
        ComponentSource::Path(_) => String::new(),
        ComponentSource::Registry { .. } => format!(", from {}", piece(source, signed)),
        ComponentSource::Composed { app, plugs } => format!(
            ", composed: app {} + plugs {}",
            piece(app, signed),
            plugs
                .iter()
                .map(|p| piece(p, signed))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn load_file(path: &Path) -> Result<DeviceFile> {
    DeviceFile::load(path).map_err(|e| anyhow!("{e}"))
}

impl Device {
    /// Checks the device file at `path` without compiling or running anything: the file, its
    /// board, every grant, and each component's imports and exports against its grants and
    /// kind. Registry components are fetched (or taken from the supply cache, [`fetch`]) and
    /// compositions composed, with every check of a load.
    pub fn check(path: &Path) -> Result<CheckReport> {
        Self::check_with(&UpOptions {
            device: path.to_owned(),
            ..UpOptions::default()
        })
    }

    /// [`Device::check`] with the device file and the supply cache of `options`.
    pub fn check_with(options: &UpOptions) -> Result<CheckReport> {
        let file = load_file(&options.device)?;
        crate::telemetry::options(&file)?;
        let (paths, _) = supply(&file, options.supply_cache.as_deref())?;
        let mut components = Vec::new();
        for (entry, path) in file.components.iter().zip(&paths) {
            prepare(&file, entry, path, None, None)?;
            let grants: Vec<String> = entry.grants.iter().map(ToString::to_string).collect();
            let kind = match entry.kind {
                ComponentKind::App => "app".to_string(),
                ComponentKind::Sensor { poll_every } => format!("sensor every {poll_every:?}"),
                ComponentKind::Handler => "handler".to_string(),
            };
            components.push(format!(
                "{}: {kind}, grants [{}], memory-limit {} KiB{}",
                entry.name,
                grants.join(", "),
                entry.memory_limit >> 10,
                source_summary(&entry.source, !file.supply.trusted_keys.is_empty())
            ));
        }
        Ok(CheckReport {
            device: file.name,
            board: file.board_path,
            components,
        })
    }

    /// Reads and checks the device file, builds its board, and compiles every component.
    pub fn load(options: UpOptions) -> Result<Device> {
        let file = load_file(&options.device)?;
        crate::telemetry::options(&file)?;
        if let Some(addr) = options.status
            && !addr.ip().is_loopback()
        {
            bail!("the status address {addr} is not a loopback address (use 127.0.0.1)");
        }
        let board = Board::build(file.board.clone()).map_err(|e| anyhow!("{e}"))?;
        let engine = guest::engine()?;
        let (paths, pruner) = supply(&file, options.supply_cache.as_deref())?;
        let mut components = Vec::new();
        for (entry, path) in file.components.iter().zip(&paths) {
            let prepared = prepare(&file, entry, path, Some(&engine), options.cache.as_deref())?
                .expect("compiled with an engine");
            components.push(prepared);
        }
        pruner.prune();
        let (readings, _) = broadcast::channel(SUBSCRIBER_BACKLOG);
        Ok(Device {
            file,
            board: Arc::new(board),
            engine,
            components,
            options,
            status: StatusBoard::default(),
            readings,
            telemetry: None,
        })
    }

    /// The device file as loaded.
    pub fn file(&self) -> &DeviceFile {
        &self.file
    }

    /// The board, shared with the components (its simulated parts, for tests and screens).
    pub fn board(&self) -> &Board {
        &self.board
    }

    /// Every reading from now on (a bounded channel: a receiver that falls more than
    /// [`SUBSCRIBER_BACKLOG`] behind misses the oldest).
    pub fn subscribe(&self) -> broadcast::Receiver<Reading> {
        self.readings.subscribe()
    }

    /// Whether this run is in virtual time.
    pub fn is_virtual_time(&self) -> bool {
        self.options.virtual_time && self.file.board.backend == Backend::Simulated
    }

    fn snapshot(&self, clock: &Clock, order: &[String]) -> DeviceStatus {
        DeviceStatus {
            device: self.file.name.clone(),
            board: self.file.board.name.clone(),
            uptime_ms: clock.now().as_millis() as u64,
            virtual_time: self.is_virtual_time(),
            components: self.status.snapshot(order, clock.now()),
            telemetry: self.telemetry.as_ref().and_then(|t| t.status()),
            buzzers: crate::status::buzzers(&self.board),
        }
    }

    /// Runs every component until `control` says stop or `max_time` has passed; stops them
    /// all (every GPIO output to its safe level) and gives the last status.
    pub fn run(&mut self, control: &Control) -> Result<DeviceStatus> {
        let mut builder = tokio::runtime::Builder::new_current_thread();
        builder.enable_all();
        if self.is_virtual_time() {
            builder.start_paused(true);
        }
        let runtime = builder.build().context("cannot start the async runtime")?;
        runtime.block_on(self.run_async(control))
    }

    async fn run_async(&mut self, control: &Control) -> Result<DeviceStatus> {
        let sim_clock = self.board.simulated().map(|sim| sim.clock().clone());
        let clock = Clock::start(sim_clock, self.is_virtual_time());
        let commands = self.start_telemetry()?;
        let shared = Shared {
            device: self.file.name.as_str().into(),
            engine: self.engine.clone(),
            linker: Arc::new(guest::linker(&self.engine)?),
            board: self.board.clone(),
            clock: clock.clone(),
            status: self.status.clone(),
            readings: self.readings.clone(),
            telemetry: self.telemetry.clone(),
            commands: crate::commands::Routes::default(),
        };
        let _commands = match (commands, &self.telemetry) {
            (Some(rx), Some(sink)) => Some(AbortOnDrop(tokio::spawn(crate::commands::route(
                rx,
                shared.commands.clone(),
                sink.clone(),
            )))),
            _ => None,
        };
        for prepared in &self.components {
            shared
                .linker
                .instantiate_pre(&prepared.component)
                .map_err(|e| {
                    anyhow!(
                        "cannot link component `{}`: {}",
                        prepared.entry.name,
                        e.root_cause()
                    )
                })?;
        }
        let ticker = Ticker::start(&self.engine);
        let mut order: Vec<String> = Vec::new();
        let mut running: BTreeMap<String, Running> = BTreeMap::new();
        for prepared in self.components.clone() {
            order.push(prepared.entry.name.clone());
            running.insert(prepared.entry.name.clone(), start(&shared, prepared));
        }
        let server = match self.options.status {
            Some(addr) => Some(
                crate::server::serve(addr, self.status_source(&clock, &order))
                    .await
                    .with_context(|| format!("cannot serve the status on {addr}"))?,
            ),
            None => None,
        };
        tracing::info!(device = %self.file.name, components = order.len(), "up");
        let deadline = self.options.max_time.map(|max| clock.zero() + max);
        loop {
            let timeout = async {
                match deadline {
                    Some(deadline) => clock.sleep_until(deadline).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = control.inner.notify.notified() => {}
                () = timeout => break,
            }
            if control.inner.stop.load(Ordering::SeqCst) {
                break;
            }
            if control.inner.reload.swap(false, Ordering::SeqCst) {
                match self.reload(&shared, &mut running, &mut order).await {
                    Ok(()) => {
                        if let Some(server) = &server {
                            server.set_source(self.status_source(&clock, &order));
                        }
                    }
                    Err(e) => tracing::error!("reload refused, nothing changed: {e:#}"),
                }
            }
        }
        tracing::info!(device = %self.file.name, "stopping");
        for component in running.values() {
            let _ = component.stop.send(true);
        }
        for (_, component) in std::mem::take(&mut running) {
            let _ = component.task.await;
        }
        drop(ticker);
        if let Some(telemetry) = &self.telemetry {
            telemetry.shutdown().await;
        }
        Ok(self.snapshot(&clock, &order))
    }

    fn status_source(&self, clock: &Clock, order: &[String]) -> crate::server::StatusSource {
        let clock = clock.clone();
        let order = order.to_vec();
        let status = self.status.clone();
        let device = self.file.name.clone();
        let board = self.file.board.name.clone();
        let virtual_time = self.is_virtual_time();
        let telemetry = self.telemetry.clone();
        let board_parts = self.board.clone();
        Arc::new(move || DeviceStatus {
            device: device.clone(),
            board: board.clone(),
            uptime_ms: clock.now().as_millis() as u64,
            virtual_time,
            components: status.snapshot(&order, clock.now()),
            telemetry: telemetry.as_ref().and_then(|t| t.status()),
            buzzers: crate::status::buzzers(&board_parts),
        })
    }

    /// Reads the device file again; restarts what changed, starts what is new, stops what is
    /// gone. A file that does not load, or names another board, changes nothing.
    async fn reload(
        &mut self,
        shared: &Shared,
        running: &mut BTreeMap<String, Running>,
        order: &mut Vec<String>,
    ) -> Result<()> {
        let file = load_file(&self.options.device)?;
        if file.board != self.file.board {
            bail!("the board file changed: restart the device to use another board");
        }
        crate::telemetry::options(&file)?;
        crate::telemetry::warn_if_changed(&self.file, &file);
        // Fetching may wait on the network: off the thread the components run on.
        let (paths, pruner) = {
            let file = file.clone();
            let root = self.options.supply_cache.clone();
            tokio::task::spawn_blocking(move || supply(&file, root.as_deref()))
                .await
                .context("fetching the components stopped")??
        };
        let mut prepared = Vec::new();
        for (entry, path) in file.components.iter().zip(&paths) {
            let component = prepare(
                &file,
                entry,
                path,
                Some(&self.engine),
                self.options.cache.as_deref(),
            )?
            .expect("compiled with an engine");
            shared
                .linker
                .instantiate_pre(&component.component)
                .map_err(|e| {
                    anyhow!("cannot link component `{}`: {}", entry.name, e.root_cause())
                })?;
            prepared.push(component);
        }
        pruner.prune();
        let names: Vec<String> = prepared.iter().map(|p| p.entry.name.clone()).collect();
        // Stop what is gone or changed first: their devices are released before anything new
        // opens them.
        let mut restart = Vec::new();
        for (name, component) in running.iter() {
            let new = prepared.iter().find(|p| &p.entry.name == name);
            if new.is_none_or(|p| Fingerprint::of(p) != component.fingerprint) {
                restart.push(name.clone());
            }
        }
        for name in &restart {
            if let Some(component) = running.remove(name) {
                let _ = component.stop.send(true);
                let _ = component.task.await;
                self.status.remove(name);
                tracing::info!(component = %name, "stopped for the reload");
            }
        }
        for component in &prepared {
            if !running.contains_key(&component.entry.name) {
                tracing::info!(component = %component.entry.name, "started by the reload");
                running.insert(
                    component.entry.name.clone(),
                    start(shared, component.clone()),
                );
            }
        }
        *order = names;
        self.file = file;
        self.components = prepared;
        Ok(())
    }
}

impl Device {
    /// Connects to the fleet's broker when the device file has `[telemetry]`; the commands
    /// it authorises arrive on the receiver.
    fn start_telemetry(
        &mut self,
    ) -> Result<Option<tokio::sync::mpsc::Receiver<wasi_hal_telemetry::Command>>> {
        let Some(options) = crate::telemetry::options(&self.file)? else {
            return Ok(None);
        };
        tracing::info!(node = %options.node, broker = %options.broker.url, "telemetry");
        let (sink, commands) = crate::telemetry::start(options)?;
        self.telemetry = Some(sink);
        Ok(Some(commands))
    }
}

fn start(shared: &Shared, prepared: Prepared) -> Running {
    let (stop, stop_rx) = watch::channel(false);
    let fingerprint = Fingerprint::of(&prepared);
    let task = tokio::spawn(supervisor::supervise(shared.clone(), prepared, stop_rx));
    Running {
        stop,
        task,
        fingerprint,
    }
}

/// Ends a task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Ticks the engine's epoch every [`EPOCH_TICK`] of wall time until dropped.
struct Ticker {
    done: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Ticker {
    fn start(engine: &Engine) -> Self {
        let done = Arc::new(AtomicBool::new(false));
        let engine = engine.clone();
        let flag = done.clone();
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(EPOCH_TICK);
                engine.increment_epoch();
            }
        });
        Self {
            done,
            thread: Some(thread),
        }
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
