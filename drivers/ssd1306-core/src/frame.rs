//! The driver's copy of the picture, in GDDRAM layout, with the area that changed.

use crate::{Error, Panel, mono1};
use alloc::vec::Vec;

/// A rectangle of the display in pixels from the top-left corner (`display:pixels`' `rect`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Rect {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width; zero is an empty rectangle.
    pub width: u32,
    /// Height; zero is an empty rectangle.
    pub height: u32,
}

impl Rect {
    /// A rectangle.
    pub const fn new(x: u32, y: u32, width: u32, height: u32) -> Rect {
        Rect {
            x,
            y,
            width,
            height,
        }
    }

    /// Whether the rectangle has no pixels.
    pub fn is_empty(&self) -> bool {
        self.width == 0 || self.height == 0
    }
}

/// The changed bytes' bounding box in panel coordinates: visible columns and pages, inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Dirty {
    /// First changed column (0-based, without the panel's column offset).
    pub first_column: u8,
    /// Last changed column.
    pub last_column: u8,
    /// First changed page.
    pub first_page: u8,
    /// Last changed page.
    pub last_page: u8,
}

impl Dirty {
    fn grow(this: &mut Option<Dirty>, column: u8, page: u8) {
        match this {
            None => {
                *this = Some(Dirty {
                    first_column: column,
                    last_column: column,
                    first_page: page,
                    last_page: page,
                })
            }
            Some(d) => {
                d.first_column = d.first_column.min(column);
                d.last_column = d.last_column.max(column);
                d.first_page = d.first_page.min(page);
                d.last_page = d.last_page.max(page);
            }
        }
    }
}

/// Transposes an 8x8 bit matrix held in a `u64` (byte `i` is row `i`, bit `j` column `j`):
/// afterwards byte `j` is column `j`, bit `i` row `i` (Hacker's Delight, section 7-3).
fn transpose8(x: u64) -> u64 {
    let x = (x & 0xAA55_AA55_AA55_AA55)
        | ((x & 0x00AA_00AA_00AA_00AA) << 7)
        | ((x >> 7) & 0x00AA_00AA_00AA_00AA);
    let x = (x & 0xCCCC_3333_CCCC_3333)
        | ((x & 0x0000_CCCC_0000_CCCC) << 14)
        | ((x >> 14) & 0x0000_CCCC_0000_CCCC);
    (x & 0xF0F0_F0F0_0F0F_0F0F)
        | ((x & 0x0000_0000_F0F0_F0F0) << 28)
        | ((x >> 28) & 0x0000_0000_F0F0_F0F0)
}

/// A panel's pixels as the SSD1306 stores them: page by page, one byte per column, bit 0 = the
/// top row of the page. Every change that alters a byte grows the dirty area; writing pixels
/// that are already so leaves it alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    panel: Panel,
    bytes: Vec<u8>,
    dirty: Option<Dirty>,
}

impl Frame {
    /// A dark frame for `panel`, nothing dirty.
    pub fn new(panel: Panel) -> Frame {
        Frame {
            panel,
            bytes: alloc::vec![0; usize::from(panel.width()) * usize::from(panel.pages())],
            dirty: None,
        }
    }

    /// The panel this frame is for.
    pub fn panel(&self) -> Panel {
        self.panel
    }

    /// The bytes in GDDRAM order: `bytes()[page * width + column]`.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The area changed since the last [`Frame::clean`], if any.
    pub fn dirty(&self) -> Option<Dirty> {
        self.dirty
    }

    /// Marks everything as presented.
    pub fn clean(&mut self) {
        self.dirty = None;
    }

    /// Marks the whole panel as changed.
    pub fn mark_all_dirty(&mut self) {
        self.dirty = Some(Dirty {
            first_column: 0,
            last_column: self.panel.width() - 1,
            first_page: 0,
            last_page: self.panel.pages() - 1,
        });
    }

    /// Whether pixel (`x`, `y`) is lit; `false` outside the panel.
    pub fn pixel(&self, x: u32, y: u32) -> bool {
        if x >= u32::from(self.panel.width()) || y >= u32::from(self.panel.height()) {
            return false;
        }
        self.bytes[self.index(x, y)] & (1 << (y % 8)) != 0
    }

    /// Checks that `area` lies inside the panel (an empty rectangle may touch the right or
    /// bottom edge).
    pub fn check_bounds(&self, area: Rect) -> Result<(), Error> {
        let right = area.x.checked_add(area.width).ok_or(Error::OutOfBounds)?;
        let bottom = area.y.checked_add(area.height).ok_or(Error::OutOfBounds)?;
        if right > u32::from(self.panel.width()) || bottom > u32::from(self.panel.height()) {
            return Err(Error::OutOfBounds);
        }
        Ok(())
    }

    /// Replaces the pixels of `area` with `pixels`, packed as `mono1`. Fails with
    /// [`Error::OutOfBounds`] or [`Error::WrongLength`] before changing anything.
    pub fn write_region(&mut self, area: Rect, pixels: &[u8]) -> Result<(), Error> {
        self.check_bounds(area)?;
        if mono1::packed_len(area.width, area.height) != Some(pixels.len()) {
            return Err(Error::WrongLength);
        }
        if area.is_empty() {
            return Ok(());
        }
        let stride = mono1::stride(area.width);
        let width = usize::from(self.panel.width());
        let bottom = area.y + area.height;
        // One GDDRAM byte at a time: its rows inside `area` are gathered from the packed rows
        // and merged into the byte at once, so a changed byte grows the dirty area once (not
        // once per pixel).
        let mut dirty = self.dirty;
        for page in area.y / 8..=(bottom - 1) / 8 {
            let rows = (page * 8).max(area.y)..(page * 8 + 8).min(bottom);
            let page_start = page as usize * width;
            if rows.len() == 8 {
                // The whole page is in `area`: eight packed rows of eight columns make eight
                // GDDRAM bytes by one 8x8 bit transpose.
                let first_row = (rows.start - area.y) as usize * stride;
                for packed_byte in 0..stride {
                    let mut block = 0u64;
                    for r in 0..8 {
                        let byte = pixels[first_row + r * stride + packed_byte];
                        block |= u64::from(byte) << (8 * r);
                    }
                    // Now byte r is row r with bit 7 the leftmost column; after the transpose
                    // byte 7 - c is column c with bit r row r, as GDDRAM has it.
                    let columns = transpose8(block).to_le_bytes();
                    let first = packed_byte as u32 * 8;
                    for c in 0..(area.width - first).min(8) {
                        let x = area.x + first + c;
                        let index = page_start + x as usize;
                        let new = columns[7 - c as usize];
                        if self.bytes[index] != new {
                            self.bytes[index] = new;
                            Dirty::grow(&mut dirty, x as u8, page as u8);
                        }
                    }
                }
                continue;
            }
            let mask = rows.clone().fold(0u8, |m, y| m | 1 << (y % 8));
            for col in 0..area.width {
                let packed_bit = 0x80u8 >> (col % 8);
                let packed_byte = col as usize / 8;
                let bits = rows.clone().fold(0u8, |b, y| {
                    let row = (y - area.y) as usize * stride;
                    if pixels[row + packed_byte] & packed_bit != 0 {
                        b | 1 << (y % 8)
                    } else {
                        b
                    }
                });
                let x = area.x + col;
                let index = page_start + x as usize;
                let old = self.bytes[index];
                let new = (old & !mask) | bits;
                if new != old {
                    self.bytes[index] = new;
                    // x < width <= 128 and page < 8: both fit in u8.
                    Dirty::grow(&mut dirty, x as u8, page as u8);
                }
            }
        }
        self.dirty = dirty;
        Ok(())
    }

    /// Sets every pixel of `area` to `color` (0 dark, 1 lit). Fails with
    /// [`Error::OutOfBounds`], or [`Error::Other`] for a colour `mono1` does not have, before
    /// changing anything.
    pub fn fill_rect(&mut self, area: Rect, color: u32) -> Result<(), Error> {
        self.check_bounds(area)?;
        let lit = match color {
            0 => false,
            1 => true,
            _ => return Err(Error::Other),
        };
        for y in area.y..area.y + area.height {
            for x in area.x..area.x + area.width {
                self.set(x, y, lit);
            }
        }
        Ok(())
    }

    /// The pixels of `area` packed as `mono1` (for tests and read-back), or `None` when
    /// `area` is out of bounds.
    pub fn read_region(&self, area: Rect) -> Option<Vec<u8>> {
        self.check_bounds(area).ok()?;
        Some(mono1::pack(area.width, area.height, |x, y| {
            self.pixel(area.x + x, area.y + y)
        }))
    }

    /// The bytes of the dirty box, page by page, in the order a horizontal-mode window over
    /// it takes them.
    pub fn dirty_bytes(&self, dirty: Dirty) -> Vec<u8> {
        let width = usize::from(self.panel.width());
        let columns = usize::from(dirty.first_column)..=usize::from(dirty.last_column);
        let mut out = Vec::with_capacity(
            columns.clone().count() * (usize::from(dirty.last_page - dirty.first_page) + 1),
        );
        for page in dirty.first_page..=dirty.last_page {
            let row = usize::from(page) * width;
            out.extend_from_slice(&self.bytes[row + columns.start()..=row + columns.end()]);
        }
        out
    }

    fn index(&self, x: u32, y: u32) -> usize {
        (y / 8) as usize * usize::from(self.panel.width()) + x as usize
    }

    /// Sets one pixel inside the panel; grows the dirty area when the byte changes.
    fn set(&mut self, x: u32, y: u32, lit: bool) {
        let index = self.index(x, y);
        let mask = 1u8 << (y % 8);
        let old = self.bytes[index];
        let new = if lit { old | mask } else { old & !mask };
        if new != old {
            self.bytes[index] = new;
            // x < width <= 128 and y / 8 < 8: both fit in u8.
            Dirty::grow(&mut self.dirty, x as u8, (y / 8) as u8);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pixel_lands_in_gddram_layout() {
        // docs/architecture.md: pixel (10, 3) becomes bit 3 of the byte for column 10, page 0.
        let mut frame = Frame::new(Panel::W128H32);
        let pixels = mono1::pack(16, 4, |x, y| (x, y) == (10, 3));
        frame.write_region(Rect::new(0, 0, 16, 4), &pixels).unwrap();
        assert_eq!(frame.bytes()[10], 1 << 3);
        assert_eq!(frame.bytes().iter().filter(|&&b| b != 0).count(), 1);
        // And one on page 2: (5, 17) is bit 1 of byte 2 * 128 + 5.
        frame.fill_rect(Rect::new(5, 17, 1, 1), 1).unwrap();
        assert_eq!(frame.bytes()[2 * 128 + 5], 1 << 1);
        assert!(frame.pixel(5, 17) && frame.pixel(10, 3) && !frame.pixel(10, 4));
    }

    #[test]
    fn transpose8_swaps_rows_and_columns() {
        // Row 0 = 0b0000_0001 (column 0), row 7 = 0b1000_0000 (column 7), row 2 = all.
        let x = 0x80_00_00_00_00_FF_00_01u64;
        let t = transpose8(x);
        for (i, j) in (0..8).flat_map(|i| (0..8).map(move |j| (i, j))) {
            assert_eq!(
                (x >> (8 * i + j)) & 1,
                (t >> (8 * j + i)) & 1,
                "row {i} column {j}"
            );
        }
        assert_eq!(transpose8(t), x);
    }

    #[test]
    fn write_region_changes_the_same_bytes_and_dirty_box_as_pixel_by_pixel_writes() {
        let base = mono1::pack(128, 64, |x, y| (x ^ y) % 7 == 0);
        for (area, seed) in [
            (Rect::new(3, 5, 13, 11), 1),
            (Rect::new(0, 0, 128, 64), 2),
            (Rect::new(120, 60, 8, 4), 3),
            (Rect::new(7, 9, 1, 1), 4),
            (Rect::new(17, 8, 30, 8), 5),
            (Rect::new(5, 16, 29, 24), 6),
            (Rect::new(99, 0, 29, 64), 7),
        ] {
            let mut whole = Frame::new(Panel::W128H64);
            whole.write_region(Rect::new(0, 0, 128, 64), &base).unwrap();
            whole.clean();
            let mut by_pixel = whole.clone();
            let lit = |x: u32, y: u32| (x * 5 + y * 3 + seed).is_multiple_of(4);
            let pixels = mono1::pack(area.width, area.height, lit);
            whole.write_region(area, &pixels).unwrap();
            for y in 0..area.height {
                for x in 0..area.width {
                    let one = Rect::new(area.x + x, area.y + y, 1, 1);
                    by_pixel.fill_rect(one, u32::from(lit(x, y))).unwrap();
                }
            }
            assert_eq!(whole.bytes(), by_pixel.bytes(), "{area:?}");
            assert_eq!(whole.dirty(), by_pixel.dirty(), "{area:?}");
        }
    }

    #[test]
    fn write_then_read_is_identity_at_odd_offsets() {
        let mut frame = Frame::new(Panel::W72H40);
        let area = Rect::new(3, 5, 13, 11);
        let pixels = mono1::pack(13, 11, |x, y| (x * 7 + y * 3) % 5 == 0);
        frame.write_region(area, &pixels).unwrap();
        assert_eq!(frame.read_region(area).unwrap(), pixels);
        // Nothing outside the rectangle changed.
        for y in 0..40 {
            for x in 0..72 {
                if !(3..16).contains(&x) || !(5..16).contains(&y) {
                    assert!(!frame.pixel(x, y), "({x}, {y})");
                }
            }
        }
    }

    #[test]
    fn padding_bits_are_ignored() {
        let mut frame = Frame::new(Panel::W128H64);
        // 3 pixels wide: the five low bits of each byte are padding and set here.
        frame
            .write_region(Rect::new(0, 0, 3, 2), &[0b1011_1111, 0b0101_1111])
            .unwrap();
        let lit: Vec<(u32, u32)> = (0..2)
            .flat_map(|y| (0..8).map(move |x| (x, y)))
            .filter(|&(x, y)| frame.pixel(x, y))
            .collect();
        assert_eq!(lit, [(0, 0), (2, 0), (1, 1)]);
    }

    #[test]
    fn bounds_and_lengths_are_checked_before_anything_changes() {
        let mut frame = Frame::new(Panel::W128H64);
        assert_eq!(
            frame.write_region(Rect::new(120, 0, 9, 1), &[0, 0]),
            Err(Error::OutOfBounds)
        );
        assert_eq!(
            frame.write_region(Rect::new(0, 60, 8, 5), &[0; 5]),
            Err(Error::OutOfBounds)
        );
        assert_eq!(
            frame.write_region(Rect::new(u32::MAX, 0, 2, 1), &[0]),
            Err(Error::OutOfBounds)
        );
        assert_eq!(
            frame.fill_rect(Rect::new(0, u32::MAX, 1, 2), 1),
            Err(Error::OutOfBounds)
        );
        assert_eq!(
            frame.write_region(Rect::new(0, 0, 9, 2), &[0xFF; 3]),
            Err(Error::WrongLength)
        );
        assert_eq!(
            frame.write_region(Rect::new(0, 0, 9, 2), &[0xFF; 5]),
            Err(Error::WrongLength)
        );
        assert_eq!(frame.fill_rect(Rect::new(0, 0, 1, 1), 2), Err(Error::Other));
        assert_eq!(frame.dirty(), None);
        assert!(frame.bytes().iter().all(|&b| b == 0));
        // Empty rectangles inside (or on the far edge) are fine and change nothing.
        frame.write_region(Rect::new(128, 64, 0, 0), &[]).unwrap();
        frame.write_region(Rect::new(5, 5, 0, 7), &[]).unwrap();
        assert_eq!(
            frame.write_region(Rect::new(5, 5, 0, 7), &[0]),
            Err(Error::WrongLength)
        );
        assert_eq!(frame.dirty(), None);
    }

    #[test]
    fn dirty_area_is_the_box_of_changed_bytes() {
        let mut frame = Frame::new(Panel::W128H64);
        frame.fill_rect(Rect::new(10, 9, 1, 1), 1).unwrap();
        frame.fill_rect(Rect::new(20, 30, 3, 12), 1).unwrap();
        assert_eq!(
            frame.dirty(),
            Some(Dirty {
                first_column: 10,
                last_column: 22,
                first_page: 1,
                last_page: 5
            })
        );
        frame.clean();
        // Writing what is already there changes no byte: nothing to present.
        frame.fill_rect(Rect::new(20, 30, 3, 12), 1).unwrap();
        frame.fill_rect(Rect::new(100, 0, 28, 64), 0).unwrap();
        assert_eq!(frame.dirty(), None);
        frame.fill_rect(Rect::new(21, 31, 1, 1), 0).unwrap();
        assert_eq!(
            frame.dirty(),
            Some(Dirty {
                first_column: 21,
                last_column: 21,
                first_page: 3,
                last_page: 3
            })
        );
    }

    #[test]
    fn dirty_bytes_are_page_by_page() {
        let mut frame = Frame::new(Panel::W64H32);
        frame.fill_rect(Rect::new(2, 7, 2, 2), 1).unwrap();
        let dirty = frame.dirty().unwrap();
        assert_eq!(
            dirty,
            Dirty {
                first_column: 2,
                last_column: 3,
                first_page: 0,
                last_page: 1
            }
        );
        assert_eq!(frame.dirty_bytes(dirty), [0x80, 0x80, 0x01, 0x01]);
    }
}
