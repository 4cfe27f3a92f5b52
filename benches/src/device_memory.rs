//! Memory of a device's components (issue 17): `wasi-hal up`'s runtime with N idle components,
//! each the fixed-readings sensor (`tests/programs/worlds`, example `sensor-driver`) in its
//! own store, opened and measured once at the start and then waiting for its next poll a day
//! later. The process's resident memory (`VmRSS`) is sampled before the device file is loaded,
//! after every component is compiled (`loaded`), and while they all wait (`running`).
//!
//! The binary `device-memory` prints the figures for 1 and for 50 components
//! (docs/performance.md); `benches/tests/device_memory.rs` runs a small one in CI.

use crate::soak::rss_kib;
use anyhow::{Context, Result, bail};
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;
use wasi_hal_runtime::{Control, Device, UpOptions};

/// Resident memory around one device of idle components, in KiB.
#[derive(Clone, Copy, Debug)]
pub struct MemorySample {
    /// How many components the device ran.
    pub components: usize,
    /// Before the device file was loaded.
    pub before_kib: u64,
    /// After every component was read, checked and compiled (or loaded from the cache).
    pub loaded_kib: u64,
    /// While every component was instantiated and waiting.
    pub running_kib: u64,
}

/// The device file of `components` idle sensors on the simulated weather node.
fn device_text(components: usize) -> String {
    let board = crate::root().join("devices/sim-weather-node.board.toml");
    let mut text = format!(
        "[device]\nname = \"memory\"\nboard = {:?}\n",
        board.display().to_string()
    );
    for n in 0..components {
        let _ = write!(
            text,
            "\n[component.idle{n}]\npath = {:?}\nkind = \"sensor\"\npoll-every = \"24h\"\n\
             memory-limit = \"4 MiB\"\n",
            test_programs_artifacts::WORLDS_SENSOR_DRIVER
        );
    }
    text
}

/// Runs `components` idle components for `run_for` of real time, in `dir` (the device file and
/// the caches), and samples the resident memory. Every component must have been polled once
/// (so it was instantiated and opened).
pub fn measure(components: usize, run_for: Duration, dir: &Path) -> Result<MemorySample> {
    std::fs::create_dir_all(dir)?;
    let device = dir.join(format!("memory-{components}.toml"));
    std::fs::write(&device, device_text(components))?;
    let before_kib = rss_kib().context("no VmRSS in /proc/self/status")?;
    let mut running = Device::load(UpOptions {
        device,
        cache: Some(dir.join("compiled")),
        virtual_time: false,
        max_time: None,
        status: None,
        supply_cache: Some(dir.join("supply")),
    })?;
    let loaded_kib = rss_kib().context("no VmRSS")?;
    let control = Control::default();
    let sampler = {
        let control = control.clone();
        std::thread::spawn(move || {
            std::thread::sleep(run_for);
            let kib = rss_kib();
            control.stop();
            kib
        })
    };
    let status = running.run(&control)?;
    let running_kib = sampler
        .join()
        .map_err(|_| anyhow::anyhow!("the sampler panicked"))?
        .context("no VmRSS")?;
    for component in &status.components {
        if component.polls != 1 || component.last_error.is_some() {
            bail!(
                "{} did not open and measure once: {component:?}",
                component.name
            );
        }
    }
    if status.components.len() != components {
        bail!(
            "{} components ran, not {components}",
            status.components.len()
        );
    }
    Ok(MemorySample {
        components,
        before_kib,
        loaded_kib,
        running_kib,
    })
}
