//! The [`PixelSink`] over the `display:pixels/display` import (components only).

use crate::{Area, PanelInfo, PixelFormat, PixelSink};

/// The generated bindings of the `display:pixels/word-app` world.
#[allow(missing_docs, reason = "generated")]
mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/display-pixels",
        world: "display:pixels/word-app",
    });
}

use bindings::display::pixels::display as wit;
use bindings::display::pixels::word_pixels;
pub use wit::ErrorCode;

/// An open `display:pixels` display. Frames go to the driver in 64-bit words
/// (`word-pixels.present-region`), a few times faster than in bytes.
#[derive(Debug)]
pub struct WitDisplay {
    display: wit::Display,
    info: PanelInfo,
    /// The last frame's words, kept so that each frame does not allocate them again.
    words: Vec<u64>,
}

impl WitDisplay {
    /// Opens and initialises the display the composed driver is configured for.
    pub fn open() -> Result<Self, ErrorCode> {
        let display = wit::open()?;
        let info = display.get_info();
        let format = match info.format {
            wit::ColorFormat::Mono1 => PixelFormat::Mono1,
            wit::ColorFormat::Rgb565 => PixelFormat::Rgb565,
        };
        Ok(Self {
            display,
            info: PanelInfo {
                width: info.width,
                height: info.height,
                format,
            },
            words: Vec::new(),
        })
    }

    /// Switches the panel on or off; the frame is kept while it is off.
    pub fn set_power(&mut self, on: bool) -> Result<(), ErrorCode> {
        self.display.set_power(on)
    }

    /// Sets the brightness, 0 (dimmest) to 255 (brightest).
    pub fn set_brightness(&mut self, level: u8) -> Result<(), ErrorCode> {
        self.display.set_brightness(level)
    }
}

impl PixelSink for WitDisplay {
    type Error = ErrorCode;

    fn info(&self) -> PanelInfo {
        self.info
    }

    fn present_region(&mut self, area: Area, pixels: &[u8]) -> Result<(), ErrorCode> {
        let rect = wit::Rect {
            x: area.x,
            y: area.y,
            width: area.width,
            height: area.height,
        };
        // Eight bytes to a word, the first in the least significant byte; the last word
        // padded with zeros.
        self.words.clear();
        self.words.extend(pixels.chunks(8).map(|chunk| {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            u64::from_le_bytes(word)
        }));
        word_pixels::present_region(&self.display, rect, &self.words)
    }
}
