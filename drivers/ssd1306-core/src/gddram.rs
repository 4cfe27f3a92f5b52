//! [`Gddram`]: the driver's image of the controller's display RAM (GDDRAM), with the area that
//! changed.

use crate::{Error, PanelSize, Rect, mono1};
use alloc::borrow::Cow;
use alloc::vec::Vec;

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

/// Exchanges the bits of `x` selected by `mask` with the bits `delta` places above them.
fn delta_swap(x: u64, mask: u64, delta: u32) -> u64 {
    let t = ((x >> delta) ^ x) & mask;
    x ^ t ^ (t << delta)
}

/// Transposes an 8x8 bit matrix held in a `u64` (bit `j` of byte `i` is element (`i`, `j`))
/// about its anti-diagonal: element (`i`, `j`) moves to (`7 - j`, `7 - i`). Each of the three
/// index bit pairs (bits 0 and 3, 1 and 4, 2 and 5 of the bit number) is exchanged and
/// complemented by one delta swap: the bits with both of the pair clear trade places with
/// those with both set.
fn anti_transpose8(x: u64) -> u64 {
    let x = delta_swap(x, 0x0055_0055_0055_0055, 9);
    let x = delta_swap(x, 0x0000_3333_0000_3333, 18);
    delta_swap(x, 0x0000_0000_0F0F_0F0F, 36)
}

/// Packed bytes of the widest panel's row (128 columns).
const MAX_STRIDE: usize = 128 / 8;

/// A panel's pixels as the SSD1306 stores them: page by page, one byte per column, bit 0 = the
/// top row of the page. Every change that alters a byte grows the dirty area; writing pixels
/// that are already so leaves it alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gddram {
    panel: PanelSize,
    bytes: Vec<u8>,
    dirty: Option<Dirty>,
}

impl Gddram {
    /// A dark frame for `panel`, nothing dirty.
    pub fn new(panel: PanelSize) -> Gddram {
        Gddram {
            panel,
            bytes: alloc::vec![0; usize::from(panel.width()) * usize::from(panel.pages())],
            dirty: None,
        }
    }

    /// The panel this frame is for.
    pub fn panel(&self) -> PanelSize {
        self.panel
    }

    /// The bytes in GDDRAM order: `bytes()[page * width + column]`.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The area changed since the last [`Gddram::clean`], if any.
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
        // Page by page. A page wholly inside `area` is done eight columns at a time (one bit
        // transpose, one compare, one store); a page `area` covers in part, one GDDRAM byte at a
        // time, its rows gathered from the packed rows and merged into the byte at once. Either
        // way the dirty area grows once per change, not once per pixel.
        let mut dirty = self.dirty;
        for page in area.y / 8..=(bottom - 1) / 8 {
            let rows = (page * 8).max(area.y)..(page * 8 + 8).min(bottom);
            let page_start = page as usize * width;
            if rows.len() == 8 {
                // The whole page is in `area`: eight packed rows of eight columns make eight
                // GDDRAM bytes by one 8x8 bit transpose, compared and stored as one word.
                let first_row = (rows.start - area.y) as usize * stride;
                // Row r of the page goes to byte 7 - r of each block of eight columns, with bit
                // 7 - c for column c. (The area is inside the panel, so `stride` is at most
                // `MAX_STRIDE`.)
                let mut blocks = [0u64; MAX_STRIDE];
                let page_rows = &pixels[first_row..first_row + 8 * stride];
                for (r, row) in page_rows.chunks_exact(stride).enumerate() {
                    let shift = 8 * (7 - r);
                    for (block, &byte) in blocks.iter_mut().zip(row) {
                        *block |= u64::from(byte) << shift;
                    }
                }
                for (packed_byte, &block) in blocks[..stride].iter().enumerate() {
                    // Bit 7 - c of byte 7 - r (row r, column c) moves to bit r of byte c: byte
                    // c is the GDDRAM byte of column c, bit r its row r, in the order GDDRAM
                    // keeps the columns in.
                    let new = anti_transpose8(block);
                    let first = packed_byte as u32 * 8;
                    let columns = (area.width - first).min(8) as usize;
                    let start = page_start + (area.x + first) as usize;
                    let old = &mut self.bytes[start..start + columns];
                    // Fixed-size copies (no call to `memcpy`) for the usual eight columns.
                    let old_word = match <&mut [u8; 8]>::try_from(&mut *old) {
                        Ok(eight) => u64::from_le_bytes(*eight),
                        Err(_) => {
                            let mut word = [0u8; 8];
                            word[..columns].copy_from_slice(old);
                            u64::from_le_bytes(word)
                        }
                    };
                    // One bit per pixel that changes, byte c for column c; columns past the
                    // area's right edge (in its last packed byte) are left out.
                    let keep = u64::MAX >> (64 - 8 * columns);
                    let changed = (old_word ^ new) & keep;
                    if changed == 0 {
                        continue;
                    }
                    // The dirty box grows once per eight columns, not once per byte.
                    let first_changed = changed.trailing_zeros() / 8;
                    let last_changed = 7 - changed.leading_zeros() / 8;
                    match <&mut [u8; 8]>::try_from(&mut *old) {
                        Ok(eight) => *eight = new.to_le_bytes(),
                        Err(_) => old.copy_from_slice(&new.to_le_bytes()[..columns]),
                    }
                    let x = area.x + first;
                    // x < width <= 128 and page < 8: both fit in u8.
                    Dirty::grow(&mut dirty, (x + first_changed) as u8, page as u8);
                    Dirty::grow(&mut dirty, (x + last_changed) as u8, page as u8);
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
    /// it takes them. Borrowed when the box spans the panel's width (the pages are then one
    /// run of the frame), copied otherwise.
    pub fn dirty_bytes(&self, dirty: Dirty) -> Cow<'_, [u8]> {
        let width = usize::from(self.panel.width());
        let pages = usize::from(dirty.first_page)..=usize::from(dirty.last_page);
        if usize::from(dirty.first_column) == 0 && usize::from(dirty.last_column) + 1 == width {
            return Cow::Borrowed(&self.bytes[pages.start() * width..(pages.end() + 1) * width]);
        }
        let columns = usize::from(dirty.first_column)..=usize::from(dirty.last_column);
        let mut out = Vec::with_capacity(columns.clone().count() * pages.clone().count());
        for page in pages {
            let row = page * width;
            out.extend_from_slice(&self.bytes[row + columns.start()..=row + columns.end()]);
        }
        Cow::Owned(out)
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
        let mut frame = Gddram::new(PanelSize::W128H32);
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
    fn anti_transpose8_moves_each_bit_across_the_anti_diagonal() {
        for x in [
            0x80_00_00_00_00_FF_00_01u64,
            0x0123_4567_89AB_CDEF,
            0xFFFF_0000_F0F0_0F0F,
            1,
            1 << 63,
        ] {
            let t = anti_transpose8(x);
            for (i, j) in (0..8).flat_map(|i| (0..8).map(move |j| (i, j))) {
                assert_eq!(
                    (x >> (8 * i + j)) & 1,
                    (t >> (8 * (7 - j) + (7 - i))) & 1,
                    "{x:#x}: byte {i} bit {j}"
                );
            }
            assert_eq!(anti_transpose8(t), x);
        }
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
            let mut whole = Gddram::new(PanelSize::W128H64);
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
        let mut frame = Gddram::new(PanelSize::W72H40);
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
        let mut frame = Gddram::new(PanelSize::W128H64);
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
        let mut frame = Gddram::new(PanelSize::W128H64);
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
        let mut frame = Gddram::new(PanelSize::W128H64);
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
        let mut frame = Gddram::new(PanelSize::W64H32);
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
        assert_eq!(*frame.dirty_bytes(dirty), [0x80, 0x80, 0x01, 0x01]);
        // A box as wide as the panel is its pages as they lie in the frame.
        frame.fill_rect(Rect::new(0, 0, 64, 1), 1).unwrap();
        let wide = frame.dirty().unwrap();
        assert!(matches!(frame.dirty_bytes(wide), Cow::Borrowed(_)));
        assert_eq!(*frame.dirty_bytes(wide), frame.bytes()[..2 * 64]);
    }
}
