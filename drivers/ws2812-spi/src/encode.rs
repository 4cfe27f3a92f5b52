//! From colours to the SPI bytes whose MOSI waveform a WS2812B or SK6812 reads as its data.
//!
//! The strips read each data bit as one high pulse, short for a 0 and long for a 1, and latch
//! after a long low (the reset). With SPI, every data bit becomes a few SPI bits: the first
//! ones high for the pulse, the rest low. [`Encoding::for_clock`] finds how many SPI bits of the
//! clock in force make pulses inside the datasheet's windows (three at 2.4 MHz, `100` and
//! `110`; four at 3.2 MHz, `1000` and `1110`), so the driver works at whatever clock the host
//! grants, or says that no encoding fits it.

use alloc::vec::Vec;

/// The LED part on the strip, with its datasheet timing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// WorldSemi WS2812B: RGB, green-red-blue on the wire.
    Ws2812b,
    /// SK6812 RGBW: green-red-blue-white on the wire.
    Sk6812Rgbw,
}

impl Model {
    /// The model a `strip.model` value names (`ws2812b`, `sk6812-rgbw`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "ws2812b" => Some(Model::Ws2812b),
            "sk6812-rgbw" => Some(Model::Sk6812Rgbw),
            _ => None,
        }
    }

    /// The part's name as `led:strip`'s `strip-info` gives it.
    pub fn name(self) -> &'static str {
        match self {
            Model::Ws2812b => "WS2812B",
            Model::Sk6812Rgbw => "SK6812-RGBW",
        }
    }

    /// Whether each LED has a white channel.
    pub fn has_white(self) -> bool {
        self == Model::Sk6812Rgbw
    }

    /// The SPI clock asked for unless configured: one at which a short encoding fits.
    pub fn default_frequency_hz(self) -> u32 {
        match self {
            Model::Ws2812b => 2_400_000,
            Model::Sk6812Rgbw => 3_200_000,
        }
    }

    /// (high time of a 0, high time of a 1, tolerance, nominal bit period, reset), in ns.
    fn timing(self) -> (u64, u64, u64, u64, u64) {
        match self {
            Model::Ws2812b => (400, 800, 150, 1250, 280_000),
            Model::Sk6812Rgbw => (300, 600, 150, 1200, 80_000),
        }
    }
}

/// Shortest low time between two data bits the parts accept, in ns.
const MIN_LOW_NS: u64 = 300;

/// Extra low time sent after the datasheet's reset time, in ns: margin for a clock that runs a
/// little fast.
const RESET_MARGIN_NS: u64 = 20_000;

/// How one data bit is spelled in SPI bits at a given clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Encoding {
    /// SPI bits per data bit (2 to 8).
    pub spi_bits: u32,
    /// High SPI bits of a 0.
    pub zero_high: u32,
    /// High SPI bits of a 1.
    pub one_high: u32,
    /// Zero bytes sent after the data so that the line stays low for the reset.
    pub reset_bytes: usize,
}

impl Encoding {
    /// The shortest encoding whose pulses at `frequency_hz` fall inside `model`'s windows, or
    /// `None` when the clock is too slow or too fast for any.
    pub fn for_clock(model: Model, frequency_hz: u32) -> Option<Self> {
        if frequency_hz == 0 {
            return None;
        }
        let (zero_ns, one_ns, tolerance_ns, period_ns, reset_ns) = model.timing();
        // Everything in picoseconds, so that a bit period is exact enough at any clock.
        let bit_ps = 1_000_000_000_000 / u64::from(frequency_hz);
        let bits_for = |ns: u64| ((ns * 1000 + bit_ps / 2) / bit_ps).max(1);
        let within =
            |bits: u64, ns: u64| (bits * bit_ps).abs_diff(ns * 1000) <= tolerance_ns * 1000;
        let zero_high = bits_for(zero_ns);
        let one_high = bits_for(one_ns);
        let min_low = MIN_LOW_NS * 1000;
        let low_bits = (min_low.div_ceil(bit_ps)).max(1);
        let spi_bits = bits_for(period_ns).max(one_high + low_bits);
        if !within(zero_high, zero_ns) || !within(one_high, one_ns) || one_high <= zero_high {
            return None;
        }
        if spi_bits > 8 {
            return None;
        }
        let reset_bits =
            ((reset_ns + RESET_MARGIN_NS) * u64::from(frequency_hz)).div_ceil(1_000_000_000);
        Some(Self {
            spi_bits: spi_bits as u32,
            zero_high: zero_high as u32,
            one_high: one_high as u32,
            reset_bytes: reset_bits.div_ceil(8) as usize,
        })
    }

    /// The SPI bits of one data bit, right-aligned: `one_high` or `zero_high` ones, then zeros.
    fn pattern(&self, bit: bool) -> u32 {
        let high = if bit { self.one_high } else { self.zero_high };
        ((1 << high) - 1) << (self.spi_bits - high)
    }

    /// Appends to `out` the bytes for `leds` (red, green, blue, white each), each channel
    /// scaled by `brightness` / 255, in `model`'s wire order, then the reset. `out` is cleared
    /// first; its capacity is reused.
    pub fn encode(&self, model: Model, leds: &[[u8; 4]], brightness: u8, out: &mut Vec<u8>) {
        out.clear();
        let mut acc: u64 = 0;
        let mut pending: u32 = 0;
        let mut push_byte = |byte: u8, out: &mut Vec<u8>| {
            for i in (0..8).rev() {
                acc = acc << self.spi_bits | u64::from(self.pattern(byte >> i & 1 == 1));
                pending += self.spi_bits;
                while pending >= 8 {
                    out.push((acc >> (pending - 8)) as u8);
                    pending -= 8;
                }
            }
        };
        for &[red, green, blue, white] in leds {
            let scale = |c: u8| (u16::from(c) * u16::from(brightness) / 255) as u8;
            push_byte(scale(green), out);
            push_byte(scale(red), out);
            push_byte(scale(blue), out);
            if model.has_white() {
                push_byte(scale(white), out);
            }
        }
        if pending > 0 {
            // The last data bit's trailing low continues into the reset.
            out.push((acc << (8 - pending)) as u8);
        }
        out.resize(out.len() + self.reset_bytes, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_bits_at_2_4_mhz_and_four_at_3_2_mhz() {
        let e = Encoding::for_clock(Model::Ws2812b, 2_400_000).unwrap();
        assert_eq!((e.spi_bits, e.zero_high, e.one_high), (3, 1, 2));
        assert_eq!((e.pattern(false), e.pattern(true)), (0b100, 0b110));
        let e = Encoding::for_clock(Model::Ws2812b, 3_200_000).unwrap();
        assert_eq!((e.pattern(false), e.pattern(true)), (0b1000, 0b1110));
        // SK6812: 300 and 600 ns pulses.
        let e = Encoding::for_clock(Model::Sk6812Rgbw, 3_200_000).unwrap();
        assert_eq!((e.pattern(false), e.pattern(true)), (0b1000, 0b1100));
    }

    #[test]
    fn clocks_no_encoding_fits_are_refused() {
        // 1 MHz: the shortest pulse is 1 us, longer than a 1 should be.
        assert_eq!(Encoding::for_clock(Model::Ws2812b, 1_000_000), None);
        // 10 MHz: a 1 needs 8 high bits plus 3 low: more than a byte.
        assert_eq!(Encoding::for_clock(Model::Ws2812b, 10_000_000), None);
        assert_eq!(Encoding::for_clock(Model::Ws2812b, 0), None);
        // The SK6812's 600 ns cannot be made from 417 ns bits.
        assert_eq!(Encoding::for_clock(Model::Sk6812Rgbw, 2_400_000), None);
    }

    #[test]
    fn the_reset_covers_the_datasheet_time() {
        let e = Encoding::for_clock(Model::Ws2812b, 2_400_000).unwrap();
        // 300 us at 2.4 MHz = 720 bits = 90 bytes.
        assert_eq!(e.reset_bytes, 90);
        let e = Encoding::for_clock(Model::Sk6812Rgbw, 3_200_000).unwrap();
        // 100 us at 3.2 MHz = 320 bits = 40 bytes.
        assert_eq!(e.reset_bytes, 40);
    }

    #[test]
    fn green_red_blue_on_the_wire_scaled_by_brightness() {
        let e = Encoding::for_clock(Model::Ws2812b, 2_400_000).unwrap();
        let mut out = Vec::new();
        // Green 0x80 (1000 0000), red 0, blue 0xFF: 24 data bits * 3 = 9 bytes, then the reset.
        e.encode(Model::Ws2812b, &[[0, 0x80, 0xff, 0]], 255, &mut out);
        assert_eq!(out.len(), 9 + 90);
        // 110 100 10|0 100 100 1|00 100 100 = 0xD2 0x49 0x24 for 0x80.
        assert_eq!(&out[..3], &[0xD2, 0x49, 0x24]);
        // red 0: every bit 100.
        assert_eq!(&out[3..6], &[0x92, 0x49, 0x24]);
        // blue 0xFF: every bit 110.
        assert_eq!(&out[6..9], &[0xDB, 0x6D, 0xB6]);
        assert!(out[9..].iter().all(|&b| b == 0));
        // Brightness 128: 0xFF * 128 / 255 = 0x80; 0x40 * 128 / 255 = 0x20 (0010 0000).
        e.encode(Model::Ws2812b, &[[0x40, 0, 0xff, 0]], 128, &mut out);
        assert_eq!(&out[6..9], &[0xD2, 0x49, 0x24]);
        // 100 100 110 100 100 100 100 100.
        assert_eq!(&out[3..6], &[0x93, 0x49, 0x24]);
    }
}
