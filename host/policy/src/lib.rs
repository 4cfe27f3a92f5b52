//! The board's policy for `wasi:spi`, `wasi:i2c`, `wasi:gpio` and `wasi:pwm`, in one place.
//!
//! Everything here is plain data and plain rules: no Wasmtime, no operating system, no
//! allocation beyond `alloc` (`#![no_std]`). That is what lets every party that enforces a
//! board's policy use the same code:
//! - the Wasmtime host crates (`wasi-hal-spi`, `wasi-hal-i2c`, `wasi-hal-gpio`), which re-export
//!   these types under their old paths;
//! - the board file (`wasi-hal-board`), which reads the values with the `serde` feature;
//! - the virtual-board components (`virtual-boards/`), built for `wasm32-wasip2`.
//!
//! What is here:
//! - [`spi`]: modes, bit order, the settings of a device, what happens above the maximum
//!   frequency, and [`SpiPolicy::effective_config`], the rule that turns a guest's requested
//!   settings into the settings in force;
//! - [`i2c`]: the addresses a guest may reach and the transfer cap;
//! - [`gpio`]: levels, pin directions, initial and safe levels;
//! - [`pwm`]: the frequency range and default frequency of a PWM channel;
//! - [`hold`]: [`GuestHold`], who holds a device, bus or pin, and when a guest may open it again;
//! - [`clock`]: [`SimClock`], the virtual time of a simulated board;
//! - the traits through which a host drives a simulated part (implemented by `wasi-hal-sim`,
//!   so no host crate depends on the simulator): [`spi::ApplySpiSettings`],
//!   [`gpio::RecordedLine`], [`pwm::PwmOutput`];
//! - [`parts`]: the value types of a board's parts that the board file reads and the simulator
//!   builds ([`PanelSize`], [`StripModel`], [`Conditions`],
//!   [`Bme680Variant`]).
//!
//! # Features
//! - `serde`: `Serialize` and `Deserialize` for the value types, with exactly the spellings of
//!   the board file (`"mode0"`, `"msb-first"`, `"clamp"`, `"low"`, `"input"`, ...).

#![no_std]

extern crate alloc;

pub mod clock;
pub mod gpio;
pub mod hold;
pub mod i2c;
pub mod parts;
pub mod pwm;
pub mod spi;

pub use clock::SimClock;
pub use gpio::{Level, PinMode, PinModes, PinPolicy};
pub use hold::{GuestHold, GuestId, HoldToken, InUse, Reopen};
pub use i2c::{AllowedAddresses, I2cPolicy};
pub use parts::{Bme680Variant, Conditions, PanelSize, StripModel};
pub use pwm::{FrequencyNotAllowed, PwmOutput, PwmPolicy};
pub use spi::{AboveMaximum, BitOrder, ConfigRefused, SpiConfig, SpiMode, SpiPolicy};

/// The board file's spellings, read and written through `toml` as the board file is.
#[cfg(all(test, feature = "serde"))]
mod serde_tests {
    extern crate std;

    use super::*;
    use alloc::string::{String, ToString};
    use alloc::vec::Vec;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Deserialize, Serialize)]
    #[serde(rename_all = "kebab-case")]
    struct Entry {
        modes: Vec<SpiMode>,
        mode: SpiMode,
        bit_orders: Vec<BitOrder>,
        bit_order: BitOrder,
        above_max: AboveMaximum,
        initial: Level,
        safe: Level,
        pin_modes: Vec<PinMode>,
    }

    const FILE: &str = r#"
modes = ["mode0", "mode1", "mode2", "mode3"]
mode = "mode3"
bit-orders = ["msb-first", "lsb-first"]
bit-order = "lsb-first"
above-max = "refuse"
initial = "high"
safe = "low"
pin-modes = ["input", "output"]
"#;

    #[test]
    fn reads_the_board_file_spellings() {
        let entry: Entry = toml::from_str(FILE).unwrap();
        assert_eq!(
            entry,
            Entry {
                modes: SpiMode::ALL.to_vec(),
                mode: SpiMode::Mode3,
                bit_orders: alloc::vec![BitOrder::MsbFirst, BitOrder::LsbFirst],
                bit_order: BitOrder::LsbFirst,
                above_max: AboveMaximum::Refuse,
                initial: Level::High,
                safe: Level::Low,
                pin_modes: alloc::vec![PinMode::Input, PinMode::Output],
            }
        );
        let clamp: std::collections::BTreeMap<String, AboveMaximum> =
            toml::from_str("above-max = \"clamp\"").unwrap();
        assert_eq!(clamp["above-max"], AboveMaximum::Clamp);
    }

    #[test]
    fn writes_what_it_reads() {
        let entry: Entry = toml::from_str(FILE).unwrap();
        let text = toml::to_string(&entry).unwrap();
        assert!(text.contains("mode = \"mode3\""), "{text}");
        assert!(text.contains("bit-order = \"lsb-first\""), "{text}");
        assert_eq!(toml::from_str::<Entry>(&text).unwrap(), entry);
    }

    #[test]
    fn other_spellings_are_refused_naming_the_expected_values() {
        for (key, bad, expected) in [
            ("mode", "\"mode4\"", "mode0"),
            ("mode", "\"Mode0\"", "mode0"),
            ("bit-order", "\"msb_first\"", "msb-first"),
            ("above-max", "\"clip\"", "clamp"),
            ("initial", "\"HIGH\"", "high"),
            ("pin-modes", "[\"in\"]", "input"),
        ] {
            let text = FILE
                .lines()
                .map(|l| {
                    if l.starts_with(&alloc::format!("{key} =")) {
                        alloc::format!("{key} = {bad}")
                    } else {
                        l.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
            let err = toml::from_str::<Entry>(&text).unwrap_err().to_string();
            assert!(err.contains(expected), "{key} = {bad}: {err}");
        }
    }
}
