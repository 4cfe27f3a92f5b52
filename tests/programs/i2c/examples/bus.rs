//! A guest that opens I2C buses and exposes each `wasi:i2c` call as an export, so a host test
//! can drive it step by step. Errors come back as their WIT names.
#![no_std]
// The generated bindings are not documented; this program is not a library.
#![allow(missing_docs)]

extern crate alloc;
use test_programs_worlds as _;

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::RefCell;

wit_bindgen::generate!({
    inline: "
        package test:i2c-bus;
        world guest {
            include wasi:i2c/imports@0.1.0;
            /// The names offered.
            export names: func() -> list<string>;
            /// Opens `name` and keeps the handle (several may be kept).
            export open: func(name: string) -> result<_, string>;
            /// Drops every kept handle.
            export close-all: func();
            export max-transfer: func() -> u32;
            export read: func(address: u8, len: u32) -> result<list<u8>, string>;
            export write: func(address: u8, data: list<u8>) -> result<_, string>;
            export write-read: func(address: u8, data: list<u8>, len: u32) -> result<list<u8>, string>;
            /// One transaction: write `data`, read `read-len`, write `data` again.
            export transaction: func(address: u8, data: list<u8>, read-len: u32) -> result<list<list<u8>>, string>;
        }",
    path: "../../../wit/wasi-i2c",
    generate_all,
});

use wasi::i2c::i2c::{self, Bus, ErrorCode, NoAcknowledgeSource, Operation};

struct Handles(RefCell<Vec<Bus>>);
// SAFETY: a component instance runs on one thread at a time.
unsafe impl Sync for Handles {}
static HANDLES: Handles = Handles(RefCell::new(Vec::new()));

fn name(e: ErrorCode) -> String {
    match e {
        ErrorCode::Bus => "bus",
        ErrorCode::ArbitrationLoss => "arbitration-loss",
        ErrorCode::NoAcknowledge(NoAcknowledgeSource::Address) => "no-acknowledge(address)",
        ErrorCode::NoAcknowledge(NoAcknowledgeSource::Data) => "no-acknowledge(data)",
        ErrorCode::NoAcknowledge(NoAcknowledgeSource::Unknown) => "no-acknowledge(unknown)",
        ErrorCode::Overrun => "overrun",
        ErrorCode::AddressNotPermitted => "address-not-permitted",
        ErrorCode::NotPermitted => "not-permitted",
        ErrorCode::InUse => "in-use",
        ErrorCode::TooLarge => "too-large",
        ErrorCode::Other => "other",
    }
    .to_string()
}

fn with_last<R>(f: impl FnOnce(&Bus) -> R) -> R {
    let handles = HANDLES.0.borrow();
    match handles.last() {
        Some(bus) => f(bus),
        // The test opens a bus first; calling without one is a test bug: trap.
        None => core::arch::wasm32::unreachable(),
    }
}

struct Program;

impl Guest for Program {
    fn names() -> Vec<String> {
        i2c::get_bus_names()
    }

    fn open(bus: String) -> Result<(), String> {
        let bus = i2c::open_bus(&bus).map_err(name)?;
        HANDLES.0.borrow_mut().push(bus);
        Ok(())
    }

    fn close_all() {
        HANDLES.0.borrow_mut().clear();
    }

    fn max_transfer() -> u32 {
        with_last(|b| b.max_transfer_bytes())
    }

    fn read(address: u8, len: u32) -> Result<Vec<u8>, String> {
        with_last(|b| b.read(address, len)).map_err(name)
    }

    fn write(address: u8, data: Vec<u8>) -> Result<(), String> {
        with_last(|b| b.write(address, &data)).map_err(name)
    }

    fn write_read(address: u8, data: Vec<u8>, len: u32) -> Result<Vec<u8>, String> {
        with_last(|b| b.write_read(address, &data, len)).map_err(name)
    }

    fn transaction(address: u8, data: Vec<u8>, read_len: u32) -> Result<Vec<Vec<u8>>, String> {
        let ops = [
            Operation::Write(data.clone()),
            Operation::Read(read_len),
            Operation::Write(data),
        ];
        with_last(|b| b.transaction(address, &ops)).map_err(name)
    }
}

export!(Program);
