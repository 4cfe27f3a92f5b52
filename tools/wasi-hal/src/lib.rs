//! The `wasi-hal` command as a library: run a component on a board.
//!
//! [`run`] checks the output paths, reads the component with a size bound ([`component`]),
//! checks without compiling that this host and the board can satisfy every import
//! ([`check_imports`]), that it exports `wasi:cli/run` ([`not_a_command`]) and that its memories
//! fit the memory limit, compiles it or loads it from the checked [`cache`] (or takes a
//! precompiled file), links WASI 0.2, `wasi:config` and the wasi-hal host crates (`wasi:spi`,
//! `wasi:i2c`, `wasi:gpio`, `wasi:delay`) with contexts from the board, runs the component's
//! `wasi:cli/run` export under memory and watchdog limits and the run's bounds (`--frames`,
//! `--max-time`, a [`StopRequest`] from a signal), puts every GPIO output back to its safe
//! level, and saves what the simulated displays showed.
//!
//! Exit codes of the command, as [`Outcome::exit_code`] gives them: 0 when the guest returned
//! `ok`, called `exit(0)`, or was stopped after `--frames`; `n` when it called
//! `exit-with-code(n)`; 1 when its `run` returned `err`; 2 when the run could not start (bad
//! file, bad board, unsatisfied imports, an output path that cannot be written) or an output
//! could not be saved; 3 when the guest trapped or broke a limit; 124 at `--max-time`; 130 and
//! 143 when interrupted by SIGINT and SIGTERM. docs/cli.md has the full list.

mod limits;
mod live;
mod outputs;
pub mod signals;
pub mod status_client;

// Reading components, the import checks and the precompiled cache are shared with
// `wasi-hal up` (the device runtime): one copy, in `wasi-hal-runtime`.
pub use limits::{Limits, StopReason, StopRequest};
pub use live::{DEFAULT_KEYS, HOLD};
pub use wasi_hal_runtime::{
    ImportName, OFFERED, OfferedPackage, Provider, UnsatisfiedImport, board_entries, cache,
    check_imports, compile, component, deserialize_precompiled, host_lacks, not_a_command,
    offered_summary, provider_of,
};

use anyhow::{Result, anyhow, bail};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use wasi_hal_board::Board;
use wasi_hal_linker::{WasiHalCtx, WasiHalCtxView, WasiHalView};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store};
use wasmtime_wasi::{I32Exit, WasiCtx, WasiCtxView, WasiView};

/// What to run and how.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// The component file.
    pub component: PathBuf,
    /// The board file.
    pub board: PathBuf,
    /// Pace virtual time to the wall clock, for watching.
    pub realtime: bool,
    /// Passed to the guest as `--frames N`, and enforced by the host: the guest is stopped when
    /// the simulated displays would show an (N+1)-th frame.
    pub frames: Option<u64>,
    /// The longest the run may go on: simulated time on a simulated board, wall time with
    /// `realtime` or on real hardware.
    pub max_time: Option<Duration>,
    /// Every pixel of screenshots and recordings as a square this wide (at least 1).
    pub scale: u32,
    /// The largest component file read, in bytes.
    pub max_component_bytes: u64,
    /// Stops the guest from outside (a signal handler); the run ends as at any other stop.
    pub stop: Arc<StopRequest>,
    /// Save the last image of each simulated display here (PNG).
    pub screenshot: Option<PathBuf>,
    /// Save the whole run of each simulated display here (`.gif`, `.png`/`.apng`).
    pub record: Option<PathBuf>,
    /// Save every bus transaction and GPIO edge here (JSON lines).
    pub trace: Option<PathBuf>,
    /// Draw the simulated displays in the terminal while running, and read the keyboard
    /// (docs/play.md).
    pub live_view: bool,
    /// The live view's key map: (`KEY`, `BUTTON`) pairs, a key name (`up`, `down`, `left`,
    /// `right`, `space`, `enter`, or a letter or digit other than `q`) and a button part of the
    /// board. Empty: [`DEFAULT_KEYS`], arrows and WASD on the buttons `up`, `down`, `left` and
    /// `right`.
    pub keys: Vec<(String, String)>,
    /// Memory and CPU limits.
    pub limits: Limits,
    /// `wasi:config` values for the guest (`key`, `value`), after the board's own.
    pub config: Vec<(String, String)>,
    /// More arguments for the guest, after `--frames N`.
    pub guest_args: Vec<String>,
    /// Run the guest in Wasmtime's portable interpreter (Pulley) instead of compiling it to
    /// machine code, for hosts where no JIT is allowed.
    pub interpreter: bool,
    /// The folder of the precompiled-component cache ([`cache`]); `None` compiles every time.
    pub cache: Option<PathBuf>,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            component: PathBuf::new(),
            board: PathBuf::new(),
            realtime: false,
            frames: None,
            max_time: None,
            scale: 1,
            max_component_bytes: component::DEFAULT_MAX_COMPONENT_BYTES,
            stop: Arc::default(),
            screenshot: None,
            record: None,
            trace: None,
            live_view: false,
            keys: Vec::new(),
            limits: Limits::default(),
            config: Vec::new(),
            guest_args: Vec::new(),
            interpreter: false,
            cache: None,
        }
    }
}

/// How a run ended.
#[derive(Debug)]
pub enum Outcome {
    /// The guest's `run` returned `ok`, or the guest called `exit(0)`.
    Success,
    /// The guest called `exit` with a code other than 0 (`exit(err)` is 1).
    Exit(i32),
    /// The guest's `run` returned `err`.
    GuestError,
    /// The guest trapped; the message says why (with the guest's backtrace).
    Trapped(String),
    /// The guest broke a limit (memory, watchdog); the message says which.
    LimitExceeded(String),
    /// The host stopped the guest (`--frames`, `--max-time`, a signal).
    Stopped(StopReason),
}

impl Outcome {
    /// The command's exit code for this outcome.
    pub fn exit_code(&self) -> i32 {
        match self {
            Outcome::Success => 0,
            Outcome::Exit(code) => *code,
            Outcome::GuestError => 1,
            Outcome::Trapped(_) | Outcome::LimitExceeded(_) => 3,
            Outcome::Stopped(StopReason::Frames(_)) => 0,
            Outcome::Stopped(StopReason::MaxTime(_)) => 124,
            Outcome::Stopped(StopReason::Interrupt) => 130,
            Outcome::Stopped(StopReason::Terminate) => 143,
            Outcome::Stopped(StopReason::Quit) => 0,
        }
    }
}

/// What a run gave: how the guest ended, and the outputs that could not be saved.
#[derive(Debug)]
pub struct RunReport {
    /// How the guest ended.
    pub outcome: Outcome,
    /// Frames the simulated displays showed (0 without a simulated display).
    pub frames: u64,
    /// One error per output (`--screenshot`, `--record`, `--trace`) that could not be saved.
    pub output_errors: Vec<anyhow::Error>,
}

impl RunReport {
    /// The command's exit code: the outcome's, or 2 when the guest succeeded but an output
    /// could not be saved.
    pub fn exit_code(&self) -> i32 {
        match self.outcome.exit_code() {
            0 if !self.output_errors.is_empty() => 2,
            code => code,
        }
    }
}

/// The store's data: WASI, the board's per-guest contexts and config values, and limits.
pub struct HostState {
    table: ResourceTable,
    wasi: WasiCtx,
    hal: WasiHalCtx,
    limits: limits::MemoryLimit,
    watchdog: limits::Watchdog,
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHalView for HostState {
    fn hal(&mut self) -> WasiHalCtxView<'_> {
        WasiHalCtxView {
            ctx: &mut self.hal,
            table: &mut self.table,
        }
    }
}

/// How the engine of a run compiles and allocates guests.
#[derive(Clone, Copy, Debug)]
pub struct EngineOptions {
    /// Run guests in Wasmtime's portable interpreter (Pulley) instead of machine code.
    pub interpreter: bool,
    /// Largest linear memory a guest may grow to: the size of the pooling allocator's slots.
    pub max_memory_bytes: usize,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            interpreter: false,
            max_memory_bytes: Limits::default().max_memory_bytes,
        }
    }
}

/// The Pulley target of this host: the interpreter's bytecode has the host's pointer width
/// and byte order.
pub fn pulley_target() -> &'static str {
    match (
        cfg!(target_pointer_width = "64"),
        cfg!(target_endian = "big"),
    ) {
        (true, false) => "pulley64",
        (true, true) => "pulley64be",
        (false, false) => "pulley32",
        (false, true) => "pulley32be",
    }
}

/// The engine of a run with the default [`EngineOptions`]: machine code, 64 MiB memories.
pub fn engine() -> Result<Engine> {
    engine_with(&EngineOptions::default())
}

/// The engine of a run: component model on, epoch interruption for the watchdog, and the
/// pooling allocator, so instantiating a composed app takes memory slots reserved once
/// instead of mapping each of its memories and tables anew. The pool is sized for one app
/// with its drivers (a composition has a handful of core instances and memories).
pub fn engine_with(options: &EngineOptions) -> Result<Engine> {
    let mut config = Config::new();
    config.wasm_component_model(true);
    config.epoch_interruption(true);
    if options.interpreter {
        config.target(pulley_target())?;
    }
    let mut pool = PoolingAllocationConfig::new();
    pool.total_component_instances(4)
        .total_core_instances(64)
        .max_core_instances_per_component(64)
        .total_memories(16)
        .max_memories_per_component(16)
        .total_tables(64)
        .max_tables_per_component(64)
        // A 32-bit linear memory cannot pass 4 GiB, which is also the most a slot reserves.
        .max_memory_size(options.max_memory_bytes.min(4 << 30));
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    Ok(Engine::new(&config)?)
}

/// Adds every interface the host offers to `linker`.
pub fn add_to_linker(linker: &mut Linker<HostState>) -> Result<()> {
    wasi_hal_linker::add_to_linker_sync(linker)
}

/// Reads a component file, with errors that say what is wrong with it.
pub fn read_component(engine: &Engine, path: &Path) -> Result<Component> {
    load_component(engine, path, None).map(|(component, _)| component)
}

/// Reads a component file (bounded by [`component::DEFAULT_MAX_COMPONENT_BYTES`]) and
/// compiles it, or loads it precompiled from the cache folder `cache`
/// ([`cache::load_or_compile`]); says which.
pub fn load_component(
    engine: &Engine,
    path: &Path,
    cache: Option<&Path>,
) -> Result<(Component, cache::Source)> {
    let (bytes, kind) = component::read(path, component::DEFAULT_MAX_COMPONENT_BYTES)?;
    match kind {
        component::FileKind::Component => compile_or_load(engine, path, &bytes, cache),
        component::FileKind::Precompiled => Ok((
            deserialize_precompiled(engine, path, &bytes)?,
            cache::Source::Compiled,
        )),
    }
}

fn compile_or_load(
    engine: &Engine,
    path: &Path,
    bytes: &[u8],
    cache: Option<&Path>,
) -> Result<(Component, cache::Source)> {
    match cache {
        Some(dir) => cache::load_or_compile(engine, path, bytes, dir),
        None => compile(engine, path, bytes).map(|c| (c, cache::Source::Compiled)),
    }
}

/// Loads what `options.component` names, with every check that can be made before linking:
/// imports this host and `board` satisfy, a command (exports `wasi:cli/run`), initial memories
/// within the memory limit.
fn prepare(engine: &Engine, options: &RunOptions, board: &Board) -> Result<Component> {
    let path = &options.component;
    let (bytes, kind) = component::read(path, options.max_component_bytes)?;
    let (shape, compiled) = match kind {
        component::FileKind::Component => (component::shape(path, &bytes)?, None),
        component::FileKind::Precompiled => {
            let compiled = deserialize_precompiled(engine, path, &bytes)?;
            (
                wasi_hal_runtime::compiled_shape(engine, &compiled),
                Some(compiled),
            )
        }
    };
    let shown = path.display().to_string();
    let unsatisfied = check_imports(shape.imports.iter().map(String::as_str), board.file());
    if !unsatisfied.is_empty() {
        let mut message = if unsatisfied.iter().all(|u| u.board_is_missing_it) {
            format!(
                "{shown} has imports the board {} cannot satisfy:",
                options.board.display()
            )
        } else {
            format!("{shown} has imports that cannot be satisfied:")
        };
        for u in &unsatisfied {
            message.push_str(&format!("\n  - {}: {}", u.import, u.hint));
        }
        if unsatisfied.iter().any(|u| !u.board_is_missing_it) {
            message.push_str(&format!("\nthis host offers: {}", offered_summary()));
        }
        bail!(message);
    }
    if let Some(message) = not_a_command(&shown, &shape.exports, &shape.imports) {
        bail!(message);
    }
    let max_memory = options.limits.max_memory_bytes as u64;
    if shape.largest_initial_memory > max_memory {
        bail!(
            "the memory limit of {} MiB (--max-memory-mib) is too small for {shown}: one of its \
             memories starts at {} MiB",
            max_memory >> 20,
            shape.largest_initial_memory.div_ceil(1 << 20)
        );
    }
    match compiled {
        Some(component) => Ok(component),
        None => compile_or_load(engine, path, &bytes, options.cache.as_deref()).map(|(c, _)| c),
    }
}

/// A link error in words: the import it is about (found by name in Wasmtime's message, which
/// itself is not shown).
fn link_error(
    path: &Path,
    component: &Component,
    engine: &Engine,
    error: &anyhow::Error,
) -> anyhow::Error {
    let text = format!("{error:#}");
    let import = component
        .component_type()
        .imports(engine)
        .map(|(name, _)| name.to_string())
        .filter(|name| text.contains(name.as_str()))
        .max_by_key(String::len);
    match import {
        Some(import) => anyhow!(
            "cannot link {}: its import `{import}` has the name of an interface this host has, \
             but not the same functions or types (it was built against another definition of \
             that interface)",
            path.display()
        ),
        None => anyhow!(
            "cannot link {}: one of its imports has the name of an interface this host has, but \
             not the same functions or types",
            path.display()
        ),
    }
}

/// Runs `options.component` on `options.board` and saves the requested outputs; an output
/// that could not be saved is an error (use [`run_with_report`] to have the guest's outcome
/// either way).
pub fn run(options: &RunOptions) -> Result<Outcome> {
    let mut report = run_with_report(options)?;
    if report.output_errors.is_empty() {
        return Ok(report.outcome);
    }
    let first = report.output_errors.remove(0);
    Err(first.context(format!(
        "the guest's outcome was {:?}, but an output could not be saved",
        report.outcome
    )))
}

/// Runs `options.component` on `options.board` and saves the requested outputs.
///
/// Errors are problems before the guest runs (files, board, imports, output paths); what the
/// guest did is the [`RunReport`]'s outcome, reported whatever happens to the outputs.
pub fn run_with_report(options: &RunOptions) -> Result<RunReport> {
    if options.scale == 0 {
        bail!("--scale 0: the scale must be at least 1");
    }
    outputs::check_paths(options)?;
    let engine = engine_with(&EngineOptions {
        interpreter: options.interpreter,
        max_memory_bytes: options.limits.max_memory_bytes,
    })?;
    let mut board = Board::load(&options.board).map_err(|e| anyhow!("{e}"))?;
    if options.realtime {
        board.set_realtime();
    }
    let component = prepare(&engine, options, &board)?;

    let mut linker = Linker::new(&engine);
    add_to_linker(&mut linker)?;
    let pre = linker
        .instantiate_pre(&component)
        .map_err(anyhow::Error::from)
        .and_then(|pre| {
            wasmtime_wasi::p2::bindings::sync::CommandPre::new(pre).map_err(anyhow::Error::from)
        })
        .map_err(|e| link_error(&options.component, &component, &engine, &e))?;

    let mut args = vec![
        options
            .component
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "component".into()),
    ];
    if let Some(frames) = options.frames {
        args.extend(["--frames".to_string(), frames.to_string()]);
    }
    args.extend(options.guest_args.iter().cloned());
    let wasi = WasiCtx::builder()
        .args(&args)
        .inherit_stdout()
        .inherit_stderr()
        .build();

    let stop = options.stop.clone();
    stop.attach(&engine);
    let outputs = outputs::Outputs::new(&board, options, stop.clone())?;
    // The board's `[config]` values, then the command line's (a key given twice: the last).
    let mut hal = board.guest_ctx();
    for (key, value) in &options.config {
        hal.config.insert(key, value);
    }
    // `--max-time` is simulated time on a simulated board that is not paced to the wall clock.
    let time_bound = options.max_time.map(|limit| {
        let clock = board
            .simulated()
            .filter(|_| !options.realtime)
            .map(|sim| sim.clock().clone());
        limits::TimeBound::new(limit, clock)
    });
    let sampler = outputs.sampler();
    if sampler.is_some() || time_bound.is_some() {
        let bound = time_bound.clone();
        let stop = stop.clone();
        // Each wait of the guest is a frame boundary: sample the displays there, and check the
        // time bound (a guest that only waits never runs into an epoch check).
        hal.delay.set_observer(Arc::new(move |_now| {
            if let Some(sampler) = &sampler {
                sampler.lock().unwrap_or_else(|e| e.into_inner()).sample();
            }
            if let Some(bound) = &bound
                && bound.reached()
            {
                stop.request(StopReason::MaxTime(bound.limit));
            }
        }));
    }

    let state = HostState {
        table: ResourceTable::new(),
        wasi,
        hal,
        limits: limits::MemoryLimit::new(options.limits.max_memory_bytes),
        watchdog: limits::Watchdog::new(options.limits.watchdog, stop.clone(), time_bound),
    };
    let mut store = Store::new(&engine, state);
    store.limiter(|s| &mut s.limits);
    let ticker = limits::install(&engine, &mut store);

    // A memory image the kernel would not seal yet is built again (`wasi_hal_runtime::instantiate`).
    let instantiated =
        wasi_hal_runtime::instantiate::retry_busy_image(|| Ok(pre.instantiate(&mut store)?));
    let result = match instantiated {
        Ok(command) => command
            .wasi_cli_run()
            .call_run(&mut store)
            .map_err(anyhow::Error::from),
        // The guest's own code (a start function) may end it while it is instantiated; any
        // other failure is the host's: the guest never ran.
        Err(e) if matches!(classify(&e), Outcome::Trapped(_)) && !e.is::<wasmtime::Trap>() => {
            drop(ticker);
            drop(store);
            bail!(
                "cannot instantiate {}: {}",
                options.component.display(),
                e.root_cause()
            );
        }
        Err(e) => Err(e),
    };
    drop(ticker);
    // Dropping the store drops the guest's contexts: devices are released and every GPIO output
    // goes back to its safe level, whether the guest returned, trapped or was stopped.
    drop(store);
    let outcome = match result {
        Ok(Ok(())) => Outcome::Success,
        Ok(Err(())) => Outcome::GuestError,
        Err(e) => classify(&e),
    };
    let frames = outputs.frames();
    let output_errors = outputs.finish(&board);
    Ok(RunReport {
        outcome,
        frames,
        output_errors,
    })
}

/// The outcome of a guest that ended with an error: an exit, a stop, a limit or a trap.
fn classify(error: &anyhow::Error) -> Outcome {
    if let Some(exit) = error.downcast_ref::<I32Exit>() {
        return match exit.0 {
            0 => Outcome::Success,
            code => Outcome::Exit(code),
        };
    }
    if let Some(stopped) = error.downcast_ref::<limits::Stopped>() {
        return Outcome::Stopped(stopped.0);
    }
    if let Some(limit) = error.downcast_ref::<limits::LimitHit>() {
        return Outcome::LimitExceeded(limit.to_string());
    }
    let cause = error.root_cause().to_string();
    match error.downcast_ref::<wasmtime::WasmBacktrace>() {
        Some(backtrace) => Outcome::Trapped(format!("{cause}\n{backtrace}")),
        None => Outcome::Trapped(format!("{error:#}")),
    }
}
