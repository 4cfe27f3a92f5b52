//! A guest of the world `sound:buzzer/app`: it uses every function the interface offers.
#![no_std]
// The generated bindings are not documented; this program is not a library.
#![allow(missing_docs)]

extern crate alloc;
use test_programs_worlds as _;

wit_bindgen::generate!({
    inline: "package test:buzzer-app; world guest { include sound:buzzer/app@0.1.0; export run: func(); }",
    path: "../../../wit/sound-buzzer",
    generate_all,
});

use sound::buzzer::buzzer::{self, Note};

struct Program;

impl Guest for Program {
    fn run() {
        if let Ok(b) = buzzer::open() {
            let _ = b.get_info();
            let beep = Note {
                frequency_hz: 2_000,
                duration_ms: 100,
            };
            let rest = Note {
                frequency_hz: 0,
                duration_ms: 50,
            };
            let _ = b.play(beep);
            let _ = b.play_pattern(&[beep, rest, beep]);
        }
    }
}

export!(Program);
