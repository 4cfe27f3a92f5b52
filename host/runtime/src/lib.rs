//! The wasi-hal device runtime: everything one device runs, as its device file
//! (`wasi-hal-device-file`) says, on one board.
//!
//! [`Device::load`] reads the device file and its board, builds the board once, and reads,
//! checks and compiles every component (through the precompiled [`cache`]): its imports
//! against what it was granted ([`check_imports`] on the board narrowed to its grants), its
//! exports against its kind. [`Device::run`] then runs them all on one async Wasmtime engine
//! on one thread:
//!
//! - every component in its own [`Store`](wasmtime::Store), with its own
//!   [`StoreLimits`](wasmtime::StoreLimits) (its `memory-limit`) and its own
//!   [`WasiHalCtx`](wasi_hal_linker::WasiHalCtx) holding only the names it was granted
//!   ([`grants`]): opening anything else is `not-found`, enforced in the host;
//! - preempted through the epoch: every tick a running guest yields to the others
//!   (`epoch_deadline_callback` with a yield), so one that spins cannot hold the thread;
//! - time is a [`Clock`]: real time on hardware; on a simulated board virtual time (tokio's
//!   paused clock: it jumps ahead when every component waits), in which a preempted guest is
//!   charged virtual CPU time, so a spinning guest moves time on instead of stalling it
//!   (docs/runtime.md);
//! - a component that fails (traps, breaks its memory limit, or its `run` returns an error) is
//!   dropped with its store, which puts its GPIO outputs back to their safe levels and releases
//!   its devices, and is restarted with exponential backoff up to a limit per window, then
//!   marked failed ([`supervisor`]);
//! - a sensor component is opened once and `measure()`d every poll period; each measurement
//!   becomes [`Reading`]s, kept in a bounded history per component and sent to subscribers
//!   ([`Device::subscribe`]);
//! - guest stdout and stderr become `tracing` lines tagged with the component, rate-limited
//!   ([`output`]);
//! - with a `[telemetry]` table, every reading also goes to the fleet's MQTT broker and the
//!   commands the device file authorises come back to the components ([`telemetry`]);
//! - [`status`] is what `wasi-hal status` shows, served over HTTP on 127.0.0.1 ([`server`]).
//!
//! Before that, [`fetch`] turns each component's source into a file: a `path`, a registry
//! reference fetched into the device's supply cache (pinned by digest, signed by a trusted key
//! when the device names trusted keys), or an app with its plugs composed with
//! `wasi-hal-compose`.
//!
//! The modules `wasi-hal run` shares with it live here too: [`component`] (reading a component
//! file with a size bound), [`cache`] (the precompiled cache), the import checks
//! ([`check_imports`]), [`compile`] and [`deserialize_precompiled`].

pub mod cache;
pub mod clock;
pub mod commands;
pub mod component;
mod device;
pub mod fetch;
pub mod grants;
mod guest;
mod imports;
pub mod instantiate;
pub mod output;
pub mod readings;
pub mod server;
pub mod status;
pub mod supervisor;
pub mod telemetry;

pub use clock::Clock;
pub use device::{Control, Device, UpOptions};
pub use imports::{
    ImportName, OFFERED, OfferedPackage, Provider, UnsatisfiedImport, board_entries, check_imports,
    host_lacks, not_a_command, offered_summary, provider_of,
};
pub use readings::Reading;
pub use status::{ComponentState, ComponentStatus, DeviceStatus};

use anyhow::{Result, anyhow, bail};
use std::path::Path;
use wasmtime::Engine;
use wasmtime::component::Component;

/// Compiles a component's bytes (read from `path`); errors say what is wrong with it.
pub fn compile(engine: &Engine, path: &Path, bytes: &[u8]) -> Result<Component> {
    Component::new(engine, bytes).map_err(|e| {
        // Wasmtime's validator says what is malformed; that much is worth passing on.
        anyhow!(
            "{} is not a valid component: {}",
            path.display(),
            e.root_cause()
        )
    })
}

/// Loads machine code precompiled by `wasi-hal compile` (or `wasmtime compile` with the same
/// settings) that a user handed over. It is trusted as `wasmtime run --allow-precompiled`
/// trusts it; what is checked first is that it is Wasmtime's precompiled *component* and was
/// made for this engine (Wasmtime version, machine, settings).
pub fn deserialize_precompiled(engine: &Engine, path: &Path, bytes: &[u8]) -> Result<Component> {
    match Engine::detect_precompiled(bytes) {
        Some(wasmtime::Precompiled::Component) => {}
        Some(wasmtime::Precompiled::Module) => bail!(
            "{} is a precompiled core module, not a precompiled component",
            path.display()
        ),
        None => bail!(
            "{} is an ELF file but not one Wasmtime precompiled (make one with `wasi-hal \
             compile COMPONENT -o OUT.cwasm`)",
            path.display()
        ),
    }
    // SAFETY: the file is Wasmtime's precompiled component (checked just above); the user
    // handed it over explicitly as code to run, which is the trust `wasmtime run` gives a
    // precompiled file. Wasmtime checks its version and the engine's settings before using it.
    unsafe { Component::deserialize(engine, bytes) }.map_err(|e| {
        anyhow!(
            "{} was precompiled for another engine than this run's (another Wasmtime version, \
             another kind of machine, or other settings: --interpreter, --max-memory-mib); \
             compile it again with `wasi-hal compile` ({})",
            path.display(),
            e.root_cause()
        )
    })
}

/// The names a compiled component imports and exports.
pub fn compiled_shape(engine: &Engine, component: &Component) -> component::Shape {
    let ty = component.component_type();
    component::Shape {
        imports: ty.imports(engine).map(|(n, _)| n.to_string()).collect(),
        exports: ty.exports(engine).map(|(n, _)| n.to_string()).collect(),
        largest_initial_memory: 0,
    }
}
