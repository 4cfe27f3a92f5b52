//! The component: `sound:buzzer` on top of `wasi:pwm` and `wasi:delay`, with settings from
//! `wasi:config`.

use alloc::string::ToString;
use alloc::vec::Vec;
use buzzer_core::{Note, Pitches, PlayError, ToneOutput};
use component_runtime as _;
use core::cell::RefCell;
use embedded_hal_wasi::delay::Delay;
use wasi_hal_driver_support::config::{ConfigError, parsed, text};
use wasi_hal_driver_support::{OpenClaim, SingleOpen};

mod bindings {
    #![allow(missing_docs, reason = "generated")]
    wit_bindgen::generate!({
        path: [
            "../../wit/sound-buzzer",
            "../../wit/wasi-pwm",
            "../../wit/wasi-delay",
            "../wit-deps/config",
            "wit",
        ],
        world: "wasi-hal:buzzer-pwm/driver",
        generate_all,
    });
}

use bindings::exports::sound::buzzer::buzzer::{
    self as wit, BuzzerInfo, ErrorCode, Guest, GuestBuzzer, Note as WitNote,
};
use bindings::wasi::pwm::pwm::{self, ErrorCode as PwmError};

/// A component drives one buzzer.
static OPEN: SingleOpen = SingleOpen::new();

struct Driver;

/// What a PWM refusal or failure means to the buzzer.
fn buzzer_error(e: PwmError) -> ErrorCode {
    match e {
        PwmError::ChannelNotAllowed => ErrorCode::NotPermitted,
        PwmError::FrequencyNotAllowed => ErrorCode::FrequencyOutOfRange,
        PwmError::AlreadyInUse => ErrorCode::InUse,
        PwmError::DutyCycleOutOfRange | PwmError::Other => ErrorCode::Other,
    }
}

/// An invalid setting fails `open` with `other`.
fn config_error(_: ConfigError) -> ErrorCode {
    ErrorCode::Other
}

/// The channel, with the frequency it is at.
struct Channel {
    channel: pwm::Channel,
    frequency_hz: u32,
}

impl ToneOutput for Channel {
    type Error = PwmError;

    fn sound(&mut self, frequency_hz: u32) -> Result<(), PwmError> {
        if frequency_hz != self.frequency_hz {
            self.frequency_hz = self.channel.set_frequency(frequency_hz)?;
        }
        self.channel.set_enabled(true)
    }

    fn silence(&mut self) -> Result<(), PwmError> {
        self.channel.set_enabled(false)
    }
}

/// The open buzzer.
struct Buzzer {
    channel: RefCell<Channel>,
    pitches: Pitches,
    _claim: OpenClaim,
}

impl Guest for Driver {
    type Buzzer = Buzzer;

    fn open() -> Result<wit::Buzzer, ErrorCode> {
        let claim = OPEN.claim().ok_or(ErrorCode::InUse)?;
        open(claim).map(wit::Buzzer::new)
    }
}

fn hz(key: &'static str, default: u32) -> Result<u32, ErrorCode> {
    let default = default.to_string();
    parsed(key, &default, |v| v.trim().parse::<u32>().ok()).map_err(config_error)
}

fn open(claim: OpenClaim) -> Result<Buzzer, ErrorCode> {
    let name = text("buzzer.pwm")
        .map_err(config_error)?
        .unwrap_or_else(|| "buzzer".to_string());
    let name = name.trim();
    let info = pwm::get_channels()
        .into_iter()
        .find(|c| c.name == name)
        .ok_or(ErrorCode::NotPermitted)?;
    let min_hz = hz("buzzer.min-frequency-hz", info.min_frequency_hz)?.max(info.min_frequency_hz);
    let max_hz = hz("buzzer.max-frequency-hz", info.max_frequency_hz)?.min(info.max_frequency_hz);
    if min_hz == 0 || min_hz > max_hz {
        return Err(ErrorCode::Other);
    }
    let channel = pwm::open(name).map_err(buzzer_error)?;
    // A square wave: high half of each period.
    let half = channel.max_duty_cycle() / 2;
    channel.set_duty_cycle(half).map_err(buzzer_error)?;
    let frequency_hz = channel.get_frequency();
    Ok(Buzzer {
        channel: RefCell::new(Channel {
            channel,
            frequency_hz,
        }),
        pitches: Pitches {
            sets_pitch: true,
            min_hz,
            max_hz,
        },
        _claim: claim,
    })
}

fn note(n: &WitNote) -> Note {
    Note {
        frequency_hz: n.frequency_hz,
        duration_ms: n.duration_ms,
    }
}

impl Buzzer {
    fn play_notes(&self, notes: &[Note]) -> Result<(), ErrorCode> {
        buzzer_core::play(
            &self.pitches,
            &mut *self.channel.borrow_mut(),
            &mut Delay,
            notes,
        )
        .map_err(|e| match e {
            PlayError::FrequencyOutOfRange => ErrorCode::FrequencyOutOfRange,
            PlayError::TooLong => ErrorCode::TooLong,
            PlayError::Output(e) => buzzer_error(e),
        })
    }
}

impl GuestBuzzer for Buzzer {
    fn get_info(&self) -> BuzzerInfo {
        BuzzerInfo {
            model: "passive (PWM)".into(),
            sets_pitch: true,
            min_frequency_hz: self.pitches.min_hz,
            max_frequency_hz: self.pitches.max_hz,
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
