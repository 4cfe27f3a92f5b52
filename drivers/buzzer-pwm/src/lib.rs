//! A `sound:buzzer` driver component for a passive buzzer (a piezo) on a PWM channel.
//!
//! Exports `sound:buzzer/buzzer@0.1.0`; imports `wasi:pwm/pwm@0.1.0`, `wasi:delay/delay@0.1.0`
//! and `wasi:config/store@0.2.0-rc.1`, nothing else. A passive buzzer has no oscillator: it
//! sounds at the frequency of the square wave it is given. Each note sets the channel's
//! frequency to the note's pitch at a duty cycle of one half (the loudest for a piezo), switches
//! it on for the note's time with `wasi:delay`, then off. A rest is silence.
//!
//! # Configuration (`wasi:config/store`; a missing key means the default)
//! | key | default | meaning |
//! | --- | --- | --- |
//! | `buzzer.pwm` | `buzzer` | the virtual name of the PWM channel |
//! | `buzzer.min-frequency-hz` | the channel's lowest | the lowest pitch it plays |
//! | `buzzer.max-frequency-hz` | the channel's highest | the highest pitch it plays |
//!
//! The pitches it plays are the configured range within the range the host allows on the
//! channel. An invalid value, or a range with nothing in it, makes `open` fail with `other`; a
//! channel the host refuses with `not-permitted`, or `in-use`.
#![no_std]

#[cfg(target_arch = "wasm32")]
extern crate alloc;

#[cfg(target_arch = "wasm32")]
mod component;
