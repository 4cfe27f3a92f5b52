//! SSD1306 command bytes (datasheet rev 1.1, chapter 9) and the sequences this driver sends.

use crate::PanelSize;
use alloc::vec::Vec;

/// 0xAE: display off (sleep mode; GDDRAM is kept).
pub const DISPLAY_OFF: u8 = 0xAE;
/// 0xAF: display on.
pub const DISPLAY_ON: u8 = 0xAF;
/// 0x81 A: contrast, A = 0..255.
pub const SET_CONTRAST: u8 = 0x81;
/// 0x20 A: memory addressing mode; A = 0x00 horizontal.
pub const ADDRESSING_MODE: u8 = 0x20;
/// Argument of [`ADDRESSING_MODE`]: horizontal addressing.
pub const HORIZONTAL: u8 = 0x00;
/// 0x21 A B: column window start and end (horizontal or vertical addressing).
pub const COLUMN_ADDRESS: u8 = 0x21;
/// 0x22 A B: page window start and end (horizontal or vertical addressing).
pub const PAGE_ADDRESS: u8 = 0x22;
/// 0xD5 A: display clock divide ratio (`A[3:0] + 1`) and oscillator frequency (`A[7:4]`).
pub const CLOCK_DIVIDE: u8 = 0xD5;
/// 0xA8 A: multiplex ratio, A = rows - 1 (15..63).
pub const MULTIPLEX: u8 = 0xA8;
/// 0xD3 A: vertical display offset.
pub const DISPLAY_OFFSET: u8 = 0xD3;
/// 0x40 | line: display start line.
pub const START_LINE: u8 = 0x40;
/// 0x8D A: charge pump; A = 0x14 on, 0x10 off (application note).
pub const CHARGE_PUMP: u8 = 0x8D;
/// 0xA1: segment remap, column address 127 mapped to SEG0.
pub const SEGMENT_REMAP: u8 = 0xA1;
/// 0xC8: COM output scan direction remapped (COM[N-1] to COM0).
pub const COM_SCAN_REVERSED: u8 = 0xC8;
/// 0xDA A: COM pins hardware configuration.
pub const COM_PINS: u8 = 0xDA;
/// 0xAD A: internal IREF selection (SSD1306B and later; the 72x40 modules need it).
pub const IREF: u8 = 0xAD;
/// 0xD9 A: pre-charge period, phase 1 `A[3:0]`, phase 2 `A[7:4]`.
pub const PRECHARGE: u8 = 0xD9;
/// 0xDB A: VCOMH deselect level; A = 0x20 is 0.77 x VCC (the reset value).
pub const VCOMH: u8 = 0xDB;
/// 0xA4: the display follows GDDRAM (not entire display on).
pub const RESUME_RAM: u8 = 0xA4;
/// 0xA6: normal display (1 in GDDRAM = lit pixel).
pub const NORMAL: u8 = 0xA6;
/// 0x2E: deactivate scrolling (must precede any RAM write after a scroll).
pub const SCROLL_OFF: u8 = 0x2E;

/// The contrast set at initialisation: 0x7F, the datasheet's reset value.
pub const DEFAULT_CONTRAST: u8 = 0x7F;
/// Clock: divide ratio 1, oscillator frequency 8 (0x80, the reset value).
pub const CLOCK_DEFAULT: u8 = 0x80;
/// Charge pump on (0x14): the modules this driver serves have no external VCC.
pub const CHARGE_PUMP_ON: u8 = 0x14;
/// Pre-charge for the internal charge pump: phase 1 = 1 DCLK, phase 2 = 15 DCLKs (0xF1), as
/// the application note and Digilent's Pmod OLED driver use.
pub const PRECHARGE_CHARGE_PUMP: u8 = 0xF1;
/// IREF: internal reference, 30 uA (0x30).
pub const IREF_INTERNAL: u8 = 0x30;
/// VCOMH 0.77 x VCC (0x20, the reset value).
pub const VCOMH_077: u8 = 0x20;

/// The configuration commands, in the order of the datasheet's software initialisation flow
/// (application note), for `panel` with `contrast`. The controller is left in horizontal
/// addressing mode with the display still off:
///
/// `D5 80`, `A8 rows-1`, `D3 00`, `40`, `8D 14`, `20 00`, `A1`, `C8`, `DA pins`,
/// (`AD 30` on 72x40), `D9 F1`, `81 contrast`, `DB 20`, `A4`, `A6`, `2E`.
///
/// Segment remap and reversed COM scan are how the modules are mounted (upright image), as
/// the `ssd1306` crate's `Rotate0` sends them.
pub fn configuration(panel: PanelSize, contrast: u8) -> Vec<u8> {
    let mut cmds = Vec::with_capacity(32);
    cmds.extend_from_slice(&[
        CLOCK_DIVIDE,
        CLOCK_DEFAULT,
        MULTIPLEX,
        panel.height() - 1,
        DISPLAY_OFFSET,
        0x00,
        START_LINE,
        CHARGE_PUMP,
        CHARGE_PUMP_ON,
        ADDRESSING_MODE,
        HORIZONTAL,
        SEGMENT_REMAP,
        COM_SCAN_REVERSED,
        COM_PINS,
        panel.com_pins(),
    ]);
    if panel.internal_iref() {
        cmds.extend_from_slice(&[IREF, IREF_INTERNAL]);
    }
    cmds.extend_from_slice(&[
        PRECHARGE,
        PRECHARGE_CHARGE_PUMP,
        SET_CONTRAST,
        contrast,
        VCOMH,
        VCOMH_077,
        RESUME_RAM,
        NORMAL,
        SCROLL_OFF,
    ]);
    cmds
}

/// An address window in controller coordinates: columns (offset included) and pages, both
/// inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    /// First column (0..127).
    pub first_column: u8,
    /// Last column (first_column..127).
    pub last_column: u8,
    /// First page (0..7).
    pub first_page: u8,
    /// Last page (first_page..7).
    pub last_page: u8,
}

impl Window {
    /// The whole visible area of `panel`.
    pub fn full(panel: PanelSize) -> Window {
        Window {
            first_column: panel.column_offset(),
            last_column: panel.column_offset() + panel.width() - 1,
            first_page: 0,
            last_page: panel.pages() - 1,
        }
    }

    /// The commands that set this window: `21 first last 22 first last`.
    pub fn commands(&self) -> [u8; 6] {
        [
            COLUMN_ADDRESS,
            self.first_column,
            self.last_column,
            PAGE_ADDRESS,
            self.first_page,
            self.last_page,
        ]
    }

    /// Bytes the window holds: one per column per page.
    pub fn len(&self) -> usize {
        (usize::from(self.last_column - self.first_column) + 1)
            * (usize::from(self.last_page - self.first_page) + 1)
    }

    /// Never true: a window holds at least one byte.
    pub fn is_empty(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_of_a_128x64_panel_is_the_datasheet_flow() {
        assert_eq!(
            configuration(PanelSize::W128H64, 0x7F),
            [
                0xD5, 0x80, 0xA8, 0x3F, 0xD3, 0x00, 0x40, 0x8D, 0x14, 0x20, 0x00, 0xA1, 0xC8, 0xDA,
                0x12, 0xD9, 0xF1, 0x81, 0x7F, 0xDB, 0x20, 0xA4, 0xA6, 0x2E
            ]
        );
    }

    #[test]
    fn configuration_follows_the_panel() {
        let c = configuration(PanelSize::W128H32, 0x10);
        assert_eq!(&c[2..4], &[0xA8, 0x1F]);
        assert_eq!(&c[13..15], &[0xDA, 0x02]);
        assert_eq!(&c[17..19], &[0x81, 0x10]);
        let c = configuration(PanelSize::W96H16, 0x7F);
        assert_eq!((c[3], c[14]), (0x0F, 0x02));
        let c = configuration(PanelSize::W72H40, 0x7F);
        assert_eq!((c[3], c[14]), (0x27, 0x12));
        assert_eq!(&c[15..19], &[0xAD, 0x30, 0xD9, 0xF1]);
        for panel in [PanelSize::W64H48, PanelSize::W64H32] {
            let c = configuration(panel, 0x7F);
            assert_eq!((c[3], c[14]), (panel.height() - 1, 0x12));
            assert!(!c.contains(&0xAD));
        }
    }

    #[test]
    fn full_windows_include_the_column_offset() {
        assert_eq!(
            Window::full(PanelSize::W128H64).commands(),
            [0x21, 0, 127, 0x22, 0, 7]
        );
        assert_eq!(
            Window::full(PanelSize::W72H40).commands(),
            [0x21, 28, 99, 0x22, 0, 4]
        );
        assert_eq!(
            Window::full(PanelSize::W64H48).commands(),
            [0x21, 32, 95, 0x22, 0, 5]
        );
        assert_eq!(
            Window::full(PanelSize::W96H16).commands(),
            [0x21, 0, 95, 0x22, 0, 1]
        );
        assert_eq!(Window::full(PanelSize::W128H32).len(), 512);
    }
}
