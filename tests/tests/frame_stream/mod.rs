//! The frame stream a virtual board writes to stdout (`virtual_board::frames`): binary `P6`
//! images, each with a `# wasi-hal-frame display=<name> time-ns=<ns> lit=<0|1>` comment line,
//! one after another.

#![allow(dead_code, reason = "each test file uses part of this module")]

use std::collections::HashMap;
use wasi_hal_sim::Frame;

/// One frame of the stream.
#[derive(Debug)]
pub struct StreamFrame {
    /// The display's name on the board.
    pub display: String,
    /// Simulated time of the frame.
    pub time_ns: u64,
    /// Whether the glass emits light.
    pub lit: bool,
    /// The image.
    pub frame: Frame,
}

/// Reads a stream of `P6` images with the `# wasi-hal-frame` comment line; panics, saying
/// what, on anything else.
pub fn parse_frames(mut bytes: &[u8]) -> Vec<StreamFrame> {
    fn line<'a>(bytes: &mut &'a [u8]) -> &'a str {
        let end = bytes
            .iter()
            .position(|&b| b == b'\n')
            .expect("a header line ends with a newline");
        let text = std::str::from_utf8(&bytes[..end]).expect("a header line is UTF-8");
        *bytes = &bytes[end + 1..];
        text
    }
    let mut frames = Vec::new();
    while !bytes.is_empty() {
        assert_eq!(
            line(&mut bytes),
            "P6",
            "each frame starts with the P6 magic"
        );
        let comment = line(&mut bytes);
        let fields: HashMap<&str, &str> = comment
            .strip_prefix("# wasi-hal-frame ")
            .expect("the second line is the wasi-hal-frame comment")
            .split(' ')
            .map(|kv| kv.split_once('=').expect("key=value"))
            .collect();
        let size = line(&mut bytes);
        let (w, h) = size.split_once(' ').expect("width height");
        let (width, height): (u32, u32) = (w.parse().unwrap(), h.parse().unwrap());
        assert_eq!(line(&mut bytes), "255", "8 bits per channel");
        let len = width as usize * height as usize * 3;
        assert!(bytes.len() >= len, "the stream ends inside a frame");
        frames.push(StreamFrame {
            display: fields["display"].to_string(),
            time_ns: fields["time-ns"].parse().unwrap(),
            lit: fields["lit"] == "1",
            frame: Frame {
                width,
                height,
                rgb: bytes[..len].to_vec(),
            },
        });
        bytes = &bytes[len..];
    }
    frames
}

/// Panics, counting the differing pixels, unless `actual` is `expected`; `what` names both.
pub fn assert_same_frame(actual: &Frame, expected: &Frame, what: &str) {
    assert_eq!(
        (actual.width, actual.height),
        (expected.width, expected.height),
        "{what}: the size differs"
    );
    if actual != expected {
        let differing: Vec<(u32, u32)> = (0..expected.height)
            .flat_map(|y| (0..expected.width).map(move |x| (x, y)))
            .filter(|&(x, y)| actual.pixel(x, y) != expected.pixel(x, y))
            .collect();
        panic!(
            "{what}: {} pixels differ, the first at {:?}",
            differing.len(),
            differing.first()
        );
    }
}
