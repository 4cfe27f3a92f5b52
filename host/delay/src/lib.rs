//! The `wasi:delay@0.1.0` interface for Wasmtime hosts.
//!
//! A [`DelayBackend`] chooses the time base:
//! - [`DelayBackend::real`]: the wall clock; a delay sleeps the calling thread.
//! - [`DelayBackend::virtual_time`]: a [`SimClock`]; a delay advances it at once, so a simulated
//!   run is fast and deterministic.
//! - [`DelayBackend::paced`]: a [`SimClock`] paced to the wall clock ("real-time mode"): a
//!   delay advances the clock, then sleeps until the wall clock has caught up with it, so a
//!   person can watch a simulated board at its real speed.
//!
//! `now-ns` reads the same time base as the delays: virtual time on a simulated board.
//!
//! Every guest store gets a [`WasiDelayCtx`] built with [`WasiDelayCtx::builder`], and
//! [`add_to_linker`] gives a [`Linker`] the interface's functions. The interface has no
//! resources and no errors; a guest's delay only ever blocks that guest.
//!
//! # Example
//!
//! ```
//! use wasi_hal_delay::{DelayBackend, WasiDelayCtx, WasiDelayView};
//! use wasi_hal_policy::SimClock;
//! use wasmtime::component::{Linker, ResourceTable};
//! use wasmtime::{Engine, Store};
//!
//! struct HostState {
//!     delay: WasiDelayCtx,
//!     table: ResourceTable,
//! }
//!
//! fn main() -> anyhow::Result<()> {
//!     let engine = Engine::default();
//!     let mut linker = Linker::<HostState>::new(&engine);
//!     wasi_hal_delay::add_to_linker(&mut linker, |s| WasiDelayView {
//!         ctx: &mut s.delay,
//!         table: &mut s.table,
//!     })?;
//!
//!     // A simulated board: delays advance its clock at once.
//!     let clock = SimClock::new();
//!     let state = HostState {
//!         delay: WasiDelayCtx::builder()
//!             .backend(DelayBackend::virtual_time(clock.clone()))
//!             .build(),
//!         table: ResourceTable::new(),
//!     };
//!     let store = Store::new(&engine, state);
//!     // ... instantiate a component that imports `wasi:delay/delay@0.1.0` with `linker` ...
//!     # drop(store);
//!     Ok(())
//! }
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasi_hal_policy::SimClock;
use wasmtime::component::{HasData, Linker, ResourceTable};

mod bindings {
    wasmtime::component::bindgen!({
        // `wit` links to wit/wasi-delay: inside the crate, so the packaged crate has it too.
        path: "wit",
        world: "wasi:delay/imports",
        imports: { default: trappable },
    });
}

/// The time base of delays and `now-ns`. Cloning gives another handle to the same time base
/// (the same clock, the same start of real time).
#[derive(Clone)]
pub struct DelayBackend {
    kind: Kind,
}

#[derive(Clone)]
enum Kind {
    Real {
        epoch: Instant,
    },
    Virtual(SimClock),
    Paced {
        clock: SimClock,
        /// The wall-clock instant that matches virtual time `virtual_ns`.
        wall: Instant,
        virtual_ns: u64,
    },
}

impl fmt::Debug for DelayBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match &self.kind {
            Kind::Real { .. } => "real",
            Kind::Virtual(_) => "virtual",
            Kind::Paced { .. } => "paced",
        };
        f.debug_struct("DelayBackend")
            .field("kind", &name)
            .field("now_ns", &self.now_ns())
            .finish()
    }
}

impl Default for DelayBackend {
    /// Real time.
    fn default() -> Self {
        Self::real()
    }
}

impl DelayBackend {
    /// Real time: a delay sleeps the calling thread; `now-ns` counts from this call.
    pub fn real() -> Self {
        Self {
            kind: Kind::Real {
                epoch: Instant::now(),
            },
        }
    }

    /// Virtual time on `clock`: a delay advances the clock at once; `now-ns` is the clock's
    /// time.
    pub fn virtual_time(clock: SimClock) -> Self {
        Self {
            kind: Kind::Virtual(clock),
        }
    }

    /// Virtual time on `clock`, paced to the wall clock from this call on: a delay advances the
    /// clock, then sleeps until as much wall time has passed since this call as virtual time
    /// has (time the simulated parts add, such as bytes on a wire, is paced too). When the host
    /// is slower than the simulation, nothing sleeps and virtual time runs behind.
    pub fn paced(clock: SimClock) -> Self {
        let virtual_ns = clock.now_ns();
        Self {
            kind: Kind::Paced {
                clock,
                wall: Instant::now(),
                virtual_ns,
            },
        }
    }

    /// The clock behind virtual or paced time; `None` for real time.
    pub fn sim_clock(&self) -> Option<&SimClock> {
        match &self.kind {
            Kind::Real { .. } => None,
            Kind::Virtual(clock) | Kind::Paced { clock, .. } => Some(clock),
        }
    }

    /// Whether delays use virtual time (advanced at once or paced).
    pub fn is_virtual(&self) -> bool {
        self.sim_clock().is_some()
    }

    /// Waits at least `ns` nanoseconds in this time base.
    pub fn delay_ns(&self, ns: u64) {
        match &self.kind {
            Kind::Real { .. } => std::thread::sleep(Duration::from_nanos(ns)),
            Kind::Virtual(clock) => clock.advance_ns(ns),
            Kind::Paced {
                clock,
                wall,
                virtual_ns,
            } => {
                clock.advance_ns(ns);
                let ahead = clock.now_ns().saturating_sub(*virtual_ns);
                // `checked_add` guards against an instant too far in the future to represent.
                if let Some(due) = wall.checked_add(Duration::from_nanos(ahead)) {
                    let now = Instant::now();
                    if due > now {
                        std::thread::sleep(due - now);
                    }
                }
            }
        }
    }

    /// Nanoseconds since the start of this time base. Never goes backwards.
    pub fn now_ns(&self) -> u64 {
        match &self.kind {
            Kind::Real { epoch } => u64::try_from(epoch.elapsed().as_nanos()).unwrap_or(u64::MAX),
            Kind::Virtual(clock) | Kind::Paced { clock, .. } => clock.now_ns(),
        }
    }
}

impl embedded_hal::delay::DelayNs for DelayBackend {
    fn delay_ns(&mut self, ns: u32) {
        DelayBackend::delay_ns(self, u64::from(ns));
    }
}

/// Called after each delay a guest asked for, with the time base's `now` in nanoseconds. A host
/// uses it to do something once per frame of a self-pacing app (`wasi-hal run` samples the
/// simulated displays there).
pub type DelayObserver = Arc<dyn Fn(u64) + Send + Sync>;

/// One guest's delays: the time base they run in.
#[derive(Clone, Default)]
pub struct WasiDelayCtx {
    backend: DelayBackend,
    observer: Option<DelayObserver>,
}

impl fmt::Debug for WasiDelayCtx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WasiDelayCtx")
            .field("backend", &self.backend)
            .field("observer", &self.observer.is_some())
            .finish()
    }
}

impl WasiDelayCtx {
    /// A builder; without a backend the context uses real time.
    pub fn builder() -> WasiDelayCtxBuilder {
        WasiDelayCtxBuilder::default()
    }

    /// The time base.
    pub fn backend(&self) -> &DelayBackend {
        &self.backend
    }

    /// Runs `observer` after every delay this guest asks for (replacing any earlier one).
    pub fn set_observer(&mut self, observer: DelayObserver) {
        self.observer = Some(observer);
    }

    fn delay(&self, ns: u64) {
        self.backend.delay_ns(ns);
        if let Some(observer) = &self.observer {
            observer(self.backend.now_ns());
        }
    }
}

/// Builds a [`WasiDelayCtx`].
#[derive(Debug, Default)]
pub struct WasiDelayCtxBuilder {
    backend: Option<DelayBackend>,
}

impl WasiDelayCtxBuilder {
    /// Uses `backend` as the time base.
    pub fn backend(&mut self, backend: DelayBackend) -> &mut Self {
        self.backend = Some(backend);
        self
    }

    /// The context. The builder is left empty.
    pub fn build(&mut self) -> WasiDelayCtx {
        WasiDelayCtx {
            backend: self.backend.take().unwrap_or_default(),
            observer: None,
        }
    }
}

/// The [`HasData`] type of this interface: its data is a [`WasiDelayView`].
pub struct WasiDelay;

impl HasData for WasiDelay {
    type Data<'a> = WasiDelayView<'a>;
}

/// What the host functions work on, borrowed from the store's data.
pub struct WasiDelayView<'a> {
    /// The guest's time base.
    pub ctx: &'a mut WasiDelayCtx,
    /// The guest's resource table (the interface has no resources yet; kept so every wasi-hal
    /// view has the same shape).
    pub table: &'a mut ResourceTable,
}

impl bindings::wasi::delay::delay::Host for WasiDelayView<'_> {
    fn delay_ns(&mut self, ns: u32) -> wasmtime::Result<()> {
        self.ctx.delay(u64::from(ns));
        Ok(())
    }

    fn delay_us(&mut self, us: u32) -> wasmtime::Result<()> {
        // u32 microseconds fit in u64 nanoseconds: no overflow.
        self.ctx.delay(u64::from(us) * 1_000);
        Ok(())
    }

    fn delay_ms(&mut self, ms: u32) -> wasmtime::Result<()> {
        self.ctx.delay(u64::from(ms) * 1_000_000);
        Ok(())
    }

    fn now_ns(&mut self) -> wasmtime::Result<u64> {
        Ok(self.ctx.backend.now_ns())
    }
}

/// Adds `wasi:delay/delay@0.1.0` to `linker`; `f` finds the view in the store's data.
pub fn add_to_linker<T: Send>(
    linker: &mut Linker<T>,
    f: fn(&mut T) -> WasiDelayView<'_>,
) -> anyhow::Result<()> {
    bindings::wasi::delay::delay::add_to_linker::<T, WasiDelay>(linker, f)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_time_advances_at_once() {
        let clock = SimClock::new();
        let backend = DelayBackend::virtual_time(clock.clone());
        let start = Instant::now();
        backend.delay_ns(3_600_000_000_000); // an hour
        assert!(start.elapsed() < Duration::from_secs(1));
        assert_eq!(clock.now_ns(), 3_600_000_000_000);
        assert_eq!(backend.now_ns(), clock.now_ns());
    }

    #[test]
    fn paced_time_waits_for_the_wall_clock() {
        let clock = SimClock::new();
        let backend = DelayBackend::paced(clock.clone());
        let start = Instant::now();
        backend.delay_ns(30_000_000);
        assert!(start.elapsed() >= Duration::from_millis(30));
        assert_eq!(backend.now_ns(), 30_000_000);
        // Virtual time the simulated parts add is paced too.
        clock.advance_ns(20_000_000);
        backend.delay_ns(0);
        assert!(start.elapsed() >= Duration::from_millis(50));
    }

    #[test]
    fn real_time_sleeps_and_counts() {
        let backend = DelayBackend::real();
        let before = backend.now_ns();
        backend.delay_ns(5_000_000);
        let after = backend.now_ns();
        assert!(after - before >= 5_000_000, "{before} {after}");
        assert!(backend.sim_clock().is_none());
    }
}
