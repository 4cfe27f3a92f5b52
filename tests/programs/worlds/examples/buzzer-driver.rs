//! A guest of the world `sound:buzzer/driver`: a buzzer that plays nothing and says so.
#![no_std]
// The generated bindings are not documented; this program is not a library.
#![allow(missing_docs)]

extern crate alloc;
use test_programs_worlds as _;

wit_bindgen::generate!({
    world: "sound:buzzer/driver",
    path: "../../../wit/sound-buzzer",
    generate_all,
});

use alloc::vec::Vec;
use exports::sound::buzzer::buzzer::{Buzzer, BuzzerInfo, ErrorCode, Guest, GuestBuzzer, Note};

struct Driver;

impl Guest for Driver {
    type Buzzer = Driver;

    fn open() -> Result<Buzzer, ErrorCode> {
        Ok(Buzzer::new(Driver))
    }
}

impl GuestBuzzer for Driver {
    fn get_info(&self) -> BuzzerInfo {
        BuzzerInfo {
            model: alloc::string::String::from("silent"),
            sets_pitch: true,
            min_frequency_hz: 20,
            max_frequency_hz: 20_000,
        }
    }

    fn play(&self, note: Note) -> Result<(), ErrorCode> {
        self.play_pattern(alloc::vec![note])
    }

    fn play_pattern(&self, notes: Vec<Note>) -> Result<(), ErrorCode> {
        if notes
            .iter()
            .any(|n| n.frequency_hz != 0 && !(20..=20_000).contains(&n.frequency_hz))
        {
            return Err(ErrorCode::FrequencyOutOfRange);
        }
        Ok(())
    }
}

export!(Driver);
