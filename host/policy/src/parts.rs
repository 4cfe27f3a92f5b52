//! The value types of a board's parts that the board file reads and the simulator builds:
//! one definition, so neither converts from the other.

/// The geometry of the glass an SSD1306 drives (`panel` in the board file). Each is a window
/// into the controller's 128x64 pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PanelSize {
    /// 128x64, the common 0.96" module (COM pins 0x12, mux 64).
    W128H64,
    /// 128x32, the 0.91" module and the Digilent Pmod OLED (COM pins 0x02, mux 32).
    W128H32,
    /// 96x16 (COM pins 0x02, mux 16).
    W96H16,
    /// 72x40 at column offset 28 (COM pins 0x12, mux 40).
    W72H40,
    /// 64x48 at column offset 32, e.g. the WeMos D1 mini shield (COM pins 0x12, mux 48).
    W64H48,
    /// 64x32 at column offset 32 (COM pins 0x12, mux 32).
    W64H32,
}

impl PanelSize {
    /// Every panel, for tests and menus.
    pub const ALL: [PanelSize; 6] = [
        PanelSize::W128H64,
        PanelSize::W128H32,
        PanelSize::W96H16,
        PanelSize::W72H40,
        PanelSize::W64H48,
        PanelSize::W64H32,
    ];

    /// Visible width in pixels.
    pub fn width(self) -> u32 {
        match self {
            PanelSize::W128H64 | PanelSize::W128H32 => 128,
            PanelSize::W96H16 => 96,
            PanelSize::W72H40 => 72,
            PanelSize::W64H48 | PanelSize::W64H32 => 64,
        }
    }

    /// Visible height in pixels.
    pub fn height(self) -> u32 {
        match self {
            PanelSize::W128H64 => 64,
            PanelSize::W128H32 | PanelSize::W64H32 => 32,
            PanelSize::W96H16 => 16,
            PanelSize::W72H40 => 40,
            PanelSize::W64H48 => 48,
        }
    }

    /// The column address (with segment remap on, as the modules are meant to be driven) of the
    /// panel's leftmost pixel: the `ssd1306` crate's `OFFSETX`. The visible segments are
    /// `128 - offset - width ..= 127 - offset`.
    pub fn column_offset(self) -> u32 {
        match self {
            PanelSize::W128H64 | PanelSize::W128H32 | PanelSize::W96H16 => 0,
            PanelSize::W72H40 => 28,
            PanelSize::W64H48 | PanelSize::W64H32 => 32,
        }
    }

    /// The COM pins configuration (argument of 0xDA) the panel's glass is wired for.
    pub fn com_pins(self) -> u8 {
        match self {
            PanelSize::W128H32 | PanelSize::W96H16 => 0x02,
            PanelSize::W128H64 | PanelSize::W72H40 | PanelSize::W64H48 | PanelSize::W64H32 => 0x12,
        }
    }

    /// The multiplex ratio (number of rows, 0xA8 argument + 1) the panel needs.
    pub fn multiplex(self) -> u8 {
        self.height() as u8
    }
}

/// The LEDs on an addressable strip (`model` of a `ws2812` part in the board file).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum StripModel {
    /// `"ws2812b"`, WorldSemi WS2812B: RGB, 24 bits per LED in GRB order (the default).
    Ws2812b,
    /// `"sk6812-rgbw"`, SK6812 RGBW: 32 bits per LED in GRBW order.
    Sk6812Rgbw,
}

impl StripModel {
    /// The part's name as its datasheet spells it.
    pub fn name(self) -> &'static str {
        match self {
            StripModel::Ws2812b => "WS2812B",
            StripModel::Sk6812Rgbw => "SK6812-RGBW",
        }
    }

    /// Data bits each LED keeps.
    pub fn bits_per_led(self) -> u32 {
        match self {
            StripModel::Ws2812b => 24,
            StripModel::Sk6812Rgbw => 32,
        }
    }
}

/// The air around a simulated BME680 (`temperature-c`, `pressure-pa`, `humidity-percent` and
/// `gas-ohms` of a `bme680` part in the board file): what the part measures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Conditions {
    /// Temperature in °C (-40 to 85).
    pub temperature_celsius: f64,
    /// Pressure in Pa (30000 to 110000).
    pub pressure_pa: f64,
    /// Relative humidity in % (0 to 100).
    pub humidity_percent: f64,
    /// Resistance of the gas sensor's metal-oxide layer in Ω (above 0).
    pub gas_resistance_ohm: f64,
}

impl Default for Conditions {
    /// A room: 25 °C, 101325 Pa, 40 %, 100 kΩ.
    fn default() -> Self {
        Self {
            temperature_celsius: 25.0,
            pressure_pa: 101_325.0,
            humidity_percent: 40.0,
            gas_resistance_ohm: 100_000.0,
        }
    }
}

/// Which member of the BME680 family a part is (`variant` of a `bme680` part in the board
/// file), as its variant id register says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum Bme680Variant {
    /// `"bme680"`, the low gas variant: variant id 0, `run_gas` is `ctrl_gas_1` bit 4, the gas
    /// result is in `0x2A`/`0x2B` (the default).
    #[default]
    Bme680,
    /// `"bme688"`, the high gas variant: variant id 1, `run_gas` is `ctrl_gas_1` bit 5, the gas
    /// result is in `0x2C`/`0x2D`. The simulator does not model its parallel and sequential
    /// modes.
    Bme688,
}
