//! Fuzz targets for what a host takes from outside: board files, component files and a guest's
//! calls. Each target is a function of a byte slice that returns `Err` with a message when an
//! invariant breaks (a panic is a failure too):
//!
//! - [`board_file`]: the bytes as a board file. Parsing gives a board or an error naming the
//!   file; a simulated board that parses also builds (or fails with an error), never a panic.
//! - [`component`]: the bytes as a component file, through what `wasi-hal run` does before it
//!   instantiates ([`wasi_hal::load_component`], [`wasi_hal::check_imports`], linking with
//!   [`wasi_hal::add_to_linker`] and the `wasi:cli/command` check): errors, never a panic.
//! - [`host_calls`]: the bytes as a script for the fuzzing guest (`test-programs-fuzz`, example
//!   `host_calls`), which decodes them into calls of `wasi:spi`, `wasi:i2c`, `wasi:gpio` and
//!   `wasi:delay` with arbitrary arguments and makes them through a real Wasmtime on the
//!   simulated board [`FUZZ_BOARD`]. Invariants: the guest never traps (it returns `ok` after any
//!   script, so a trap is a host fault); no byte goes on the wire to an I2C address the board
//!   does not list; no transaction moves more than its device's cap; after the store is dropped
//!   every output line is back at its safe level and no pin is held.
//!
//! [`driver`] runs a target over its corpus (`fuzz/corpus/<target>/`, the regression cases) and
//! then over seeded mutations for a bounded time: `fuzz/tests/fuzz.rs` does it in `cargo test`.
//! `fuzz/libfuzzer/` has the same targets for cargo-fuzz (coverage-guided, longer runs); see
//! docs/security.md.

pub mod driver;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use wasi_hal_board::{Backend, Board, BoardFile, Level};
use wasi_hal_linker::{WasiHalCtx, WasiHalCtxView, WasiHalView};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::p2::pipe::MemoryInputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

/// The file name board-file errors must name.
const BOARD_NAME: &str = "fuzz.toml";

/// The board of [`host_calls`]: two SPI devices with small caps (one with a display behind it),
/// an I2C bus listing 0x3c and 0x76 with a sensor at 0x76 and another at the unlisted 0x77,
/// outputs with each safe level, a button input and an in-out line.
pub const FUZZ_BOARD: &str = r#"
[board]
name = "fuzz"
backend = "simulated"

[spi.spi-a]
max-frequency-hz = 10_000_000
modes = ["mode0", "mode3"]
bit-orders = ["msb-first", "lsb-first"]
configurable = true
above-max = "refuse"
max-transfer-bytes = 64

[spi.spi-b]
max-frequency-hz = 1_000_000
max-transfer-bytes = 16

[i2c.i2c-a]
addresses = [0x3c, 0x76]
max-transfer-bytes = 32

[gpio.out-low]
modes = ["output"]
initial = "low"
safe = "low"

[gpio.out-high]
modes = ["output"]
initial = "high"
safe = "high"

[gpio.dc]
modes = ["output"]
initial = "low"
safe = "low"

[gpio.in-button]
modes = ["input"]

[gpio.in-out]
modes = ["input", "output"]
initial = "low"
safe = "low"

[[part]]
kind = "ssd1306"
name = "display"
panel = "128x32"
spi = "spi-a"
dc = "dc"

[[part]]
kind = "bme680"
name = "sensor"
i2c = "i2c-a"
address = 0x76

[[part]]
kind = "bme680"
name = "unlisted"
i2c = "i2c-a"
address = 0x77

[[part]]
kind = "button"
name = "button"
line = "in-button"
active = "low"
"#;

/// The board-file target. See the crate docs.
pub fn board_file(data: &[u8]) -> Result<(), String> {
    let Ok(text) = std::str::from_utf8(data) else {
        return Ok(());
    };
    match BoardFile::parse(text, BOARD_NAME) {
        Err(e) => {
            let message = e.to_string();
            if !message.starts_with(BOARD_NAME) || e.file() != Path::new(BOARD_NAME) {
                return Err(format!("the error does not name the file: {message}"));
            }
            if e.message().is_empty() {
                return Err(format!("an empty message: {message}"));
            }
            if e.location().is_none() {
                return Err(format!("an error with no line: {message}"));
            }
        }
        Ok(file) => {
            // Building a Linux board opens devices (and scans /dev for discovery): only
            // simulated boards are built here.
            if file.backend == Backend::Simulated
                && let Err(e) = Board::build(file)
                && !e.to_string().starts_with(BOARD_NAME)
            {
                return Err(format!("the build error does not name the file: {e}"));
            }
        }
    }
    Ok(())
}

/// The engine of [`component`] and [`host_calls`]: `wasi-hal run`'s.
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| wasi_hal::engine().expect("the run engine builds"))
}

/// The folder of this process where the component target writes its inputs.
fn component_dir() -> PathBuf {
    std::env::temp_dir().join(format!("wasi-hal-fuzz-{}", std::process::id()))
}

/// Removes the files the component target wrote (call when done with it).
pub fn component_cleanup() {
    let _ = std::fs::remove_dir_all(component_dir());
}

/// A file of this process and thread for the component target to write its input to.
fn component_path() -> PathBuf {
    let dir = component_dir();
    std::fs::create_dir_all(&dir).expect("cannot create the fuzz temp folder");
    let thread = format!("{:?}", std::thread::current().id());
    let thread: String = thread.chars().filter(char::is_ascii_digit).collect();
    dir.join(format!("component-{thread}.wasm"))
}

/// The component target. See the crate docs.
pub fn component(data: &[u8]) -> Result<(), String> {
    static BOARD: OnceLock<Board> = OnceLock::new();
    let board = BOARD.get_or_init(|| {
        Board::build(BoardFile::parse(FUZZ_BOARD, BOARD_NAME).expect("the fuzz board parses"))
            .expect("the fuzz board builds")
    });
    let path = component_path();
    std::fs::write(&path, data).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let engine = engine();
    let component = match wasi_hal::load_component(engine, &path, None) {
        Ok((component, _)) => component,
        Err(e) => {
            let message = format!("{e:#}");
            return if message.contains(&path.display().to_string()) {
                Ok(())
            } else {
                Err(format!("the load error does not name the file: {message}"))
            };
        }
    };
    let ty = component.component_type();
    let imports: Vec<String> = ty.imports(engine).map(|(n, _)| n.to_string()).collect();
    let exports: Vec<String> = ty.exports(engine).map(|(n, _)| n.to_string()).collect();
    // Whatever it exports, the command check gives a verdict without failing.
    let _ = wasi_hal::not_a_command(&path.display().to_string(), &exports, &imports);
    for unsatisfied in wasi_hal::check_imports(imports.iter().map(String::as_str), board.file()) {
        if unsatisfied.import.is_empty() || unsatisfied.hint.is_empty() {
            return Err(format!(
                "an unsatisfied import without a name or hint: {unsatisfied:?}"
            ));
        }
    }
    let mut linker: Linker<wasi_hal::HostState> = Linker::new(engine);
    wasi_hal::add_to_linker(&mut linker).map_err(|e| format!("add_to_linker failed: {e:#}"))?;
    if let Ok(pre) = linker.instantiate_pre(&component) {
        let _ = wasmtime_wasi::p2::bindings::sync::CommandPre::new(pre);
    }
    Ok(())
}

/// The store's data of [`host_calls`].
struct CallsHost {
    table: ResourceTable,
    wasi: WasiCtx,
    hal: WasiHalCtx,
}

impl WasiView for CallsHost {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHalView for CallsHost {
    fn hal(&mut self) -> WasiHalCtxView<'_> {
        WasiHalCtxView {
            ctx: &mut self.hal,
            table: &mut self.table,
        }
    }
}

/// The fuzzing guest, compiled once, and the linker for it.
fn calls_guest() -> &'static (Component, Linker<CallsHost>) {
    static GUEST: OnceLock<(Component, Linker<CallsHost>)> = OnceLock::new();
    GUEST.get_or_init(|| {
        let engine = engine();
        let component = Component::from_file(engine, test_programs_artifacts::FUZZ_HOST_CALLS)
            .expect("the fuzzing guest compiles");
        let mut linker = Linker::new(engine);
        wasi_hal_linker::add_to_linker_sync(&mut linker).expect("WASI and the host crates link");
        (component, linker)
    })
}

/// The I2C addresses [`FUZZ_BOARD`] lists.
const LISTED_I2C: [u8; 2] = [0x3c, 0x76];

/// Bytes one traced operation list moved on the wire.
fn wire_bytes(ops: &[wasi_hal_sim::trace::TraceOp]) -> usize {
    use wasi_hal_sim::trace::TraceOp;
    ops.iter()
        .map(|op| match op {
            TraceOp::Write { bytes } | TraceOp::Read { bytes } => bytes.len(),
            TraceOp::Transfer { written, .. } => written.len(),
            TraceOp::Delay { .. } => 0,
        })
        .sum()
}

/// The guest-calls target. See the crate docs.
pub fn host_calls(data: &[u8]) -> Result<(), String> {
    use wasi_hal_sim::TraceKind;
    let (component, linker) = calls_guest();
    let file = BoardFile::parse(FUZZ_BOARD, BOARD_NAME).expect("the fuzz board parses");
    let board = Board::build(file).expect("the fuzz board builds");
    let sim = board.simulated().expect("the fuzz board is simulated");
    sim.trace().enable();
    let host = CallsHost {
        table: ResourceTable::new(),
        wasi: WasiCtx::builder()
            .args(&["host_calls"])
            .stdin(MemoryInputPipe::new(data.to_vec()))
            .build(),
        hal: board.guest_ctx(),
    };
    let mut store = Store::new(engine(), host);
    // `wasi-hal run`'s engine interrupts on epochs; nothing advances it here.
    store.set_epoch_deadline(u64::MAX / 2);
    let result =
        wasmtime_wasi::p2::bindings::sync::Command::instantiate(&mut store, component, linker)
            .and_then(|command| command.wasi_cli_run().call_run(&mut store));
    // As at the end of `wasi-hal run`: the guest's pins go back to their safe levels.
    drop(store);
    match result {
        Ok(Ok(())) => {}
        Ok(Err(())) => return Err("the guest returned an error".into()),
        Err(e) => return Err(format!("the guest trapped: {e:?}")),
    }
    for (i, event) in sim.trace().take().iter().enumerate() {
        match &event.kind {
            TraceKind::I2c { address, ops, .. } => {
                if !LISTED_I2C.contains(address) {
                    return Err(format!(
                        "event {i}: bytes to the unlisted I2C address {address:#04x}: {event:?}"
                    ));
                }
                if wire_bytes(ops) > 32 {
                    return Err(format!(
                        "event {i}: an I2C transaction over the cap of 32 bytes: {event:?}"
                    ));
                }
            }
            TraceKind::Spi { device, ops } => {
                let cap = board
                    .file()
                    .spi
                    .get(device.as_str())
                    .map_or(0, |e| e.policy.max_transfer_bytes);
                if wire_bytes(ops) > cap as usize {
                    return Err(format!(
                        "event {i}: an SPI transaction over the cap of {cap} bytes: {event:?}"
                    ));
                }
            }
            TraceKind::Gpio { .. } | TraceKind::Pwm { .. } => {}
        }
    }
    for (name, entry) in &board.file().gpio {
        if !entry.policy.output {
            continue;
        }
        let safe = entry.policy.safe;
        let line = sim.line(name).ok_or_else(|| format!("no line {name}"))?;
        if line.is_high_now() != (safe == Level::High) {
            return Err(format!(
                "after the store was dropped, {name} is not at its safe level"
            ));
        }
        if board.pin(name).is_some_and(|p| p.is_held()) {
            return Err(format!("after the store was dropped, {name} is still held"));
        }
    }
    Ok(())
}
