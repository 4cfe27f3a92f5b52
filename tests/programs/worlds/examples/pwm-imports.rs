//! A guest of the world `wasi:pwm/imports`: it uses every function the interface offers.
#![no_std]
// The generated bindings are not documented; this program is not a library.
#![allow(missing_docs)]

extern crate alloc;
use test_programs_worlds as _;

wit_bindgen::generate!({
    inline: "package test:pwm-imports; world guest { include wasi:pwm/imports@0.1.0; export run: func(); }",
    path: "../../../wit/wasi-pwm",
    generate_all,
});

use wasi::pwm::pwm;

struct Program;

impl Guest for Program {
    fn run() {
        let _ = pwm::get_channels();
        if let Ok(channel) = pwm::open("buzzer") {
            let half = channel.max_duty_cycle() / 2;
            let _ = channel.set_frequency(2_000);
            let _ = channel.get_frequency();
            let _ = channel.set_duty_cycle(half);
            let _ = channel.get_duty_cycle();
            let _ = channel.set_enabled(true);
            let _ = channel.is_enabled();
        }
    }
}

export!(Program);
