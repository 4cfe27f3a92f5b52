//! The simulated buzzers record what a person would hear: an active buzzer its own pitch while
//! its line is active, a passive one the PWM frequency while the channel really pulses.

use embedded_hal::pwm::SetDutyCycle;
use wasi_hal_sim::buzzer::{SimBuzzer, Tone, connect_active, connect_passive};
use wasi_hal_sim::{SimClock, SimLine, SimPwm, Trace};

#[test]
fn an_active_buzzer_sounds_its_pitch_while_the_line_is_active() {
    let clock = SimClock::new();
    // Through a relay board whose input is active low.
    let line = SimLine::new("buzzer", true, clock.clone(), Trace::new());
    let buzzer = SimBuzzer::new_shared();
    connect_active(&buzzer, &line, 2_300, false);
    clock.advance_ns(1_000);
    line.set(false);
    clock.advance_ns(100_000_000);
    line.set(true);
    clock.advance_ns(50_000_000);
    line.set(false);
    clock.advance_ns(20_000_000);
    line.set(true);
    let b = buzzer.lock().unwrap();
    assert_eq!(
        b.tones(),
        [
            Tone {
                start_ns: 1_000,
                duration_ns: 100_000_000,
                frequency_hz: 2_300
            },
            Tone {
                start_ns: 150_001_000,
                duration_ns: 20_000_000,
                frequency_hz: 2_300
            },
        ]
    );
    assert_eq!(b.sounding(), None);
}

#[test]
fn a_passive_buzzer_sounds_the_pwm_frequency_only_while_it_pulses() {
    let clock = SimClock::new();
    let mut pwm = SimPwm::new("pwm0", 1_000, 1000, clock.clone());
    let buzzer = SimBuzzer::new_shared();
    connect_passive(&buzzer, &pwm);
    pwm.set_frequency(440);
    pwm.set_enabled(true);
    // On with duty 0: the line is held low, silent.
    clock.advance_ns(10);
    assert_eq!(buzzer.lock().unwrap().sounding(), None);
    let half = pwm.max_duty_cycle() / 2;
    pwm.set_duty_cycle(half).unwrap();
    clock.advance_ns(500);
    // A new pitch ends the tone and starts another.
    pwm.set_frequency(880);
    clock.advance_ns(250);
    // Always high is no sound either.
    pwm.set_duty_cycle(1000).unwrap();
    clock.advance_ns(1_000);
    pwm.set_duty_cycle(half).unwrap();
    clock.advance_ns(100);
    pwm.set_enabled(false);
    let b = buzzer.lock().unwrap();
    assert_eq!(
        b.tones(),
        [
            Tone {
                start_ns: 10,
                duration_ns: 500,
                frequency_hz: 440
            },
            Tone {
                start_ns: 510,
                duration_ns: 250,
                frequency_hz: 880
            },
            Tone {
                start_ns: 1_760,
                duration_ns: 100,
                frequency_hz: 880
            },
        ]
    );
    assert_eq!(b.played(), 3);
}

#[test]
fn a_buzzer_keeps_only_its_newest_tones() {
    let mut b = SimBuzzer::new();
    for i in 0..(wasi_hal_sim::buzzer::MAX_TONES as u64 + 10) {
        b.drive(Some(1_000), 2 * i);
        b.drive(None, 2 * i + 1);
    }
    assert_eq!(b.tones().len(), wasi_hal_sim::buzzer::MAX_TONES);
    assert_eq!(b.tones()[0].start_ns, 20);
    assert_eq!(b.played(), wasi_hal_sim::buzzer::MAX_TONES as u64 + 10);
}
