//! A guest of the world `wasi:spi/imports`: it uses every function the interface offers.
#![no_std]
// The generated bindings are not documented; this program is not a library.
#![allow(missing_docs)]

extern crate alloc;
use test_programs_worlds as _;

wit_bindgen::generate!({
    inline: "package test:spi-imports; world guest { include wasi:spi/imports@0.1.0; export run: func(); }",
    path: "../../../wit/wasi-spi",
    generate_all,
});

use wasi::spi::spi::{self, BitOrder, Config, Mode, Operation};

struct Program;

impl Guest for Program {
    fn run() {
        let _ = spi::get_device_names();
        if let Ok(device) = spi::open_device("display") {
            let _ = device.configure(Config {
                frequency_hz: 1_000_000,
                mode: Mode::Mode0,
                bit_order: BitOrder::MsbFirst,
            });
            let _ = device.current_config();
            let _ = device.max_transfer_bytes();
            let _ = device.read(1);
            let _ = device.write(&[1]);
            let _ = device.transfer(&[1]);
            let _ = device.transaction(&[Operation::DelayNs(1)]);
        }
    }
}

export!(Program);
