//! Commands from the fleet to the components (docs/fleet.md): the telemetry client hands over
//! only what the device file authorises for a component; here each goes to that component's
//! running instance, which carries it out through its `wasi-hal:commands/handler` export
//! between its other calls. A command for a component that is not running now (backoff,
//! failed, stopped) or that has more than [`PER_COMPONENT`] commands waiting is refused,
//! logged and counted.

use crate::guest::GuestState;
use crate::supervisor::{Shared, kind_name};
use crate::telemetry::Sink;
use anyhow::Result;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use wasi_hal_commands::CommandReceiver;
use wasi_hal_device_file::ComponentEntry;
use wasi_hal_telemetry::Command;
use wasmtime::Store;
use wasmtime::component::Instance;

/// Commands that may wait for one component before more are refused.
pub const PER_COMPONENT: usize = 16;

/// Where each running component that takes commands receives them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Routes {
    inner: Arc<Mutex<HashMap<String, mpsc::Sender<Command>>>>,
}

impl Routes {
    /// A new route to `component`'s instance (replacing its previous instance's).
    pub(crate) fn open(&self, component: &str) -> mpsc::Receiver<Command> {
        let (tx, rx) = mpsc::channel(PER_COMPONENT);
        self.lock().insert(component.to_string(), tx);
        rx
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, mpsc::Sender<Command>>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn sender(&self, component: &str) -> Option<mpsc::Sender<Command>> {
        self.lock().get(component).cloned()
    }
}

/// Hands every command to its component until the telemetry client is gone.
pub(crate) async fn route(mut commands: mpsc::Receiver<Command>, routes: Routes, sink: Sink) {
    while let Some(command) = commands.recv().await {
        let refused = match routes.sender(&command.component) {
            None => Some("it is not running"),
            Some(tx) => match tx.try_send(command.clone()) {
                Ok(()) => None,
                Err(mpsc::error::TrySendError::Full(_)) => Some("too many commands wait for it"),
                Err(mpsc::error::TrySendError::Closed(_)) => Some("it is not running"),
            },
        };
        if let Some(why) = refused {
            sink.counts().command(false);
            tracing::warn!(
                component = %command.component,
                command = %command.command,
                "command refused: {why}"
            );
        }
    }
}

/// A running instance's side: its handler export and the commands routed to it.
pub(crate) struct Inbox {
    receiver: CommandReceiver,
    commands: mpsc::Receiver<Command>,
}

/// The inbox of a component instance whose device file entry lists `commands` (its export
/// was checked at load), opened now so that commands go to this instance; `None` for a
/// component that takes none.
pub(crate) fn inbox(
    shared: &Shared,
    entry: &ComponentEntry,
    store: &mut Store<GuestState>,
    instance: &Instance,
) -> Result<Option<Inbox>> {
    if entry.commands.is_empty() {
        return Ok(None);
    }
    let receiver = CommandReceiver::new(&mut *store, instance)?;
    Ok(Some(Inbox {
        receiver,
        commands: shared.commands.open(&entry.name),
    }))
}

/// Carries out the commands that arrive until `until` completes. A command the component
/// refuses is logged and counted; a trap ends the instance (the `Err`).
pub(crate) async fn serve_until(
    shared: &Shared,
    entry: &ComponentEntry,
    store: &mut Store<GuestState>,
    inbox: Option<&mut Inbox>,
    until: impl Future<Output = ()>,
) -> Result<()> {
    let Some(inbox) = inbox else {
        until.await;
        return Ok(());
    };
    tokio::pin!(until);
    loop {
        let command = tokio::select! {
            () = &mut until => return Ok(()),
            command = inbox.commands.recv() => match command {
                Some(command) => command,
                // The router is gone: the device is stopping.
                None => {
                    until.await;
                    return Ok(());
                }
            },
        };
        // The guest runs again from now: the simulated parts' clock catches up with the
        // device's (a buzzer's tone starts now, not when the component last ran).
        shared.clock.sync_sim();
        store.data().cpu_resumed();
        let answer = inbox
            .receiver
            .handle(&mut *store, &command.command, &command.payload)
            .await?;
        let done = answer.is_ok();
        match answer {
            Ok(reply) => tracing::info!(
                component = %entry.name,
                command = %command.command,
                payload = %command.payload,
                "command done: {reply}"
            ),
            Err(refusal) => tracing::warn!(
                component = %entry.name,
                command = %command.command,
                payload = %command.payload,
                "command refused: {refusal}"
            ),
        }
        if let Some(telemetry) = &shared.telemetry {
            telemetry.counts().command(done);
        }
        shared
            .status
            .update(&entry.name, kind_name(entry.kind), |s| {
                s.commands += 1;
            });
    }
}

/// Why a component whose entry lists `commands` cannot take them: it does not export
/// `wasi-hal:commands/handler@0.1.x`. `place` names the file, line and component.
pub(crate) fn check_exports(
    place: &str,
    entry: &ComponentEntry,
    exports: &[String],
) -> Option<String> {
    if entry.commands.is_empty()
        || exports
            .iter()
            .any(|e| e.starts_with("wasi-hal:commands/handler@0.1"))
    {
        return None;
    }
    Some(format!(
        "{place}: key `commands`: it is authorised for {:?} but does not export `{}` (it exports: {})",
        entry.commands,
        wasi_hal_commands::HANDLER_INTERFACE,
        if exports.is_empty() {
            "nothing".to_string()
        } else {
            exports.join(", ")
        }
    ))
}
