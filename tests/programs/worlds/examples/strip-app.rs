//! A guest of the world `led:strip/app`: it uses every function the interface offers.
#![no_std]
// The generated bindings are not documented; this program is not a library.
#![allow(missing_docs)]

extern crate alloc;
use test_programs_worlds as _;

wit_bindgen::generate!({
    inline: "package test:strip-app; world guest { include led:strip/app@0.1.0; export run: func(); }",
    path: "../../../wit/led-strip",
    generate_all,
});

use led::strip::strip::{self, Color};

struct Program;

impl Guest for Program {
    fn run() {
        if let Ok(s) = strip::open() {
            let red = Color {
                red: 255,
                green: 0,
                blue: 0,
                white: 0,
            };
            let _ = s.get_info();
            s.fill(red);
            let _ = s.set_colors(1, &[red, red]);
            s.set_brightness(128);
            let _ = s.show();
        }
    }
}

export!(Program);
