//! A polled sensor under `wasi-hal up`'s runtime: the host's overhead per poll, and the
//! schedule's jitter with and without a spinning neighbour (docs/performance.md).
//!
//! `cargo run --release -p wasi-hal-benches --bin device-poll -- [--virtual-seconds V]
//! [--period-ms P] [--seconds S]`

use anyhow::Result;
use std::time::Duration;
use wasi_hal_benches::device_poll;
use wasi_hal_benches::number_arg;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let virtual_seconds = number_arg(&args, "virtual-seconds", 600)?;
    let period = Duration::from_millis(number_arg(&args, "period-ms", 20)?);
    let seconds = number_arg(&args, "seconds", 5)?;
    let dir = std::env::temp_dir().join(format!("wasi-hal-device-poll-{}", std::process::id()));
    let result = (|| {
        let overhead = device_poll::overhead(Duration::from_secs(virtual_seconds), &dir)?;
        let run_for = Duration::from_secs(seconds);
        let alone = device_poll::jitter(period, run_for, false, &dir)?;
        let spun = device_poll::jitter(period, run_for, true, &dir)?;
        Ok::<_, anyhow::Error>((overhead, alone, spun))
    })();
    let _ = std::fs::remove_dir_all(&dir);
    let (overhead, alone, spun) = result?;
    println!(
        "overhead: {} polls every 10 ms of virtual time in {:.2} s: {:.1} us a poll",
        overhead.polls,
        overhead.wall.as_secs_f64(),
        overhead.per_poll().as_secs_f64() * 1e6
    );
    println!(
        "| every {} ms for {seconds} s | polls | missed | late p50 | p99 | max | spinner preempted |",
        period.as_millis()
    );
    println!("|---|---|---|---|---|---|---|");
    for (label, j) in [("alone", &alone), ("next to a spinner", &spun)] {
        println!(
            "| {label} | {} | {} | {} ms | {} ms | {} ms | {} |",
            j.polls,
            j.missed,
            j.quantile(0.5),
            j.quantile(0.99),
            j.quantile(1.0),
            j.preemptions
        );
    }
    Ok(())
}
