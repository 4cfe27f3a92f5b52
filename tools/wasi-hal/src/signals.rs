//! Ctrl-C and SIGTERM: the first one stops the guest through the epoch ([`StopRequest`]), so
//! the run ends as at any other stop (GPIO outputs back to their safe levels, outputs saved,
//! the terminal left clean); a second one ends the process at once.

use crate::limits::{StopReason, StopRequest};
use anyhow::{Context, Result};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::{Handle, Signals};
use std::sync::Arc;

/// Watches for SIGINT and SIGTERM while alive; stops watching when dropped.
pub struct SignalWatch {
    handle: Handle,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for SignalWatch {
    fn drop(&mut self) {
        self.handle.close();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts watching: the first SIGINT or SIGTERM asks `stop` to stop the guest; a second one
/// exits at once with 130 or 143 (nothing more is saved).
pub fn watch(stop: Arc<StopRequest>) -> Result<SignalWatch> {
    let mut signals =
        Signals::new([SIGINT, SIGTERM]).context("cannot install the SIGINT/SIGTERM handlers")?;
    let handle = signals.handle();
    let thread = std::thread::spawn(move || {
        let mut seen = false;
        for signal in signals.forever() {
            let (reason, code) = if signal == SIGTERM {
                (StopReason::Terminate, 143)
            } else {
                (StopReason::Interrupt, 130)
            };
            if seen {
                eprintln!("wasi-hal: {reason} again: exiting without waiting for the guest");
                std::process::exit(code);
            }
            seen = true;
            stop.request(reason);
        }
    });
    Ok(SignalWatch {
        handle,
        thread: Some(thread),
    })
}

/// Starts watching for a running device (`wasi-hal up`): SIGINT or SIGTERM stops it cleanly
/// (every component stopped, GPIO outputs at their safe levels, exit 0), a second one exits at
/// once; SIGHUP reloads the device file.
pub fn watch_device(control: wasi_hal_runtime::Control) -> Result<SignalWatch> {
    let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP])
        .context("cannot install the SIGINT/SIGTERM/SIGHUP handlers")?;
    let handle = signals.handle();
    let thread = std::thread::spawn(move || {
        let mut seen = false;
        for signal in signals.forever() {
            if signal == SIGHUP {
                control.reload();
                continue;
            }
            if seen {
                eprintln!("wasi-hal: signal {signal} again: exiting without a clean stop");
                std::process::exit(128 + signal);
            }
            seen = true;
            control.stop();
        }
    });
    Ok(SignalWatch {
        handle,
        thread: Some(thread),
    })
}
