//! Parsing of the configuration values the driver components read from `wasi:config/store`.
//! Each returns `None` for a value it does not accept, which the drivers turn into an `open`
//! error (`other`).

/// The SSD1306's fastest SPI clock: a serial clock cycle of at least 100 ns (Table 13-6).
pub const MAX_SPI_FREQUENCY_HZ: u32 = 10_000_000;

/// An SSD1306 I2C address: `0x3c` or `0x3d` (SA0 low or high), in hexadecimal with a `0x`
/// prefix (either case) or in decimal (`60`, `61`).
pub fn parse_i2c_address(value: &str) -> Option<u8> {
    let value = value.trim();
    let address = match value
        .strip_prefix("0x")
        .or_else(|| value.strip_prefix("0X"))
    {
        Some(hex) => u8::from_str_radix(hex, 16).ok()?,
        None => value.parse::<u8>().ok()?,
    };
    matches!(address, 0x3C | 0x3D).then_some(address)
}

/// An SPI clock in hertz, in decimal: 1 to [`MAX_SPI_FREQUENCY_HZ`].
pub fn parse_frequency_hz(value: &str) -> Option<u32> {
    let hz = value.trim().parse::<u32>().ok()?;
    (1..=MAX_SPI_FREQUENCY_HZ).contains(&hz).then_some(hz)
}

/// The SPI clock an SPI driver asks for: `wasi:config` key `display.spi-frequency-hz`, by
/// default [`MAX_SPI_FREQUENCY_HZ`].
pub fn spi_frequency_hz() -> Result<u32, wasi_hal_driver_support::config::ConfigError> {
    let default = "10000000";
    wasi_hal_driver_support::config::parsed("display.spi-frequency-hz", default, parse_frequency_hz)
}

/// A pin name, or `None` for no pin: the value `none` or an empty value.
pub fn optional_name(value: &str) -> Option<&str> {
    let value = value.trim();
    (!value.is_empty() && value != "none").then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        for (text, expected) in [
            ("0x3c", Some(0x3C)),
            ("0x3C", Some(0x3C)),
            ("0X3d", Some(0x3D)),
            ("60", Some(0x3C)),
            ("61", Some(0x3D)),
            (" 0x3c ", Some(0x3C)),
            ("0x3e", None),
            ("3c", None),
            ("0x", None),
            ("0x13c", None),
            ("-60", None),
            ("", None),
        ] {
            assert_eq!(parse_i2c_address(text), expected, "{text:?}");
        }
    }

    #[test]
    fn frequencies() {
        assert_eq!(parse_frequency_hz("10000000"), Some(10_000_000));
        assert_eq!(parse_frequency_hz("1"), Some(1));
        assert_eq!(parse_frequency_hz("10000001"), None);
        assert_eq!(parse_frequency_hz("0"), None);
        assert_eq!(parse_frequency_hz("8 MHz"), None);
        assert_eq!(parse_frequency_hz("99999999999"), None);
    }

    #[test]
    fn optional_names() {
        assert_eq!(optional_name("display-reset"), Some("display-reset"));
        assert_eq!(optional_name("none"), None);
        assert_eq!(optional_name(""), None);
    }
}
