//! A buzzer that records what it played: each tone's start, length and pitch.
//!
//! Two wirings, as people build them on a Raspberry Pi:
//! - **Active** ([`connect_active`]): the buzzer has its own oscillator and sounds at its own
//!   pitch while its line is at the active level (directly, or through a relay or transistor).
//! - **Passive** ([`connect_passive`]): a piezo driven by a PWM channel sounds at the channel's
//!   frequency while the channel pulses (on, with a duty cycle strictly between 0 and the
//!   maximum: a line held low or high is silent).

use crate::gpio::SimLine;
use crate::pwm::{PwmSetting, SimPwm};
use serde::Serialize;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// How many tones a [`SimBuzzer`] keeps: the newest ones (a device may beep for months).
pub const MAX_TONES: usize = 4096;

/// One tone the buzzer played.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Tone {
    /// When it started, in simulated nanoseconds.
    pub start_ns: u64,
    /// How long it sounded, in nanoseconds.
    pub duration_ns: u64,
    /// Its pitch in hertz.
    pub frequency_hz: u32,
}

/// A simulated buzzer.
#[derive(Debug, Default)]
pub struct SimBuzzer {
    /// The tone sounding now: start and pitch.
    sounding: Option<(u64, u32)>,
    tones: VecDeque<Tone>,
    played: u64,
}

/// A buzzer shared between the line or channel that drives it and whoever listens.
pub type SharedSimBuzzer = Arc<Mutex<SimBuzzer>>;

impl SimBuzzer {
    /// A silent buzzer.
    pub fn new() -> Self {
        Self::default()
    }

    /// [`SimBuzzer::new`] in a [`SharedSimBuzzer`].
    pub fn new_shared() -> SharedSimBuzzer {
        Arc::new(Mutex::new(Self::new()))
    }

    /// The tones played, oldest first (at most [`MAX_TONES`], the newest).
    pub fn tones(&self) -> Vec<Tone> {
        self.tones.iter().copied().collect()
    }

    /// How many tones it has played in all (kept or not).
    pub fn played(&self) -> u64 {
        self.played
    }

    /// The pitch sounding now, if any.
    pub fn sounding(&self) -> Option<u32> {
        self.sounding.map(|(_, hz)| hz)
    }

    /// Sounds at `frequency_hz` from `time_ns` on (`None`: silent). A change of pitch ends the
    /// tone before and starts a new one.
    pub fn drive(&mut self, frequency_hz: Option<u32>, time_ns: u64) {
        if self.sounding.map(|(_, hz)| hz) == frequency_hz {
            return;
        }
        if let Some((start_ns, hz)) = self.sounding.take() {
            if self.tones.len() == MAX_TONES {
                self.tones.pop_front();
            }
            self.tones.push_back(Tone {
                start_ns,
                duration_ns: time_ns.saturating_sub(start_ns),
                frequency_hz: hz,
            });
            self.played += 1;
        }
        self.sounding = frequency_hz.map(|hz| (time_ns, hz));
    }
}

/// Wires an active buzzer with its own `pitch_hz` to `line`: it sounds while the line is high
/// (`active_high`) or low.
pub fn connect_active(buzzer: &SharedSimBuzzer, line: &SimLine, pitch_hz: u32, active_high: bool) {
    let level = move |high: bool| (high == active_high).then_some(pitch_hz);
    let now = line.history().last().map_or(0, |&(t, _)| t);
    lock(buzzer).drive(level(line.is_high_now()), now);
    let buzzer = buzzer.clone();
    line.watch(Box::new(move |high, time_ns| {
        lock(&buzzer).drive(level(high), time_ns);
    }));
}

/// Wires a passive buzzer to `channel`: it sounds at the channel's frequency while it pulses.
pub fn connect_passive(buzzer: &SharedSimBuzzer, channel: &SimPwm) {
    let pitch = |s: PwmSetting| s.is_pulsing().then_some(s.frequency_hz);
    let now = channel.history().last().map_or(0, |&(t, _)| t);
    lock(buzzer).drive(pitch(channel.setting()), now);
    let buzzer = buzzer.clone();
    channel.watch(Box::new(move |setting, time_ns| {
        lock(&buzzer).drive(pitch(setting), time_ns);
    }));
}

fn lock(buzzer: &SharedSimBuzzer) -> std::sync::MutexGuard<'_, SimBuzzer> {
    buzzer.lock().unwrap_or_else(|e| e.into_inner())
}
