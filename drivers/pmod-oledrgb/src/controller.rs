//! The SSD1331 controller as the Pmod OLEDrgb wires it: initialisation, the driver's copy of the
//! frame, and presentation of what changed. Plain embedded-hal, so it also runs natively against
//! the simulated SSD1331 in the unit tests.

use alloc::vec;
use alloc::vec::Vec;
use embedded_hal::digital::OutputPin;
use embedded_hal::spi::SpiDevice;
use wasi_hal_driver_support::display::{Error, Rect};

/// Columns of the panel.
pub const WIDTH: u32 = 96;
/// Rows of the panel.
pub const HEIGHT: u32 = 64;
/// Fastest SPI clock the SSD1331 takes: a 150 ns cycle.
pub const MAX_SPI_FREQUENCY_HZ: u32 = 6_666_666;

/// Digilent's initialisation for the Pmod OLEDrgb (its reference driver), less the power
/// steps: unlock, display off, remap `0x72` (65k colours, column remap, COM remap, COM split:
/// what shows the image upright on this module), start line and offset 0, normal display,
/// multiplex 64, external VCC, power save off, phase lengths, clock, pre-charge, VCOMH, master
/// current and the three colour contrasts, scrolling off, and the whole RAM cleared.
pub const INIT: &[u8] = &[
    0xFD, 0x12, 0xAE, 0xA0, 0x72, 0xA1, 0x00, 0xA2, 0x00, 0xA4, 0xA8, 0x3F, 0xAD, 0x8E, 0xB0, 0x0B,
    0xB1, 0x31, 0xB3, 0xF0, 0x8A, 0x64, 0x8B, 0x78, 0x8C, 0x64, 0xBB, 0x3A, 0xBE, 0x3E, 0x87, 0x06,
    0x81, 0x91, 0x82, 0x50, 0x83, 0x7D, 0x2E, 0x25, 0x00, 0x00, 0x5F, 0x3F,
];

/// The SSD1331 on an SPI device with its D/C# pin, and the driver's copy of the frame.
pub struct Ssd1331<SPI: SpiDevice, DC: OutputPin> {
    spi: SPI,
    dc: DC,
    spi_error: fn(&SPI::Error) -> Error,
    pin_error: fn(&DC::Error) -> Error,
    max_transfer: usize,
    /// RGB565 pixels, row-major.
    frame: Vec<u16>,
    /// What changed since the last presentation.
    dirty: Option<Rect>,
    /// The bytes of a presentation, kept so each reuses the allocation.
    wire: Vec<u8>,
}

impl<SPI: SpiDevice, DC: OutputPin> Ssd1331<SPI, DC> {
    /// The controller on `spi` with D/C# on `dc`; errors of each are mapped to display errors by
    /// `spi_error` and `pin_error`; transfers are split at `max_transfer` bytes. The frame
    /// starts black and is not sent until [`Ssd1331::init`].
    pub fn new(
        spi: SPI,
        dc: DC,
        spi_error: fn(&SPI::Error) -> Error,
        pin_error: fn(&DC::Error) -> Error,
        max_transfer: usize,
    ) -> Self {
        Self {
            spi,
            dc,
            spi_error,
            pin_error,
            max_transfer: max_transfer.max(1),
            frame: vec![0; (WIDTH * HEIGHT) as usize],
            dirty: None,
            wire: Vec::new(),
        }
    }

    /// Sends [`INIT`] (the display stays off), then the driver's whole frame.
    pub fn init(&mut self) -> Result<(), Error> {
        self.commands(INIT)?;
        self.dirty = Some(Rect::new(0, 0, WIDTH, HEIGHT));
        self.present()
    }

    /// Switches the display on (`0xAF`) or off (`0xAE`); the RAM is kept.
    pub fn set_display_on(&mut self, on: bool) -> Result<(), Error> {
        self.commands(&[if on { 0xAF } else { 0xAE }])
    }

    /// The master current (`0x87`) for `level` 0-255: sixteen steps.
    pub fn set_brightness(&mut self, level: u8) -> Result<(), Error> {
        self.commands(&[0x87, level >> 4])
    }

    fn commands(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.dc.set_low().map_err(|e| (self.pin_error)(&e))?;
        self.spi.write(bytes).map_err(|e| (self.spi_error)(&e))
    }

    /// Checks that `area` lies inside the panel.
    fn check(area: Rect) -> Result<(), Error> {
        let fits =
            |start: u32, len: u32, max: u32| start.checked_add(len).is_some_and(|e| e <= max);
        if fits(area.x, area.width, WIDTH) && fits(area.y, area.height, HEIGHT) {
            Ok(())
        } else {
            Err(Error::OutOfBounds)
        }
    }

    fn mark(&mut self, area: Rect) {
        if area.is_empty() {
            return;
        }
        self.dirty = Some(match self.dirty {
            None => area,
            Some(d) => {
                let x0 = d.x.min(area.x);
                let y0 = d.y.min(area.y);
                let x1 = (d.x + d.width).max(area.x + area.width);
                let y1 = (d.y + d.height).max(area.y + area.height);
                Rect::new(x0, y0, x1 - x0, y1 - y0)
            }
        });
    }

    /// Replaces the pixels of `area` with `pixels`: RGB565, two bytes each, most significant
    /// first, rows top to bottom.
    pub fn write_region(&mut self, area: Rect, pixels: &[u8]) -> Result<(), Error> {
        Self::check(area)?;
        let count = (area.width * area.height) as usize;
        if pixels.len() != count * 2 {
            return Err(Error::WrongLength);
        }
        let width = area.width as usize;
        for (row, line) in pixels
            .chunks_exact(width * 2)
            .enumerate()
            .take(area.height as usize)
        {
            let start = (area.y as usize + row) * WIDTH as usize + area.x as usize;
            for (pixel, bytes) in self.frame[start..start + width]
                .iter_mut()
                .zip(line.chunks_exact(2))
            {
                *pixel = u16::from_be_bytes([bytes[0], bytes[1]]);
            }
        }
        self.mark(area);
        Ok(())
    }

    /// [`Ssd1331::write_region`] with the bytes eight to a 64-bit word, the first in the least
    /// significant byte; the last word padded.
    pub fn write_region_words(&mut self, area: Rect, words: &[u64]) -> Result<(), Error> {
        Self::check(area)?;
        let bytes = (area.width * area.height) as usize * 2;
        if words.len() != bytes.div_ceil(8) {
            return Err(Error::WrongLength);
        }
        let unpacked: Vec<u8> = words
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .take(bytes)
            .collect();
        self.write_region(area, &unpacked)
    }

    /// Sets every pixel of `area` to the RGB565 `color` (bits 15-0).
    pub fn fill_rect(&mut self, area: Rect, color: u32) -> Result<(), Error> {
        Self::check(area)?;
        for y in area.y..area.y + area.height {
            let start = (y * WIDTH + area.x) as usize;
            self.frame[start..start + area.width as usize].fill(color as u16);
        }
        self.mark(area);
        Ok(())
    }

    /// Sends what changed since the last presentation: its window (`0x15`, `0x75`), then its
    /// pixels, split at the device's largest transfer.
    pub fn present(&mut self) -> Result<(), Error> {
        let Some(area) = self.dirty.take() else {
            return Ok(());
        };
        let (x1, y1) = (area.x + area.width - 1, area.y + area.height - 1);
        self.commands(&[0x15, area.x as u8, x1 as u8, 0x75, area.y as u8, y1 as u8])?;
        self.wire.clear();
        for y in area.y..=y1 {
            let start = (y * WIDTH + area.x) as usize;
            for pixel in &self.frame[start..start + area.width as usize] {
                self.wire.extend_from_slice(&pixel.to_be_bytes());
            }
        }
        self.dc.set_high().map_err(|e| (self.pin_error)(&e))?;
        for chunk in self.wire.chunks(self.max_transfer) {
            self.spi.write(chunk).map_err(|e| (self.spi_error)(&e))?;
        }
        Ok(())
    }

    /// Marks the whole frame changed, so the next presentation sends all of it (after the
    /// controller lost its RAM).
    pub fn invalidate(&mut self) {
        self.dirty = Some(Rect::new(0, 0, WIDTH, HEIGHT));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use wasi_hal_sim::ssd1331::{Ssd1331 as SimSsd1331, Ssd1331Spi};
    use wasi_hal_sim::{SimClock, SimLine, SimSpiDevice, SpiConfig, Trace, TraceKind};

    extern crate std;

    type Driver = Ssd1331<SimSpiDevice, SimLine>;

    fn rig() -> (Driver, Arc<Mutex<SimSsd1331>>, Trace) {
        let clock = SimClock::new();
        let trace = Trace::new();
        trace.enable();
        let model = SimSsd1331::new_shared(clock.clone());
        let dc = SimLine::new("dc", false, clock.clone(), trace.clone());
        let front = Ssd1331Spi::new(model.clone(), dc.clone(), None, None);
        let mut spi = SimSpiDevice::new("oled", Arc::new(Mutex::new(front)), clock, trace.clone());
        spi.set_config(SpiConfig {
            frequency_hz: 6_000_000,
            ..SpiConfig::default()
        });
        let driver = Ssd1331::new(spi, dc, |_| Error::BusError, |_| Error::BusError, 4096);
        (driver, model, trace)
    }

    fn pixel(model: &Arc<Mutex<SimSsd1331>>, x: u32, y: u32) -> [u8; 3] {
        model.lock().unwrap().frame().pixel(x, y).unwrap()
    }

    #[test]
    fn a_region_shows_upright_in_its_colours() {
        let (mut driver, model, _) = rig();
        driver.init().unwrap();
        driver.set_brightness(255).unwrap();
        driver.set_display_on(true).unwrap();
        // A 2x2 region at (94, 62): red, green / blue, white.
        let pixels: Vec<u8> = [0xF800u16, 0x07E0, 0x001F, 0xFFFF]
            .iter()
            .flat_map(|p| p.to_be_bytes())
            .collect();
        driver
            .write_region(Rect::new(94, 62, 2, 2), &pixels)
            .unwrap();
        driver.present().unwrap();
        assert_eq!(pixel(&model, 94, 62), [255, 0, 0]);
        assert_eq!(pixel(&model, 95, 62), [0, 255, 0]);
        assert_eq!(pixel(&model, 94, 63), [0, 0, 255]);
        assert_eq!(pixel(&model, 95, 63), [255, 255, 255]);
        assert_eq!(pixel(&model, 0, 0), [0, 0, 0]);
        assert_eq!(model.lock().unwrap().warnings(), []);
    }

    #[test]
    fn present_sends_only_what_changed() {
        let (mut driver, _, trace) = rig();
        driver.init().unwrap();
        let before = trace.events().len();
        driver.fill_rect(Rect::new(10, 10, 3, 2), 0x07E0).unwrap();
        driver.present().unwrap();
        let written: usize = trace.events()[before..]
            .iter()
            .filter_map(|e| match &e.kind {
                TraceKind::Spi { ops, .. } => Some(ops.len()),
                _ => None,
            })
            .sum();
        // One command transaction (window) and one data transaction (3x2 pixels).
        assert_eq!(written, 2);
        let spi_events = || {
            trace
                .events()
                .iter()
                .filter(|e| matches!(e.kind, TraceKind::Spi { .. }))
                .count()
        };
        let sent = spi_events();
        driver.present().unwrap();
        assert_eq!(spi_events(), sent, "nothing more to send");
    }

    #[test]
    fn bad_regions_are_refused_before_anything_changes() {
        let (mut driver, _, _) = rig();
        assert_eq!(
            driver.write_region(Rect::new(95, 0, 2, 1), &[0; 4]),
            Err(Error::OutOfBounds)
        );
        assert_eq!(
            driver.write_region(Rect::new(0, 0, 2, 1), &[0; 3]),
            Err(Error::WrongLength)
        );
        assert_eq!(
            driver.fill_rect(Rect::new(0, 60, 1, 5), 0),
            Err(Error::OutOfBounds)
        );
        assert_eq!(
            driver.write_region_words(Rect::new(0, 0, 5, 1), &[0; 1]),
            Err(Error::WrongLength)
        );
        assert_eq!(driver.dirty, None);
    }
}
