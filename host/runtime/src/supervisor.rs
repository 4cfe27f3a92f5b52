//! One component's life: instantiate it in a fresh store, run it (an app's `run`, or a sensor
//! opened once and polled), and when it fails drop the store (its GPIO outputs go back to their
//! safe levels and its devices are released), wait out the backoff and start again, until its
//! restart policy gives up and marks it failed.

use crate::clock::Clock;
use crate::commands;
use crate::grants;
use crate::guest::{self, GuestState, MemoryLimitHit, StoreSetup};
use crate::output::LineBudget;
use crate::readings::Reading;
use crate::status::{ComponentState, StatusBoard};
use anyhow::{Result, anyhow};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, watch};
use wasi_hal_board::Board;
use wasi_hal_device_file::{ComponentEntry, ComponentKind, RestartPolicy};
use wasmtime::Engine;
use wasmtime::component::{Component, Linker};
use wasmtime_wasi::I32Exit;

mod sensor_bindings {
    wasmtime::component::bindgen!({
        path: "../../wit/sensor-environment",
        world: "sensor:environment/driver",
        exports: { default: async },
    });
}

use sensor_bindings::exports::sensor::environment::environment::Measurement;

/// A component ready to run: its entry and its compiled code, and what it is instantiated
/// with.
#[derive(Clone)]
pub(crate) struct Prepared {
    pub(crate) entry: ComponentEntry,
    pub(crate) component: Component,
    /// SHA-256 of the component file: a reload restarts the component when it changes.
    pub(crate) content: [u8; 32],
}

/// What a supervisor shares with the device.
#[derive(Clone)]
pub(crate) struct Shared {
    pub(crate) device: Arc<str>,
    pub(crate) engine: Engine,
    pub(crate) linker: Arc<Linker<GuestState>>,
    pub(crate) board: Arc<Board>,
    pub(crate) clock: Clock,
    pub(crate) status: StatusBoard,
    pub(crate) readings: broadcast::Sender<Reading>,
    /// The fleet's broker, when the device reports to one.
    pub(crate) telemetry: Option<crate::telemetry::Sink>,
    /// Where the fleet's commands go to the components that take them.
    pub(crate) commands: crate::commands::Routes,
}

/// How one instance ended.
enum Ended {
    /// The host stopped it.
    Stopped,
    /// An app's `run` returned `ok` (or it called `exit(0)`).
    Exited,
    /// It failed; why.
    Failed(String),
}

/// Whether `stop` says stop (or its sender is gone); waits until it does.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    loop {
        if *stop.borrow_and_update() {
            return;
        }
        if stop.changed().await.is_err() {
            return;
        }
    }
}

/// The kind's name in status.
pub(crate) fn kind_name(kind: ComponentKind) -> &'static str {
    match kind {
        ComponentKind::App => "app",
        ComponentKind::Sensor { .. } => "sensor",
        ComponentKind::Handler => "handler",
    }
}

/// Runs `prepared` until `stop` says stop, restarting it as its policy says.
pub(crate) async fn supervise(shared: Shared, prepared: Prepared, mut stop: watch::Receiver<bool>) {
    let name = prepared.entry.name.clone();
    let kind = kind_name(prepared.entry.kind);
    let budget = Arc::new(Mutex::new(LineBudget::default()));
    let preemptions = Arc::new(AtomicU64::new(0));
    let mut restarts: VecDeque<Duration> = VecDeque::new();
    let status = shared.status.clone();
    loop {
        if *stop.borrow() {
            break;
        }
        let ended = run_once(&shared, &prepared, &budget, &preemptions, &mut stop).await;
        let (logged, dropped) = {
            let budget = budget.lock().unwrap_or_else(|e| e.into_inner());
            (budget.logged(), budget.dropped_total())
        };
        status.update(&name, kind, |s| {
            s.preemptions = preemptions.load(Ordering::Relaxed);
            s.started_at = None;
            s.log_lines = logged;
            s.log_lines_dropped = dropped;
        });
        let message = match ended {
            Ended::Stopped => {
                status.update(&name, kind, |s| s.state = ComponentState::Stopped);
                tracing::info!(component = %name, "stopped");
                return;
            }
            Ended::Exited => {
                status.update(&name, kind, |s| s.state = ComponentState::Exited);
                tracing::info!(component = %name, "exited");
                return;
            }
            Ended::Failed(message) => message,
        };
        tracing::warn!(component = %name, "failed: {message}");
        let now = shared.clock.now();
        status.update(&name, kind, |s| s.record_failure(now, message.clone()));
        let RestartPolicy::OnFailure(backoff) = prepared.entry.restart else {
            status.update(&name, kind, |s| s.state = ComponentState::Failed);
            tracing::error!(component = %name, "marked failed (restart policy: never)");
            return;
        };
        while restarts
            .front()
            .is_some_and(|&at| now.saturating_sub(at) >= backoff.window)
        {
            restarts.pop_front();
        }
        if restarts.len() >= backoff.limit as usize {
            status.update(&name, kind, |s| s.state = ComponentState::Failed);
            tracing::error!(
                component = %name,
                "marked failed: {} restarts within {:?} and it failed again",
                restarts.len(),
                backoff.window
            );
            return;
        }
        let wait = backoff.delay(restarts.len() as u32 + 1);
        status.update(&name, kind, |s| s.state = ComponentState::Backoff);
        tracing::info!(component = %name, "restarting in {wait:?}");
        tokio::select! {
            () = shared.clock.sleep(wait) => {}
            () = stopped(&mut stop) => {
                status.update(&name, kind, |s| s.state = ComponentState::Stopped);
                return;
            }
        }
        restarts.push_back(shared.clock.now());
        status.update(&name, kind, |s| s.restarts += 1);
    }
    status.update(&name, kind, |s| s.state = ComponentState::Stopped);
}

/// Why a guest failed, in one line.
fn failure(error: &anyhow::Error) -> Ended {
    if let Some(exit) = error.downcast_ref::<I32Exit>() {
        return match exit.0 {
            0 => Ended::Exited,
            code => Ended::Failed(format!("exited with code {code}")),
        };
    }
    if let Some(limit) = error.downcast_ref::<MemoryLimitHit>() {
        return Ended::Failed(limit.to_string());
    }
    Ended::Failed(error.root_cause().to_string())
}

async fn run_once(
    shared: &Shared,
    prepared: &Prepared,
    budget: &Arc<Mutex<LineBudget>>,
    preemptions: &Arc<AtomicU64>,
    stop: &mut watch::Receiver<bool>,
) -> Ended {
    let entry = &prepared.entry;
    let kind = kind_name(entry.kind);
    shared.status.update(&entry.name, kind, |s| {
        s.state = ComponentState::Starting;
    });
    let hal = match grants::guest_ctx(&shared.board, entry) {
        Ok(hal) => hal,
        Err(e) => return Ended::Failed(format!("{e:#}")),
    };
    let setup = StoreSetup {
        name: entry.name.as_str().into(),
        hal,
        memory_limit: entry.memory_limit,
        clock: shared.clock.clone(),
        budget: budget.clone(),
        preemptions: preemptions.clone(),
    };
    let mut store = match guest::new_store(&shared.engine, setup) {
        Ok(store) => store,
        Err(e) => return Ended::Failed(format!("{e:#}")),
    };
    let ended = {
        let work = async {
            match entry.kind {
                ComponentKind::App => run_app(shared, prepared, &mut store).await,
                ComponentKind::Sensor { poll_every } => {
                    poll_sensor(shared, prepared, &mut store, poll_every).await
                }
                ComponentKind::Handler => serve_handler(shared, prepared, &mut store).await,
            }
        };
        tokio::select! {
            result = work => match result {
                Ok(()) => Ended::Exited,
                Err(e) => failure(&e),
            },
            () = stopped(stop) => Ended::Stopped,
        }
    };
    // Dropping the store drops the guest's contexts: its devices are released and its GPIO
    // outputs go back to their safe levels, before any restart.
    drop(store);
    ended
}

async fn run_app(
    shared: &Shared,
    prepared: &Prepared,
    store: &mut wasmtime::Store<GuestState>,
) -> Result<()> {
    let instance = instantiate(shared, prepared, store).await?;
    let command = wasmtime_wasi::p2::bindings::Command::new(&mut *store, &instance)?;
    mark_running(shared, &prepared.entry);
    command
        .wasi_cli_run()
        .call_run(&mut *store)
        .await?
        .map_err(|()| anyhow!("its `run` returned an error"))
}

/// A handler: instantiated once, then called for each command that arrives.
async fn serve_handler(
    shared: &Shared,
    prepared: &Prepared,
    store: &mut wasmtime::Store<GuestState>,
) -> Result<()> {
    let instance = instantiate(shared, prepared, store).await?;
    let mut inbox = commands::inbox(shared, &prepared.entry, store, &instance)?;
    mark_running(shared, &prepared.entry);
    commands::serve_until(
        shared,
        &prepared.entry,
        store,
        inbox.as_mut(),
        std::future::pending(),
    )
    .await
}

/// Instantiates the component in `store`, trying again while the kernel refuses to seal a
/// memory image ([`crate::instantiate`]).
async fn instantiate(
    shared: &Shared,
    prepared: &Prepared,
    store: &mut wasmtime::Store<GuestState>,
) -> Result<wasmtime::component::Instance> {
    let pre = shared.linker.instantiate_pre(&prepared.component)?;
    let mut attempt = 1;
    loop {
        match pre
            .instantiate_async(&mut *store)
            .await
            .map_err(anyhow::Error::from)
        {
            Err(e) if crate::instantiate::wait_to_retry(&e, attempt) => attempt += 1,
            result => return result,
        }
    }
}

fn mark_running(shared: &Shared, entry: &ComponentEntry) {
    let now = shared.clock.now();
    shared
        .status
        .update(&entry.name, kind_name(entry.kind), |s| {
            s.state = ComponentState::Running;
            s.started_at = Some(now);
        });
}

/// The readings of one measurement.
fn readings(
    shared: &Shared,
    entry: &ComponentEntry,
    m: &Measurement,
    timestamp: u64,
) -> Vec<Reading> {
    [
        ("temperature", m.temperature_celsius, "°C"),
        ("pressure", m.pressure_pa, "Pa"),
        ("humidity", m.humidity_percent, "%"),
        ("gas-resistance", m.gas_resistance_ohm, "Ω"),
    ]
    .into_iter()
    .filter_map(|(quantity, value, unit)| {
        value.map(|value| Reading {
            node: shared.device.to_string(),
            component: entry.name.clone(),
            quantity: quantity.to_owned(),
            value,
            unit: unit.to_owned(),
            timestamp,
        })
    })
    .collect()
}

async fn poll_sensor(
    shared: &Shared,
    prepared: &Prepared,
    store: &mut wasmtime::Store<GuestState>,
    period: Duration,
) -> Result<()> {
    let entry = &prepared.entry;
    let instance = instantiate(shared, prepared, store).await?;
    let driver = sensor_bindings::Driver::new(&mut *store, &instance)?;
    let mut inbox = commands::inbox(shared, entry, store, &instance)?;
    let environment = driver.sensor_environment_environment();
    let sensor = environment
        .call_open(&mut *store)
        .await?
        .map_err(|e| anyhow!("the sensor did not open: {e:?}"))?;
    mark_running(shared, entry);
    let kind = kind_name(entry.kind);
    let mut slot = tokio::time::Instant::now();
    loop {
        // Between polls it carries out the fleet's commands, when it takes any.
        let wait = shared.clock.sleep_until(slot);
        commands::serve_until(shared, entry, store, inbox.as_mut(), wait).await?;
        let timestamp = shared.clock.unix_ms();
        // The guest runs again from here: what it is charged when preempted counts from now.
        store.data().cpu_resumed();
        let measurement = environment
            .sensor()
            .call_measure(&mut *store, sensor)
            .await?
            .map_err(|e| anyhow!("measure() failed: {e:?}"))?;
        let new = readings(shared, entry, &measurement, timestamp);
        // The next slot on the schedule; slots already past are skipped (and counted), so a
        // late poll never makes the next ones late too.
        slot += period;
        let now = tokio::time::Instant::now();
        let mut missed = 0;
        while slot <= now {
            slot += period;
            missed += 1;
        }
        shared.status.update(&entry.name, kind, |s| {
            s.polls += 1;
            s.missed_polls += missed;
            for reading in &new {
                s.history.push(reading.clone());
            }
            s.last_reading = new.clone();
        });
        for reading in new {
            if let Some(telemetry) = &shared.telemetry {
                telemetry.publish(reading.clone());
            }
            // No subscriber is not an error.
            let _ = shared.readings.send(reading);
        }
    }
}
