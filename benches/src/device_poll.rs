//! A polled sensor under `wasi-hal up`'s runtime (issue 17): what the host spends on one poll,
//! and how far a poll lands from its slot on the schedule while a neighbour spins.
//!
//! The sensor is the fixed-readings sensor (`tests/programs/worlds`, example
//! `sensor-driver`), whose `measure()` does next to nothing, so a poll's cost is the host's: the
//! schedule, the call into the guest's store, the readings made, kept and broadcast.
//!
//! - [`overhead`]: polled every 10 ms for a stretch of virtual time, alone: wall time per poll.
//! - [`jitter`]: polled every `period` in real time for a while, with or without a neighbour
//!   that spins without ever calling the host (`tests/programs/cli`, example `spin`):
//!   every reading's timestamp (the device's clock when the poll woke, in ms) against its slot,
//!   start + k × period.
//!
//! The binary `device-poll` prints both (docs/performance.md); `benches/tests/device_poll.rs`
//! runs short ones in CI.

use anyhow::{Result, bail};
use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};
use wasi_hal_runtime::{Control, Device, UpOptions};

/// The device file: the fixed sensor polled every `period`, and the spinner when `spinner`.
fn device_text(period: Duration, spinner: bool) -> String {
    let board = crate::root().join("devices/sim-weather-node.board.toml");
    let mut text = format!(
        "[device]\nname = \"poll\"\nboard = {:?}\n\n[component.sensor]\npath = {:?}\n\
         kind = \"sensor\"\npoll-every = \"{}ms\"\nmemory-limit = \"4 MiB\"\n",
        board.display().to_string(),
        test_programs_artifacts::WORLDS_SENSOR_DRIVER,
        period.as_millis()
    );
    if spinner {
        let _ = write!(
            text,
            "\n[component.spinner]\npath = {:?}\nmemory-limit = \"4 MiB\"\n\
             [component.spinner.restart]\npolicy = \"never\"\n",
            test_programs_artifacts::CLI_SPIN
        );
    }
    text
}

fn load(
    dir: &Path,
    name: &str,
    text: &str,
    virtual_time: bool,
    max: Option<Duration>,
) -> Result<Device> {
    std::fs::create_dir_all(dir)?;
    let device = dir.join(name);
    std::fs::write(&device, text)?;
    Device::load(UpOptions {
        device,
        cache: Some(dir.join("compiled")),
        virtual_time,
        max_time: max,
        status: None,
        supply_cache: Some(dir.join("supply")),
    })
}

/// The host's cost of one poll.
#[derive(Clone, Copy, Debug)]
pub struct Overhead {
    /// Polls made.
    pub polls: u64,
    /// Wall time of the run, from the first instantiation to the stop.
    pub wall: Duration,
}

impl Overhead {
    /// Wall time per poll.
    pub fn per_poll(&self) -> Duration {
        self.wall / self.polls.max(1) as u32
    }
}

/// Polls the fixed sensor every 10 ms for `virtual_time` of virtual time, alone on the device.
pub fn overhead(virtual_time: Duration, dir: &Path) -> Result<Overhead> {
    let text = device_text(Duration::from_millis(10), false);
    let mut device = load(dir, "overhead.toml", &text, true, Some(virtual_time))?;
    let start = Instant::now();
    let status = device.run(&Control::default())?;
    let wall = start.elapsed();
    let sensor = status.component("sensor").expect("the sensor");
    if sensor.last_error.is_some() || sensor.missed_polls != 0 {
        bail!("the sensor did not poll cleanly: {sensor:?}");
    }
    Ok(Overhead {
        polls: sensor.polls,
        wall,
    })
}

/// How far polls landed from their slots.
#[derive(Clone, Debug)]
pub struct Jitter {
    /// Polls made.
    pub polls: u64,
    /// Polls skipped because their slot had passed.
    pub missed: u64,
    /// Each poll's lateness against its slot, in ms, sorted.
    pub late_ms: Vec<u64>,
    /// Times the spinner was preempted (0 without one).
    pub preemptions: u64,
}

impl Jitter {
    /// The lateness below which `fraction` of the polls landed.
    pub fn quantile(&self, fraction: f64) -> u64 {
        if self.late_ms.is_empty() {
            return 0;
        }
        let index = ((self.late_ms.len() - 1) as f64 * fraction).round() as usize;
        self.late_ms[index]
    }
}

/// Polls the fixed sensor every `period` in real time for `run_for`, next to a spinning
/// neighbour when `spinner`.
pub fn jitter(period: Duration, run_for: Duration, spinner: bool, dir: &Path) -> Result<Jitter> {
    let text = device_text(period, spinner);
    let name = if spinner {
        "jitter-spin.toml"
    } else {
        "jitter.toml"
    };
    let mut device = load(dir, name, &text, false, Some(run_for))?;
    let mut readings = device.subscribe();
    let status = device.run(&Control::default())?;
    let mut stamps = Vec::new();
    while let Ok(reading) = readings.try_recv() {
        if reading.component == "sensor" && reading.quantity == "temperature" {
            stamps.push(reading.timestamp);
        }
    }
    let sensor = status.component("sensor").expect("the sensor");
    if sensor.last_error.is_some() {
        bail!("the sensor failed: {sensor:?}");
    }
    if stamps.len() < 2 {
        bail!("only {} polls in {run_for:?}", stamps.len());
    }
    // Slot k is start + k × period. A poll's slot is the one nearest to it; its lateness is
    // measured from the schedule that makes the earliest poll exactly on time (a poll is never
    // early: it sleeps until its slot).
    let period_ms = period.as_millis() as i64;
    let first = stamps[0] as i64;
    let offsets: Vec<i64> = stamps
        .iter()
        .map(|&t| {
            let since = t as i64 - first;
            since - (since + period_ms / 2).div_euclid(period_ms) * period_ms
        })
        .collect();
    let earliest = offsets.iter().copied().min().unwrap_or(0);
    let mut late_ms: Vec<u64> = offsets.iter().map(|o| (o - earliest) as u64).collect();
    late_ms.sort_unstable();
    Ok(Jitter {
        polls: sensor.polls,
        missed: sensor.missed_polls,
        late_ms,
        preemptions: status.component("spinner").map_or(0, |s| s.preemptions),
    })
}
