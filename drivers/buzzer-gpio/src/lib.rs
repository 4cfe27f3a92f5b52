//! A `sound:buzzer` driver component for an active buzzer on a GPIO line.
//!
//! Exports `sound:buzzer/buzzer@0.1.0`; imports `wasi:gpio/gpio@0.1.0`,
//! `wasi:delay/delay@0.1.0` and `wasi:config/store@0.2.0-rc.1`, nothing else. An active buzzer
//! has its own oscillator: it sounds at its own pitch while its line is at the active level
//! (driven directly, or through a relay or transistor as most modules are). Every non-zero
//! pitch of a note therefore plays the buzzer's own; a rest is silence. Each note holds the line
//! for the note's time with `wasi:delay`, then releases it.
//!
//! # Configuration (`wasi:config/store`; a missing key means the default)
//! | key | default | meaning |
//! | --- | --- | --- |
//! | `buzzer.line` | `buzzer` | the virtual name of the GPIO line |
//! | `buzzer.active` | `high` | the level that sounds it: `high` or `low` (many relay modules) |
//! | `buzzer.pitch-hz` | `2300` | the buzzer's own pitch, reported by `get-info` |
//!
//! An invalid value makes `open` fail with `other`; a line the host refuses with
//! `not-permitted`, or `in-use`.
#![no_std]

#[cfg(target_arch = "wasm32")]
extern crate alloc;

#[cfg(target_arch = "wasm32")]
mod component;
