//! A guest that opens an SPI device and exposes each `wasi:spi` call as an export, so a host
//! test can drive it step by step. Errors come back as their WIT names.
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
        package test:spi-device;
        world guest {
            include wasi:spi/imports@0.1.0;
            /// The names offered.
            export names: func() -> list<string>;
            /// Opens `name` and keeps the handle (several may be kept).
            export open: func(name: string) -> result<_, string>;
            /// Drops every kept handle.
            export close-all: func();
            /// Configures the last handle: mode 0..3; returns the effective settings.
            export configure: func(frequency-hz: u32, mode: u8, lsb-first: bool) -> result<tuple<u32, u8, bool>, string>;
            /// The last handle's settings.
            export current: func() -> tuple<u32, u8, bool>;
            export max-transfer: func() -> u32;
            export read: func(len: u32) -> result<list<u8>, string>;
            export write: func(data: list<u8>) -> result<_, string>;
            export transfer: func(data: list<u8>) -> result<list<u8>, string>;
            /// One transaction: write `data`, read `read-len`, transfer `data`, delay 1000 ns.
            export transaction: func(data: list<u8>, read-len: u32) -> result<list<list<u8>>, string>;
        }",
    path: "../../../wit/wasi-spi",
    generate_all,
});

use wasi::spi::spi::{self, BitOrder, Config, Device, ErrorCode, Mode, Operation};

struct Handles(RefCell<Vec<Device>>);
// SAFETY: a component instance runs on one thread at a time.
unsafe impl Sync for Handles {}
static HANDLES: Handles = Handles(RefCell::new(Vec::new()));

fn name(e: ErrorCode) -> String {
    match e {
        ErrorCode::Overrun => "overrun",
        ErrorCode::ModeFault => "mode-fault",
        ErrorCode::FrameFormat => "frame-format",
        ErrorCode::ChipSelectFault => "chip-select-fault",
        ErrorCode::NotPermitted => "not-permitted",
        ErrorCode::InUse => "in-use",
        ErrorCode::TooLarge => "too-large",
        ErrorCode::Other => "other",
    }
    .to_string()
}

fn with_last<R>(f: impl FnOnce(&Device) -> R) -> R {
    let handles = HANDLES.0.borrow();
    match handles.last() {
        Some(device) => f(device),
        // The test opens a device first; calling without one is a test bug: trap.
        None => core::arch::wasm32::unreachable(),
    }
}

fn tuple(c: Config) -> (u32, u8, bool) {
    let mode = match c.mode {
        Mode::Mode0 => 0,
        Mode::Mode1 => 1,
        Mode::Mode2 => 2,
        Mode::Mode3 => 3,
    };
    (
        c.frequency_hz,
        mode,
        matches!(c.bit_order, BitOrder::LsbFirst),
    )
}

struct Program;

impl Guest for Program {
    fn names() -> Vec<String> {
        spi::get_device_names()
    }

    fn open(device: String) -> Result<(), String> {
        let device = spi::open_device(&device).map_err(name)?;
        HANDLES.0.borrow_mut().push(device);
        Ok(())
    }

    fn close_all() {
        HANDLES.0.borrow_mut().clear();
    }

    fn configure(frequency_hz: u32, mode: u8, lsb_first: bool) -> Result<(u32, u8, bool), String> {
        let mode = match mode {
            0 => Mode::Mode0,
            1 => Mode::Mode1,
            2 => Mode::Mode2,
            _ => Mode::Mode3,
        };
        let bit_order = if lsb_first {
            BitOrder::LsbFirst
        } else {
            BitOrder::MsbFirst
        };
        with_last(|d| {
            d.configure(Config {
                frequency_hz,
                mode,
                bit_order,
            })
        })
        .map(tuple)
        .map_err(name)
    }

    fn current() -> (u32, u8, bool) {
        with_last(|d| tuple(d.current_config()))
    }

    fn max_transfer() -> u32 {
        with_last(|d| d.max_transfer_bytes())
    }

    fn read(len: u32) -> Result<Vec<u8>, String> {
        with_last(|d| d.read(len)).map_err(name)
    }

    fn write(data: Vec<u8>) -> Result<(), String> {
        with_last(|d| d.write(&data)).map_err(name)
    }

    fn transfer(data: Vec<u8>) -> Result<Vec<u8>, String> {
        with_last(|d| d.transfer(&data)).map_err(name)
    }

    fn transaction(data: Vec<u8>, read_len: u32) -> Result<Vec<Vec<u8>>, String> {
        let ops = [
            Operation::Write(data.clone()),
            Operation::Read(read_len),
            Operation::Transfer(data),
            Operation::DelayNs(1000),
        ];
        with_last(|d| d.transaction(&ops)).map_err(name)
    }
}

export!(Program);
