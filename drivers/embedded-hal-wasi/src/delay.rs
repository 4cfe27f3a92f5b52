//! [`embedded_hal::delay::DelayNs`] over `wasi:delay`.

use crate::bindings::wasi::delay::delay as wit;

/// Delays in the host's time base (virtual time on a simulated board).
#[derive(Clone, Copy, Debug, Default)]
pub struct Delay;

impl Delay {
    /// Nanoseconds since an arbitrary start, in the same time base as the delays.
    pub fn now_ns(&self) -> u64 {
        wit::now_ns()
    }
}

impl embedded_hal::delay::DelayNs for Delay {
    fn delay_ns(&mut self, ns: u32) {
        wit::delay_ns(ns);
    }

    fn delay_us(&mut self, us: u32) {
        wit::delay_us(us);
    }

    fn delay_ms(&mut self, ms: u32) {
        wit::delay_ms(ms);
    }
}
