//! The virtual board of `boards/sim-pacman-pmod-oled.toml` as a component: a simulated Digilent
//! Pmod OLED (SSD1306 128x32 on 4-wire SPI, with D/C#, RES#, VBATC and VDDC lines) and four
//! push buttons to ground, with the same names and policy as the board file, so the
//! `pmod-oled` driver and the `pacman` app composed onto it behave as on `wasi-hal run`.
//!
//! Composed by `compositions/pacman-pmod-oled-virtual.wac`; see `docs/hosts.md`.

// `fn spec()`: the wiring of `boards/sim-pacman-pmod-oled.toml`, read by the build script.
include!(concat!(env!("OUT_DIR"), "/spec.rs"));

virtual_board::export_board!(spec());
