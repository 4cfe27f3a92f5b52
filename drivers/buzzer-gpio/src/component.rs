//! The component: `sound:buzzer` on top of `wasi:gpio` and `wasi:delay`, with settings from
//! `wasi:config`.

use alloc::string::ToString;
use alloc::vec::Vec;
use buzzer_core::{Note, Pitches, PlayError, ToneOutput};
use component_runtime as _;
use core::cell::RefCell;
use embedded_hal::digital::OutputPin as _;
use embedded_hal_wasi::delay::Delay;
use embedded_hal_wasi::gpio::{self, Level, OutputPin};
use wasi_hal_driver_support::config::{ConfigError, parsed};
use wasi_hal_driver_support::{Fault, OpenClaim, SingleOpen, pin_error};

mod bindings {
    #![allow(missing_docs, reason = "generated")]
    wit_bindgen::generate!({
        path: [
            "../../wit/sound-buzzer",
            "../../wit/wasi-gpio",
            "../../wit/wasi-delay",
            "../wit-deps/config",
            "wit",
        ],
        world: "wasi-hal:buzzer-gpio/driver",
        generate_all,
    });
}

use bindings::exports::sound::buzzer::buzzer::{
    self as wit, BuzzerInfo, ErrorCode, Guest, GuestBuzzer, Note as WitNote,
};

/// The error code as a type of this crate, so bus faults and bad settings convert into it.
struct Error(ErrorCode);

impl From<Fault> for Error {
    fn from(fault: Fault) -> Self {
        Error(match fault {
            Fault::NotConnected => ErrorCode::NotConnected,
            Fault::NotPermitted => ErrorCode::NotPermitted,
            Fault::InUse => ErrorCode::InUse,
            Fault::BusError | Fault::Other => ErrorCode::Other,
        })
    }
}

/// An invalid setting fails `open` with `other`.
impl From<ConfigError> for Error {
    fn from(_: ConfigError) -> Self {
        Error(ErrorCode::Other)
    }
}

/// A component drives one buzzer.
static OPEN: SingleOpen = SingleOpen::new();

struct Driver;

/// The line, switched to `active` to sound.
struct Line {
    pin: OutputPin,
    active: Level,
}

impl Line {
    fn set(&mut self, sounding: bool) -> Result<(), gpio::Error> {
        let high = (self.active == Level::High) == sounding;
        if high {
            self.pin.set_high()
        } else {
            self.pin.set_low()
        }
    }
}

impl ToneOutput for Line {
    type Error = gpio::Error;

    fn sound(&mut self, _frequency_hz: u32) -> Result<(), gpio::Error> {
        self.set(true)
    }

    fn silence(&mut self) -> Result<(), gpio::Error> {
        self.set(false)
    }
}

/// The open buzzer.
struct Buzzer {
    line: RefCell<Line>,
    pitch_hz: u32,
    _claim: OpenClaim,
}

impl Guest for Driver {
    type Buzzer = Buzzer;

    fn open() -> Result<wit::Buzzer, ErrorCode> {
        let claim = OPEN.claim().ok_or(ErrorCode::InUse)?;
        open(claim).map(wit::Buzzer::new).map_err(|e| e.0)
    }
}

fn open(claim: OpenClaim) -> Result<Buzzer, Error> {
    let name = parsed("buzzer.line", "buzzer", |v| Some(v.trim().to_string()))?;
    let active = parsed("buzzer.active", "high", |v| match v.trim() {
        "high" => Some(Level::High),
        "low" => Some(Level::Low),
        _ => None,
    })?;
    let pitch_hz = parsed("buzzer.pitch-hz", "2300", |v| {
        v.trim().parse::<u32>().ok().filter(|&hz| hz > 0)
    })?;
    // Opened silent: the line starts at the inactive level.
    let silent = if active == Level::High {
        Level::Low
    } else {
        Level::High
    };
    let pin = OutputPin::open(&name, silent).map_err(|e| pin_error::<Error>(&e))?;
    Ok(Buzzer {
        line: RefCell::new(Line { pin, active }),
        pitch_hz,
        _claim: claim,
    })
}

impl Buzzer {
    fn pitches(&self) -> Pitches {
        Pitches {
            sets_pitch: false,
            min_hz: self.pitch_hz,
            max_hz: self.pitch_hz,
        }
    }

    fn play_notes(&self, notes: &[Note]) -> Result<(), ErrorCode> {
        buzzer_core::play(
            &self.pitches(),
            &mut *self.line.borrow_mut(),
            &mut Delay,
            notes,
        )
        .map_err(|e| match e {
            PlayError::FrequencyOutOfRange => ErrorCode::FrequencyOutOfRange,
            PlayError::TooLong => ErrorCode::TooLong,
            PlayError::Output(e) => pin_error::<Error>(&e).0,
        })
    }
}

fn note(n: &WitNote) -> Note {
    Note {
        frequency_hz: n.frequency_hz,
        duration_ms: n.duration_ms,
    }
}

impl GuestBuzzer for Buzzer {
    fn get_info(&self) -> BuzzerInfo {
        BuzzerInfo {
            model: "active (GPIO)".into(),
            sets_pitch: false,
            min_frequency_hz: self.pitch_hz,
            max_frequency_hz: self.pitch_hz,
        }
    }

    fn play(&self, n: WitNote) -> Result<(), ErrorCode> {
        self.play_notes(&[note(&n)])
    }

    fn play_pattern(&self, notes: Vec<WitNote>) -> Result<(), ErrorCode> {
        if notes.len() > buzzer_core::MAX_PATTERN_NOTES {
            return Err(ErrorCode::TooLong);
        }
        let notes: Vec<Note> = notes.iter().map(note).collect();
        self.play_notes(&notes)
    }
}

bindings::export!(Driver with_types_in bindings);
