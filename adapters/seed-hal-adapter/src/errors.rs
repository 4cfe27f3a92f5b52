//! wasi-hal's error codes as the seed's error variants.
//!
//! The seed's SPI `error` and GPIO `gpio-error` have fewer cases than wasi-hal's `error-code`s;
//! what has no case of its own becomes `other` with a message that names the wasi-hal code, so
//! a guest that prints its errors still says what the host refused.

/// The message of the seed's `other(string)` for a wasi-hal SPI or I2C error code that has no
/// case of its own there.
pub fn spi_other_message(code: &str) -> alloc::string::String {
    alloc::format!("wasi:spi@0.1.0 error-code {code} (through seed-hal-adapter)")
}

/// The message of `gpio-error::other` for a wasi-hal GPIO error code with no case of its own.
pub fn gpio_other_message(code: &str) -> alloc::string::String {
    alloc::format!("wasi:gpio@0.1.0 error-code {code} (through seed-hal-adapter)")
}

/// Splits a wait of `total` units into waits of at most `u32::MAX` units, as wasi-hal's
/// `wasi:delay` takes `u32` and the seed's takes `u64`.
pub fn u32_chunks(total: u64) -> impl Iterator<Item = u32> {
    let full = total / u64::from(u32::MAX);
    let rest = (total % u64::from(u32::MAX)) as u32;
    (0..full)
        .map(|_| u32::MAX)
        .chain((rest > 0).then_some(rest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn long_waits_are_split_without_loss() {
        assert_eq!(u32_chunks(0).count(), 0);
        assert_eq!(u32_chunks(5).collect::<Vec<_>>(), [5]);
        let big = 3 * u64::from(u32::MAX) + 7;
        let chunks: Vec<u32> = u32_chunks(big).collect();
        assert_eq!(chunks, [u32::MAX, u32::MAX, u32::MAX, 7]);
        assert_eq!(chunks.iter().map(|&c| u64::from(c)).sum::<u64>(), big);
    }

    #[test]
    fn messages_name_the_wasi_hal_code() {
        assert!(spi_other_message("not-permitted").contains("not-permitted"));
        assert!(gpio_other_message("other").contains("wasi:gpio@0.1.0"));
    }
}
