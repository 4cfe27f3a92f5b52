//! The `wasi-hal` command as a library: run a component on a board.
//!
//! [`run`] loads a component, checks that the board can satisfy every import, links WASI 0.2,
//! `wasi:config` and the wasi-hal host crates (`wasi:spi`, `wasi:i2c`, `wasi:gpio`,
//! `wasi:delay`) with contexts from the board, runs the component's `wasi:cli/run` export under
//! memory and watchdog limits, and saves what the simulated displays showed.
//!
//! Exit codes of the command: 0 when the guest returned `ok`, 1 when it returned `err`, 2 when
//! the run could not start (bad file, bad board, unsatisfied imports), 3 when the guest trapped
//! or broke a limit; a run stopped from the live view ends with 0 for `q` and 130 for Ctrl-C
//! ([`Outcome::Stopped`], docs/play.md).

pub mod cache;
mod imports;
mod interrupt;
mod limits;
mod live;
mod outputs;

pub use imports::{Provider, UnsatisfiedImport, check_imports};
pub use interrupt::StopReason;
pub use limits::Limits;
pub use live::{DEFAULT_KEYS, HOLD};

use anyhow::{Context, Result, anyhow};
use std::path::{Path, PathBuf};
use wasi_hal_board::{Board, GuestCtx};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{
    Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store, StoreLimits,
};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_config::{WasiConfig, WasiConfigVariables};

/// What to run and how.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// The component file.
    pub component: PathBuf,
    /// The board file.
    pub board: PathBuf,
    /// Pace virtual time to the wall clock, for watching.
    pub realtime: bool,
    /// Passed to the guest as `--frames N`: apps stop after N frames.
    pub frames: Option<u64>,
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
    /// More arguments for the guest, after `--frames`.
    pub guest_args: Vec<String>,
    /// Run the guest in Wasmtime's portable interpreter (Pulley) instead of compiling it to
    /// machine code, for hosts where no JIT is allowed.
    pub interpreter: bool,
    /// The folder of the precompiled-component cache ([`cache`]); `None` compiles every time.
    pub cache: Option<PathBuf>,
}

/// How a run ended.
#[derive(Debug)]
pub enum Outcome {
    /// The guest's `run` returned `ok`.
    Success,
    /// The guest's `run` returned `err`.
    GuestError,
    /// The guest trapped or broke a limit; the message says why.
    Trapped(String),
    /// The run was stopped from outside the guest: `q` or Ctrl-C in the live view.
    Stopped(StopReason),
}

impl Outcome {
    /// The command's exit code for this outcome.
    pub fn exit_code(&self) -> i32 {
        match self {
            Outcome::Success => 0,
            Outcome::GuestError => 1,
            Outcome::Trapped(_) => 3,
            Outcome::Stopped(StopReason::Quit) => 0,
            Outcome::Stopped(StopReason::Interrupt) => 130,
        }
    }
}

/// The store's data: WASI, the board's per-guest contexts, config and limits.
pub struct HostState {
    table: ResourceTable,
    wasi: WasiCtx,
    hal: GuestCtx,
    config: WasiConfigVariables,
    limits: StoreLimits,
    watchdog: limits::Watchdog,
    stop: interrupt::StopFlag,
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
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
    wasmtime_wasi::p2::add_to_linker_sync(linker)?;
    wasmtime_wasi_config::add_to_linker(linker, |s: &mut HostState| WasiConfig::from(&s.config))?;
    wasi_hal_spi::add_to_linker(linker, |s| wasi_hal_spi::WasiSpiView {
        ctx: &mut s.hal.spi,
        table: &mut s.table,
    })?;
    wasi_hal_i2c::add_to_linker(linker, |s| wasi_hal_i2c::WasiI2cView {
        ctx: &mut s.hal.i2c,
        table: &mut s.table,
    })?;
    wasi_hal_gpio::add_to_linker(linker, |s| wasi_hal_gpio::WasiGpioView {
        ctx: &mut s.hal.gpio,
        table: &mut s.table,
    })?;
    wasi_hal_delay::add_to_linker(linker, |s| wasi_hal_delay::WasiDelayView {
        ctx: &mut s.hal.delay,
        table: &mut s.table,
    })?;
    Ok(())
}

/// The bytes of a component file, with errors that say what is wrong with it.
fn component_bytes(path: &Path) -> Result<Vec<u8>> {
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => anyhow!("component file {} not found", path.display()),
        _ => anyhow!("cannot read component file {}: {e}", path.display()),
    })?;
    if !bytes.starts_with(b"\0asm") {
        return Err(anyhow!(
            "{} is not a WebAssembly file (it does not start with the `\\0asm` magic)",
            path.display()
        ));
    }
    if !wasmparser::Parser::is_component(&bytes) {
        return Err(anyhow!(
            "{} is a core WebAssembly module, not a component: build it for wasm32-wasip2 or \
             wrap it with `wasm-tools component new`",
            path.display()
        ));
    }
    Ok(bytes)
}

/// Reads a component file, with errors that say what is wrong with it.
pub fn read_component(engine: &Engine, path: &Path) -> Result<Component> {
    load_component(engine, path, None).map(|(component, _)| component)
}

/// Reads a component file and compiles it, or loads it precompiled from the cache folder
/// `cache` ([`cache::load_or_compile`]); says which.
pub fn load_component(
    engine: &Engine,
    path: &Path,
    cache: Option<&Path>,
) -> Result<(Component, cache::Source)> {
    let bytes = component_bytes(path)?;
    match cache {
        Some(dir) => cache::load_or_compile(engine, path, &bytes, dir),
        None => Component::new(engine, &bytes)
            .map(|c| (c, cache::Source::Compiled))
            .map_err(anyhow::Error::from)
            .with_context(|| format!("{} is not a valid component", path.display())),
    }
}

/// Runs `options.component` on `options.board` and saves the requested outputs.
///
/// Errors are problems before the guest runs (files, board, imports); what the guest did is the
/// [`Outcome`]. Outputs are saved in both cases when the guest ran.
pub fn run(options: &RunOptions) -> Result<Outcome> {
    let engine = engine_with(&EngineOptions {
        interpreter: options.interpreter,
        max_memory_bytes: options.limits.max_memory_bytes,
    })?;
    let (component, _) = load_component(&engine, &options.component, options.cache.as_deref())?;
    let mut board = Board::load(&options.board).map_err(|e| anyhow!("{e}"))?;
    if options.realtime {
        board.set_realtime();
    }

    let unsatisfied = check_imports(&engine, &component, &board);
    if !unsatisfied.is_empty() {
        let mut message = format!(
            "{} has imports the board {} cannot satisfy:",
            options.component.display(),
            options.board.display()
        );
        for u in &unsatisfied {
            message.push_str(&format!("\n  - {}: {}", u.import, u.hint));
        }
        return Err(anyhow!(message));
    }

    let mut linker = Linker::new(&engine);
    add_to_linker(&mut linker)?;
    let pre = linker
        .instantiate_pre(&component)
        .map_err(anyhow::Error::from)
        .and_then(|pre| {
            wasmtime_wasi::p2::bindings::sync::CommandPre::new(pre).map_err(anyhow::Error::from)
        })
        .with_context(|| format!("cannot link {}", options.component.display()))?;

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

    let mut config = WasiConfigVariables::new();
    for (key, value) in board
        .file()
        .config
        .iter()
        .chain(options.config.iter().map(|(k, v)| (k, v)))
    {
        config.insert(key, value);
    }

    let stop = interrupt::StopFlag::new(&engine);
    let outputs = outputs::Outputs::new(&board, options, &stop)?;
    let mut hal = board.guest_ctx();
    if let Some(sampler) = outputs.sampler() {
        // Each wait of the guest is a frame boundary: sample the displays there.
        hal.delay.set_observer(std::sync::Arc::new(move |_now| {
            sampler.lock().unwrap_or_else(|e| e.into_inner()).sample();
        }));
    }

    let state = HostState {
        table: ResourceTable::new(),
        wasi,
        hal,
        config,
        limits: options.limits.store_limits(),
        watchdog: limits::Watchdog::new(options.limits.watchdog),
        stop,
    };
    let mut store = Store::new(&engine, state);
    store.limiter(|s| &mut s.limits);
    let _ticker = limits::install(&engine, &mut store);

    let result = (|| -> Result<Result<(), ()>> {
        let command = pre
            .instantiate(&mut store)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("failed to instantiate {}", options.component.display()))?;
        Ok(command.wasi_cli_run().call_run(&mut store)?)
    })();
    // Dropping the store drops the guest's contexts: devices are released and every GPIO output
    // goes back to its safe level, whether the guest returned or trapped.
    drop(store);
    let outcome = match result {
        Ok(Ok(())) => Outcome::Success,
        Ok(Err(())) => Outcome::GuestError,
        Err(e) => match e.downcast_ref::<interrupt::Stopped>() {
            Some(stopped) => Outcome::Stopped(stopped.0),
            None => Outcome::Trapped(format!("{e:#}")),
        },
    };
    outputs.finish(&board)?;
    Ok(outcome)
}
