//! A guest that opens pins and exposes each `wasi:gpio` call as an export, so a host test can
//! drive it step by step, plus one export that drives a pin and then traps. Errors come back
//! as their WIT names.
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
        package test:gpio-pins;
        world guest {
            include wasi:gpio/imports@0.1.0;
            /// The pins offered: name, input allowed, output allowed.
            export pins: func() -> list<tuple<string, bool, bool>>;
            /// Opens `name` as an output at `high` and keeps the handle.
            export open-output: func(name: string, high: bool) -> result<_, string>;
            /// Opens `name` as an input and keeps the handle.
            export open-input: func(name: string) -> result<_, string>;
            /// Drives the last output.
            export set: func(high: bool) -> result<_, string>;
            /// The level the last output is driven to.
            export get: func() -> bool;
            /// Reads the last input.
            export read: func() -> result<bool, string>;
            /// Waits on the last input: edge 0 rising, 1 falling, 2 both.
            export wait: func(edge: u8, timeout-ns: u64) -> result<bool, string>;
            /// Drops every kept handle.
            export close-all: func();
            /// Opens `name` as an output driven high, keeps it, and traps.
            export drive-and-trap: func(name: string);
        }",
    path: "../../../wit/wasi-gpio",
    generate_all,
});

use wasi::gpio::gpio::{self, Edge, ErrorCode, InputPin, Level, OutputPin, PinModes};

struct Handles {
    outputs: RefCell<Vec<OutputPin>>,
    inputs: RefCell<Vec<InputPin>>,
}
// SAFETY: a component instance runs on one thread at a time.
unsafe impl Sync for Handles {}
static HANDLES: Handles = Handles {
    outputs: RefCell::new(Vec::new()),
    inputs: RefCell::new(Vec::new()),
};

fn name(e: ErrorCode) -> String {
    match e {
        ErrorCode::PinNotAllowed => "pin-not-allowed",
        ErrorCode::ModeNotAllowed => "mode-not-allowed",
        ErrorCode::AlreadyInUse => "already-in-use",
        ErrorCode::Other => "other",
    }
    .to_string()
}

fn level(high: bool) -> Level {
    if high { Level::High } else { Level::Low }
}

fn trap() -> ! {
    core::arch::wasm32::unreachable()
}

struct Program;

impl Guest for Program {
    fn pins() -> Vec<(String, bool, bool)> {
        gpio::get_pins()
            .into_iter()
            .map(|p| {
                (
                    p.name,
                    p.modes & PinModes::INPUT == PinModes::INPUT,
                    p.modes & PinModes::OUTPUT == PinModes::OUTPUT,
                )
            })
            .collect()
    }

    fn open_output(pin: String, high: bool) -> Result<(), String> {
        let pin = gpio::open_output(&pin, level(high)).map_err(name)?;
        HANDLES.outputs.borrow_mut().push(pin);
        Ok(())
    }

    fn open_input(pin: String) -> Result<(), String> {
        let pin = gpio::open_input(&pin).map_err(name)?;
        HANDLES.inputs.borrow_mut().push(pin);
        Ok(())
    }

    fn set(high: bool) -> Result<(), String> {
        let outputs = HANDLES.outputs.borrow();
        let Some(pin) = outputs.last() else { trap() };
        pin.set_level(level(high)).map_err(name)
    }

    fn get() -> bool {
        let outputs = HANDLES.outputs.borrow();
        let Some(pin) = outputs.last() else { trap() };
        pin.get_level() == Level::High
    }

    fn read() -> Result<bool, String> {
        let inputs = HANDLES.inputs.borrow();
        let Some(pin) = inputs.last() else { trap() };
        pin.read_level().map(|l| l == Level::High).map_err(name)
    }

    fn wait(edge: u8, timeout_ns: u64) -> Result<bool, String> {
        let edge = match edge {
            0 => Edge::Rising,
            1 => Edge::Falling,
            _ => Edge::Both,
        };
        let inputs = HANDLES.inputs.borrow();
        let Some(pin) = inputs.last() else { trap() };
        pin.wait_for_edge(edge, timeout_ns).map_err(name)
    }

    fn close_all() {
        HANDLES.outputs.borrow_mut().clear();
        HANDLES.inputs.borrow_mut().clear();
    }

    fn drive_and_trap(pin: String) {
        if let Ok(pin) = gpio::open_output(&pin, Level::High) {
            HANDLES.outputs.borrow_mut().push(pin);
        }
        trap()
    }
}

export!(Program);
