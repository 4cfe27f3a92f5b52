//! One retry rule for instantiating: a fault of the host's kernel, not of the guest.
//!
//! On Linux, Wasmtime builds a core module's initial-memory image the first time it
//! instantiates the module: a memfd holding the data segments, sealed against writes, that
//! every instance then maps copy-on-write. Linux refuses the write seal with `EBUSY` while a
//! page of the fresh memfd still holds a transient reference (a per-CPU page batch not yet
//! drained, a page being migrated) after waiting about 70 ms for it. Under load it happens:
//! CI saw it on a 2-core machine while other tests compiled, instantiating a Python
//! component, whose image is tens of megabytes. Wasmtime keeps no image when building it
//! failed, so instantiating again builds it again. [`retry_busy_image`] does that up to
//! [`IMAGE_ATTEMPTS`] times, sleeping 50, 100, 200 and 400 ms of wall-clock time between the
//! attempts (the kernel's time, also under a simulated device's virtual clock), and then
//! reports the last error. Any other error is reported at once.

use anyhow::Result;
use std::time::Duration;

/// How many times an instantiation is tried while the kernel refuses to seal a memory image.
pub const IMAGE_ATTEMPTS: u32 = 5;

/// Whether `error` is the kernel refusing, for now, to seal a memory image (`EBUSY`).
pub fn memory_image_busy(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ResourceBusy)
    })
}

/// After attempt `attempt` (counting from 1) failed with `error`: whether to try again. When
/// it is, this waits first, blocking the thread: the wait is rare and short, and a simulated
/// device's virtual clock must not move for it.
pub fn wait_to_retry(error: &anyhow::Error, attempt: u32) -> bool {
    if attempt >= IMAGE_ATTEMPTS || !memory_image_busy(error) {
        return false;
    }
    tracing::debug!(
        attempt,
        "the kernel refused to seal a memory image; instantiating again"
    );
    std::thread::sleep(Duration::from_millis(50 << (attempt - 1)));
    true
}

/// Runs `instantiate` until it succeeds, fails for another reason than
/// [`memory_image_busy`], or was tried [`IMAGE_ATTEMPTS`] times.
pub fn retry_busy_image<T>(mut instantiate: impl FnMut() -> Result<T>) -> Result<T> {
    let mut attempt = 1;
    loop {
        match instantiate() {
            Err(e) if wait_to_retry(&e, attempt) => attempt += 1,
            result => return result,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;
    use std::io::{Error, ErrorKind};

    fn busy() -> anyhow::Error {
        anyhow::Error::new(Error::from(ErrorKind::ResourceBusy)).context("building a memory image")
    }

    #[test]
    fn a_busy_memory_image_is_tried_again_until_it_succeeds() {
        let mut calls = 0;
        let result = retry_busy_image(|| {
            calls += 1;
            if calls < 3 { Err(busy()) } else { Ok(calls) }
        });
        assert_eq!(result.unwrap(), 3);
    }

    #[test]
    fn a_memory_image_busy_every_time_is_reported_after_the_last_attempt() {
        let mut calls = 0;
        let error = retry_busy_image(|| -> Result<()> {
            calls += 1;
            Err(busy())
        })
        .unwrap_err();
        assert_eq!(calls, IMAGE_ATTEMPTS);
        assert!(memory_image_busy(&error), "{error:#}");
    }

    #[test]
    fn any_other_error_is_reported_at_once() {
        let mut calls = 0;
        let error = retry_busy_image(|| -> Result<()> {
            calls += 1;
            Err(Error::from(ErrorKind::NotFound)).context("opening")
        })
        .unwrap_err();
        assert_eq!(calls, 1);
        assert!(!memory_image_busy(&error));
    }

    /// Wasmtime's own error type (`memfd::Error::AddSeals` is an error whose source is the
    /// `io::Error`), converted as the supervisor converts it, is still recognised.
    #[test]
    fn the_kernels_refusal_is_found_through_wasmtimes_error() {
        #[derive(Debug)]
        struct AddSeals(Error);
        impl std::fmt::Display for AddSeals {
            fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("cannot add seals to the memfd")
            }
        }
        impl std::error::Error for AddSeals {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let error = wasmtime::Error::new(AddSeals(Error::from(ErrorKind::ResourceBusy)))
            .context("instantiating");
        assert!(memory_image_busy(&anyhow::Error::from(error)));
    }
}
