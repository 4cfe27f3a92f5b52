//! JSON-lines traces: exact lines, and atomic saves.

mod common;

use common::{entries, fresh_dir};
use wasi_hal_sim::trace::TraceOp;
use wasi_hal_sim::{Trace, TraceEvent, TraceKind};
use wasi_hal_sim_render::{
    TRACE_STREAM_BUFFER_BYTES, save_trace_jsonl, stream_trace_jsonl, write_trace_jsonl,
};

fn events() -> Vec<TraceEvent> {
    vec![
        TraceEvent {
            time_ns: 0,
            kind: TraceKind::Spi {
                device: "oled".into(),
                ops: vec![
                    TraceOp::Write {
                        bytes: vec![0xae, 0x00],
                    },
                    TraceOp::Delay { ns: 1500 },
                    TraceOp::Transfer {
                        written: vec![1, 2],
                        read: vec![255, 0],
                    },
                ],
            },
        },
        TraceEvent {
            time_ns: 18_446_744_073_709_551_615,
            kind: TraceKind::I2c {
                bus: "i2c1".into(),
                address: 0x77,
                ops: vec![TraceOp::Write { bytes: vec![] }],
                error: Some("no acknowledge for the \"address\"".into()),
            },
        },
        TraceEvent {
            time_ns: 42,
            kind: TraceKind::Gpio {
                line: "reset".into(),
                high: false,
            },
        },
    ]
}

const EXPECTED: &str = concat!(
    r#"{"time_ns":0,"kind":"spi","device":"oled","ops":[{"op":"write","bytes":[174,0]},{"op":"delay","ns":1500},{"op":"transfer","written":[1,2],"read":[255,0]}]}"#,
    "\n",
    r#"{"time_ns":18446744073709551615,"kind":"i2c","bus":"i2c1","address":119,"ops":[{"op":"write","bytes":[]}],"error":"no acknowledge for the \"address\""}"#,
    "\n",
    r#"{"time_ns":42,"kind":"gpio","line":"reset","high":false}"#,
    "\n",
);

#[test]
fn jsonl_is_one_exact_compact_line_per_event() {
    let mut out = Vec::new();
    write_trace_jsonl(&events(), &mut out).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), EXPECTED);
}

#[test]
fn empty_trace_is_empty_output() {
    let mut out = Vec::new();
    write_trace_jsonl(&[], &mut out).unwrap();
    assert!(out.is_empty());
}

#[test]
fn saved_trace_has_the_same_lines() {
    let dir = fresh_dir("save_trace");
    let path = dir.join("trace.jsonl");
    std::fs::write(&path, "old").unwrap();
    save_trace_jsonl(&events(), &path).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), EXPECTED);
    assert_eq!(entries(&dir), ["trace.jsonl"]);
}

#[test]
fn failed_save_into_missing_directory_leaves_nothing_and_names_the_path() {
    let dir = fresh_dir("save_trace_missing_dir");
    let path = dir.join("gone").join("trace.jsonl");
    let message = format!("{:#}", save_trace_jsonl(&events(), &path).unwrap_err());
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(entries(&dir).is_empty());
}

#[test]
fn a_failing_writer_is_an_error_not_a_panic() {
    /// Accepts `room` bytes, then fails.
    struct Full {
        room: usize,
    }
    impl std::io::Write for Full {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.room == 0 {
                return Err(std::io::Error::other("disk full"));
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let err = write_trace_jsonl(&events(), Full { room: 10 }).unwrap_err();
    let message = format!("{err:#}");
    assert!(message.contains("disk full"), "{message}");
}

#[test]
fn streamed_trace_has_the_same_lines_and_keeps_nothing_in_memory() {
    let dir = fresh_dir("stream_trace");
    let path = dir.join("trace.jsonl");
    let trace = Trace::new();
    let stream = stream_trace_jsonl(&trace, &path).unwrap();
    assert!(trace.is_streaming());
    // Nothing has its final name until the stream is finished.
    assert!(!path.exists());
    for event in events() {
        trace.record(event.time_ns, event.kind);
    }
    assert_eq!(trace.kept_count(), 0);
    assert_eq!(stream.written(), 3);
    assert_eq!(stream.finish(&trace).unwrap(), 3);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), EXPECTED);
    assert_eq!(entries(&dir), ["trace.jsonl"]);
    // Finished, the trace records nothing more.
    assert!(!trace.is_enabled() && !trace.is_streaming());
}

#[test]
fn a_long_streamed_trace_goes_to_the_file_as_it_is_recorded() {
    let dir = fresh_dir("stream_trace_long");
    let path = dir.join("trace.jsonl");
    let trace = Trace::new();
    let stream = stream_trace_jsonl(&trace, &path).unwrap();
    let temp = dir.join(&entries(&dir)[0]);
    let event = &events()[2];
    // Far more than the buffer holds: the temporary file has grown before the end.
    let count = 4 * TRACE_STREAM_BUFFER_BYTES / 50;
    for i in 0..count {
        trace.record(i as u64, event.kind.clone());
    }
    let on_disk = std::fs::metadata(&temp).unwrap().len() as usize;
    assert!(on_disk >= 3 * TRACE_STREAM_BUFFER_BYTES, "{on_disk} bytes");
    assert_eq!(stream.finish(&trace).unwrap(), count as u64);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap().lines().count(),
        count
    );
}

#[test]
fn a_stream_into_a_missing_directory_fails_at_once_naming_the_path() {
    let dir = fresh_dir("stream_trace_missing_dir");
    let path = dir.join("gone").join("trace.jsonl");
    let trace = Trace::new();
    let message = format!("{:#}", stream_trace_jsonl(&trace, &path).unwrap_err());
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(!trace.is_enabled());
}

#[test]
fn a_stream_never_finished_leaves_no_file() {
    let dir = fresh_dir("stream_trace_dropped");
    let path = dir.join("trace.jsonl");
    let trace = Trace::new();
    let stream = stream_trace_jsonl(&trace, &path).unwrap();
    trace.record(1, events()[2].kind.clone());
    drop(stream);
    trace.stop();
    assert!(entries(&dir).is_empty());
}
