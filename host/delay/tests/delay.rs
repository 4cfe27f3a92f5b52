//! The delay host crate under a real Wasmtime, driven by the guest `DELAY_CLOCK`.

use std::sync::OnceLock;
use std::time::{Duration, Instant};
use test_programs_artifacts::*;
use wasi_hal_delay::{DelayBackend, WasiDelayCtx, WasiDelayView};
use wasi_hal_policy::SimClock;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};

// Every test program of test-programs-delay must have a test below.
macro_rules! assert_test_exists {
    ($name:ident) => {
        #[expect(unused_imports, reason = "only checks that the test exists")]
        use self::$name as _;
    };
}
foreach_delay!(assert_test_exists);

struct State {
    delay: WasiDelayCtx,
    table: ResourceTable,
}

fn engine_and_component() -> &'static (Engine, Component) {
    static CELL: OnceLock<(Engine, Component)> = OnceLock::new();
    CELL.get_or_init(|| {
        let engine = Engine::default();
        let component = Component::from_file(&engine, DELAY_CLOCK).unwrap();
        (engine, component)
    })
}

/// Runs the guest's `waits` export in a fresh store with `backend`.
fn waits(backend: DelayBackend, ns: u32, us: u32, ms: u32) -> Vec<u64> {
    let (engine, component) = engine_and_component();
    let mut linker = Linker::<State>::new(engine);
    wasi_hal_delay::add_to_linker(&mut linker, |s| WasiDelayView {
        ctx: &mut s.delay,
        table: &mut s.table,
    })
    .unwrap();
    let state = State {
        delay: WasiDelayCtx::builder().backend(backend).build(),
        table: ResourceTable::new(),
    };
    let mut store = Store::new(engine, state);
    let instance = linker.instantiate(&mut store, component).unwrap();
    let func = instance
        .get_typed_func::<(u32, u32, u32), (Vec<u64>,)>(&mut store, "waits")
        .unwrap();
    func.call(&mut store, (ns, us, ms)).unwrap().0
}

#[test]
fn delay_clock() {
    // Virtual time: every wait advances the clock at once, by exactly its length.
    let clock = SimClock::new();
    clock.advance_ns(7);
    let start = Instant::now();
    let times = waits(
        DelayBackend::virtual_time(clock.clone()),
        500,
        u32::MAX,
        u32::MAX,
    );
    assert!(start.elapsed() < Duration::from_secs(10), "no real waiting");
    let us = u64::from(u32::MAX) * 1_000;
    let ms = u64::from(u32::MAX) * 1_000_000;
    assert_eq!(times, [7, 507, 507 + us, 507 + us + ms]);
    assert_eq!(clock.now_ns(), 507 + us + ms);
}

#[test]
fn real_time_sleeps() {
    let start = Instant::now();
    let times = waits(DelayBackend::real(), 1_000, 2_000, 20);
    assert!(start.elapsed() >= Duration::from_millis(22));
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    assert!(times[1] - times[0] >= 1_000);
    assert!(times[2] - times[1] >= 2_000_000);
    assert!(times[3] - times[2] >= 20_000_000);
}

#[test]
fn paced_time_follows_the_wall_clock() {
    let clock = SimClock::new();
    let start = Instant::now();
    let times = waits(DelayBackend::paced(clock.clone()), 0, 0, 40);
    assert!(start.elapsed() >= Duration::from_millis(40));
    assert_eq!(times, [0, 0, 0, 40_000_000], "now-ns is virtual time");
}
