//! The host side of `wasi-hal:commands` (wit/wasi-hal-commands, docs/wit/wasi-hal-commands.md):
//! calls the `handler` interface a component exports.
//!
//! The device runtime authorises a command for a component (the device file's list) before it
//! gets here; [`CommandReceiver::handle`] then checks the name and the payload's size before
//! anything crosses into the guest, and bounds what comes back. Calls are async (the runtime
//! runs its components on async Wasmtime with epoch yielding): instantiate with
//! `instantiate_async`.
//!
//! ```no_run
//! # async fn example(
//! #     store: &mut wasmtime::Store<()>,
//! #     instance: &wasmtime::component::Instance,
//! # ) -> anyhow::Result<()> {
//! let receiver = wasi_hal_commands::CommandReceiver::new(&mut *store, instance)?;
//! match receiver.handle(&mut *store, "beep", "440").await? {
//!     Ok(reply) => println!("done: {reply}"),
//!     Err(refusal) => println!("refused: {refusal}"),
//! }
//! # Ok(())
//! # }
//! ```

use wasmtime::AsContextMut;
use wasmtime::component::{Component, Instance};

// The generated bindings are not documented; what this crate re-exports is.
#[allow(missing_docs)]
mod bindings {
    wasmtime::component::bindgen!({
        path: "../../wit/wasi-hal-commands",
        world: "wasi-hal:commands/receiver",
        exports: { default: async },
    });
}

pub use bindings::exports::wasi_hal::commands::handler::{CommandInfo, ErrorCode};

/// The interface a receiving component exports, with its version.
pub const HANDLER_INTERFACE: &str = "wasi-hal:commands/handler@0.1.0";
/// Longest command name, in bytes (a topic level).
pub const MAX_NAME_LEN: usize = 64;
/// Longest payload handed to a component, in bytes.
pub const MAX_PAYLOAD_LEN: usize = 4096;
/// Longest reply kept from a component, in bytes (a longer one is cut at a character boundary).
pub const MAX_REPLY_LEN: usize = 4096;
/// The most commands kept from `accepted` (the rest are ignored).
pub const MAX_ACCEPTED: usize = 64;

/// Why a command did not reach the component, or what the component answered.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CommandRefusal {
    /// The name is empty, too long, or has characters other than ASCII letters, digits, `-`
    /// and `_`.
    #[error("command name {0:?} is not 1 to 64 ASCII letters, digits, `-` or `_`")]
    BadName(String),
    /// The payload is over [`MAX_PAYLOAD_LEN`].
    #[error("payload of {0} bytes is over the {MAX_PAYLOAD_LEN} a command takes")]
    PayloadTooLarge(usize),
    /// The component answered with a WIT error.
    #[error("the component refused the command: {0:?}")]
    Component(ErrorCode),
}

/// A component instance's `wasi-hal:commands/handler` export.
pub struct CommandReceiver {
    bindings: bindings::Receiver,
}

impl CommandReceiver {
    /// Whether `component` exports the handler (check before instantiating).
    pub fn exported_by(component: &Component) -> bool {
        let engine = component.engine();
        component
            .component_type()
            .exports(engine)
            .any(|(name, _)| name == HANDLER_INTERFACE)
    }

    /// The handler of `instance`; an error names the missing export.
    pub fn new(store: impl AsContextMut, instance: &Instance) -> anyhow::Result<Self> {
        let mut store = store;
        let bindings = bindings::Receiver::new(&mut store, instance).map_err(|e| {
            anyhow::anyhow!("the component does not export {HANDLER_INTERFACE}: {e:#}")
        })?;
        Ok(CommandReceiver { bindings })
    }

    /// The commands the component accepts (at most [`MAX_ACCEPTED`], each with a valid name;
    /// the rest are left out). A trap is the `Err`.
    pub async fn accepted<S: AsContextMut>(&self, store: S) -> anyhow::Result<Vec<CommandInfo>>
    where
        S::Data: Send,
    {
        let mut list = self
            .bindings
            .wasi_hal_commands_handler()
            .call_accepted(store)
            .await?;
        list.retain(|c| valid_name(&c.name));
        list.truncate(MAX_ACCEPTED);
        Ok(list)
    }

    /// Hands the command to the component. The outer `Err` is a trap (the component is then
    /// unusable); the inner one a refusal, by this crate's checks or by the component.
    pub async fn handle<S: AsContextMut>(
        &self,
        store: S,
        name: &str,
        payload: &str,
    ) -> anyhow::Result<Result<String, CommandRefusal>>
    where
        S::Data: Send,
    {
        if !valid_name(name) {
            return Ok(Err(CommandRefusal::BadName(name.to_string())));
        }
        if payload.len() > MAX_PAYLOAD_LEN {
            return Ok(Err(CommandRefusal::PayloadTooLarge(payload.len())));
        }
        let answer = self
            .bindings
            .wasi_hal_commands_handler()
            .call_handle(store, name, payload)
            .await?;
        Ok(answer
            .map(|mut reply| {
                if reply.len() > MAX_REPLY_LEN {
                    let mut end = MAX_REPLY_LEN;
                    while !reply.is_char_boundary(end) {
                        end -= 1;
                    }
                    reply.truncate(end);
                }
                reply
            })
            .map_err(CommandRefusal::Component))
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
