//! The [`Panel`] over the `display:pixels/display` import (components only).

use crate::{Area, Panel, PanelInfo, PixelFormat};

/// The generated bindings of the `display:pixels/app` world.
#[allow(missing_docs, reason = "generated")]
mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/display-pixels",
        world: "display:pixels/app",
    });
}

use bindings::display::pixels::display as wit;
pub use wit::ErrorCode;

/// An open `display:pixels` display.
#[derive(Debug)]
pub struct WitPanel {
    display: wit::Display,
    info: PanelInfo,
}

impl WitPanel {
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

impl Panel for WitPanel {
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
        self.display.present_region(rect, pixels)
    }
}
