//! Which imports of a component this host and this board can satisfy, checked before running so
//! that every missing one is reported at once with what would satisfy it.

use wasi_hal_board::Board;
use wasmtime::Engine;
use wasmtime::component::Component;

/// Who provides an import.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provider {
    /// WASI 0.2 (`wasi:cli`, `wasi:io`, `wasi:clocks`, `wasi:random`, `wasi:filesystem`,
    /// `wasi:sockets`), from wasmtime-wasi.
    Wasi,
    /// `wasi:config/store`, with values from the board file and `--config`.
    Config,
    /// `wasi:spi/spi`.
    Spi,
    /// `wasi:i2c/i2c`.
    I2c,
    /// `wasi:gpio/gpio`.
    Gpio,
    /// `wasi:delay/delay`.
    Delay,
}

/// One import the run cannot satisfy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnsatisfiedImport {
    /// The import's full name, e.g. `wasi:i2c/i2c@0.1.0`.
    pub import: String,
    /// What would satisfy it.
    pub hint: String,
}

/// The versions of the wasi-hal packages this host implements.
const HAL_VERSION: &str = "0.1";

/// Classifies an import name: the provider, or `None` when nothing here provides it.
pub fn provider_of(name: &str) -> Option<Provider> {
    let (path, version) = match name.split_once('@') {
        Some((p, v)) => (p, Some(v)),
        None => (name, None),
    };
    let (package, _interface) = path.split_once('/')?;
    let hal = |p| {
        // 0.1.x is semver-compatible with the 0.1.0 this host implements.
        version
            .is_some_and(|v| v == HAL_VERSION || v.starts_with(&format!("{HAL_VERSION}.")))
            .then_some(p)
    };
    match package {
        "wasi:cli" | "wasi:io" | "wasi:clocks" | "wasi:random" | "wasi:filesystem"
        | "wasi:sockets" => version
            .is_some_and(|v| v.starts_with("0.2."))
            .then_some(Provider::Wasi),
        "wasi:config" if path == "wasi:config/store" => {
            (version == Some("0.2.0-rc.1")).then_some(Provider::Config)
        }
        "wasi:spi" if path == "wasi:spi/spi" => hal(Provider::Spi),
        "wasi:i2c" if path == "wasi:i2c/i2c" => hal(Provider::I2c),
        "wasi:gpio" if path == "wasi:gpio/gpio" => hal(Provider::Gpio),
        "wasi:delay" if path == "wasi:delay/delay" => hal(Provider::Delay),
        _ => None,
    }
}

/// Every import of `component` that this host or `board` cannot satisfy, with a hint each.
///
/// A bus interface counts as satisfied only when the board offers at least one name of that kind:
/// a driver that needs I2C on a board without I2C cannot work, and saying so up front beats a
/// `not-permitted` error from deep inside the guest.
pub fn check_imports(
    engine: &Engine,
    component: &Component,
    board: &Board,
) -> Vec<UnsatisfiedImport> {
    let file = board.file();
    let board_path = file.path.display().to_string();
    let mut unsatisfied = Vec::new();
    for (name, _) in component.component_type().imports(engine) {
        let hint = match provider_of(name) {
            Some(Provider::Spi) if file.spi.is_empty() => {
                format!("the board offers no SPI device: add an `[spi.NAME]` entry to {board_path}")
            }
            Some(Provider::I2c) if file.i2c.is_empty() => {
                format!("the board offers no I2C bus: add an `[i2c.NAME]` entry to {board_path}")
            }
            Some(Provider::Gpio) if file.gpio.is_empty() => {
                format!("the board offers no GPIO line: add a `[gpio.NAME]` entry to {board_path}")
            }
            Some(_) => continue,
            None => {
                if name.starts_with("wasi:spi/")
                    || name.starts_with("wasi:i2c/")
                    || name.starts_with("wasi:gpio/")
                    || name.starts_with("wasi:delay/")
                {
                    format!("this host implements version {HAL_VERSION}.x of that package")
                } else {
                    "no interface of that name is provided by wasi-hal (it offers WASI 0.2, \
                     wasi:config/store@0.2.0-rc.1, wasi:spi, wasi:i2c, wasi:gpio and wasi:delay \
                     @0.1.x); compose the component with one that exports it"
                        .to_string()
                }
            }
        };
        unsatisfied.push(UnsatisfiedImport {
            import: name.to_string(),
            hint,
        });
    }
    unsatisfied
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_classified_by_package_and_compatible_version() {
        assert_eq!(provider_of("wasi:spi/spi@0.1.0"), Some(Provider::Spi));
        assert_eq!(provider_of("wasi:spi/spi@0.1.3"), Some(Provider::Spi));
        assert_eq!(provider_of("wasi:spi/spi@0.2.0"), None);
        assert_eq!(provider_of("wasi:spi/spi"), None);
        assert_eq!(provider_of("wasi:i2c/i2c@0.1.0"), Some(Provider::I2c));
        assert_eq!(provider_of("wasi:gpio/gpio@0.1.0"), Some(Provider::Gpio));
        assert_eq!(provider_of("wasi:delay/delay@0.1.0"), Some(Provider::Delay));
        assert_eq!(provider_of("wasi:cli/stdout@0.2.6"), Some(Provider::Wasi));
        assert_eq!(provider_of("wasi:io/streams@0.2.0"), Some(Provider::Wasi));
        assert_eq!(
            provider_of("wasi:config/store@0.2.0-rc.1"),
            Some(Provider::Config)
        );
        assert_eq!(provider_of("display:pixels/display@0.1.1"), None);
        assert_eq!(provider_of("wasi:http/types@0.2.0"), None);
    }
}
