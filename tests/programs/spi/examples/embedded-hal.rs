//! A guest that talks SPI through `embedded-hal-wasi`, the guest-side embedded-hal adapter the
//! drivers use, so a host test can check what each embedded-hal call becomes on `wasi:spi`.
#![no_std]
// The generated bindings are not documented; this program is not a library.
#![allow(missing_docs)]

extern crate alloc;
use test_programs_worlds as _;

use alloc::string::String;
use alloc::vec::Vec;
use embedded_hal::spi::{Operation, SpiDevice};
use embedded_hal_wasi::spi::Device;

wit_bindgen::generate!({
    inline: "
        package test:spi-embedded-hal;
        world guest {
            include wasi:spi/imports@0.1.0;
            /// Opens `name` and calls embedded-hal's `write` with `data`.
            export write: func(name: string, data: list<u8>) -> result<_, string>;
            /// Opens `name` and runs one embedded-hal transaction: write `data`, read 3 bytes,
            /// transfer with a 4-byte read buffer and `data` as the (shorter or longer) write,
            /// transfer `data` in place, delay 5 ns. Returns the read, the transfer's read
            /// buffer and the buffer transferred in place.
            export transaction: func(name: string, data: list<u8>) -> result<list<list<u8>>, string>;
        }",
    path: "../../../wit/wasi-spi",
    generate_all,
});

fn open(name: &str) -> Result<Device, String> {
    Device::open(name).map_err(|e| alloc::format!("{e:?}"))
}

struct Program;

impl Guest for Program {
    fn write(name: String, data: Vec<u8>) -> Result<(), String> {
        open(&name)?
            .write(&data)
            .map_err(|e| alloc::format!("{e:?}"))
    }

    fn transaction(name: String, data: Vec<u8>) -> Result<Vec<Vec<u8>>, String> {
        let mut device = open(&name)?;
        let mut read = [0u8; 3];
        let mut transfer_read = [0u8; 4];
        let mut in_place = data.clone();
        device
            .transaction(&mut [
                Operation::Write(&data),
                Operation::Read(&mut read),
                Operation::Transfer(&mut transfer_read, &data),
                Operation::TransferInPlace(&mut in_place),
                Operation::DelayNs(5),
            ])
            .map_err(|e| alloc::format!("{e:?}"))?;
        Ok(alloc::vec![read.to_vec(), transfer_read.to_vec(), in_place])
    }
}

export!(Program);
