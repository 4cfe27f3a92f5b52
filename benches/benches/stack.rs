//! What the component stack costs, timed with criterion. `cargo xtask bench` runs this in
//! release and writes `docs/performance.md`; `cargo test -p wasi-hal-benches --benches` runs
//! each benchmark once, to check that they run.
//!
//! Benchmark ids (group/function), as `docs/performance.md` names them:
//! - `spi_call/noop_transaction`: one `wasi:spi` `device.transaction([])` from a guest, host
//!   crate included, on a device that does nothing (time per call);
//! - `spi_call/floor_transaction`: the same call from the same guest, served by a host that does
//!   nothing ([`wasi_hal_benches::call_floor`]): what Wasmtime's canonical ABI costs for it;
//! - `spi_call/bare_import`: the same guest calling an import with no arguments and no results:
//!   Wasmtime's cheapest component host call on this machine;
//! - `flush_128x64_spi/{composed,native,panel_only}`: one full-frame flush of a 128x64 SSD1306
//!   over SPI at 10 MHz: the `flush-app` guest composed with the `ssd1306-spi` driver, the same
//!   `ssd1306-core` code natively, and the simulated panel alone (time per frame);
//! - `pacman/{cranelift,pulley,native}`: one pacman frame composed with the Pmod OLED driver,
//!   compiled by Cranelift or run by the Pulley interpreter, and the same game natively
//!   (time per frame, unthrottled in simulated time);
//! - `cold_start/{compile,load_precompiled,instantiate_pre,load_and_instantiate}`: composed
//!   pacman compiled, loaded precompiled, instantiated from an `InstancePre` with the pooling
//!   allocator, and both of the latter.

use criterion::{BatchSize, Bencher, Criterion};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use wasi_hal_benches::call_floor::FloorGuest;
use wasi_hal_benches::native::{NativeFlush, NativePacman, PanelOnly};
use wasi_hal_benches::{
    Composition, FlushGuest, Host, PMOD_OLED_BOARD, PacmanPre, SPI_128X64_BOARD, SpiNoopGuest,
    board, engine, linker,
};
use wasmtime::Engine;
use wasmtime::component::Component;

// Every guest of test-programs-bench must have a benchmark here.
macro_rules! assert_bench_exists {
    ($name:ident) => {
        #[expect(unused_imports, reason = "only checks that the benchmark exists")]
        use self::$name as _;
    };
}
test_programs_artifacts::foreach_bench!(assert_bench_exists);

/// The Cranelift engine, made once.
fn cranelift() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| engine(false).expect("engine"))
}

/// The Pulley engine, made once.
fn pulley() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| engine(true).expect("engine"))
}

/// Composed pacman's file, composed once.
fn pacman_file() -> &'static std::path::PathBuf {
    static F: OnceLock<std::path::PathBuf> = OnceLock::new();
    F.get_or_init(|| Composition::pacman().compose().expect("compose pacman"))
}

/// Times `run(n)`, which makes `n` calls or frames in one go (inside the guest, or natively), for
/// criterion's `iters`; `what` names them if they fail.
fn per_iteration(b: &mut Bencher<'_>, what: &str, mut run: impl FnMut(u32) -> anyhow::Result<()>) {
    b.iter_custom(|iters| {
        let n = u32::try_from(iters).unwrap_or(u32::MAX);
        let start = Instant::now();
        run(n).expect(what);
        start.elapsed()
    })
}

/// `spi_call`: the `spi-noop` guest on the SPI host crate, and on the floor host.
fn bench_spi_noop(c: &mut Criterion) {
    let mut guest = SpiNoopGuest::new(cranelift()).expect("spi-noop guest");
    let mut floor = FloorGuest::new(cranelift()).expect("spi-noop guest on the floor host");
    let mut group = c.benchmark_group("spi_call");
    group.bench_function("noop_transaction", |b| {
        per_iteration(b, "transactions", |n| guest.transactions(n))
    });
    group.bench_function("floor_transaction", |b| {
        per_iteration(b, "transactions", |n| floor.transactions(n))
    });
    group.bench_function("bare_import", |b| {
        per_iteration(b, "bare calls", |n| floor.bare_calls(n))
    });
    group.finish();
}

/// `flush_128x64_spi`: the `flush-app` guest composed with `ssd1306-spi`, against native.
fn bench_flush_app(c: &mut Criterion) {
    let path = Composition::flush("ssd1306-spi")
        .compose()
        .expect("compose the flush app");
    let component = Component::from_file(cranelift(), &path).expect("compile");
    let mut composed =
        FlushGuest::new(cranelift(), &component, SPI_128X64_BOARD).expect("flush guest");
    let native_board = board(SPI_128X64_BOARD).expect("board");
    let mut native = NativeFlush::new(&native_board).expect("native flush");
    let panel_board = board(SPI_128X64_BOARD).expect("board");
    let mut panel = PanelOnly::new(&panel_board).expect("panel only");

    let mut group = c.benchmark_group("flush_128x64_spi");
    group.bench_function("composed", |b| {
        per_iteration(b, "frames", |n| composed.frames(n))
    });
    group.bench_function("native", |b| {
        per_iteration(b, "frames", |n| native.frames(n))
    });
    group.bench_function("panel_only", |b| {
        per_iteration(b, "frames", |n| panel.frames(n))
    });
    group.finish();
}

fn pacman(c: &mut Criterion) {
    let cranelift_pre = PacmanPre::new(
        cranelift(),
        &Component::from_file(cranelift(), pacman_file()).expect("compile"),
    )
    .expect("pre");
    let pulley_pre = PacmanPre::new(
        pulley(),
        &Component::from_file(pulley(), pacman_file()).expect("compile for pulley"),
    )
    .expect("pre");

    let mut group = c.benchmark_group("pacman");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(6));
    group.bench_function("cranelift", |b| {
        b.iter_custom(|iters| cranelift_pre.play(iters).expect("pacman"))
    });
    group.bench_function("pulley", |b| {
        b.iter_custom(|iters| pulley_pre.play(iters).expect("pacman"))
    });
    group.bench_function("native", |b| {
        b.iter_custom(|iters| {
            let board = board(PMOD_OLED_BOARD).expect("board");
            let mut game = NativePacman::new(&board).expect("native pacman");
            let start = Instant::now();
            game.frames(iters).expect("frames");
            start.elapsed()
        })
    });
    group.finish();
}

fn cold_start(c: &mut Criterion) {
    let engine = cranelift();
    let bytes = std::fs::read(pacman_file()).expect("read pacman");
    let cwasm = wasi_hal_benches::out_dir().join("pacman-pmod-oled.cwasm");
    {
        let component = Component::new(engine, &bytes).expect("compile");
        let serialized = component.serialize().expect("serialize");
        std::fs::write(&cwasm, serialized).expect("write the precompiled pacman");
    }
    let linker = linker(engine).expect("linker");
    let load = || {
        // SAFETY: written just above by `Component::serialize` with this engine.
        unsafe { Component::deserialize_file(engine, &cwasm) }.expect("deserialize")
    };
    let pre = PacmanPre::new(engine, &load()).expect("pre");
    let fresh_host = || Host::new(&board(PMOD_OLED_BOARD).expect("board"), &["pacman"]);

    let mut group = c.benchmark_group("cold_start");
    group.bench_function("load_precompiled", |b| b.iter(load));
    group.bench_function("instantiate_pre", |b| {
        b.iter_batched(
            fresh_host,
            |host| {
                let mut store = wasi_hal_benches::store(engine, host);
                pre.instantiate_in(&mut store).expect("instantiate");
                store
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("load_and_instantiate", |b| {
        b.iter_batched(
            fresh_host,
            |host| {
                let component = load();
                let pre = wasmtime_wasi::p2::bindings::sync::CommandPre::new(
                    linker.instantiate_pre(&component).expect("pre"),
                )
                .expect("command");
                let mut store = wasi_hal_benches::store(engine, host);
                pre.instantiate(&mut store).expect("instantiate");
                store
            },
            BatchSize::PerIteration,
        )
    });
    group.sample_size(10);
    group.bench_function("compile", |b| {
        b.iter(|| Component::new(engine, &bytes).expect("compile"))
    });
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench_spi_noop(&mut c);
    bench_flush_app(&mut c);
    pacman(&mut c);
    cold_start(&mut c);
    c.final_summary();
}
