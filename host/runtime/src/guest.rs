//! One component's store: its data, its limits, the engine every store shares, and the linker
//! with every interface the host offers (WASI 0.2 and `wasi:delay` async, on the device's
//! [`Clock`]).

use crate::clock::{Clock, CpuMeter};
use crate::output::{GuestOutput, LineBudget};
use anyhow::Result;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wasi_hal_linker::{WasiHalCtx, WasiHalCtxView, WasiHalView};
use wasmtime::component::{Linker, ResourceTable};
use wasmtime::{Config, Engine, ResourceLimiter, Store, StoreContextMut, UpdateDeadline};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

/// How often the engine's epoch ticks (wall clock): a guest that runs this long without waiting
/// yields to the others.
pub const EPOCH_TICK: Duration = Duration::from_millis(2);

/// The engine every component of a device shares: the component model, async support (each
/// call runs on a fiber that can yield; always on in this Wasmtime) and epoch interruption
/// (preemption). Instances are allocated on demand: a device's components differ too much in size for
/// one pool.
pub fn engine() -> Result<Engine> {
    let mut config = Config::new();
    config.wasm_component_model(true);
    config.epoch_interruption(true);
    Ok(Engine::new(&config)?)
}

/// The error a guest is ended with when it grows its memory past its `memory-limit`.
#[derive(Debug)]
pub struct MemoryLimitHit(pub String);

impl std::fmt::Display for MemoryLimitHit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MemoryLimitHit {}

/// A store's memory limit: the sum of all its linear memories (a composition has several).
#[derive(Debug)]
pub struct MemoryLimit {
    max_bytes: u64,
    total: u64,
}

impl MemoryLimit {
    /// A limit of `max_bytes` in all.
    pub fn new(max_bytes: u64) -> Self {
        Self {
            max_bytes,
            total: 0,
        }
    }
}

impl ResourceLimiter for MemoryLimit {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let total = self.total - current as u64 + desired as u64;
        if total > self.max_bytes {
            return Err(wasmtime::Error::new(MemoryLimitHit(format!(
                "memory limit: growing a linear memory to {} KiB would make {} KiB in all, more \
                 than the component's memory-limit of {} KiB",
                desired >> 10,
                total >> 10,
                self.max_bytes >> 10
            ))));
        }
        self.total = total;
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _: usize,
        desired: usize,
        _: Option<usize>,
    ) -> wasmtime::Result<bool> {
        // Tables are bounded too: a million entries is far beyond any real component.
        Ok(desired <= 1 << 20)
    }
}

/// The store's data of one component.
pub struct GuestState {
    table: ResourceTable,
    wasi: WasiCtx,
    hal: WasiHalCtx,
    limit: MemoryLimit,
    clock: Clock,
    cpu: CpuMeter,
    preemptions: Arc<AtomicU64>,
}

impl WasiView for GuestState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHalView for GuestState {
    fn hal(&mut self) -> WasiHalCtxView<'_> {
        WasiHalCtxView {
            ctx: &mut self.hal,
            table: &mut self.table,
        }
    }
}

impl GuestState {
    /// The guest runs again from now (the host calls into it after waiting itself).
    pub fn cpu_resumed(&self) {
        self.cpu.waited();
    }
}

/// The device's clock as WASI's monotonic clock, so `wasi:clocks` agrees with `wasi:delay`.
struct MonotonicClock(Clock);

impl wasmtime_wasi::HostMonotonicClock for MonotonicClock {
    fn resolution(&self) -> u64 {
        1
    }

    fn now(&self) -> u64 {
        self.0.now_ns()
    }
}

/// What a new store needs besides the engine.
pub struct StoreSetup {
    /// The component's name (for its log lines).
    pub name: Arc<str>,
    /// Its contexts (from its grants).
    pub hal: WasiHalCtx,
    /// `memory-limit`.
    pub memory_limit: u64,
    /// The device's clock.
    pub clock: Clock,
    /// Its log budget (kept across restarts).
    pub budget: Arc<Mutex<LineBudget>>,
    /// Counts its preemptions.
    pub preemptions: Arc<AtomicU64>,
}

/// A store for one instance of a component: its limits, its output, and the epoch callback
/// that makes it yield every tick (charged its virtual CPU time when time is virtual).
pub fn new_store(engine: &Engine, setup: StoreSetup) -> Result<Store<GuestState>> {
    let mut wasi = WasiCtx::builder();
    wasi.args(&[&*setup.name])
        .stdout(GuestOutput::new(
            setup.name.clone(),
            "stdout",
            setup.budget.clone(),
        ))
        .stderr(GuestOutput::new(setup.name.clone(), "stderr", setup.budget))
        .monotonic_clock(MonotonicClock(setup.clock.clone()));
    let state = GuestState {
        table: ResourceTable::new(),
        wasi: wasi.build(),
        hal: setup.hal,
        limit: MemoryLimit::new(setup.memory_limit),
        clock: setup.clock,
        cpu: CpuMeter::new(),
        preemptions: setup.preemptions,
    };
    let mut store = Store::new(engine, state);
    store.limiter(|s| &mut s.limit);
    store.set_epoch_deadline(1);
    store.epoch_deadline_callback(|mut ctx| {
        let data = ctx.data_mut();
        data.preemptions.fetch_add(1, Ordering::Relaxed);
        if !data.clock.charges_cpu() {
            // tokio's yield, not Wasmtime's plain one: tokio wakes the task only after it has
            // looked at its timers, so a sleeping neighbour whose time has come runs next.
            // (Woken at once, a spinner would be polled again and again and the timers only
            // looked at every 61 polls of a task: up to 61 ticks late.)
            return Ok(UpdateDeadline::YieldCustom(
                1,
                Box::pin(tokio::task::yield_now()),
            ));
        }
        let charge = data.cpu.take();
        let clock = data.clock.clone();
        let cpu = data.cpu.clone();
        Ok(UpdateDeadline::YieldCustom(
            1,
            Box::pin(async move {
                clock.sleep(charge).await;
                cpu.resumed();
            }),
        ))
    });
    Ok(store)
}

/// Waits `ns` on the device's clock for the guest.
async fn wait(store: &mut StoreContextMut<'_, GuestState>, ns: u64) -> wasmtime::Result<()> {
    let data = store.data_mut();
    let clock = data.clock.clone();
    let cpu = data.cpu.clone();
    clock.sleep(Duration::from_nanos(ns)).await;
    cpu.waited();
    Ok(())
}

/// The linker every component of a device is instantiated with: WASI 0.2 (async), then every
/// wasi-hal package and `wasi:config` (`wasi_hal_linker`), then `wasi:delay` once more, async
/// on the device's clock, so a guest's wait lets the others run.
pub fn linker(engine: &Engine) -> Result<Linker<GuestState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasi_hal_linker::add_only_hal_to_linker_sync(&mut linker)?;
    linker.allow_shadowing(true);
    let mut delay = linker.instance("wasi:delay/delay@0.1.0")?;
    delay.func_wrap_async("delay-ns", |mut store, (ns,): (u32,)| {
        Box::new(async move { wait(&mut store, u64::from(ns)).await })
    })?;
    delay.func_wrap_async("delay-us", |mut store, (us,): (u32,)| {
        Box::new(async move { wait(&mut store, u64::from(us) * 1_000).await })
    })?;
    delay.func_wrap_async("delay-ms", |mut store, (ms,): (u32,)| {
        Box::new(async move { wait(&mut store, u64::from(ms) * 1_000_000).await })
    })?;
    delay.func_wrap("now-ns", |store: StoreContextMut<'_, GuestState>, ()| {
        Ok((store.data().clock.now_ns(),))
    })?;
    linker.allow_shadowing(false);
    Ok(linker)
}
