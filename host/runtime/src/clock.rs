//! Time on a device: one [`Clock`] that the scheduler, the sensors' poll periods and the
//! guests' `wasi:delay` all use.
//!
//! The clock reads tokio's time. On hardware (and on a simulated board run in real time) that
//! is the wall clock. On a simulated board the runtime runs on a tokio runtime whose clock is
//! paused: time stands still while anything can run and jumps to the next deadline when every
//! component waits, so an hour of a device runs in seconds, and the same way every time.
//! Computing between two waits is free in virtual time (as in `wasi-hal run`), but a guest that
//! has computed for more than [`CPU_GRACE`] of wall time without waiting is charged, at each
//! preemption, [`CPU_TIME_FACTOR`] times the wall time it ran as virtual CPU time: it sleeps
//! that long before it runs again. A
//! guest that spins is thereby preempted into sleeps, and virtual time moves on for the
//! others instead of standing still. (Wasmtime fuel would make the charge deterministic, but
//! the fuel a guest has burned is not up to date when the epoch interrupts it.)
//!
//! The simulated parts keep their own [`SimClock`] (bytes on a bus take time on it); the
//! clock brings it forward to its own time whenever a guest resumes, so parts never see time
//! go backwards, and `now-ns` answers the later of the two.

use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::time::Instant;
use wasi_hal_sim::SimClock;

/// Virtual CPU time a preempted guest is charged per unit of wall time it ran without waiting:
/// 10, a slow core. So a guest that spins moves virtual time on ten times faster than wall
/// time, and a simulated minute with a spinning neighbour runs in about six seconds.
pub const CPU_TIME_FACTOR: u32 = 10;

/// The device's time base. Cloning gives another handle to the same clock.
#[derive(Clone, Debug)]
pub struct Clock {
    /// The clock's zero, on tokio's clock.
    start: Instant,
    /// The Unix time at the clock's zero, in milliseconds: readings carry it plus [`Clock::now`].
    unix_start_ms: u64,
    /// The simulated board's clock, kept up with this one.
    sim: Option<SimClock>,
    /// Whether preempted guests are charged virtual CPU time.
    charge_cpu: bool,
}

impl Clock {
    /// A clock starting now on tokio's clock (call it inside the runtime). `sim` is the
    /// simulated board's clock; `virtual_time` says tokio's clock is paused and preempted
    /// guests are charged.
    pub fn start(sim: Option<SimClock>, virtual_time: bool) -> Self {
        let unix_start_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let clock = Self {
            start: Instant::now(),
            unix_start_ms,
            sim,
            charge_cpu: virtual_time,
        };
        clock.sync_sim();
        clock
    }

    /// Time since the clock started.
    pub fn now(&self) -> Duration {
        Instant::now().saturating_duration_since(self.start)
    }

    /// The clock's zero on tokio's clock, for deadlines.
    pub fn zero(&self) -> Instant {
        self.start
    }

    /// The Unix time now, in milliseconds (virtual on a simulated device: the Unix time it
    /// started plus virtual time since).
    pub fn unix_ms(&self) -> u64 {
        self.unix_start_ms + self.now().as_millis() as u64
    }

    /// What a guest's `now-ns` answers: nanoseconds since the start, never going backwards.
    pub fn now_ns(&self) -> u64 {
        let own = u64::try_from(self.now().as_nanos()).unwrap_or(u64::MAX);
        match &self.sim {
            Some(sim) => {
                self.sync_sim();
                sim.now_ns().max(own)
            }
            None => own,
        }
    }

    /// Whether preempted guests are charged virtual CPU time.
    pub fn charges_cpu(&self) -> bool {
        self.charge_cpu
    }

    /// Waits `duration` past the later of this clock and the simulated parts' clock, then
    /// brings the parts' clock up to date. Bytes on a bus move the parts' clock ahead of this
    /// one; a wait measured from this clock alone could end before the parts had seen it pass
    /// (a sensor still starting up after a reset its driver had waited for), so the wait also
    /// covers the parts' lead, and this clock catches up with them instead of drifting behind.
    pub async fn sleep(&self, duration: Duration) {
        let lead = self.sim.as_ref().map_or(Duration::ZERO, |sim| {
            Duration::from_nanos(sim.now_ns()).saturating_sub(self.now())
        });
        let wait = duration.saturating_add(lead);
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        self.sync_sim();
    }

    /// Waits until `deadline` on tokio's clock, then brings the parts' clock up to date.
    pub async fn sleep_until(&self, deadline: Instant) {
        tokio::time::sleep_until(deadline).await;
        self.sync_sim();
    }

    /// Moves the simulated parts' clock forward to this clock's time (never back).
    pub fn sync_sim(&self) {
        if let Some(sim) = &self.sim {
            let own = u64::try_from(self.now().as_nanos()).unwrap_or(u64::MAX);
            let behind = own.saturating_sub(sim.now_ns());
            if behind > 0 {
                sim.advance_ns(behind);
            }
        }
    }
}

/// How long a guest has run since it last waited or was preempted: what it is charged when it
/// is preempted. Cloning gives another handle to the same meter.
#[derive(Clone, Debug)]
pub struct CpuMeter {
    inner: std::sync::Arc<std::sync::Mutex<Marks>>,
}

#[derive(Debug)]
struct Marks {
    /// When it last resumed (after a wait or a preemption).
    resumed: std::time::Instant,
    /// When it last resumed after a wait.
    waited: std::time::Instant,
}

/// Wall time a guest may compute without waiting before preemptions are charged: instantiating
/// a component or drawing a heavy frame on a loaded machine is not spinning.
pub const CPU_GRACE: Duration = Duration::from_millis(50);

impl Default for CpuMeter {
    fn default() -> Self {
        Self::new()
    }
}

impl CpuMeter {
    /// A meter that starts running now.
    pub fn new() -> Self {
        let now = std::time::Instant::now();
        Self {
            inner: std::sync::Arc::new(std::sync::Mutex::new(Marks {
                resumed: now,
                waited: now,
            })),
        }
    }

    fn marks(&self) -> std::sync::MutexGuard<'_, Marks> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The guest runs again from now, after a wait (or the host called into it anew).
    pub fn waited(&self) {
        let now = std::time::Instant::now();
        let mut marks = self.marks();
        marks.resumed = now;
        marks.waited = now;
    }

    /// The guest runs again from now, after a preemption.
    pub fn resumed(&self) {
        self.marks().resumed = std::time::Instant::now();
    }

    /// The virtual CPU time to charge at a preemption: [`CPU_TIME_FACTOR`] times the wall time
    /// the guest ran since it last resumed, once it has computed for more than [`CPU_GRACE`]
    /// without waiting; nothing before.
    pub fn take(&self) -> Duration {
        let now = std::time::Instant::now();
        let mut marks = self.marks();
        let ran = now.saturating_duration_since(marks.resumed);
        marks.resumed = now;
        if now.saturating_duration_since(marks.waited) < CPU_GRACE {
            return Duration::ZERO;
        }
        ran.saturating_mul(CPU_TIME_FACTOR)
    }
}
