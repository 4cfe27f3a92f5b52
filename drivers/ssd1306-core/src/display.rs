//! An SSD1306 with the `display:pixels` operations.

use crate::command::{self, Window};
use crate::{DisplayDevice, Error, Gddram, Interface, PanelSize, Rect, mono1};
use alloc::vec::Vec;

/// An SSD1306 behind an [`Interface`], with the driver's copy of the frame.
///
/// Drawing ([`write_region`](Self::write_region), [`fill_rect`](Self::fill_rect)) changes only
/// the frame; [`present`](Self::present) sends the bytes that changed; nothing else sends
/// pixels. Errors from the bus leave the frame dirty, so the next presentation sends the
/// changes again.
#[derive(Debug)]
pub struct Ssd1306<I> {
    iface: I,
    frame: Gddram,
    contrast: u8,
    on: bool,
    /// The address window whose start the controller's pointer is at, when the driver knows
    /// it: after a data transfer that filled the window exactly (horizontal addressing wraps
    /// the pointer back to the window's first column and page).
    window_at_start: Option<Window>,
    /// Presentations since the window commands were last sent.
    since_window: u32,
}

/// A presentation sends the window commands at least once in this many, even when the
/// controller's pointer is known to be at the start of the window already: a byte lost or
/// added on the wire (a glitch, a reset the driver did not see) would otherwise shift every
/// later frame; this way it shows for at most this many presentations (half a second at
/// 30 frames a second).
pub const RESYNC_PRESENTATIONS: u32 = 16;

impl<I: Interface> Ssd1306<I> {
    /// A controller driving `panel` through `iface`. Sends nothing: call [`Self::init`] (or
    /// [`Self::load`] and [`Self::set_display_on`]).
    pub fn new(iface: I, panel: PanelSize) -> Self {
        Self {
            iface,
            frame: Gddram::new(panel),
            contrast: command::DEFAULT_CONTRAST,
            on: false,
            window_at_start: None,
            since_window: 0,
        }
    }

    /// The panel.
    pub fn panel(&self) -> PanelSize {
        self.frame.panel()
    }

    /// The driver's copy of the frame.
    pub fn frame(&self) -> &Gddram {
        &self.frame
    }

    /// The interface, to drive pins that belong to it (reset, supplies).
    pub fn interface_mut(&mut self) -> &mut I {
        &mut self.iface
    }

    /// The interface back.
    pub fn release(self) -> I {
        self.iface
    }

    /// The contrast in force (or to be set by the next [`Self::load`]).
    pub fn contrast(&self) -> u8 {
        self.contrast
    }

    /// Whether the display was last switched on.
    pub fn is_on(&self) -> bool {
        self.on
    }

    /// Initialises the controller from any state, in three transfers: the commands `AE`,
    /// [`command::configuration`] and the full window; the whole frame (dark after
    /// [`Self::new`]), so no power-on noise shows; then `AF`.
    pub fn init(&mut self) -> Result<(), Error> {
        self.load(&[command::DISPLAY_OFF])?;
        self.set_display_on(true)
    }

    /// Sends `leading`, [`command::configuration`] and the full window as one command
    /// transfer, then the whole frame as one data transfer. The display stays off or on as it
    /// was; the frame is clean afterwards.
    pub fn load(&mut self, leading: &[u8]) -> Result<(), Error> {
        let panel = self.panel();
        let full = Window::full(panel);
        let mut commands = Vec::with_capacity(leading.len() + 40);
        commands.extend_from_slice(leading);
        commands.extend_from_slice(&command::configuration(panel, self.contrast));
        commands.extend_from_slice(&full.commands());
        self.window_at_start = None;
        self.iface.send_commands(&commands)?;
        self.iface.send_data(self.frame.bytes())?;
        self.window_at_start = Some(full);
        self.since_window = 0;
        self.frame.clean();
        Ok(())
    }

    /// Switches the panel on (`AF`) or off (`AE`, GDDRAM kept).
    pub fn set_display_on(&mut self, on: bool) -> Result<(), Error> {
        let cmd = if on {
            command::DISPLAY_ON
        } else {
            command::DISPLAY_OFF
        };
        self.iface.send_commands(&[cmd])?;
        self.on = on;
        Ok(())
    }

    /// Sets the contrast now (`81 level`).
    pub fn set_contrast(&mut self, level: u8) -> Result<(), Error> {
        self.iface.send_commands(&[command::SET_CONTRAST, level])?;
        self.contrast = level;
        Ok(())
    }

    /// Records the contrast for the next [`Self::load`] without sending anything (for a
    /// controller that is not powered).
    pub fn store_contrast(&mut self, level: u8) {
        self.contrast = level;
    }

    /// Sends the bytes that changed since the last presentation: the window commands
    /// `21 first last 22 first last` in one command transfer, then the window's bytes in one
    /// data transfer. Nothing is sent when nothing changed.
    ///
    /// The window commands are left out when the controller's pointer is known to be at the
    /// start of the same window already (the last data transfer filled it exactly, as each
    /// frame of an app that redraws the same area does), except once every
    /// [`RESYNC_PRESENTATIONS`]: such a frame is one transfer, and on SPI the D/C# line
    /// stays high, so it is one bus transaction instead of two and two pin changes.
    pub fn present(&mut self) -> Result<(), Error> {
        let Some(dirty) = self.frame.dirty() else {
            return Ok(());
        };
        let offset = self.panel().column_offset();
        let window = Window {
            first_column: dirty.first_column + offset,
            last_column: dirty.last_column + offset,
            first_page: dirty.first_page,
            last_page: dirty.last_page,
        };
        let data = self.frame.dirty_bytes(dirty);
        let known = self.window_at_start == Some(window);
        // Until the data transfer has gone through, where the pointer is is not known.
        self.window_at_start = None;
        if !known || self.since_window + 1 >= RESYNC_PRESENTATIONS {
            self.iface.send_commands(&window.commands())?;
            self.since_window = 0;
        } else {
            self.since_window += 1;
        }
        self.iface.send_data(&data)?;
        self.window_at_start = Some(window);
        self.frame.clean();
        Ok(())
    }

    /// [`Self::write_region`] with the pixels in 64-bit words (`display:pixels`'
    /// `word-pixels.present-region`): the `mono1` bytes, eight to a word, least significant byte
    /// first. Fails with [`Error::OutOfBounds`] or [`Error::WrongLength`] (a word count other
    /// than the bytes' rounded up) before anything changes; padding bytes are ignored.
    pub fn write_region_words(&mut self, area: Rect, words: &[u64]) -> Result<(), Error> {
        self.frame.check_bounds(area)?;
        let len = mono1::packed_len(area.width, area.height).ok_or(Error::WrongLength)?;
        if words.len() != mono1::words_len(len) {
            return Err(Error::WrongLength);
        }
        let bytes = mono1::bytes_of_words(words);
        self.frame.write_region(area, &bytes[..len])
    }

    /// Marks the whole frame as changed, so the next presentation sends all of it.
    pub fn mark_all_dirty(&mut self) {
        self.frame.mark_all_dirty();
    }
}

/// The `display:pixels` operations, for a driver component to export as they are. Drawing
/// changes only the frame; the presentations are [`Ssd1306::present`] after the write (nothing
/// is sent when the write fails).
impl<I: Interface + 'static> DisplayDevice for Ssd1306<I> {
    fn size(&self) -> (u32, u32) {
        let panel = self.panel();
        (panel.width().into(), panel.height().into())
    }

    fn write_region(&mut self, area: Rect, pixels: &[u8]) -> Result<(), Error> {
        self.frame.write_region(area, pixels)
    }

    fn fill_rect(&mut self, area: Rect, color: u32) -> Result<(), Error> {
        self.frame.fill_rect(area, color)
    }

    fn present(&mut self) -> Result<(), Error> {
        Ssd1306::present(self)
    }

    fn write_region_words(&mut self, area: Rect, words: &[u64]) -> Result<(), Error> {
        Ssd1306::write_region_words(self, area, words)
    }

    fn set_power(&mut self, on: bool) -> Result<(), Error> {
        self.set_display_on(on)
    }

    fn set_brightness(&mut self, level: u8) -> Result<(), Error> {
        self.set_contrast(level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interface::tests::{I2cLog, Pin, Spi, Wire, WireLog};
    use crate::{I2cInterface, SpiInterface, mono1};
    use alloc::vec;
    use embedded_hal::i2c::{ErrorKind, NoAcknowledgeSource};

    fn i2c(panel: PanelSize) -> Ssd1306<I2cInterface<I2cLog>> {
        Ssd1306::new(I2cInterface::new(I2cLog::default(), 0x3C), panel)
    }

    /// Every I2C write of the log (one write per transaction here), then clears the log.
    fn writes(display: &mut Ssd1306<I2cInterface<I2cLog>>) -> Vec<Vec<u8>> {
        let log = core::mem::replace(
            display.interface_mut(),
            I2cInterface::new(I2cLog::default(), 0x3C),
        )
        .release();
        log.transactions
            .into_iter()
            .map(|(addr, mut ops)| {
                assert_eq!(addr, 0x3C);
                assert_eq!(ops.len(), 1);
                ops.remove(0)
            })
            .collect()
    }

    #[test]
    fn init_is_three_i2c_writes_in_datasheet_order() {
        let mut d = i2c(PanelSize::W128H64);
        d.init().unwrap();
        let w = writes(&mut d);
        assert_eq!(w.len(), 3);
        assert_eq!(
            w[0],
            [
                0x00, 0xAE, 0xD5, 0x80, 0xA8, 0x3F, 0xD3, 0x00, 0x40, 0x8D, 0x14, 0x20, 0x00, 0xA1,
                0xC8, 0xDA, 0x12, 0xD9, 0xF1, 0x81, 0x7F, 0xDB, 0x20, 0xA4, 0xA6, 0x2E, 0x21, 0x00,
                0x7F, 0x22, 0x00, 0x07
            ]
        );
        assert_eq!(w[1].len(), 1025);
        assert_eq!(w[1][0], 0x40);
        assert!(w[1][1..].iter().all(|&b| b == 0));
        assert_eq!(w[2], [0x00, 0xAF]);
        assert!(d.is_on());
        assert_eq!(d.frame().dirty(), None);
    }

    #[test]
    fn present_sends_only_the_changed_box_with_its_window() {
        let mut d = i2c(PanelSize::W128H64);
        d.init().unwrap();
        writes(&mut d);
        // Nothing changed: nothing sent.
        d.present().unwrap();
        assert!(writes(&mut d).is_empty());
        // Pixel (10, 3) and pixel (12, 9): columns 10..=12, pages 0..=1.
        d.fill_rect(Rect::new(10, 3, 1, 1), 1).unwrap();
        d.fill_rect(Rect::new(12, 9, 1, 1), 1).unwrap();
        d.present().unwrap();
        assert_eq!(
            writes(&mut d),
            [
                vec![0x00, 0x21, 10, 12, 0x22, 0, 1],
                vec![0x40, 0x08, 0x00, 0x00, 0x00, 0x00, 0x02],
            ]
        );
        // Only changed bytes count: a pixel in a byte that changes nothing else is a box of
        // one byte.
        d.fill_rect(Rect::new(11, 15, 1, 1), 1).unwrap();
        d.present().unwrap();
        assert_eq!(
            writes(&mut d),
            [vec![0x00, 0x21, 11, 11, 0x22, 1, 1], vec![0x40, 0x80]]
        );
        // Changes in a larger box.
        d.fill_rect(Rect::new(10, 8, 1, 1), 1).unwrap();
        d.fill_rect(Rect::new(12, 0, 1, 1), 1).unwrap();
        d.present().unwrap();
        assert_eq!(
            writes(&mut d),
            [
                vec![0x00, 0x21, 10, 12, 0x22, 0, 1],
                vec![0x40, 0x08, 0x00, 0x01, 0x01, 0x80, 0x02],
            ]
        );
        // The same box again: the last transfer filled it, so the pointer is at its start
        // and the data go alone.
        d.fill_rect(Rect::new(10, 0, 1, 1), 1).unwrap();
        d.fill_rect(Rect::new(12, 15, 1, 1), 1).unwrap();
        d.present().unwrap();
        assert_eq!(
            writes(&mut d),
            [vec![0x40, 0x09, 0x00, 0x01, 0x01, 0x80, 0x82]]
        );
    }

    #[test]
    fn words_carry_the_same_bytes_and_their_count_is_checked() {
        // 13x3 pixels: 2 bytes a row, 6 bytes, one word (2 padding bytes, ignored).
        let pixels = mono1::pack(13, 3, |x, y| (x * 3 + y) % 4 == 0);
        let mut word = [0xEEu8; 8];
        word[..6].copy_from_slice(&pixels);
        let words = [u64::from_le_bytes(word)];
        let area = Rect::new(5, 9, 13, 3);
        let mut by_bytes = i2c(PanelSize::W128H32);
        let mut by_words = i2c(PanelSize::W128H32);
        by_bytes.present_region(area, &pixels).unwrap();
        by_words.present_region_words(area, &words).unwrap();
        assert_eq!(by_words.frame(), by_bytes.frame());
        assert_eq!(writes(&mut by_words), writes(&mut by_bytes));
        // One word too many or too few; bounds are checked first.
        assert_eq!(
            by_words.write_region_words(area, &[0, 0]),
            Err(Error::WrongLength)
        );
        assert_eq!(
            by_words.write_region_words(area, &[]),
            Err(Error::WrongLength)
        );
        assert_eq!(
            by_words.write_region_words(Rect::new(120, 0, 13, 3), &[]),
            Err(Error::OutOfBounds)
        );
        assert_eq!(by_words.frame(), by_bytes.frame());
    }

    #[test]
    fn the_window_is_sent_again_once_in_every_resync_period_and_after_an_error() {
        let mut d = i2c(PanelSize::W128H32);
        d.init().unwrap();
        writes(&mut d);
        let full = Rect::new(0, 0, 128, 32);
        let frames = [
            mono1::pack(128, 32, |x, y| (x + y) % 2 == 0),
            mono1::pack(128, 32, |x, y| (x + y) % 2 == 1),
        ];
        // `init` left the pointer at the start of the full window: the first frames are data
        // only, until the period is over.
        let mut with_window = Vec::new();
        for n in 0..2 * RESYNC_PRESENTATIONS {
            d.present_region(full, &frames[n as usize % 2]).unwrap();
            let w = writes(&mut d);
            assert_eq!(w.last().unwrap().len(), 513, "frame {n}");
            match w.len() {
                1 => {}
                2 => {
                    assert_eq!(w[0], [0x00, 0x21, 0, 127, 0x22, 0, 3], "frame {n}");
                    with_window.push(n);
                }
                _ => panic!("frame {n}: {w:?}"),
            }
        }
        assert_eq!(
            with_window,
            [RESYNC_PRESENTATIONS - 1, 2 * RESYNC_PRESENTATIONS - 1]
        );
        // A failed data transfer leaves the pointer anywhere: the next frame sets the window.
        *d.interface_mut() = I2cInterface::new(
            I2cLog {
                fail: Some(ErrorKind::Bus),
                ..Default::default()
            },
            0x3C,
        );
        assert_eq!(d.present_region(full, &frames[0]), Err(Error::BusError));
        *d.interface_mut() = I2cInterface::new(I2cLog::default(), 0x3C);
        d.present().unwrap();
        let w = writes(&mut d);
        assert_eq!(w.len(), 2);
        assert_eq!(w[0], [0x00, 0x21, 0, 127, 0x22, 0, 3]);
        // Another box: its window; the same box after it: data only.
        // (Pixel (3, 4) is dark in the frame shown.)
        d.fill_rect(Rect::new(3, 4, 1, 1), 1).unwrap();
        d.present().unwrap();
        assert_eq!(writes(&mut d)[0], [0x00, 0x21, 3, 3, 0x22, 0, 0]);
        d.fill_rect(Rect::new(3, 4, 1, 1), 0).unwrap();
        d.present().unwrap();
        assert_eq!(writes(&mut d), [vec![0x40, 0xAA]]);
    }

    #[test]
    fn a_full_frame_is_one_window_and_one_data_transfer() {
        let mut d = i2c(PanelSize::W128H32);
        d.init().unwrap();
        writes(&mut d);
        // A box first, so that the pointer is not at the start of the full window.
        d.fill_rect(Rect::new(0, 0, 1, 1), 1).unwrap();
        d.present().unwrap();
        writes(&mut d);
        // A checkerboard: every byte of the frame changes.
        let pixels = mono1::pack(128, 32, |x, y| (x + y) % 2 == 0);
        assert_eq!(&pixels[..2], &[0xAA, 0xAA]);
        assert_eq!(&pixels[16..18], &[0x55, 0x55]);
        d.present_region(Rect::new(0, 0, 128, 32), &pixels).unwrap();
        let w = writes(&mut d);
        assert_eq!(w.len(), 2);
        assert_eq!(w[0], [0x00, 0x21, 0, 127, 0x22, 0, 3]);
        assert_eq!(w[1].len(), 513);
        assert_eq!(w[1][0], 0x40);
        // Even columns are lit on even rows (bits 0, 2, 4, 6), odd columns on odd rows.
        assert!(
            w[1][1..]
                .iter()
                .enumerate()
                .all(|(i, &b)| b == if i % 2 == 0 { 0x55 } else { 0xAA })
        );
    }

    #[test]
    fn small_panels_are_addressed_at_their_column_offset() {
        let mut d = i2c(PanelSize::W64H48);
        d.init().unwrap();
        let w = writes(&mut d);
        assert_eq!(&w[0][w[0].len() - 6..], &[0x21, 32, 95, 0x22, 0, 5]);
        assert_eq!(w[1].len(), 1 + 64 * 6);
        d.fill_rect(Rect::new(0, 47, 1, 1), 1).unwrap();
        d.present().unwrap();
        assert_eq!(
            writes(&mut d),
            [vec![0x00, 0x21, 32, 32, 0x22, 5, 5], vec![0x40, 0x80]]
        );
    }

    #[test]
    fn failed_writes_send_nothing_and_bus_errors_keep_the_frame_dirty() {
        let mut d = i2c(PanelSize::W128H64);
        d.init().unwrap();
        writes(&mut d);
        assert_eq!(
            d.present_region(Rect::new(0, 0, 8, 1), &[1, 2]),
            Err(Error::WrongLength)
        );
        assert_eq!(
            d.present_region(Rect::new(127, 0, 2, 1), &[0xC0]),
            Err(Error::OutOfBounds)
        );
        assert!(writes(&mut d).is_empty());

        d.fill_rect(Rect::new(0, 0, 1, 1), 1).unwrap();
        *d.interface_mut() = I2cInterface::new(
            I2cLog {
                fail: Some(ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address)),
                ..Default::default()
            },
            0x3C,
        );
        assert_eq!(d.present(), Err(Error::NotConnected));
        assert!(d.frame().dirty().is_some());
        // The display answers again: the change and its window are sent again.
        *d.interface_mut() = I2cInterface::new(I2cLog::default(), 0x3C);
        d.present().unwrap();
        assert_eq!(
            writes(&mut d),
            [vec![0x00, 0x21, 0, 0, 0x22, 0, 0], vec![0x40, 0x01]]
        );
    }

    #[test]
    fn power_and_brightness_are_single_commands() {
        let mut d = i2c(PanelSize::W96H16);
        d.set_display_on(false).unwrap();
        d.set_contrast(0x00).unwrap();
        d.set_contrast(0xFF).unwrap();
        d.set_display_on(true).unwrap();
        assert_eq!(
            writes(&mut d),
            [
                vec![0x00, 0xAE],
                vec![0x00, 0x81, 0x00],
                vec![0x00, 0x81, 0xFF],
                vec![0x00, 0xAF]
            ]
        );
        // The contrast in force is part of a later initialisation.
        d.init().unwrap();
        let w = writes(&mut d);
        assert_eq!(&w[0][18..22], &[0xF1, 0x81, 0xFF, 0xDB]);
    }

    #[test]
    fn spi_init_and_present_toggle_dc_per_transfer() {
        let log = WireLog::default();
        let iface = SpiInterface::new(Spi(log.clone()), Pin(log.clone(), true));
        let mut d = Ssd1306::new(iface, PanelSize::W128H32);
        d.init().unwrap();
        let wire = log.take();
        let mut expected_cmds = vec![0xAE];
        expected_cmds.extend(command::configuration(PanelSize::W128H32, 0x7F));
        expected_cmds.extend([0x21, 0, 127, 0x22, 0, 3]);
        assert_eq!(
            wire,
            [
                Wire::Dc(false),
                Wire::Write(expected_cmds),
                Wire::Dc(true),
                Wire::Write(vec![0; 512]),
                Wire::Dc(false),
                Wire::Write(vec![0xAF]),
            ]
        );
        let pixels = mono1::pack(128, 32, |x, y| x == y);
        d.present_region(Rect::new(0, 0, 128, 32), &pixels).unwrap();
        let wire = log.take();
        // The diagonal touches columns 0..=31 and pages 0..=3.
        assert_eq!(wire[0], Wire::Write(vec![0x21, 0, 31, 0x22, 0, 3]));
        assert_eq!(wire[1], Wire::Dc(true));
        let Wire::Write(data) = &wire[2] else {
            panic!("{wire:?}")
        };
        assert_eq!(data.len(), 32 * 4);
        for (i, &b) in data.iter().enumerate() {
            let (page, col) = (i / 32, i % 32);
            let expected = if col / 8 == page { 1 << (col % 8) } else { 0 };
            assert_eq!(b, expected, "page {page} column {col}");
        }
        assert_eq!(wire.len(), 3);
    }
}
