//! The virtual board of `boards/sim-pmod-oledrgb.toml` as a component: a simulated Digilent Pmod
//! OLEDrgb (SSD1331, 96x64, RGB565 on 4-wire SPI, with D/C#, RES#, VCCEN and PMODEN lines), with
//! the same names and policy as the board file, so the `pmod-oledrgb` driver and the
//! `ball-screensaver` app composed onto it behave as on `wasi-hal run`. Every colour frame the
//! panel shows is written to stdout.
//!
//! Composed by `compositions/ball-screensaver-pmod-oledrgb-virtual.wac`; see `docs/hosts.md`.

// `fn spec()`: the wiring of `boards/sim-pmod-oledrgb.toml`, read by the build script.
include!(concat!(env!("OUT_DIR"), "/spec.rs"));

virtual_board::export_board!(spec());
