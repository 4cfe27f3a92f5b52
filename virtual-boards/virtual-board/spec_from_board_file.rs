// The build scripts of the virtual-board components include this file: it reads the board file
// `boards/<name>.toml` with the host's board-file parser (`wasi-hal-board-file`, a build
// dependency, so nothing of it goes into the component) and writes the board's wiring as a
// `fn spec() -> virtual_board::BoardSpec` into `$OUT_DIR/spec.rs`, so the component's wiring
// is the board file's, never a hand copy.

use std::fmt::Write as _;
use wasi_hal_board_file::{
    BitOrder, BoardFile, BuzzerWiring, Level, PartKind, PwmSource, SensorSource, Ssd1306Interface,
};

/// Reads `boards/<board>.toml` and writes `$OUT_DIR/spec.rs`. A board file the virtual board
/// cannot simulate fails the build with the reason.
fn write_spec(board: &str) {
    let path = format!(
        "{}/../../boards/{board}.toml",
        std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")
    );
    println!("cargo:rerun-if-changed={path}");
    let file = BoardFile::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let code = spec_source(&file).unwrap_or_else(|e| panic!("{path}: {e}"));
    let out = std::path::Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("spec.rs");
    std::fs::write(&out, code).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}

/// The entries of a bus table in file order (the board file's maps are sorted by name).
fn in_file_order<T>(
    map: &std::collections::BTreeMap<String, T>,
    location: impl Fn(&T) -> wasi_hal_board_file::Location,
) -> Vec<(&String, &T)> {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by_key(|(_, entry)| location(entry));
    entries
}

/// The Rust source of `fn spec()` for `file`.
fn spec_source(file: &BoardFile) -> Result<String, String> {
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "/// The wiring of `{}`, from its board file.", file.path.display());
    let _ = writeln!(w, "fn spec() -> virtual_board::BoardSpec {{");
    let _ = writeln!(w, "    virtual_board::BoardSpec {{\n        name: {:?},", file.name);
    let _ = writeln!(w, "        spi: vec![");
    for (name, entry) in in_file_order(&file.spi, |e| e.location) {
        let p = &entry.policy;
        let _ = writeln!(
            w,
            "            virtual_board::SpiSpec {{ name: {name:?}, policy: virtual_board::SpiPolicy {{ \
             default_config: virtual_board::SpiConfig {{ frequency_hz: {}, mode: \
             virtual_board::SpiMode::{:?}, lsb_first: {} }}, guest_may_configure: {}, \
             max_frequency_hz: {}, above_maximum: virtual_board::AboveMaximum::{:?}, \
             allowed_modes: vec![{}], allow_lsb_first: {}, max_transfer_bytes: {} }} }},",
            p.settings.frequency_hz,
            p.settings.mode,
            p.settings.bit_order == BitOrder::LsbFirst,
            p.configurable,
            p.max_frequency_hz,
            p.above_max,
            p.modes
                .iter()
                .map(|m| format!("virtual_board::SpiMode::{m:?}"))
                .collect::<Vec<_>>()
                .join(", "),
            p.bit_orders.contains(&BitOrder::LsbFirst),
            p.max_transfer_bytes,
        );
    }
    let _ = writeln!(w, "        ],\n        i2c: vec![");
    for (name, entry) in in_file_order(&file.i2c, |e| e.location) {
        let p = &entry.policy;
        let _ = writeln!(
            w,
            "            virtual_board::I2cSpec {{ name: {name:?}, policy: virtual_board::I2cPolicy {{ \
             allowed_addresses: virtual_board::AllowedAddresses::Only(vec!{:?}), \
             max_transfer_bytes: {} }}, frequency_hz: {} }},",
            p.addresses.iter().collect::<Vec<_>>(),
            p.max_transfer_bytes,
            p.frequency_hz,
        );
    }
    let _ = writeln!(w, "        ],\n        gpio: vec![");
    // A line starts at its initial level whatever its directions (a button's line at its
    // released level).
    for (name, entry) in in_file_order(&file.gpio, |e| e.location) {
        let p = &entry.policy;
        let _ = writeln!(
            w,
            "            virtual_board::LineSpec {{ name: {name:?}, policy: virtual_board::PinPolicy {{ \
             modes: virtual_board::PinModes {{ input: {}, output: {} }}, initial_level: \
             Some(virtual_board::Level::{:?}), safe_level: virtual_board::Level::{:?} }} }},",
            p.input, p.output, p.initial, p.safe,
        );
    }
    let _ = writeln!(w, "        ],\n        parts: vec![");
    for part in &file.parts {
        let name = &part.name;
        let _ = match &part.kind {
            PartKind::Ssd1306(d) => match &d.interface {
                Ssd1306Interface::Spi { device, dc } => writeln!(
                    w,
                    "            virtual_board::PartSpec::Ssd1306Spi {{ name: {name:?}, panel: \
                     wasi_hal_sim::ssd1306::PanelSize::{:?}, spi: {device:?}, dc: {dc:?}, res: {:?} }},",
                    d.panel,
                    d.res.as_deref(),
                ),
                Ssd1306Interface::I2c { bus, address } => writeln!(
                    w,
                    "            virtual_board::PartSpec::Ssd1306I2c {{ name: {name:?}, panel: \
                     wasi_hal_sim::ssd1306::PanelSize::{:?}, bus: {bus:?}, address: {address} }},",
                    d.panel,
                ),
            },
            PartKind::Bme680(b) => writeln!(
                w,
                "            virtual_board::PartSpec::Bme680 {{ name: {name:?}, bus: {:?}, \
                 address: {}, conditions: wasi_hal_sim::bme680::Conditions {{ \
                 temperature_celsius: {:?}, pressure_pa: {:?}, humidity_percent: {:?}, \
                 gas_resistance_ohm: {:?} }} }},",
                b.bus,
                b.address,
                b.conditions.temperature_celsius,
                b.conditions.pressure_pa,
                b.conditions.humidity_percent,
                b.conditions.gas_resistance_ohm,
            ),
            PartKind::Button(b) => writeln!(
                w,
                "            virtual_board::PartSpec::Button {{ name: {name:?}, line: {:?}, \
                 active_high: {} }},",
                b.line,
                b.active == Level::High,
            ),
            PartKind::Led(_) => {
                return Err(format!("part `{name}`: the virtual board has no LED part"));
            }
            // PMODEN (the module's logic supply) is not modelled, as on the host-side board.
            PartKind::Ssd1331(d) => writeln!(
                w,
                "            virtual_board::PartSpec::Ssd1331 {{ name: {name:?}, spi: {:?}, dc: {:?}, \
                 res: {:?}, vccen: {:?} }},",
                d.spi,
                d.dc,
                d.res.as_deref(),
                d.vccen.as_deref(),
            ),
            PartKind::Ws2812(d) => writeln!(
                w,
                "            virtual_board::PartSpec::Ws2812 {{ name: {name:?}, spi: {:?}, model: \
                 wasi_hal_sim::ws2812::StripModel::{:?}, length: {} }},",
                d.spi,
                d.model,
                d.length,
            ),
            PartKind::Buzzer(b) => match &b.wiring {
                BuzzerWiring::Active {
                    line,
                    active,
                    pitch_hz,
                } => writeln!(
                    w,
                    "            virtual_board::PartSpec::Buzzer {{ name: {name:?}, line: {line:?}, \
                     active_high: {}, pitch_hz: {pitch_hz} }},",
                    *active == Level::High,
                ),
                BuzzerWiring::Passive { pwm } => writeln!(
                    w,
                    "            virtual_board::PartSpec::PassiveBuzzer {{ name: {name:?}, pwm: \
                     {pwm:?} }},",
                ),
            },
        };
    }
    let _ = writeln!(w, "        ],\n        pwm: vec![");
    for (name, entry) in in_file_order(&file.pwm, |e| e.location) {
        if entry.backend != PwmSource::Simulated {
            return Err(format!("`pwm.{name}`: a virtual board simulates its PWM channels"));
        }
        let p = &entry.policy;
        let _ = writeln!(
            w,
            "            virtual_board::PwmSpec {{ name: {name:?}, policy: virtual_board::PwmPolicy {{ \
             min_frequency_hz: {}, max_frequency_hz: {}, default_frequency_hz: {} }} }},",
            p.min_frequency_hz, p.max_frequency_hz, p.default_frequency_hz,
        );
    }
    let _ = writeln!(w, "        ],\n        sensors: vec![");
    for (name, entry) in in_file_order(&file.sensors, |e| e.location) {
        let SensorSource::SimulatedDht22(air) = &entry.source else {
            return Err(format!(
                "`sensor.{name}`: a virtual board simulates its sensor (`model = \"dht22\"`), it \
                 cannot read a Linux IIO device"
            ));
        };
        let _ = writeln!(
            w,
            "            virtual_board::SensorSpec {{ name: {name:?}, temperature_celsius: {:?}, \
             humidity_percent: {:?}, fail_every: {:?} }},",
            air.temperature_c, air.humidity_percent, air.fail_every,
        );
    }
    let _ = writeln!(w, "        ],\n        config: vec![");
    for (key, value) in &file.config {
        let _ = writeln!(w, "            ({key:?}, {value:?}),");
    }
    let _ = writeln!(w, "        ],\n    }}\n}}");
    Ok(s)
}
