//! Memory per idle component of a device (`wasi-hal up`'s runtime): a device of 1 idle
//! component, then one of N (50 by default), each sampled while its components wait.
//!
//! `cargo run --release -p wasi-hal-benches --bin device-memory -- [--components N]
//! [--seconds S]`

use anyhow::{Result, bail};
use std::time::Duration;
use wasi_hal_benches::device_memory;
use wasi_hal_benches::number_arg;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let components = number_arg(&args, "components", 50)? as usize;
    let seconds = number_arg(&args, "seconds", 2)?;
    if components < 2 {
        bail!("--components must be at least 2 (one device of 1 is measured first)");
    }
    let dir = std::env::temp_dir().join(format!("wasi-hal-device-memory-{}", std::process::id()));
    let run_for = Duration::from_secs(seconds);
    let result = (|| {
        let one = device_memory::measure(1, run_for, &dir)?;
        let many = device_memory::measure(components, run_for, &dir)?;
        Ok::<_, anyhow::Error>((one, many))
    })();
    let _ = std::fs::remove_dir_all(&dir);
    let (one, many) = result?;
    let mib = |kib: u64| kib as f64 / 1024.0;
    println!("| components | RSS before load | after load | running | running - before |");
    println!("|---|---|---|---|---|");
    for s in [one, many] {
        println!(
            "| {} | {:.1} MiB | {:.1} MiB | {:.1} MiB | {:.1} MiB |",
            s.components,
            mib(s.before_kib),
            mib(s.loaded_kib),
            mib(s.running_kib),
            mib(s.running_kib.saturating_sub(s.before_kib))
        );
    }
    let per = (many.running_kib.saturating_sub(many.before_kib)) as f64 / many.components as f64;
    println!(
        "per idle component, in the device of {}: {:.0} KiB",
        many.components, per
    );
    Ok(())
}
