//! The `mono1` pixel format of `display:pixels`: one bit per pixel, 1 = lit; rows top to
//! bottom; each row starts on a byte boundary; within a byte the most significant bit is the
//! leftmost pixel. A row of `w` pixels takes `(w + 7) / 8` bytes.

use alloc::borrow::Cow;
use alloc::vec::Vec;

/// Bytes one row of `width` pixels takes: `(width + 7) / 8`.
pub fn stride(width: u32) -> usize {
    // u32 -> usize never truncates on the 32- and 64-bit targets this crate builds for.
    (width as usize).div_ceil(8)
}

/// Bytes a `width` x `height` rectangle takes, or `None` when that does not fit in `usize`.
pub fn packed_len(width: u32, height: u32) -> Option<usize> {
    stride(width).checked_mul(height as usize)
}

/// 64-bit words `len` bytes take in `display:pixels`' `word-pixels.present-region`: `len / 8`
/// rounded up.
pub fn words_len(len: usize) -> usize {
    len.div_ceil(8)
}

/// The bytes `words` carry (`word-pixels.present-region`): in order, each word's least significant
/// byte first. Borrowed, not copied, on little-endian targets (wasm32 and x86-64 among them).
pub fn bytes_of_words(words: &[u64]) -> Cow<'_, [u8]> {
    if cfg!(target_endian = "little") {
        Cow::Borrowed(bytemuck::cast_slice(words))
    } else {
        Cow::Owned(words.iter().flat_map(|w| w.to_le_bytes()).collect())
    }
}

/// Whether pixel (`x`, `y`) of packed data with rows of `stride` bytes is lit. The caller
/// guarantees `y * stride + x / 8 < pixels.len()`.
pub fn get(pixels: &[u8], stride: usize, x: usize, y: usize) -> bool {
    pixels[y * stride + x / 8] & (0x80 >> (x % 8)) != 0
}

/// Packs a `width` x `height` picture whose pixel (x, y) is `lit(x, y)`. Padding bits at the
/// end of each row are 0.
pub fn pack(width: u32, height: u32, lit: impl Fn(u32, u32) -> bool) -> Vec<u8> {
    let stride = stride(width);
    let mut out = alloc::vec![0u8; stride * height as usize];
    for y in 0..height {
        for x in 0..width {
            if lit(x, y) {
                out[y as usize * stride + x as usize / 8] |= 0x80 >> (x % 8);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_padded_to_whole_bytes() {
        assert_eq!(stride(0), 0);
        assert_eq!(stride(1), 1);
        assert_eq!(stride(8), 1);
        assert_eq!(stride(9), 2);
        assert_eq!(stride(128), 16);
        assert_eq!(packed_len(9, 3), Some(6));
        assert_eq!(packed_len(0, 100), Some(0));
    }

    #[test]
    fn msb_is_the_leftmost_pixel() {
        // The example of docs/architecture.md: pixel (10, 3) is bit 5 of byte 1 of row 3.
        let packed = pack(16, 4, |x, y| (x, y) == (10, 3));
        assert_eq!(packed.len(), 8);
        assert_eq!(packed[3 * 2 + 1], 1 << 5);
        assert_eq!(packed.iter().filter(|&&b| b != 0).count(), 1);
        assert!(get(&packed, 2, 10, 3));
        assert!(!get(&packed, 2, 11, 3));
    }

    #[test]
    fn a_row_of_nine_pixels_takes_two_bytes_with_zero_padding() {
        let packed = pack(9, 2, |x, y| y == 0 || x == 8);
        assert_eq!(packed, [0xFF, 0x80, 0x00, 0x80]);
        for y in 0..2 {
            for x in 0..9 {
                assert_eq!(get(&packed, 2, x, y), y == 0 || x == 8);
            }
        }
    }
}
