//! The soak run: the soak guest for a simulated day (by default) with the host's memory sampled
//! every simulated hour; fails when resident memory grows by more than the bound after the
//! first hour.
//!
//! `cargo run --release -p wasi-hal-benches --bin soak -- [--hours H] [--period-us P]
//! [--sample-minutes M] [--max-growth-mib G]`

use anyhow::{Result, bail};
use wasi_hal_benches::number_arg;
use wasi_hal_benches::soak::{self, SoakOptions};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let hours: u64 = number_arg(&args, "hours", 24)?;
    let period_us: u32 = number_arg(&args, "period-us", 1000)?;
    let sample_minutes: u64 = number_arg(&args, "sample-minutes", 60)?;
    let max_growth_mib: u64 = number_arg(&args, "max-growth-mib", 4)?;
    let options = SoakOptions {
        seconds: hours * 3600,
        period_us,
        sample_every_ns: sample_minutes * 60 * 1_000_000_000,
    };
    println!(
        "soak: {hours} simulated hours, a round every {period_us} us, a sample every \
         {sample_minutes} simulated minutes"
    );
    println!(
        "| simulated time | host calls | wall time | RSS (MiB) | line levels kept | trace events kept |"
    );
    println!("|---|---|---|---|---|---|");
    let report = soak::run(test_programs_artifacts::SOAK_TRAFFIC, options)?;
    for s in &report.samples {
        println!(
            "| {:.2} h | {} | {:.1} s | {} | {} | {} |",
            s.sim_ns as f64 / 3.6e12,
            s.host_calls,
            s.wall.as_secs_f64(),
            s.rss_kib
                .map_or("-".to_string(), |k| format!("{:.1}", k as f64 / 1024.0)),
            s.retained.line_levels,
            s.retained.trace_events,
        );
    }
    let last = report.samples.last().expect("a run has a final sample");
    println!(
        "{} host calls in {:.1} s of wall time ({:.2} us a call)",
        last.host_calls,
        last.wall.as_secs_f64(),
        last.wall.as_secs_f64() * 1e6 / last.host_calls.max(1) as f64
    );
    // From the sample after the first: the engine, the pooled slots and the board are set up.
    match report.rss_growth_kib(1) {
        Some(growth) => {
            println!(
                "resident memory grew by at most {:.2} MiB after the first sample (bound {max_growth_mib} MiB)",
                growth as f64 / 1024.0
            );
            if growth > max_growth_mib * 1024 {
                bail!("resident memory grew by more than {max_growth_mib} MiB");
            }
        }
        None => println!("resident memory not sampled (no /proc/self/status)"),
    }
    Ok(())
}
