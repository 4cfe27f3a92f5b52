//! From GDDRAM to glass: which RAM bit each panel pixel shows, and how bright.

use super::Ssd1306;
use crate::Frame;

/// The pad (0..63) that COM output `com` is routed to under the COM pins configuration `pins`
/// (0xDA argument; datasheet Table 10-3). Sequential: COM n on pad n. Alternative (A[4]): even
/// COMs on the first 32 pads, odd COMs on the other 32. Left/right remap (A[5]) swaps the halves.
fn pad_of_com(com: u8, pins: u8) -> u8 {
    let pad = if pins & 0x10 != 0 {
        if com.is_multiple_of(2) {
            com / 2
        } else {
            32 + com / 2
        }
    } else {
        com
    };
    if pins & 0x20 != 0 { pad ^ 32 } else { pad }
}

/// The inverse of [`pad_of_com`].
fn com_of_pad(pad: u8, pins: u8) -> u8 {
    let pad = if pins & 0x20 != 0 { pad ^ 32 } else { pad };
    if pins & 0x10 != 0 {
        if pad < 32 {
            pad * 2
        } else {
            (pad - 32) * 2 + 1
        }
    } else {
        pad
    }
}

impl Ssd1306 {
    /// `true` when the glass emits light: display on (0xAF) and a panel supply, which is the
    /// charge pump (0x8D 0x14) unless the module has external VCC.
    pub fn is_lit(&self) -> bool {
        self.regs.display_on && (self.regs.charge_pump || self.config.external_vcc)
    }

    /// The RAM line (0..63) that panel row `y` (0 = top) shows, or `None` when no scanned COM
    /// output drives that row (outside the multiplex ratio, or `y` beyond the panel).
    pub fn ram_line_at_row(&self, y: u32) -> Option<u8> {
        let panel = self.config.panel;
        if y >= panel.height() {
            return None;
        }
        let r = &self.regs;
        let n = i32::from(r.multiplex);
        // The glass row is wired to the pad that the panel's intended configuration gives
        // (top row = COM N-1 of that configuration, see the module docs on orientation).
        let native_com = (panel.height() - 1 - y) as u8;
        let pad = pad_of_com(native_com, panel.com_pins());
        // Which COM output the current 0xDA setting routes to that pad.
        let com = i32::from(com_of_pad(pad, r.com_pins));
        // COM scan direction (0xC0/0xC8) and display offset (0xD3) give the scan row.
        let shifted = if r.com_scan_reversed {
            (n - 1 - com).rem_euclid(64)
        } else {
            com
        };
        let row = (shifted + i32::from(r.display_offset)).rem_euclid(64);
        if row >= n {
            return None;
        }
        // Display start line (0x40|n): scan row 0 shows RAM line `start`.
        Some(((row + i32::from(r.start_line)) % 64) as u8)
    }

    /// The segment (RAM column, 0..127) that panel column `x` (0 = left) shows.
    pub fn segment_at_column(&self, x: u32) -> Option<u8> {
        let panel = self.config.panel;
        if x >= panel.width() {
            return None;
        }
        Some((127 - panel.column_offset() - x) as u8)
    }

    /// The colour of a lit pixel at the current contrast: `lit_rgb * sqrt((contrast + 1) / 256)`.
    pub fn lit_colour(&self) -> [u8; 3] {
        // sqrt((c + 1) / 256) * 4096 = sqrt((c + 1) << 16), in 256..=4096.
        let scale = ((u32::from(self.regs.contrast) + 1) << 16).isqrt();
        self.config
            .lit_rgb
            .map(|c| ((u32::from(c) * scale + 2048) / 4096) as u8)
    }

    /// What the panel shows now (see the module docs for the mapping).
    pub fn frame(&self) -> Frame {
        let mut frame = Frame::black(0, 0);
        self.render_into(&mut frame);
        frame
    }

    /// [`Ssd1306::frame`] into an existing frame, reusing its allocation.
    pub fn render_into(&self, frame: &mut Frame) {
        let panel = self.config.panel;
        let (width, height) = (panel.width(), panel.height());
        frame.width = width;
        frame.height = height;
        frame.rgb.clear();
        frame.rgb.resize(width as usize * height as usize * 3, 0);
        if !self.is_lit() {
            return;
        }
        let colour = self.lit_colour();
        let first_segment = (127 - panel.column_offset()) as usize;
        let inverse = self.regs.inverse;
        for (y, row) in frame.rgb.chunks_exact_mut(width as usize * 3).enumerate() {
            let Some(line) = self.ram_line_at_row(y as u32) else {
                continue; // no scanned COM drives this row: dark
            };
            if self.regs.entire_display_on {
                // 0xA5: every pixel of a scanned row is on, whatever the RAM and 0xA6/0xA7 say.
                for pixel in row.chunks_exact_mut(3) {
                    pixel.copy_from_slice(&colour);
                }
                continue;
            }
            let page = &self.ram[usize::from(line / 8) * 128..][..128];
            let bit = line % 8;
            for (x, pixel) in row.chunks_exact_mut(3).enumerate() {
                let on = (page[first_segment - x] >> bit) & 1 != 0;
                if on != inverse {
                    pixel.copy_from_slice(&colour);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn com_pin_maps_are_inverse() {
        for pins in [0x02, 0x12, 0x22, 0x32] {
            for com in 0..64 {
                assert_eq!(
                    com_of_pad(pad_of_com(com, pins), pins),
                    com,
                    "pins {pins:#x}"
                );
            }
        }
        // Table 10-3, alternative: COM0 -> pad 0, COM1 -> pad 32, COM2 -> pad 1.
        assert_eq!([0, 1, 2, 63].map(|c| pad_of_com(c, 0x12)), [0, 32, 1, 63]);
    }
}
