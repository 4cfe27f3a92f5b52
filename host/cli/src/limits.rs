//! Limits on what a guest may use: linear memory, and CPU time between two host calls (a
//! watchdog on the epoch deadline).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use wasmtime::{CallHook, Engine, Store, StoreLimits, StoreLimitsBuilder, UpdateDeadline};

/// The limits of one run.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest linear memory a guest may grow to, in bytes (each memory; 64 MiB by default).
    pub max_memory_bytes: usize,
    /// Longest a guest may compute without calling the host (5 s by default). Apps and drivers
    /// call the host every frame or transfer, so only a guest stuck in a loop meets it. It does
    /// not count time the host spends in delays, so `--realtime` runs are not cut short.
    pub watchdog: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_memory_bytes: 64 << 20,
            watchdog: Duration::from_secs(5),
        }
    }
}

impl Limits {
    pub(crate) fn store_limits(&self) -> StoreLimits {
        StoreLimitsBuilder::new()
            .memory_size(self.max_memory_bytes)
            .trap_on_grow_failure(true)
            .build()
    }
}

/// What the watchdog knows: how many host-call transitions it has seen, and since when the
/// guest has made no host call.
pub(crate) struct Watchdog {
    limit: Duration,
    /// Every entry into and return from the host, counted by the call hook.
    transitions: u64,
    /// `transitions` at the previous epoch callback.
    seen: u64,
    /// When the guest was last seen calling the host.
    quiet_since: Instant,
}

impl Watchdog {
    pub(crate) fn new(limit: Duration) -> Self {
        Self {
            limit,
            transitions: 0,
            seen: 0,
            quiet_since: Instant::now(),
        }
    }

    /// Called at each epoch tick while the guest runs. The tick itself is a call into the host
    /// and so shows up as two transitions (the return from the previous tick and the entry into
    /// this one); more than that means the guest made a host call of its own since the last tick.
    fn tick(&mut self) -> Result<(), Duration> {
        let since_last_tick = self.transitions.saturating_sub(self.seen);
        self.seen = self.transitions;
        if since_last_tick > 2 {
            self.quiet_since = Instant::now();
        }
        let quiet = self.quiet_since.elapsed();
        if quiet > self.limit {
            Err(quiet)
        } else {
            Ok(())
        }
    }
}

/// How often the epoch advances: the watchdog's resolution.
const TICK: Duration = Duration::from_millis(50);

/// Stops the epoch ticker when dropped.
pub(crate) struct Ticker(Arc<AtomicBool>);

impl Drop for Ticker {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Arms the watchdog on `store`: a thread advances the engine's epoch every [`TICK`]; at each
/// tick the guest is stopped when it has run longer than the limit since its last host call.
pub(crate) fn install(engine: &Engine, store: &mut Store<crate::HostState>) -> Ticker {
    store.call_hook(|mut ctx, hook| {
        if matches!(hook, CallHook::CallingHost | CallHook::ReturningFromHost) {
            ctx.data_mut().watchdog.transitions += 1;
        }
        Ok(())
    });
    store.set_epoch_deadline(1);
    store.epoch_deadline_callback(|mut ctx| {
        // A stop asked for from outside (the live view's `q`, Ctrl-C) ends the guest here.
        if let Some(why) = ctx.data().stop.requested() {
            return Err(wasmtime::Error::new(crate::interrupt::Stopped(why)));
        }
        let watchdog = &mut ctx.data_mut().watchdog;
        if watchdog.tick().is_err() {
            return Err(wasmtime::Error::msg(format!(
                "watchdog: the guest computed for more than {:?} without calling the host",
                watchdog.limit
            )));
        }
        Ok(UpdateDeadline::Continue(1))
    });
    let stop = Arc::new(AtomicBool::new(false));
    let engine = engine.clone();
    let flag = stop.clone();
    std::thread::spawn(move || {
        while !flag.load(Ordering::SeqCst) {
            std::thread::sleep(TICK);
            engine.increment_epoch();
        }
    });
    Ticker(stop)
}
