//! A guest of the world `wasi-hal:commands/receiver`: a component that takes a `beep` command
//! (payload: a pitch in hertz, 20 to 20000) and counts the beeps it was asked for, so a test
//! can see that each command reached it.
#![no_std]
// The generated bindings are not documented; this program is not a library.
#![allow(missing_docs)]

extern crate alloc;
use test_programs_worlds as _;

wit_bindgen::generate!({
    world: "wasi-hal:commands/receiver",
    path: "../../../wit/wasi-hal-commands",
    generate_all,
});

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, Ordering};
use exports::wasi_hal::commands::handler::{CommandInfo, ErrorCode, Guest};

static BEEPS: AtomicU32 = AtomicU32::new(0);

struct Receiver;

impl Guest for Receiver {
    fn accepted() -> Vec<CommandInfo> {
        alloc::vec![CommandInfo {
            name: "beep".to_string(),
            description: "Sounds the buzzer; payload: pitch in hertz (20 to 20000)".to_string(),
        }]
    }

    fn handle(name: String, payload: String) -> Result<String, ErrorCode> {
        if name != "beep" {
            return Err(ErrorCode::UnknownCommand);
        }
        let hz: u32 = payload
            .trim()
            .parse()
            .map_err(|_| ErrorCode::InvalidPayload)?;
        if !(20..=20_000).contains(&hz) {
            return Err(ErrorCode::InvalidPayload);
        }
        let n = BEEPS.fetch_add(1, Ordering::Relaxed) + 1;
        Ok(format!("beep {n} at {hz} Hz"))
    }
}

export!(Receiver);
