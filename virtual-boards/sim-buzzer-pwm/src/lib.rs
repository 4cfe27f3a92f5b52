//! The virtual board of `boards/sim-buzzer-pwm.toml` as a component: a simulated passive buzzer
//! (a piezo) on the PWM channel `buzzer`, with the board file's frequency range (100 Hz to
//! 10 kHz, 1 kHz at open), so the `buzzer-pwm` driver and the `doorbell` app composed onto it
//! behave as on `wasi-hal run`. Each tone the buzzer played is written to stderr as a
//! `wasi-hal-tone` line when it ends.
//!
//! Composed by `compositions/doorbell-buzzer-pwm-virtual.wac`; see `docs/hosts.md`.

// `fn spec()`: the wiring of `boards/sim-buzzer-pwm.toml`, read by the build script.
include!(concat!(env!("OUT_DIR"), "/spec.rs"));

virtual_board::export_board!(spec());
