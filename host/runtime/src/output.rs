//! Guest stdout and stderr as `tracing` lines tagged with the component, rate-limited.
//!
//! Each line a guest writes becomes one `tracing` event at INFO (stdout) or WARN (stderr) with
//! the fields `component` and `stream`. Bounded in every way, since a device runs for months:
//! a line longer than [`MAX_LINE_BYTES`] is cut there (the rest up to the newline is dropped),
//! and each component has a token bucket of [`BURST_LINES`] lines refilled at
//! [`LINES_PER_SECOND`] (wall-clock time: the disk fills in real time) shared by its two
//! streams and kept across restarts. Lines over the budget are counted, not stored; the next
//! line let through is preceded by one line saying how many were dropped.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Instant;
use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};

/// The longest line logged, in bytes; the rest of a longer line is dropped.
pub const MAX_LINE_BYTES: usize = 1024;
/// Lines a component may log at once after a quiet spell.
pub const BURST_LINES: f64 = 50.0;
/// Lines a component may log per second in the long run.
pub const LINES_PER_SECOND: f64 = 10.0;

/// The line budget of one component: a token bucket.
#[derive(Debug)]
pub struct LineBudget {
    tokens: f64,
    refilled: Instant,
    dropped: u64,
    dropped_total: u64,
    logged: u64,
}

impl Default for LineBudget {
    fn default() -> Self {
        Self {
            tokens: BURST_LINES,
            refilled: Instant::now(),
            dropped: 0,
            dropped_total: 0,
            logged: 0,
        }
    }
}

impl LineBudget {
    /// Takes one line from the budget at `now`: `Some(dropped)` when it may be logged (with the
    /// number of lines dropped since the last one logged), `None` when it is over budget.
    pub fn take(&mut self, now: Instant) -> Option<u64> {
        let elapsed = now.saturating_duration_since(self.refilled).as_secs_f64();
        self.tokens = (self.tokens + elapsed * LINES_PER_SECOND).min(BURST_LINES);
        self.refilled = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            self.logged += 1;
            Some(std::mem::take(&mut self.dropped))
        } else {
            self.dropped += 1;
            self.dropped_total += 1;
            None
        }
    }

    /// Lines logged so far.
    pub fn logged(&self) -> u64 {
        self.logged
    }

    /// Lines dropped so far (over the rate).
    pub fn dropped_total(&self) -> u64 {
        self.dropped_total
    }
}

/// One stream (stdout or stderr) of one component, for [`wasmtime_wasi::WasiCtxBuilder`].
#[derive(Clone)]
pub struct GuestOutput {
    component: Arc<str>,
    stream: &'static str,
    budget: Arc<Mutex<LineBudget>>,
}

impl GuestOutput {
    /// `stream` (`"stdout"` or `"stderr"`) of `component`, logging within `budget`.
    pub fn new(component: Arc<str>, stream: &'static str, budget: Arc<Mutex<LineBudget>>) -> Self {
        Self {
            component,
            stream,
            budget,
        }
    }
}

impl IsTerminal for GuestOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for GuestOutput {
    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(LineWriter {
            output: self.clone(),
            line: Vec::new(),
            cut: false,
        })
    }
}

/// Splits what a guest writes into lines and logs each.
struct LineWriter {
    output: GuestOutput,
    line: Vec<u8>,
    cut: bool,
}

impl LineWriter {
    fn emit(&mut self) {
        let text = String::from_utf8_lossy(&self.line);
        let text = text.trim_end_matches('\r');
        let taken = self
            .output
            .budget
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take(Instant::now());
        let component = &*self.output.component;
        let stream = self.output.stream;
        match taken {
            None => {}
            Some(dropped) => {
                if dropped > 0 {
                    tracing::warn!(
                        component,
                        stream,
                        "{dropped} lines dropped (over the log rate)"
                    );
                }
                let cut = if self.cut { " […]" } else { "" };
                if stream == "stderr" {
                    tracing::warn!(component, stream, "{text}{cut}");
                } else {
                    tracing::info!(component, stream, "{text}{cut}");
                }
            }
        }
        self.line.clear();
        self.cut = false;
    }

    fn push(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            if byte == b'\n' {
                self.emit();
            } else if self.line.len() < MAX_LINE_BYTES {
                self.line.push(byte);
            } else {
                self.cut = true;
            }
        }
    }
}

impl AsyncWrite for LineWriter {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.push(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        if !self.line.is_empty() {
            self.emit();
        }
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_budget_allows_a_burst_then_the_rate_and_counts_what_it_dropped() {
        let mut budget = LineBudget::default();
        let start = budget.refilled;
        let allowed = (0..1000).filter(|_| budget.take(start).is_some()).count();
        assert_eq!(allowed, BURST_LINES as usize);
        // One second later: the rate's worth more, the first with the count of the dropped.
        let later = start + Duration::from_secs(1);
        assert_eq!(budget.take(later), Some(1000 - BURST_LINES as u64));
        let more = (0..1000).filter(|_| budget.take(later).is_some()).count();
        assert_eq!(more, LINES_PER_SECOND as usize - 1);
        assert_eq!(budget.logged(), (BURST_LINES + LINES_PER_SECOND) as u64);
    }
}
