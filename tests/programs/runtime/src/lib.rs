//! Command components for the device runtime's tests: each example is a `wasi:cli/run`
//! component.
//!
//! - `blink_then_trap`: blinks the output line `led` a few times, leaves it on, and traps.
//! - `chatter`: prints a numbered line every millisecond, without end.
