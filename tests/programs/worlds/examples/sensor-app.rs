//! A guest of the world `sensor:environment/app`: it uses every function the interface offers.
#![no_std]
// The generated bindings are not documented; this program is not a library.
#![allow(missing_docs)]

extern crate alloc;
use test_programs_worlds as _;

wit_bindgen::generate!({
    inline: "package test:sensor-app; world guest { include sensor:environment/app@0.1.0; export run: func(); }",
    path: "../../../wit/sensor-environment",
    generate_all,
});

use sensor::environment::environment;

struct Program;

impl Guest for Program {
    fn run() {
        if let Ok(s) = environment::open() {
            let _ = s.get_info();
            let _ = s.measure();
        }
    }
}

export!(Program);
