//! The glass an SSD1306 drives.

/// A panel size. Each is a window into the controller's 128x64 pixels: the narrow ones sit at a
/// column offset, the short ones use fewer COM lines (multiplex ratio).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PanelSize {
    /// 128x64, the common 0.96" module.
    W128H64,
    /// 128x32, the 0.91" module and the Digilent Pmod OLED.
    W128H32,
    /// 96x16.
    W96H16,
    /// 72x40 at column offset 28 (its modules also need the internal IREF, 0xAD 0x30).
    W72H40,
    /// 64x48 at column offset 32 (e.g. the WeMos D1 mini OLED shield).
    W64H48,
    /// 64x32 at column offset 32.
    W64H32,
}

impl PanelSize {
    /// Every panel.
    pub const ALL: [PanelSize; 6] = [
        PanelSize::W128H64,
        PanelSize::W128H32,
        PanelSize::W96H16,
        PanelSize::W72H40,
        PanelSize::W64H48,
        PanelSize::W64H32,
    ];

    /// Parses the `WIDTHxHEIGHT` name of a panel (`"128x64"`, `"72x40"`, …); `None` for any
    /// other text.
    pub fn from_name(name: &str) -> Option<PanelSize> {
        PanelSize::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The `WIDTHxHEIGHT` name of the panel.
    pub fn name(self) -> &'static str {
        match self {
            PanelSize::W128H64 => "128x64",
            PanelSize::W128H32 => "128x32",
            PanelSize::W96H16 => "96x16",
            PanelSize::W72H40 => "72x40",
            PanelSize::W64H48 => "64x48",
            PanelSize::W64H32 => "64x32",
        }
    }

    /// Visible width in pixels.
    pub fn width(self) -> u8 {
        match self {
            PanelSize::W128H64 | PanelSize::W128H32 => 128,
            PanelSize::W96H16 => 96,
            PanelSize::W72H40 => 72,
            PanelSize::W64H48 | PanelSize::W64H32 => 64,
        }
    }

    /// Visible height in pixels (a multiple of 8).
    pub fn height(self) -> u8 {
        match self {
            PanelSize::W128H64 => 64,
            PanelSize::W128H32 | PanelSize::W64H32 => 32,
            PanelSize::W96H16 => 16,
            PanelSize::W72H40 => 40,
            PanelSize::W64H48 => 48,
        }
    }

    /// GDDRAM pages (8 rows each) the panel shows.
    pub fn pages(self) -> u8 {
        self.height() / 8
    }

    /// The column address of the leftmost visible pixel with segment remap on (0xA1), the
    /// `ssd1306` crate's `OFFSETX`: visible pixel `x` is column `x + column_offset()`.
    pub fn column_offset(self) -> u8 {
        match self {
            PanelSize::W128H64 | PanelSize::W128H32 | PanelSize::W96H16 => 0,
            PanelSize::W72H40 => 28,
            PanelSize::W64H48 | PanelSize::W64H32 => 32,
        }
    }

    /// The COM pins hardware configuration (the argument of 0xDA) the glass is wired for:
    /// 0x12 (alternative COM pins) or 0x02 (sequential).
    pub fn com_pins(self) -> u8 {
        match self {
            PanelSize::W128H32 | PanelSize::W96H16 => 0x02,
            PanelSize::W128H64 | PanelSize::W72H40 | PanelSize::W64H48 | PanelSize::W64H32 => 0x12,
        }
    }

    /// Whether the panel's modules need the internal IREF selected (0xAD 0x30), as the
    /// `ssd1306` crate sends for 72x40.
    pub fn internal_iref(self) -> bool {
        self == PanelSize::W72H40
    }
}

impl core::fmt::Display for PanelSize {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_refused() {
        for panel in PanelSize::ALL {
            assert_eq!(PanelSize::from_name(panel.name()), Some(panel));
        }
        assert_eq!(PanelSize::from_name("128X64"), None);
        assert_eq!(PanelSize::from_name("128x16"), None);
        assert_eq!(PanelSize::from_name(""), None);
    }

    #[test]
    fn small_panels_sit_at_the_ssd1306_crate_offsets() {
        let offsets: [(PanelSize, u8, u8, u8); 6] = [
            (PanelSize::W128H64, 128, 64, 0),
            (PanelSize::W128H32, 128, 32, 0),
            (PanelSize::W96H16, 96, 16, 0),
            (PanelSize::W72H40, 72, 40, 28),
            (PanelSize::W64H48, 64, 48, 32),
            (PanelSize::W64H32, 64, 32, 32),
        ];
        for (panel, w, h, off) in offsets {
            assert_eq!(
                (panel.width(), panel.height(), panel.column_offset()),
                (w, h, off)
            );
            assert!(u32::from(off) + u32::from(w) <= 128);
        }
    }
}
