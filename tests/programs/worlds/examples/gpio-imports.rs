//! A guest of the world `wasi:gpio/imports`: it uses every function the interface offers.
#![no_std]
// The generated bindings are not documented; this program is not a library.
#![allow(missing_docs)]

extern crate alloc;
use test_programs_worlds as _;

wit_bindgen::generate!({
    inline: "package test:gpio-imports; world guest { include wasi:gpio/imports@0.1.0; export run: func(); }",
    path: "../../../wit/wasi-gpio",
    generate_all,
});

use wasi::gpio::gpio::{self, Edge, Level};

struct Program;

impl Guest for Program {
    fn run() {
        let _ = gpio::get_pins();
        if let Ok(pin) = gpio::open_output("led", Level::Low) {
            let _ = pin.set_level(Level::High);
            let _ = pin.get_level();
        }
        if let Ok(pin) = gpio::open_input("button") {
            let _ = pin.read_level();
            let _ = pin.wait_for_edge(Edge::Both, 1_000);
        }
    }
}

export!(Program);
