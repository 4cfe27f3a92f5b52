//! A guest that opens PWM channels and exposes each `wasi:pwm` call as an export, so a host
//! test can drive it step by step, plus one export that switches a channel on and then traps.
//! Errors come back as their WIT names.
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
        package test:pwm-channel;
        world guest {
            include wasi:pwm/imports@0.1.0;
            /// The channels offered: name, lowest and highest frequency.
            export channels: func() -> list<tuple<string, u32, u32>>;
            /// Opens `name` and keeps the handle.
            export open: func(name: string) -> result<_, string>;
            /// The last channel's maximum duty cycle.
            export max-duty: func() -> u16;
            /// Sets the last channel's duty cycle.
            export set-duty: func(duty: u16) -> result<_, string>;
            /// Sets the last channel's frequency; the frequency made.
            export set-frequency: func(hz: u32) -> result<u32, string>;
            /// Switches the last channel on or off.
            export set-enabled: func(on: bool) -> result<_, string>;
            /// The last channel's state: enabled, frequency, duty cycle.
            export state: func() -> tuple<bool, u32, u16>;
            /// Drops every kept handle.
            export close-all: func();
            /// Opens `name`, switches it on at half duty, keeps it, and traps.
            export enable-and-trap: func(name: string);
        }",
    path: "../../../wit/wasi-pwm",
    generate_all,
});

use wasi::pwm::pwm::{self, Channel, ErrorCode};

struct Handles(RefCell<Vec<Channel>>);
// SAFETY: a component instance runs on one thread at a time.
unsafe impl Sync for Handles {}
static HANDLES: Handles = Handles(RefCell::new(Vec::new()));

fn name(e: ErrorCode) -> String {
    match e {
        ErrorCode::ChannelNotAllowed => "channel-not-allowed",
        ErrorCode::FrequencyNotAllowed => "frequency-not-allowed",
        ErrorCode::DutyCycleOutOfRange => "duty-cycle-out-of-range",
        ErrorCode::AlreadyInUse => "already-in-use",
        ErrorCode::Other => "other",
    }
    .to_string()
}

fn trap() -> ! {
    core::arch::wasm32::unreachable()
}

fn with_last<R>(f: impl FnOnce(&Channel) -> R) -> R {
    let handles = HANDLES.0.borrow();
    let Some(channel) = handles.last() else {
        trap()
    };
    f(channel)
}

struct Program;

impl Guest for Program {
    fn channels() -> Vec<(String, u32, u32)> {
        pwm::get_channels()
            .into_iter()
            .map(|c| (c.name, c.min_frequency_hz, c.max_frequency_hz))
            .collect()
    }

    fn open(channel: String) -> Result<(), String> {
        let channel = pwm::open(&channel).map_err(name)?;
        HANDLES.0.borrow_mut().push(channel);
        Ok(())
    }

    fn max_duty() -> u16 {
        with_last(|c| c.max_duty_cycle())
    }

    fn set_duty(duty: u16) -> Result<(), String> {
        with_last(|c| c.set_duty_cycle(duty).map_err(name))
    }

    fn set_frequency(hz: u32) -> Result<u32, String> {
        with_last(|c| c.set_frequency(hz).map_err(name))
    }

    fn set_enabled(on: bool) -> Result<(), String> {
        with_last(|c| c.set_enabled(on).map_err(name))
    }

    fn state() -> (bool, u32, u16) {
        with_last(|c| (c.is_enabled(), c.get_frequency(), c.get_duty_cycle()))
    }

    fn close_all() {
        HANDLES.0.borrow_mut().clear();
    }

    fn enable_and_trap(channel: String) {
        if let Ok(channel) = pwm::open(&channel) {
            let half = channel.max_duty_cycle() / 2;
            let _ = channel.set_duty_cycle(half);
            let _ = channel.set_enabled(true);
            HANDLES.0.borrow_mut().push(channel);
        }
        trap()
    }
}

export!(Program);
