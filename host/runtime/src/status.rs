//! What `wasi-hal status` shows: each component's state, uptime, restarts, last error and last
//! reading.

use crate::readings::{History, Reading};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Failure times kept per component.
pub const RECENT_FAILURES: usize = 16;

/// Where a component is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComponentState {
    /// Being instantiated (or its sensor opened).
    Starting,
    /// Running (an app in `run`, a sensor between polls).
    Running,
    /// Failed; waiting out its backoff before a restart.
    Backoff,
    /// Failed more often than its restart policy allows; not restarted.
    Failed,
    /// An app whose `run` returned `ok`: done, not restarted.
    Exited,
    /// Stopped by the host (shutdown or reload).
    Stopped,
}

/// One component's status.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ComponentStatus {
    /// Its name in the device file.
    pub name: String,
    /// `app`, `sensor` or `handler`.
    pub kind: String,
    /// Its state.
    pub state: ComponentState,
    /// How long its current instance has run, in milliseconds of the device's clock (0 when
    /// it is not running).
    pub uptime_ms: u64,
    /// How many times it was restarted.
    pub restarts: u32,
    /// Why it last failed.
    pub last_error: Option<String>,
    /// Its newest readings, one per quantity (sensors).
    pub last_reading: Vec<Reading>,
    /// How many times it was preempted for running a whole epoch tick without waiting.
    pub preemptions: u64,
    /// Polls of a sensor that came later than their slot (the slot was skipped).
    pub missed_polls: u64,
    /// Polls done.
    pub polls: u64,
    /// Commands from the fleet handed to it (carried out or refused by it).
    #[serde(default)]
    pub commands: u64,
    /// Lines of its stdout and stderr logged.
    pub log_lines: u64,
    /// Lines of its stdout and stderr dropped by the log rate limit.
    pub log_lines_dropped: u64,
    /// When it failed, in milliseconds of the device's clock: the newest
    /// [`RECENT_FAILURES`] failures, oldest first.
    pub recent_failures_ms: Vec<u64>,
    /// When its current instance started, on the device's clock (not shown).
    #[serde(skip)]
    pub(crate) started_at: Option<Duration>,
    /// Its newest readings, oldest first (not shown).
    #[serde(skip)]
    pub(crate) history: History,
}

impl ComponentStatus {
    pub(crate) fn new(name: &str, kind: &str) -> Self {
        Self {
            name: name.to_owned(),
            kind: kind.to_owned(),
            state: ComponentState::Starting,
            uptime_ms: 0,
            restarts: 0,
            last_error: None,
            last_reading: Vec::new(),
            preemptions: 0,
            missed_polls: 0,
            polls: 0,
            commands: 0,
            log_lines: 0,
            log_lines_dropped: 0,
            recent_failures_ms: Vec::new(),
            started_at: None,
            history: History::default(),
        }
    }

    pub(crate) fn record_failure(&mut self, at: Duration, message: String) {
        if self.recent_failures_ms.len() == RECENT_FAILURES {
            self.recent_failures_ms.remove(0);
        }
        self.recent_failures_ms.push(at.as_millis() as u64);
        self.last_error = Some(message);
    }

    /// The component's kept readings, oldest first.
    pub fn history(&self) -> impl Iterator<Item = &Reading> {
        self.history.iter()
    }
}

/// The whole device's status.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DeviceStatus {
    /// `device.name`.
    pub device: String,
    /// The board's name.
    pub board: String,
    /// How long the device has run, in milliseconds of its clock.
    pub uptime_ms: u64,
    /// Whether time is virtual (a simulated board not paced to the wall clock).
    pub virtual_time: bool,
    /// Every component, in device-file order.
    pub components: Vec<ComponentStatus>,
    /// The link to the fleet's broker, when the device file has a `[telemetry]` table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telemetry: Option<crate::telemetry::TelemetryStatus>,
    /// What the simulated board's buzzers played (none on a Linux board).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buzzers: Vec<BuzzerStatus>,
}

impl DeviceStatus {
    /// The component named `name`.
    pub fn component(&self, name: &str) -> Option<&ComponentStatus> {
        self.components.iter().find(|c| c.name == name)
    }
}

/// The live status table every supervisor writes and `status` reads.
#[derive(Clone, Debug, Default)]
pub struct StatusBoard {
    inner: Arc<Mutex<BTreeMap<String, ComponentStatus>>>,
}

impl StatusBoard {
    /// Changes the status of `name` (created when absent, with `kind`).
    pub(crate) fn update<R>(
        &self,
        name: &str,
        kind: &str,
        f: impl FnOnce(&mut ComponentStatus) -> R,
    ) -> R {
        let mut map = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let entry = map
            .entry(name.to_owned())
            .or_insert_with(|| ComponentStatus::new(name, kind));
        f(entry)
    }

    /// Forgets `name` (a component removed by a reload).
    pub(crate) fn remove(&self, name: &str) {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(name);
    }

    /// A copy of every component's status, in `order`, with uptimes at `now`.
    pub(crate) fn snapshot(&self, order: &[String], now: Duration) -> Vec<ComponentStatus> {
        let map = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        order
            .iter()
            .filter_map(|name| map.get(name))
            .map(|status| {
                let mut status = status.clone();
                status.uptime_ms = match (status.state, status.started_at) {
                    (ComponentState::Running, Some(start)) => {
                        now.saturating_sub(start).as_millis() as u64
                    }
                    _ => 0,
                };
                status
            })
            .collect()
    }
}

/// The newest tones of each simulated buzzer shown in `status`.
pub const BUZZER_TONES_SHOWN: usize = 16;

/// What a simulated buzzer part played (a simulated board's buzzers, in `status`): how a test
/// or a person sees that a command reached the buzzer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuzzerStatus {
    /// The part's name in the board file.
    pub name: String,
    /// Tones played since the device came up.
    pub played: u64,
    /// The newest tones (at most [`BUZZER_TONES_SHOWN`]), oldest first.
    pub tones: Vec<ToneStatus>,
}

/// One tone a simulated buzzer played.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToneStatus {
    /// When it started, in milliseconds of the simulated board's clock.
    pub start_ms: u64,
    /// How long it sounded, in milliseconds.
    pub duration_ms: u64,
    /// Its pitch in hertz.
    pub frequency_hz: u32,
}

/// The buzzer parts of a simulated board and what they played; empty on a Linux board.
pub fn buzzers(board: &wasi_hal_board::Board) -> Vec<BuzzerStatus> {
    let Some(sim) = board.simulated() else {
        return Vec::new();
    };
    board
        .file()
        .parts
        .iter()
        .filter(|part| matches!(part.kind, wasi_hal_board::PartKind::Buzzer(_)))
        .filter_map(|part| {
            let buzzer = sim.buzzer(&part.name)?;
            let buzzer = buzzer.lock().unwrap_or_else(|e| e.into_inner());
            let tones = buzzer.tones();
            let newest = tones.len().saturating_sub(BUZZER_TONES_SHOWN);
            Some(BuzzerStatus {
                name: part.name.clone(),
                played: buzzer.played(),
                tones: tones[newest..]
                    .iter()
                    .map(|t| ToneStatus {
                        start_ms: t.start_ns / 1_000_000,
                        duration_ms: t.duration_ns / 1_000_000,
                        frequency_hz: t.frequency_hz,
                    })
                    .collect(),
            })
        })
        .collect()
}
