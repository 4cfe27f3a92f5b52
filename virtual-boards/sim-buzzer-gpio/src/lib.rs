//! The virtual board of `boards/sim-buzzer-gpio.toml` as a component: a simulated active buzzer
//! (2.3 kHz) on the GPIO line `buzzer`, with the board file's policy and `[config]`, so the
//! `buzzer-gpio` driver and the `doorbell` app composed onto it behave as on `wasi-hal run`.
//! Each tone the buzzer played is written to stderr as a `wasi-hal-tone` line when it ends.
//!
//! Composed by `compositions/doorbell-buzzer-gpio-virtual.wac`; see `docs/hosts.md`.

// `fn spec()`: the wiring of `boards/sim-buzzer-gpio.toml`, read by the build script.
include!(concat!(env!("OUT_DIR"), "/spec.rs"));

virtual_board::export_board!(spec());
