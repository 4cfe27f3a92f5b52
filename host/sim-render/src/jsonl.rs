//! Bus traces as JSON lines.

use crate::atomic::write_atomically;
use anyhow::{Context, Result};
use std::io::{BufWriter, Write};
use std::path::Path;
use wasi_hal_sim::TraceEvent;

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
