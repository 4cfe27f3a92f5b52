//! Parsing of the configuration values the driver reads from `wasi:config/store`.
//!
//! Every parser takes the text as it arrives (a board file's TOML number reaches the guest as its
//! decimal text, `0x76` as `118`) and returns `None` for anything it does not accept.

/// The measurement settings, as register field values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    /// `osrs_t` (1..=5: x1..x16). Temperature is never skipped: the other quantities need it.
    pub osrs_t: u8,
    /// `osrs_p` (0 = skipped, 1..=5: x1..x16).
    pub osrs_p: u8,
    /// `osrs_h` (0 = skipped, 1..=5: x1..x16).
    pub osrs_h: u8,
    /// `filter` field of `config` (0 = off, 1..=7: coefficients 1, 3, 7, 15, 31, 63, 127).
    pub filter: u8,
    /// The gas heater, or `None` when it is off (no gas measurement).
    pub heater: Option<Heater>,
}

/// A heater set-point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Heater {
    /// Target temperature in °C, 1 to 400.
    pub target_celsius: u16,
    /// How long the heater heats before the gas conversion, in ms, 1 to 4032.
    pub duration_ms: u16,
}

impl Default for Settings {
    /// Temperature x8, pressure x4, humidity x2, IIR filter coefficient 3, heater 320 °C for
    /// 150 ms.
    fn default() -> Self {
        Settings {
            osrs_t: 4,
            osrs_p: 3,
            osrs_h: 2,
            filter: 2,
            heater: Some(Heater {
                target_celsius: 320,
                duration_ms: 150,
            }),
        }
    }
}

/// A decimal integer (optionally with a leading `+`), or hex with `0x`/`0X`.
fn parse_int(text: &str) -> Option<u32> {
    let text = text.trim();
    if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        u32::from_str_radix(hex, 16).ok()
    } else {
        text.parse().ok()
    }
}

/// Whether `text` switches something off (`off`, `none`, `0`, in any case).
fn is_off(text: &str) -> bool {
    let text = text.trim();
    text.eq_ignore_ascii_case("off") || text.eq_ignore_ascii_case("none") || text == "0"
}

/// The sensor's I2C address: `0x76` or `0x77` (hex with `0x`, or decimal `118`/`119`).
pub fn parse_address(text: &str) -> Option<u8> {
    match parse_int(text)? {
        0x76 => Some(0x76),
        0x77 => Some(0x77),
        _ => None,
    }
}

/// An oversampling `1`, `2`, `4`, `8` or `16` (optionally written `x2`); `none`/`off`/`0` (a
/// skipped measurement) only when `may_skip`. Returns the `osrs_x` field value.
pub fn parse_oversampling(text: &str, may_skip: bool) -> Option<u8> {
    if is_off(text) {
        return may_skip.then_some(0);
    }
    let text = text.trim();
    let text = text
        .strip_prefix('x')
        .or_else(|| text.strip_prefix('X'))
        .unwrap_or(text);
    match parse_int(text)? {
        1 => Some(1),
        2 => Some(2),
        4 => Some(3),
        8 => Some(4),
        16 => Some(5),
        _ => None,
    }
}

/// An IIR filter coefficient `0` (`off`), `1`, `3`, `7`, `15`, `31`, `63` or `127`. Returns the
/// `filter` field value.
pub fn parse_filter(text: &str) -> Option<u8> {
    if is_off(text) {
        return Some(0);
    }
    match parse_int(text)? {
        1 => Some(1),
        3 => Some(2),
        7 => Some(3),
        15 => Some(4),
        31 => Some(5),
        63 => Some(6),
        127 => Some(7),
        _ => None,
    }
}

/// A heater target in °C, 1 to 400, or `off`: `Some(None)` is off.
pub fn parse_heater_temperature(text: &str) -> Option<Option<u16>> {
    if is_off(text) {
        return Some(None);
    }
    match parse_int(text)? {
        t @ 1..=400 => Some(Some(t as u16)),
        _ => None,
    }
}

/// A heater duration in ms, 1 to 4032, or `off`: `Some(None)` is off.
pub fn parse_heater_duration(text: &str) -> Option<Option<u16>> {
    if is_off(text) {
        return Some(None);
    }
    match parse_int(text)? {
        d @ 1..=4032 => Some(Some(d as u16)),
        _ => None,
    }
}
