//! The virtual board of `boards/sim-pacman-pmod-oled.toml` as a component: a simulated Digilent
//! Pmod OLED (SSD1306 128x32 on 4-wire SPI, with D/C#, RES#, VBATC and VDDC lines) and four
//! push buttons to ground, with the same names and policy as the board file, so the
//! `pmod-oled` driver and the `pacman` app composed onto it behave as on `wasi-hal run`.
//!
//! Composed by `compositions/pacman-pmod-oled-virtual.wac`; see `docs/hosts.md`.

use virtual_board::{
    AboveMaximum, BoardSpec, Level, LineSpec, PartSpec, PinModes, PinPolicy, SpiConfig, SpiMode,
    SpiPolicy, SpiSpec,
};
use wasi_hal_sim::ssd1306::Panel;

/// The board file's wiring.
fn spec() -> BoardSpec {
    let output = |name, initial: Level, safe_level: Level| LineSpec {
        name,
        policy: PinPolicy {
            modes: PinModes::OUTPUT,
            initial_level: Some(initial),
            safe_level,
        },
    };
    // A button's line starts at its released level (high: buttons to ground with pull-ups).
    let input = |name| LineSpec {
        name,
        policy: PinPolicy {
            modes: PinModes::INPUT,
            initial_level: Some(Level::High),
            safe_level: Level::Low,
        },
    };
    let button = |name, line| PartSpec::Button {
        name,
        line,
        active_high: false,
    };
    BoardSpec {
        name: "sim-pacman-pmod-oled",
        spi: vec![SpiSpec {
            name: "oled",
            policy: SpiPolicy {
                default_config: SpiConfig {
                    frequency_hz: 8_000_000,
                    mode: SpiMode::Mode0,
                    lsb_first: false,
                },
                guest_may_configure: true,
                max_frequency_hz: 10_000_000,
                above_maximum: AboveMaximum::Clamp,
                allowed_modes: vec![SpiMode::Mode0, SpiMode::Mode3],
                allow_lsb_first: false,
                max_transfer_bytes: 4096,
            },
        }],
        i2c: Vec::new(),
        gpio: vec![
            output("oled-dc", Level::Low, Level::Low),
            output("oled-res", Level::Low, Level::Low),
            output("oled-vbatc", Level::High, Level::High),
            output("oled-vddc", Level::High, Level::High),
            input("btn-up"),
            input("btn-down"),
            input("btn-left"),
            input("btn-right"),
        ],
        parts: vec![
            PartSpec::Ssd1306Spi {
                name: "oled",
                panel: Panel::W128H32,
                spi: "oled",
                dc: "oled-dc",
                res: Some("oled-res"),
            },
            button("up", "btn-up"),
            button("down", "btn-down"),
            button("left", "btn-left"),
            button("right", "btn-right"),
        ],
        config: Vec::new(),
    }
}

virtual_board::export_board!(spec());
