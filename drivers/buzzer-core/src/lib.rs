//! What the `sound:buzzer` drivers share: checking a pattern before any note plays, and playing
//! each note for its time on a [`ToneOutput`] with an embedded-hal [`DelayNs`].
//!
//! A note sounds for its whole duration and the output is silenced at its end, so two notes of
//! one pitch in a row are two tones (a listener hears where one ends) and `play` returns with
//! the buzzer silent. A rest (`frequency_hz == 0`) is silence for its duration.
#![no_std]

use embedded_hal::delay::DelayNs;

/// The most notes one `play-pattern` takes: a pattern is a list the guest sends, so the host
/// copies it into the driver's memory; this bounds that.
pub const MAX_PATTERN_NOTES: usize = 1024;

/// One step of a pattern, as `sound:buzzer` has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Note {
    /// Pitch in hertz; 0 is a rest.
    pub frequency_hz: u32,
    /// How long, in milliseconds.
    pub duration_ms: u32,
}

/// What a buzzer plays: the pitches it takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pitches {
    /// Whether a note's pitch is played (passive) or only switches the sound on (active).
    pub sets_pitch: bool,
    /// The lowest pitch, in hertz.
    pub min_hz: u32,
    /// The highest pitch, in hertz.
    pub max_hz: u32,
}

/// Why a note or pattern was not played.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlayError<F> {
    /// A pitch outside the buzzer's range (`frequency-out-of-range`).
    FrequencyOutOfRange,
    /// More than [`MAX_PATTERN_NOTES`] notes (`too-long`).
    TooLong,
    /// The output failed.
    Output(F),
}

/// A buzzer's line or channel: sounding at a pitch, or silent.
pub trait ToneOutput {
    /// The output's failure.
    type Error;

    /// Sounds at `frequency_hz` (within the buzzer's [`Pitches`]; an active buzzer ignores it).
    fn sound(&mut self, frequency_hz: u32) -> Result<(), Self::Error>;

    /// Goes silent.
    fn silence(&mut self) -> Result<(), Self::Error>;
}

impl Pitches {
    /// Whether the buzzer plays `note` (a rest always; a pitch within the range, or any pitch on
    /// an active buzzer).
    pub fn plays(&self, note: &Note) -> bool {
        note.frequency_hz == 0
            || !self.sets_pitch
            || (self.min_hz..=self.max_hz).contains(&note.frequency_hz)
    }

    /// Checks every note of `notes` before any plays.
    pub fn check<F>(&self, notes: &[Note]) -> Result<(), PlayError<F>> {
        if notes.len() > MAX_PATTERN_NOTES {
            return Err(PlayError::TooLong);
        }
        if notes.iter().all(|n| self.plays(n)) {
            Ok(())
        } else {
            Err(PlayError::FrequencyOutOfRange)
        }
    }
}

/// Plays `notes` in order on `output`, each for its duration, after checking all of them.
/// Returns with the output silent; if the output fails, it is silenced before the error is
/// returned.
pub fn play<O: ToneOutput>(
    pitches: &Pitches,
    output: &mut O,
    delay: &mut impl DelayNs,
    notes: &[Note],
) -> Result<(), PlayError<O::Error>> {
    pitches.check(notes)?;
    for note in notes {
        let sounded = if note.frequency_hz == 0 {
            Ok(())
        } else {
            output.sound(note.frequency_hz)
        };
        if let Err(e) = sounded {
            let _ = output.silence();
            return Err(PlayError::Output(e));
        }
        delay.delay_ms(note.duration_ms);
        output.silence().map_err(PlayError::Output)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::cell::Cell;
    use std::rc::Rc;
    use std::vec::Vec;

    /// Time in milliseconds, shared by the recorder and the delay.
    type Now = Rc<Cell<u32>>;

    /// Records `(time_ms, Some(pitch) | None)` for each call; fails to sound `fail_at`.
    struct Recorder {
        now: Now,
        log: Vec<(u32, Option<u32>)>,
        fail_at: Option<u32>,
    }

    struct Delay(Now);

    impl DelayNs for Delay {
        fn delay_ns(&mut self, ns: u32) {
            self.0.set(self.0.get() + ns / 1_000_000);
        }
        fn delay_ms(&mut self, ms: u32) {
            self.0.set(self.0.get() + ms);
        }
    }

    impl ToneOutput for Recorder {
        type Error = u32;
        fn sound(&mut self, hz: u32) -> Result<(), u32> {
            if self.fail_at == Some(hz) {
                return Err(hz);
            }
            self.log.push((self.now.get(), Some(hz)));
            Ok(())
        }
        fn silence(&mut self) -> Result<(), u32> {
            self.log.push((self.now.get(), None));
            Ok(())
        }
    }

    const PASSIVE: Pitches = Pitches {
        sets_pitch: true,
        min_hz: 200,
        max_hz: 4_000,
    };

    fn play_on(
        pitches: &Pitches,
        fail_at: Option<u32>,
        notes: &[Note],
    ) -> (Result<(), PlayError<u32>>, Vec<(u32, Option<u32>)>) {
        let now = Now::default();
        let mut out = Recorder {
            now: now.clone(),
            log: Vec::new(),
            fail_at,
        };
        let result = play(pitches, &mut out, &mut Delay(now), notes);
        (result, out.log)
    }

    fn note(frequency_hz: u32, duration_ms: u32) -> Note {
        Note {
            frequency_hz,
            duration_ms,
        }
    }

    #[test]
    fn each_note_sounds_for_its_time_and_ends_silent() {
        let (result, log) = play_on(
            &PASSIVE,
            None,
            &[note(659, 300), note(0, 100), note(659, 50), note(523, 400)],
        );
        assert_eq!(result, Ok(()));
        assert_eq!(
            log,
            [
                (0, Some(659)),
                (300, None),
                (400, None),
                (400, Some(659)),
                (450, None),
                (450, Some(523)),
                (850, None),
            ]
        );
    }

    #[test]
    fn a_bad_pattern_is_refused_before_any_note_plays() {
        let (result, log) = play_on(&PASSIVE, None, &[note(440, 10), note(5_000, 10)]);
        assert_eq!(result, Err(PlayError::FrequencyOutOfRange));
        assert!(log.is_empty());
        let long = [note(440, 1); MAX_PATTERN_NOTES + 1];
        let (result, log) = play_on(&PASSIVE, None, &long);
        assert_eq!(result, Err(PlayError::TooLong));
        assert!(log.is_empty());
        // An active buzzer plays its own pitch for any non-zero one.
        let active = Pitches {
            sets_pitch: false,
            min_hz: 2_300,
            max_hz: 2_300,
        };
        assert_eq!(play_on(&active, None, &[note(5_000, 10)]).0, Ok(()));
    }

    #[test]
    fn a_failing_output_is_silenced_and_reported() {
        let (result, log) = play_on(&PASSIVE, Some(523), &[note(440, 10), note(523, 10)]);
        assert_eq!(result, Err(PlayError::Output(523)));
        assert_eq!(log, [(0, Some(440)), (10, None), (10, None)]);
    }
}
