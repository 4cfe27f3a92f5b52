//! A guest of the world `wasi:delay/imports`: it uses every function the interface offers.
#![no_std]
// The generated bindings are not documented; this program is not a library.
#![allow(missing_docs)]

use test_programs_worlds as _;

wit_bindgen::generate!({
    inline: "package test:delay-imports; world guest { include wasi:delay/imports@0.1.0; export run: func(); }",
    path: "../../../wit/wasi-delay",
    generate_all,
});

use wasi::delay::delay;

struct Program;

impl Guest for Program {
    fn run() {
        delay::delay_ns(1);
        delay::delay_us(1);
        delay::delay_ms(1);
        let _ = delay::now_ns();
    }
}

export!(Program);
