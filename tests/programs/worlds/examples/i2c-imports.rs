//! A guest of the world `wasi:i2c/imports`: it uses every function the interface offers.
#![no_std]
// The generated bindings are not documented; this program is not a library.
#![allow(missing_docs)]

extern crate alloc;
use test_programs_worlds as _;

wit_bindgen::generate!({
    inline: "package test:i2c-imports; world guest { include wasi:i2c/imports@0.1.0; export run: func(); }",
    path: "../../../wit/wasi-i2c",
    generate_all,
});

use wasi::i2c::i2c::{self, Operation};

struct Program;

impl Guest for Program {
    fn run() {
        let _ = i2c::get_bus_names();
        if let Ok(bus) = i2c::open_bus("i2c0") {
            let _ = bus.max_transfer_bytes();
            let _ = bus.transaction(
                0x3c,
                &[Operation::Write(alloc::vec![0]), Operation::Read(1)],
            );
            let _ = bus.read(0x3c, 1);
            let _ = bus.write(0x3c, &[0]);
            let _ = bus.write_read(0x3c, &[0], 1);
        }
    }
}

export!(Program);
