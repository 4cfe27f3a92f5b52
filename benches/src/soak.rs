//! The soak run: the `soak` test program (`test-programs-soak`, example `traffic`) on the board
//! [`SOAK_BOARD`] for a span of simulated time, with what the host holds sampled as it goes.
//!
//! Each round of the guest is 9 host calls: two lines toggled twice, an SPI write and an SPI
//! read, an I2C register read, the clock read and a wait of `period_us` (which moves the
//! simulated clock at once). A sample is taken at the first wait after each `sample_every_ns` of
//! simulated time: the simulated time, the host calls so far (counted by a Wasmtime call hook),
//! the process's resident memory (`VmRSS` of `/proc/self/status`), and what the simulated
//! board retains (the lines' kept levels, the events kept in memory by the trace).
//!
//! The long run is the `soak` binary (`cargo run --release -p wasi-hal-benches --bin soak`, a
//! simulated day by default; docs/performance.md has its figures); `benches/tests/soak.rs` runs a
//! short one in CI.

use crate::{Host, board, linker, store};
use anyhow::{Result, anyhow};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wasi_hal_board::Board;
use wasmtime::CallHook;
use wasmtime::component::Component;

/// The soak run's board file, relative to the workspace root.
pub const SOAK_BOARD: &str = "benches/boards/sim-soak.toml";

/// The output lines the soak guest toggles.
pub const SOAK_LINES: [&str; 2] = ["line-a", "line-b"];

/// How long and how often.
#[derive(Clone, Copy, Debug)]
pub struct SoakOptions {
    /// Simulated seconds the guest runs.
    pub seconds: u64,
    /// The guest's wait after each round, in microseconds.
    pub period_us: u32,
    /// Simulated time between two samples, in nanoseconds.
    pub sample_every_ns: u64,
}

/// What the simulated board retains at one point of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retained {
    /// Levels kept in the soak lines' histories, summed.
    pub line_levels: usize,
    /// Trace events kept in memory.
    pub trace_events: usize,
}

/// One sample of a run.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    /// Simulated time, in nanoseconds.
    pub sim_ns: u64,
    /// Host calls made by the guest so far.
    pub host_calls: u64,
    /// Wall time since the guest started.
    pub wall: Duration,
    /// Resident memory of this process, in KiB (`None` where `/proc` is not there).
    pub rss_kib: Option<u64>,
    /// What the board retains.
    pub retained: Retained,
}

/// A whole run.
#[derive(Clone, Debug)]
pub struct SoakReport {
    /// The samples, in order; the last one is taken after the guest returned.
    pub samples: Vec<Sample>,
}

impl SoakReport {
    /// The largest growth of resident memory from the sample `from` to any later sample, in KiB.
    pub fn rss_growth_kib(&self, from: usize) -> Option<u64> {
        let base = self.samples.get(from)?.rss_kib?;
        self.samples[from..]
            .iter()
            .filter_map(|s| s.rss_kib)
            .map(|rss| rss.saturating_sub(base))
            .max()
    }
}

/// Resident memory of this process, in KiB.
pub fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn retained(board: &Board) -> Retained {
    let sim = board
        .simulated()
        .expect("the soak board is a simulated board");
    Retained {
        line_levels: SOAK_LINES
            .iter()
            .map(|name| sim.line(name).map_or(0, |l| l.history().len()))
            .sum(),
        trace_events: sim.trace().kept_count(),
    }
}

/// Runs the soak guest `program` (the `traffic` example's component file) as `options` says.
pub fn run(program: &str, options: SoakOptions) -> Result<SoakReport> {
    let engine = wasi_hal::engine()?;
    let component = Component::from_file(&engine, program)?;
    let board = Arc::new(board(SOAK_BOARD)?);
    let linker = linker(&engine)?;
    let seconds = options.seconds.to_string();
    let period = options.period_us.to_string();
    let args = [
        "traffic",
        "--seconds",
        seconds.as_str(),
        "--period-us",
        period.as_str(),
    ];
    let mut host = Host::new(&board, &args);
    let calls = Arc::new(AtomicU64::new(0));
    let samples = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let take_sample = {
        let (board, calls, samples) = (board.clone(), calls.clone(), samples.clone());
        move |sim_ns: u64| {
            let sample = Sample {
                sim_ns,
                host_calls: calls.load(Ordering::Relaxed),
                wall: started.elapsed(),
                rss_kib: rss_kib(),
                retained: retained(&board),
            };
            samples
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(sample);
        }
    };
    let next_sample = AtomicU64::new(0);
    let sampler = take_sample.clone();
    host.hal.delay.set_observer(Arc::new(move |now_ns| {
        if now_ns >= next_sample.load(Ordering::Relaxed) {
            next_sample.store(now_ns + options.sample_every_ns, Ordering::Relaxed);
            sampler(now_ns);
        }
    }));
    let mut store = store(&engine, host);
    let counter = calls.clone();
    store.call_hook(move |_, hook| {
        if matches!(hook, CallHook::CallingHost) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    });
    let command =
        wasmtime_wasi::p2::bindings::sync::Command::instantiate(&mut store, &component, &linker)?;
    let result = command.wasi_cli_run().call_run(&mut store)?;
    drop(store);
    result.map_err(|()| anyhow!("the soak guest returned an error"))?;
    let sim_ns = board.simulated().map_or(0, |sim| sim.clock().now_ns());
    take_sample(sim_ns);
    let samples = std::mem::take(&mut *samples.lock().unwrap_or_else(|e| e.into_inner()));
    Ok(SoakReport { samples })
}
