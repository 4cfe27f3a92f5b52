//! A component drives one device: the guard that lets it be open once at a time.

use core::sync::atomic::{AtomicBool, Ordering};

/// Whether a component's one device is open. A driver keeps one in a `static` and claims it in
/// `open`; the claim releases it when dropped, with the device's resource.
#[derive(Debug)]
pub struct SingleOpen(AtomicBool);

impl SingleOpen {
    /// A device that is not open.
    pub const fn new() -> Self {
        Self(AtomicBool::new(false))
    }

    /// Marks the device open; `None` when it already is (the caller answers `in-use`).
    pub fn claim(&'static self) -> Option<OpenClaim> {
        (!self.0.swap(true, Ordering::Relaxed)).then_some(OpenClaim(&self.0))
    }
}

impl Default for SingleOpen {
    fn default() -> Self {
        Self::new()
    }
}

/// The device is open while this lives: keep it in the device's resource (a failed `open` drops
/// it, and the device may be opened again).
#[derive(Debug)]
pub struct OpenClaim(&'static AtomicBool);

impl Drop for OpenClaim {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_claim_waits_until_the_first_is_dropped() {
        static OPEN: SingleOpen = SingleOpen::new();
        let first = OPEN.claim().expect("closed at first");
        assert!(OPEN.claim().is_none(), "open twice");
        drop(first);
        assert!(OPEN.claim().is_some(), "closed again after the drop");
    }
}
