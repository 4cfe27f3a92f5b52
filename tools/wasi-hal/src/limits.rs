//! Limits on what a guest may use: linear memory, CPU time between two host calls (a watchdog
//! on the epoch deadline), and the bounds of a run (`--frames`, `--max-time`, Ctrl-C), which
//! stop the guest through the same epoch deadline.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use wasi_hal_sim::SimClock;
use wasmtime::{Engine, ResourceLimiter, Store, UpdateDeadline};

/// The limits of one run.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest linear memory a guest may grow to, in bytes (each memory; 64 MiB by default).
    pub max_memory_bytes: usize,
    /// Longest a guest may compute without calling the host (5 s by default). Apps and drivers
    /// call the host every frame or transfer, so only a guest stuck in a loop meets it. Time
    /// spent inside host calls (delays, long transfers) does not count, so `--realtime` runs are
    /// not cut short.
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

/// The memory limit of a store: refuses to grow a memory past the limit by ending the guest
/// with a [`LimitHit`], so that it is reported as the limit it is.
pub(crate) struct MemoryLimit {
    max_bytes: usize,
}

impl MemoryLimit {
    pub(crate) fn new(max_bytes: usize) -> Self {
        Self { max_bytes }
    }
}

impl ResourceLimiter for MemoryLimit {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.max_bytes {
            return Err(wasmtime::Error::new(LimitHit(format!(
                "memory limit: the guest asked for {} MiB of linear memory, more than the limit \
                 of {} MiB (--max-memory-mib)",
                desired.div_ceil(1 << 20),
                self.max_bytes >> 20
            ))));
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        _desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(true)
    }
}

/// Why the host stopped a guest that had not ended by itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// `--frames N`: the displays showed N frames and the guest went on.
    Frames(u64),
    /// `--max-time`: the run reached its time bound.
    MaxTime(Duration),
    /// SIGINT (Ctrl-C).
    Interrupt,
    /// SIGTERM.
    Terminate,
    /// The person quit the live view (`q`): a clean end.
    Quit,
}

impl std::fmt::Display for StopReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StopReason::Frames(n) => write!(f, "stopped by the host after {n} frames (--frames)"),
            StopReason::MaxTime(t) => write!(f, "stopped by the host at {t:?} (--max-time)"),
            StopReason::Interrupt => write!(f, "interrupted (SIGINT)"),
            StopReason::Terminate => write!(f, "interrupted (SIGTERM)"),
            StopReason::Quit => write!(f, "stopped: the live view was quit (q)"),
        }
    }
}

/// The error the epoch callback ends the guest with when the host stops it.
#[derive(Debug)]
pub(crate) struct Stopped(pub(crate) StopReason);

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Stopped {}

/// A request to stop the guest, shared by whoever may make it (the frame counter, a signal
/// handler) and the epoch callback that acts on it. The first request wins.
#[derive(Default)]
pub struct StopRequest {
    reason: std::sync::Mutex<Option<StopReason>>,
    set: AtomicBool,
    engine: std::sync::OnceLock<Engine>,
}

impl StopRequest {
    /// Asks for the guest to be stopped; it is, at its next epoch check (at once while it
    /// computes, when it returns from the host while in a host call).
    pub fn request(&self, reason: StopReason) {
        {
            let mut slot = self.reason.lock().unwrap_or_else(|e| e.into_inner());
            if slot.is_some() {
                return;
            }
            *slot = Some(reason);
        }
        self.set.store(true, Ordering::SeqCst);
        if let Some(engine) = self.engine.get() {
            engine.increment_epoch();
        }
    }

    /// The reason given, once a stop was requested.
    pub fn reason(&self) -> Option<StopReason> {
        if !self.set.load(Ordering::SeqCst) {
            return None;
        }
        *self.reason.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn attach(&self, engine: &Engine) {
        let _ = self.engine.set(engine.clone());
    }
}

impl std::fmt::Debug for StopRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StopRequest")
            .field("reason", &self.reason())
            .finish_non_exhaustive()
    }
}

/// The error a guest is ended with when it breaks a limit (memory, watchdog): the message says
/// which, and the flag that sets it.
#[derive(Debug)]
pub(crate) struct LimitHit(pub(crate) String);

impl std::fmt::Display for LimitHit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LimitHit {}

/// `--max-time`: the bound on simulated time (a simulated board not paced to the wall clock)
/// or on wall time.
#[derive(Clone, Debug)]
pub(crate) struct TimeBound {
    pub(crate) limit: Duration,
    /// The simulated clock, when the bound is on simulated time.
    pub(crate) clock: Option<SimClock>,
    /// Where the bound starts: simulated nanoseconds, or the wall clock.
    pub(crate) start_ns: u64,
    pub(crate) started: Instant,
}

impl TimeBound {
    pub(crate) fn new(limit: Duration, clock: Option<SimClock>) -> Self {
        Self {
            limit,
            start_ns: clock.as_ref().map_or(0, SimClock::now_ns),
            clock,
            started: Instant::now(),
        }
    }

    pub(crate) fn reached(&self) -> bool {
        match &self.clock {
            Some(clock) => {
                clock.now_ns().saturating_sub(self.start_ns)
                    >= u64::try_from(self.limit.as_nanos()).unwrap_or(u64::MAX)
            }
            None => self.started.elapsed() >= self.limit,
        }
    }
}

/// What the watchdog knows: how many host-call transitions it has seen, and since when the guest
/// has computed without calling the host.
pub(crate) struct Watchdog {
    limit: Duration,
    /// Every crossing between guest and host (into and out of host calls, and the host's calls
    /// into the guest, such as its allocator while a host call hands over results), counted by
    /// the call hook.
    transitions: u64,
    /// `transitions` at the previous epoch callback.
    seen: u64,
    /// When the guest was last seen calling the host.
    quiet_since: Instant,
    /// The bounds of the run, checked at every tick.
    pub(crate) stop: Arc<StopRequest>,
    pub(crate) time_bound: Option<TimeBound>,
}

impl Watchdog {
    pub(crate) fn new(
        limit: Duration,
        stop: Arc<StopRequest>,
        time_bound: Option<TimeBound>,
    ) -> Self {
        Self {
            limit,
            transitions: 0,
            seen: 0,
            quiet_since: Instant::now(),
            stop,
            time_bound,
        }
    }

    /// Called at each epoch tick while the guest runs. The tick itself is a call into the host
    /// and so shows up as two transitions (the return from the previous tick and the entry into
    /// this one); more than that means the guest made a host call of its own since the last tick.
    /// The epoch callback runs only while guest code runs, so the time of a long host call is
    /// never seen as the guest's: the first tick after it sees the call's transitions, and a
    /// tick inside the guest's allocator, called by the host while it hands over a result list,
    /// sees the calls into it. An allocator that spins makes no crossings and is stopped too.
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

    /// The bound of the run that is reached, if one is.
    fn bound_reached(&self) -> Option<StopReason> {
        if let Some(reason) = self.stop.reason() {
            return Some(reason);
        }
        let bound = self.time_bound.as_ref()?;
        if bound.reached() {
            self.stop.request(StopReason::MaxTime(bound.limit));
            return self.stop.reason();
        }
        None
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

/// Arms the watchdog and the run's bounds on `store`: a thread advances the engine's epoch
/// every [`TICK`]; at each tick the guest is stopped when a stop was requested, when the run
/// reached `--max-time`, or when it has computed longer than the limit since its last host call.
pub(crate) fn install(engine: &Engine, store: &mut Store<crate::HostState>) -> Ticker {
    // Every kind of crossing counts: into and out of the host, into and out of the guest.
    store.call_hook(|mut ctx, _crossing| {
        ctx.data_mut().watchdog.transitions += 1;
        Ok(())
    });
    store.set_epoch_deadline(1);
    store.epoch_deadline_callback(|mut ctx| {
        let watchdog = &mut ctx.data_mut().watchdog;
        if let Some(reason) = watchdog.bound_reached() {
            return Err(wasmtime::Error::new(Stopped(reason)));
        }
        if watchdog.tick().is_err() {
            return Err(wasmtime::Error::new(LimitHit(format!(
                "watchdog: the guest computed for more than {:?} without calling the host \
                 (--watchdog-ms)",
                watchdog.limit
            ))));
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
