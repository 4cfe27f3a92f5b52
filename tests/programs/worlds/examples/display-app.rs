//! A guest of the world `display:pixels/app`: it uses every function the interface offers.
#![no_std]
// The generated bindings are not documented; this program is not a library.
#![allow(missing_docs)]

extern crate alloc;
use test_programs_worlds as _;

wit_bindgen::generate!({
    inline: "package test:display-app; world guest { include display:pixels/app@0.1.1; export run: func(); }",
    path: "../../../wit/display-pixels",
    generate_all,
});

use display::pixels::display::{Rect, open};

struct Program;

impl Guest for Program {
    fn run() {
        if let Ok(d) = open() {
            let _ = d.get_info();
            let area = Rect {
                x: 0,
                y: 0,
                width: 8,
                height: 1,
            };
            let _ = d.write_region(area, &[0xff]);
            let _ = d.fill_rect(area, 1);
            let _ = d.present();
            let _ = d.present_region(area, &[0x0f]);
            let _ = d.set_power(true);
            let _ = d.set_brightness(255);
        }
    }
}

export!(Program);
