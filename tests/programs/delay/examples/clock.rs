//! A guest that reads the host's time base around each kind of `wasi:delay` wait.
#![no_std]
// The generated bindings are not documented; this program is not a library.
#![allow(missing_docs)]

extern crate alloc;
use test_programs_worlds as _;

wit_bindgen::generate!({
    inline: "
        package test:delay-clock;
        world guest {
            include wasi:delay/imports@0.1.0;
            /// `now-ns` before, then after delay-ns(ns), delay-us(us) and delay-ms(ms) in turn.
            export waits: func(ns: u32, us: u32, ms: u32) -> list<u64>;
        }",
    path: "../../../wit/wasi-delay",
    generate_all,
});

use alloc::vec::Vec;
use wasi::delay::delay;

struct Program;

impl Guest for Program {
    fn waits(ns: u32, us: u32, ms: u32) -> Vec<u64> {
        let mut times = Vec::new();
        times.push(delay::now_ns());
        delay::delay_ns(ns);
        times.push(delay::now_ns());
        delay::delay_us(us);
        times.push(delay::now_ns());
        delay::delay_ms(ms);
        times.push(delay::now_ns());
        times
    }
}

export!(Program);
