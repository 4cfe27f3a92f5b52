//! A guest of the world `led:strip/driver`: a strip that keeps its colours in memory.
#![no_std]
// The generated bindings are not documented; this program is not a library.
#![allow(missing_docs)]

extern crate alloc;
use test_programs_worlds as _;

wit_bindgen::generate!({
    world: "led:strip/driver",
    path: "../../../wit/led-strip",
    generate_all,
});

use alloc::vec::Vec;
use core::cell::RefCell;
use exports::led::strip::strip::{Color, ErrorCode, Guest, GuestStrip, Strip, StripInfo};

struct Driver;

struct Memory(RefCell<Vec<Color>>);

impl Guest for Driver {
    type Strip = Memory;

    fn open() -> Result<Strip, ErrorCode> {
        let off = Color {
            red: 0,
            green: 0,
            blue: 0,
            white: 0,
        };
        Ok(Strip::new(Memory(RefCell::new(alloc::vec![off; 4]))))
    }
}

impl GuestStrip for Memory {
    fn get_info(&self) -> StripInfo {
        StripInfo {
            model: alloc::string::String::from("memory"),
            length: 4,
            has_white: false,
        }
    }

    fn set_colors(&self, first: u32, colors: Vec<Color>) -> Result<(), ErrorCode> {
        let mut leds = self.0.borrow_mut();
        let first = first as usize;
        match first.checked_add(colors.len()) {
            Some(end) if end <= leds.len() => {
                leds[first..end].copy_from_slice(&colors);
                Ok(())
            }
            _ => Err(ErrorCode::OutOfRange),
        }
    }

    fn fill(&self, color: Color) {
        self.0.borrow_mut().fill(color);
    }

    fn set_brightness(&self, _level: u8) {}

    fn show(&self) -> Result<(), ErrorCode> {
        Ok(())
    }
}

export!(Driver);
