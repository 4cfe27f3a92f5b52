//! An [embedded-graphics](embedded_graphics) `DrawTarget` over `display:pixels`, for app components.
//!
//! A [`GraphicsDisplay`] keeps a local frame buffer and a dirty rectangle. Drawing only touches
//! that buffer; [`GraphicsDisplay::flush`] then sends the changed part of the frame in ONE
//! cross-component call, `display.present-region(dirty, packed pixels)`, and sends nothing at all
//! when no pixel changed since the last flush. So an app may clear and redraw its whole scene
//! every frame and still send only what differs on the glass.
//!
//! Pixels are packed in the format the display reports:
//! - `mono1`: rows top to bottom, each row starting on a byte boundary, the most significant
//!   bit is the leftmost pixel of the rectangle, 1 = lit;
//! - `rgb565`: two bytes per pixel, most significant first, rows with no padding.
//!
//! The draw colour may be [`BinaryColor`] or [`Rgb565`] whatever the display's format:
//! `BinaryColor::On` is white on an `rgb565` display, and an `Rgb565` colour is lit on a `mono1`
//! display when it is brighter than half (see [`PanelColor`]).
//!
//! The display itself sits behind the small [`PixelSink`] trait, so the frame buffer, the dirty
//! rectangle and the packing are plain Rust that is tested natively with a recording fake. In a
//! `wasm32` component, `wit::WitDisplay` is the `PixelSink` over the `display:pixels/display` import.
//! [`pacing::Pacer`] keeps an app's frames a fixed time apart in `wasi:delay` time.
//!
//! ```ignore
//! use display_graphics::{GraphicsDisplay, wit::WitDisplay};
//! use embedded_graphics::{pixelcolor::BinaryColor, prelude::*, primitives::*};
//!
//! let mut display = GraphicsDisplay::<_, BinaryColor>::new(WitDisplay::open()?)?;
//! display.clear(BinaryColor::Off)?;
//! Circle::new(Point::new(10, 3), 8)
//!     .into_styled(PrimitiveStyle::with_fill(BinaryColor::On))
//!     .draw(&mut display)?;
//! display.flush()?; // one present-region call with the circle's bounding box
//! ```

use core::convert::Infallible;
use embedded_graphics::Pixel;
use embedded_graphics::pixelcolor::raw::{RawData, RawU16};
use embedded_graphics::pixelcolor::{BinaryColor, Rgb565, RgbColor};
use embedded_graphics::prelude::{Dimensions, DrawTarget, OriginDimensions, PixelColor, Size};
use embedded_graphics::primitives::Rectangle;

pub mod options;
pub mod pacing;
#[cfg(target_arch = "wasm32")]
pub mod wit;

/// The largest display side this crate accepts, in pixels.
pub const MAX_SIDE: u32 = 4096;

/// How a display packs its pixels (the WIT `color-format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PixelFormat {
    /// One bit per pixel, rows on byte boundaries, most significant bit leftmost, 1 = lit.
    Mono1,
    /// Two bytes per pixel, big-endian RGB 5-6-5, rows with no padding.
    Rgb565,
}

impl PixelFormat {
    /// The number of bytes a `width` x `height` rectangle takes in this format.
    pub fn packed_len(self, width: u32, height: u32) -> usize {
        let (w, h) = (width as usize, height as usize);
        match self {
            PixelFormat::Mono1 => w.div_ceil(8) * h,
            PixelFormat::Rgb565 => w * h * 2,
        }
    }
}

/// What an app needs to know about a display to draw on it (the WIT `info`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PanelInfo {
    /// Visible width in pixels.
    pub width: u32,
    /// Visible height in pixels.
    pub height: u32,
    /// How pixel data is packed.
    pub format: PixelFormat,
}

/// A rectangle of the display, in pixels from the top-left corner (the WIT `rect`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Area {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

/// The display a [`GraphicsDisplay`] presents to: the `display:pixels` resource in a component,
/// a recording fake in a test.
pub trait PixelSink {
    /// Why presenting failed.
    type Error: core::fmt::Debug;

    /// Geometry and pixel format.
    fn info(&self) -> PanelInfo;

    /// Replaces the pixels of `area` with `pixels` (packed in [`PanelInfo::format`]) and makes
    /// every change visible: `display.present-region`.
    fn present_region(&mut self, area: Area, pixels: &[u8]) -> Result<(), Self::Error>;
}

/// A colour an app can draw in, with its value in each display format.
pub trait PanelColor: PixelColor {
    /// The colour of an unlit pixel: what a fresh frame buffer holds.
    const BACKGROUND: Self;

    /// Whether the pixel is lit on a `mono1` display.
    fn is_lit(self) -> bool;

    /// The pixel on an `rgb565` display.
    fn to_rgb565(self) -> u16;
}

impl PanelColor for BinaryColor {
    const BACKGROUND: Self = BinaryColor::Off;

    fn is_lit(self) -> bool {
        self.is_on()
    }

    fn to_rgb565(self) -> u16 {
        let color = if self.is_on() {
            Rgb565::WHITE
        } else {
            Rgb565::BLACK
        };
        RawU16::from(color).into_inner()
    }
}

impl PanelColor for Rgb565 {
    const BACKGROUND: Self = Rgb565::BLACK;

    /// Lit when its luma (0.30 R + 0.59 G + 0.11 B, each channel scaled to 0..=255) is above half.
    fn is_lit(self) -> bool {
        let r = u32::from(self.r()) * 255 / 31;
        let g = u32::from(self.g()) * 255 / 63;
        let b = u32::from(self.b()) * 255 / 31;
        (r * 30 + g * 59 + b * 11) / 100 > 127
    }

    fn to_rgb565(self) -> u16 {
        RawU16::from(self).into_inner()
    }
}

/// Why a [`GraphicsDisplay`] could not be made for a display.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// The display reports a width or height of zero, or a side above [`MAX_SIDE`].
    UnsupportedSize {
        /// The width the display reports.
        width: u32,
        /// The height the display reports.
        height: u32,
    },
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Error::UnsupportedSize { width, height } => write!(
                f,
                "the display reports {width}x{height} pixels; 1 to {MAX_SIDE} pixels per side are supported"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// Inclusive bounds of the changed pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Bounds {
    x0: u32,
    y0: u32,
    x1: u32,
    y1: u32,
}

impl Bounds {
    fn point(x: u32, y: u32) -> Self {
        Self {
            x0: x,
            y0: y,
            x1: x,
            y1: y,
        }
    }

    fn include(&mut self, other: Bounds) {
        self.x0 = self.x0.min(other.x0);
        self.y0 = self.y0.min(other.y0);
        self.x1 = self.x1.max(other.x1);
        self.y1 = self.y1.max(other.y1);
    }

    fn area(self) -> Area {
        Area {
            x: self.x0,
            y: self.y0,
            width: self.x1 - self.x0 + 1,
            height: self.y1 - self.y0 + 1,
        }
    }
}

/// An embedded-graphics [`DrawTarget`] with a local frame buffer that presents its dirty
/// rectangle to a [`PixelSink`] in one call per [`flush`](Self::flush).
#[derive(Debug)]
pub struct GraphicsDisplay<P: PixelSink, C: PanelColor> {
    panel: P,
    info: PanelInfo,
    /// What the app has drawn.
    frame: Vec<C>,
    /// What the display shows (as far as this crate knows).
    shown: Vec<C>,
    /// Whether `shown` is known: false until the first successful flush and after `invalidate`.
    shown_known: bool,
    /// Bounds of the pixels drawn with a new colour since the last flush.
    dirty: Option<Bounds>,
    /// The packed bytes of the last flush (kept to reuse the allocation).
    packed: Vec<u8>,
}

impl<P: PixelSink, C: PanelColor> GraphicsDisplay<P, C> {
    /// A frame buffer the size of `panel`'s display, filled with [`PanelColor::BACKGROUND`].
    ///
    /// What the display shows is unknown at this point, so the first [`flush`](Self::flush)
    /// sends the whole frame.
    pub fn new(panel: P) -> Result<Self, Error> {
        let info = panel.info();
        if info.width == 0 || info.height == 0 || info.width > MAX_SIDE || info.height > MAX_SIDE {
            return Err(Error::UnsupportedSize {
                width: info.width,
                height: info.height,
            });
        }
        let len = info.width as usize * info.height as usize;
        let mut display = Self {
            panel,
            info,
            frame: vec![C::BACKGROUND; len],
            shown: vec![C::BACKGROUND; len],
            shown_known: false,
            dirty: None,
            packed: Vec::new(),
        };
        display.invalidate();
        Ok(display)
    }

    /// Geometry and pixel format of the display.
    pub fn info(&self) -> PanelInfo {
        self.info
    }

    /// The display this frame buffer presents to.
    pub fn panel(&self) -> &P {
        &self.panel
    }

    /// The display this frame buffer presents to, for calls this crate does not make (power,
    /// brightness).
    pub fn panel_mut(&mut self) -> &mut P {
        &mut self.panel
    }

    /// Gives the display back.
    pub fn into_panel(self) -> P {
        self.panel
    }

    /// The colour of the pixel at (`x`, `y`) in the frame buffer, `None` outside the display.
    pub fn pixel(&self, x: u32, y: u32) -> Option<C> {
        self.index(x, y).map(|i| self.frame[i])
    }

    /// The rectangle the next [`flush`](Self::flush) would send, `None` when it sends nothing.
    pub fn pending(&self) -> Option<Area> {
        self.tightened().map(Bounds::area)
    }

    /// Forgets what the display shows, so that the next [`flush`](Self::flush) sends the whole
    /// frame (for example after another program drew on it).
    pub fn invalidate(&mut self) {
        self.shown_known = false;
        self.dirty = Some(Bounds {
            x0: 0,
            y0: 0,
            x1: self.info.width - 1,
            y1: self.info.height - 1,
        });
    }

    /// Sends the pixels that changed since the last flush in one `present-region` call.
    ///
    /// Returns the rectangle sent, or `None` (and calls nothing) when the frame equals what the
    /// display shows. After an error the changes stay pending, so the next flush sends them again.
    pub fn flush(&mut self) -> Result<Option<Area>, P::Error> {
        let Some(bounds) = self.tightened() else {
            self.dirty = None;
            return Ok(None);
        };
        let area = bounds.area();
        self.pack(area);
        self.panel.present_region(area, &self.packed)?;
        let width = self.info.width as usize;
        for y in area.y..area.y + area.height {
            let start = y as usize * width + area.x as usize;
            let end = start + area.width as usize;
            self.shown[start..end].copy_from_slice(&self.frame[start..end]);
        }
        self.shown_known = true;
        self.dirty = None;
        Ok(Some(area))
    }

    /// The dirty rectangle shrunk to the pixels that differ from what the display shows.
    fn tightened(&self) -> Option<Bounds> {
        let dirty = self.dirty?;
        if !self.shown_known {
            return Some(dirty);
        }
        let width = self.info.width as usize;
        let mut found: Option<Bounds> = None;
        for y in dirty.y0..=dirty.y1 {
            let row = y as usize * width;
            for x in dirty.x0..=dirty.x1 {
                let i = row + x as usize;
                if self.frame[i] != self.shown[i] {
                    let point = Bounds::point(x, y);
                    match &mut found {
                        Some(b) => b.include(point),
                        None => found = Some(point),
                    }
                }
            }
        }
        found
    }

    /// Packs `area` of the frame into `self.packed` in the display's format.
    fn pack(&mut self, area: Area) {
        let width = self.info.width as usize;
        self.packed.clear();
        self.packed
            .reserve(self.info.format.packed_len(area.width, area.height));
        for y in area.y..area.y + area.height {
            let start = y as usize * width + area.x as usize;
            let row = &self.frame[start..start + area.width as usize];
            match self.info.format {
                PixelFormat::Mono1 => {
                    for chunk in row.chunks(8) {
                        let mut byte = 0u8;
                        for (bit, color) in chunk.iter().enumerate() {
                            if color.is_lit() {
                                byte |= 0x80 >> bit;
                            }
                        }
                        self.packed.push(byte);
                    }
                }
                PixelFormat::Rgb565 => {
                    for color in row {
                        self.packed
                            .extend_from_slice(&color.to_rgb565().to_be_bytes());
                    }
                }
            }
        }
    }

    fn index(&self, x: u32, y: u32) -> Option<usize> {
        (x < self.info.width && y < self.info.height)
            .then(|| y as usize * self.info.width as usize + x as usize)
    }

    fn set(&mut self, x: u32, y: u32, color: C) {
        let i = y as usize * self.info.width as usize + x as usize;
        if self.frame[i] != color {
            self.frame[i] = color;
            let point = Bounds::point(x, y);
            match &mut self.dirty {
                Some(b) => b.include(point),
                None => self.dirty = Some(point),
            }
        }
    }
}

impl<P: PixelSink, C: PanelColor> OriginDimensions for GraphicsDisplay<P, C> {
    fn size(&self) -> Size {
        Size::new(self.info.width, self.info.height)
    }
}

impl<P: PixelSink, C: PanelColor> DrawTarget for GraphicsDisplay<P, C> {
    type Color = C;
    type Error = Infallible;

    fn draw_iter<I>(&mut self, pixels: I) -> Result<(), Self::Error>
    where
        I: IntoIterator<Item = Pixel<Self::Color>>,
    {
        for Pixel(point, color) in pixels {
            if let (Ok(x), Ok(y)) = (u32::try_from(point.x), u32::try_from(point.y))
                && x < self.info.width
                && y < self.info.height
            {
                self.set(x, y, color);
            }
        }
        Ok(())
    }

    fn fill_solid(&mut self, area: &Rectangle, color: Self::Color) -> Result<(), Self::Error> {
        let area = area.intersection(&self.bounding_box());
        let Some(bottom_right) = area.bottom_right() else {
            return Ok(());
        };
        // Inside the display after the intersection, so both corners are non-negative.
        let (x0, y0) = (area.top_left.x as u32, area.top_left.y as u32);
        let (x1, y1) = (bottom_right.x as u32, bottom_right.y as u32);
        for y in y0..=y1 {
            for x in x0..=x1 {
                self.set(x, y, color);
            }
        }
        Ok(())
    }

    fn clear(&mut self, color: Self::Color) -> Result<(), Self::Error> {
        self.fill_solid(&self.bounding_box(), color)
    }
}

#[cfg(test)]
mod tests;
