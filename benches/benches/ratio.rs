//! The composed/native ratio of the full-frame flush (figure 2's a/b), measured interleaved: round
//! after round, a batch of composed frames then a batch of native frames, each round giving one
//! ratio. Both sides of a ratio run within a few milliseconds of each other, so a neighbour that
//! slows the machine for a while slows both; the median over the rounds is the figure.
//! Criterion's separate medians of `flush_128x64_spi/{composed,native}` are measured seconds
//! apart, and on a shared 2-core machine their quotient moved by ±30% from run to run.
//!
//! Writes `target/wasi-hal/bench/ratio.json` for `cargo xtask bench`. Under `cargo test`
//! (`--bench` absent from the arguments) it runs two short rounds only, to check that it runs.

use anyhow::Result;
use serde_json::json;
use std::time::{Duration, Instant};
use wasi_hal_benches::native::NativeFlush;
use wasi_hal_benches::{Composition, FlushGuest, SPI_128X64_BOARD, board, engine, out_dir};
use wasmtime::component::Component;

/// Frames in one batch: about 10 ms of composed frames.
const BATCH: u32 = 1000;
/// Rounds of a full run.
const ROUNDS: usize = 301;

fn timed(f: impl FnOnce() -> Result<()>) -> Result<Duration> {
    let start = Instant::now();
    f()?;
    Ok(start.elapsed())
}

/// The value at fraction `q` of the sorted `values`.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let index = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[index]
}

fn main() -> Result<()> {
    let full = std::env::args().any(|a| a == "--bench");
    let (rounds, batch) = if full { (ROUNDS, BATCH) } else { (2, 10) };

    let engine = engine(false)?;
    let path = Composition::flush("ssd1306-spi").compose()?;
    let component = Component::from_file(&engine, &path)?;
    let mut composed = FlushGuest::new(&engine, &component, SPI_128X64_BOARD)?;
    let native_board = board(SPI_128X64_BOARD)?;
    let mut native = NativeFlush::new(&native_board)?;

    // Warm up both (caches, branch predictors, the allocators' free lists).
    composed.frames(batch)?;
    native.frames(batch)?;

    let mut ratios = Vec::with_capacity(rounds);
    let mut composed_ns = Vec::with_capacity(rounds);
    let mut native_ns = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let a = timed(|| composed.frames(batch))?;
        let b = timed(|| native.frames(batch))?;
        let per_frame = |d: Duration| d.as_nanos() as f64 / f64::from(batch);
        composed_ns.push(per_frame(a));
        native_ns.push(per_frame(b));
        ratios.push(a.as_secs_f64() / b.as_secs_f64());
    }
    for v in [&mut ratios, &mut composed_ns, &mut native_ns] {
        v.sort_by(f64::total_cmp);
    }
    let report = json!({
        "rounds": rounds,
        "frames_per_batch": batch,
        "ratio": {
            "median": quantile(&ratios, 0.5),
            "q1": quantile(&ratios, 0.25),
            "q3": quantile(&ratios, 0.75),
        },
        "composed_ns": { "median": quantile(&composed_ns, 0.5) },
        "native_ns": { "median": quantile(&native_ns, 0.5) },
    });
    println!(
        "flush_128x64_spi a/b interleaved: median {:.3} (quartiles {:.3}-{:.3}) over {rounds} \
         rounds of {batch} frames; composed {:.0} ns, native {:.0} ns per frame",
        quantile(&ratios, 0.5),
        quantile(&ratios, 0.25),
        quantile(&ratios, 0.75),
        quantile(&composed_ns, 0.5),
        quantile(&native_ns, 0.5),
    );
    if full {
        let path = out_dir().join("ratio.json");
        std::fs::write(&path, serde_json::to_string_pretty(&report)?)?;
    }
    Ok(())
}
