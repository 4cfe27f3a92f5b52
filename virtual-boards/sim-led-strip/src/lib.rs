//! The virtual board of `boards/sim-led-strip.toml` as a component: a simulated strip of 11
//! WS2812B LEDs whose data input is the SPI device `strip`'s MOSI, with the board file's policy
//! (mode 0, at most 4 MHz, refused above) and `[config]`, so the `ws2812-spi` driver and the
//! `strip-rainbow` app composed onto it behave as on `wasi-hal run`. The strip decodes the SPI
//! bits with the datasheet's timing: the colours it latched are written to stdout as frames (a
//! row of 8x8 blocks), and a wrong clock or encoding is a `wasi-hal-strip-warning` on stderr.
//!
//! Composed by `compositions/strip-rainbow-ws2812-virtual.wac`; see `docs/hosts.md`.

// `fn spec()`: the wiring of `boards/sim-led-strip.toml`, read by the build script.
include!(concat!(env!("OUT_DIR"), "/spec.rs"));

virtual_board::export_board!(spec());
