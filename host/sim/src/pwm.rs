//! PWM channels: frequency, duty cycle, on/off, and their recent history in simulated time.

use crate::{SimClock, Trace, TraceKind};
use serde::Serialize;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{Arc, Mutex, MutexGuard};

/// How many settings a [`SimPwm`] keeps in its history: the newest ones (a guest may change a
/// channel for months).
pub const PWM_HISTORY_WINDOW: usize = 1024;

/// What a PWM channel is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PwmSetting {
    /// Whether the output pulses (`false`: held low).
    pub enabled: bool,
    /// Pulses per second.
    pub frequency_hz: u32,
    /// High time as a share of `max_duty`.
    pub duty: u16,
    /// The duty value that means always high.
    pub max_duty: u16,
}

impl PwmSetting {
    /// Whether the line actually toggles: on, with a duty cycle strictly between 0 and the
    /// maximum (0 holds it low, the maximum high).
    pub fn is_pulsing(&self) -> bool {
        self.enabled && self.duty > 0 && self.duty < self.max_duty && self.frequency_hz > 0
    }
}

/// A callback run after a channel's setting changes: `(setting, time_ns)`.
pub type PwmWatcher = Box<dyn FnMut(PwmSetting, u64) + Send>;

/// One PWM channel of the simulated board. Cloning gives another handle to the same channel,
/// so a guest's channel and the part wired to it (a buzzer) see the same setting.
#[derive(Clone)]
pub struct SimPwm {
    name: Arc<str>,
    clock: SimClock,
    state: Arc<Mutex<PwmState>>,
}

struct PwmState {
    setting: PwmSetting,
    history: VecDeque<(u64, PwmSetting)>,
    watchers: Vec<PwmWatcher>,
}

impl SimPwm {
    /// A channel that is off, at `frequency_hz`, duty 0 of `max_duty`.
    pub fn new(name: &str, frequency_hz: u32, max_duty: u16, clock: SimClock) -> Self {
        let setting = PwmSetting {
            enabled: false,
            frequency_hz,
            duty: 0,
            max_duty: max_duty.max(1),
        };
        let now = clock.now_ns();
        Self {
            name: name.into(),
            clock,
            state: Arc::new(Mutex::new(PwmState {
                setting,
                history: VecDeque::from([(now, setting)]),
                watchers: Vec::new(),
            })),
        }
    }

    /// The channel's name on the board.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the channel does now.
    pub fn setting(&self) -> PwmSetting {
        self.lock().setting
    }

    /// Switches the output on or off.
    pub fn set_enabled(&self, enabled: bool) {
        self.change(|s| s.enabled = enabled);
    }

    /// Sets the frequency; the simulated controller makes it exactly.
    pub fn set_frequency(&self, frequency_hz: u32) -> u32 {
        self.change(|s| s.frequency_hz = frequency_hz);
        frequency_hz
    }

    /// Sets the duty cycle, clamped to the maximum (the host crate refuses larger values before
    /// they get here).
    pub fn set_duty(&self, duty: u16) {
        self.change(|s| s.duty = duty.min(s.max_duty));
    }

    /// Records every later change of setting in `trace` as a [`TraceKind::Pwm`] event.
    pub fn with_trace(self, trace: Trace) -> Self {
        let name = self.name.to_string();
        self.watch(Box::new(move |setting, time_ns| {
            trace.record(
                time_ns,
                TraceKind::Pwm {
                    channel: name.clone(),
                    enabled: setting.enabled,
                    frequency_hz: setting.frequency_hz,
                    duty: setting.duty,
                    max_duty: setting.max_duty,
                },
            );
        }));
        self
    }

    /// Runs `watcher` after every later change of setting.
    pub fn watch(&self, watcher: PwmWatcher) {
        self.lock().watchers.push(watcher);
    }

    /// The newest settings (at most [`PWM_HISTORY_WINDOW`]), `(time_ns, setting)`, oldest
    /// first.
    pub fn history(&self) -> Vec<(u64, PwmSetting)> {
        self.lock().history.iter().copied().collect()
    }

    fn change(&self, f: impl FnOnce(&mut PwmSetting)) {
        let now = self.clock.now_ns();
        let (setting, mut watchers) = {
            let mut state = self.lock();
            let mut setting = state.setting;
            f(&mut setting);
            if setting == state.setting {
                return;
            }
            state.setting = setting;
            if state.history.len() == PWM_HISTORY_WINDOW {
                state.history.pop_front();
            }
            state.history.push_back((now, setting));
            (setting, std::mem::take(&mut state.watchers))
        };
        // Watchers run without the lock held, so they may read this channel.
        for watcher in &mut watchers {
            watcher(setting, now);
        }
        let mut state = self.lock();
        watchers.append(&mut state.watchers);
        state.watchers = watchers;
    }

    fn lock(&self) -> MutexGuard<'_, PwmState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl embedded_hal::pwm::ErrorType for SimPwm {
    type Error = Infallible;
}

impl embedded_hal::pwm::SetDutyCycle for SimPwm {
    fn max_duty_cycle(&self) -> u16 {
        self.setting().max_duty
    }

    fn set_duty_cycle(&mut self, duty: u16) -> Result<(), Infallible> {
        self.set_duty(duty);
        Ok(())
    }
}

/// What a host drives: frequency and on/off besides the duty cycle.
impl wasi_hal_policy::PwmOutput for SimPwm {
    fn set_frequency(&mut self, frequency_hz: u32, _duty: u16) -> Result<u32, Infallible> {
        // The simulated controller keeps the duty value, which is its share of the period.
        Ok(SimPwm::set_frequency(self, frequency_hz))
    }

    fn set_enabled(&mut self, enabled: bool) -> Result<(), Infallible> {
        SimPwm::set_enabled(self, enabled);
        Ok(())
    }
}
