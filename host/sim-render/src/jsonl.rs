//! Bus traces as JSON lines.

use crate::atomic::{AtomicFile, write_atomically};
use anyhow::{Context, Result, anyhow};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use wasi_hal_sim::{Trace, TraceEvent};

/// Writes a trace as JSON lines: one compact JSON object per event, each followed by `\n`, in
/// the order given. The format is described in the crate docs.
///
/// `out` is buffered here, so passing an unbuffered file or stdout is fine; it is flushed before
/// returning. Errors say which event could not be written.
pub fn write_trace_jsonl(events: &[TraceEvent], out: impl Write) -> Result<()> {
    let mut out = BufWriter::new(out);
    for (i, event) in events.iter().enumerate() {
        serde_json::to_writer(&mut out, event)
            .map_err(anyhow::Error::from)
            .and_then(|()| Ok(out.write_all(b"\n")?))
            .with_context(|| {
                format!(
                    "cannot write trace event {i} (at {} ns) as JSON",
                    event.time_ns
                )
            })?;
    }
    out.flush().context("cannot flush the JSON-lines trace")?;
    Ok(())
}

/// Saves a trace as a JSON-lines file (see [`write_trace_jsonl`]), atomically: the file is
/// written under a temporary name in the same directory and renamed into place. Errors name
/// `path`.
pub fn save_trace_jsonl(events: &[TraceEvent], path: &Path) -> Result<()> {
    write_atomically(path, "JSON-lines trace", |out| {
        write_trace_jsonl(events, out)
    })
}

/// The size of a [`TraceStream`]'s buffer: what it holds in memory at most before writing.
pub const TRACE_STREAM_BUFFER_BYTES: usize = 64 * 1024;

/// A trace being written to a JSON-lines file as it is recorded ([`stream_trace_jsonl`]).
///
/// Each event is written when it happens, through a buffer of [`TRACE_STREAM_BUFFER_BYTES`], so
/// a run of any length keeps no more than that in memory. The file is written under a temporary
/// name in the same directory (`.NAME.PID-N.tmp`) and renamed into place by
/// [`TraceStream::finish`]; dropped without it, the temporary file is removed once the trace
/// stops streaming.
#[derive(Debug)]
pub struct TraceStream {
    path: PathBuf,
    state: Arc<Mutex<StreamState>>,
}

struct StreamState {
    file: Option<AtomicFile>,
    written: u64,
    /// The first write error: later events are dropped and [`TraceStream::finish`] reports it.
    error: Option<anyhow::Error>,
}

impl std::fmt::Debug for StreamState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamState")
            .field("written", &self.written)
            .field("error", &self.error)
            .finish()
    }
}

fn lock(state: &Mutex<StreamState>) -> MutexGuard<'_, StreamState> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

/// Starts writing every event `trace` records from now on to the JSON-lines file `path` (the
/// format of [`write_trace_jsonl`]), and turns recording on. The temporary file is created
/// here, so a path that cannot be written fails now, before anything runs. Errors name `path`.
pub fn stream_trace_jsonl(trace: &Trace, path: &Path) -> Result<TraceStream> {
    let file = AtomicFile::with_buffer(path, TRACE_STREAM_BUFFER_BYTES)
        .with_context(|| format!("cannot save JSON-lines trace to {}", path.display()))?;
    let state = Arc::new(Mutex::new(StreamState {
        file: Some(file),
        written: 0,
        error: None,
    }));
    let sink_state = state.clone();
    trace.stream_to(move |event| {
        let mut state = lock(&sink_state);
        let index = state.written;
        let StreamState { file, error, .. } = &mut *state;
        if error.is_some() {
            return;
        }
        let Some(file) = file else { return };
        let out = file.writer();
        let result = serde_json::to_writer(&mut *out, event)
            .map_err(anyhow::Error::from)
            .and_then(|()| Ok(out.write_all(b"\n")?));
        match result {
            Ok(()) => state.written += 1,
            Err(e) => {
                state.error = Some(e.context(format!(
                    "cannot write trace event {index} (at {} ns) as JSON",
                    event.time_ns
                )))
            }
        }
    });
    Ok(TraceStream {
        path: path.to_path_buf(),
        state,
    })
}

impl TraceStream {
    /// How many events have been written so far.
    pub fn written(&self) -> u64 {
        lock(&self.state).written
    }

    /// Stops `trace` streaming (it must be the trace given to [`stream_trace_jsonl`]), flushes
    /// the file and renames it into place; returns how many events it holds. The first write
    /// error of the run, if any, is returned instead and the file is not left behind.
    pub fn finish(self, trace: &Trace) -> Result<u64> {
        trace.stop();
        let mut state = lock(&self.state);
        let written = state.written;
        let file = state.file.take();
        let result = match (state.error.take(), file) {
            (Some(e), _) => Err(e),
            (None, Some(file)) => file.commit().map(|()| written),
            (None, None) => Err(anyhow!("the trace stream was already finished")),
        };
        result.with_context(|| format!("cannot save JSON-lines trace to {}", self.path.display()))
    }
}
