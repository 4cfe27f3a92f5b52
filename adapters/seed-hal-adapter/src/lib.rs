//! An adapter component: the seed project's hardware interfaces on top of wasi-hal's.
//!
//! The SPI host for Wasmtime this project grew from gave its guests an unversioned `wasi:spi`
//! (the guest opens a device by name and sets the bus with `configure`) and a vendored
//! `wasi:gpio@0.2.0` (pins opened by label with flags, active levels, pollables, delays). Its
//! components run on any wasi-hal host, unchanged, once plugged into this adapter:
//!
//! ```text
//! wac plug seed-driver.wasm --plug seed-hal-adapter.wasm -o driver-on-wasi-hal.wasm
//! ```
//!
//! The adapter exports `wasi:spi/spi`, `wasi:gpio/{general,poll,digital,delay}@0.2.0` and
//! imports `wasi:spi@0.1.0`, `wasi:gpio@0.1.0` and `wasi:delay@0.1.0`, so every device, pin and
//! bus setting still goes through the host's board file: a label the board does not grant is
//! refused by the host, not here. docs/adapters.md lists what maps to what.
//!
//! The mappings are plain Rust ([`levels`], [`errors`]) with unit tests that run natively.
#![no_std]

extern crate alloc;

pub mod errors;
pub mod levels;

#[cfg(target_arch = "wasm32")]
mod component;
