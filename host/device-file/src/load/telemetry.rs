//! The `[telemetry]` table (where the device reports, docs/fleet.md) and each component's
//! `commands`: read with their locations. The broker settings are the keys of
//! `wasi_hal_telemetry::BrokerConfig` (the hub's `--broker-file` takes the same); their rules
//! (url scheme and port, keep-alive minimum, queue bound, pairs of credentials and
//! certificates) are that crate's, checked by the runtime, which names the key and line from
//! [`TelemetryEntry::location_of`]. Here: known keys, types, and paths resolved against the
//! device file's folder.

use super::{DeviceTable, Table};
use crate::error::{DeviceError, ErrorKind};
use crate::model::{ComponentKind, TelemetryEntry};
use std::collections::BTreeMap;
use std::path::Path;

/// Every key of `[telemetry]`.
const KEYS: &[&str] = &[
    "url",
    "username",
    "password",
    "ca-cert",
    "client-cert",
    "client-key",
    "keep-alive-s",
    "queue",
    "node",
    "discovery",
];

/// Reads `[telemetry]`, when the file has one.
pub(super) fn read_telemetry(
    root: &Table<'_, '_>,
    base: &Path,
) -> Result<Option<TelemetryEntry>, DeviceError> {
    let Some(table) = root.table("telemetry")? else {
        return Ok(None);
    };
    table.only(KEYS)?;
    let file = |key: &str| -> Result<Option<std::path::PathBuf>, DeviceError> {
        Ok(table.str(key)?.map(|s| base.join(s)))
    };
    let url = table.require::<String>("url")?;
    let locations: BTreeMap<_, _> = table
        .keys_in_order()
        .into_iter()
        .map(|key| (key.to_owned(), table.location_of(key)))
        .collect();
    Ok(Some(TelemetryEntry {
        url,
        username: table.get("username")?,
        password: table.get("password")?,
        ca_cert: file("ca-cert")?,
        client_cert: file("client-cert")?,
        client_key: file("client-key")?,
        keep_alive_s: table.get::<u32>("keep-alive-s")?.map(u64::from),
        queue: table.get::<u32>("queue")?.map(|q| q as usize),
        node: table.get("node")?,
        discovery: table.get("discovery")?.unwrap_or(true),
        location: table.location(),
        locations,
    }))
}

/// A component's `commands`: the command names it is authorised to receive, each once, each a
/// valid topic level; required for a handler, refused for an app (its `run` holds its
/// instance). Whether the component exports the handler, the runtime checks.
pub(super) fn read_commands(
    table: &Table<'_, '_>,
    kind: ComponentKind,
) -> Result<Vec<String>, DeviceError> {
    if !table.has("commands") {
        if kind == ComponentKind::Handler {
            return Err(table.key_error(
                "commands",
                ErrorKind::MissingKey,
                "missing required key for `kind = \"handler\"` (the commands it may receive)",
            ));
        }
        return Ok(Vec::new());
    }
    if kind == ComponentKind::App {
        return Err(table.value_error(
            "commands",
            ErrorKind::InvalidValue,
            "an app's `run` holds its instance, so it cannot take commands: give them to a \
             `kind = \"handler\"` or `kind = \"sensor\"` component",
        ));
    }
    let names = table.strings("commands", "an array of command names", "a command name")?;
    let mut commands = Vec::new();
    for (index, name) in names.unwrap_or_default().into_iter().enumerate() {
        let error =
            |message| table.element_error("commands", index, ErrorKind::InvalidValue, message);
        let valid = !name.is_empty()
            && name.len() <= 64
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            return Err(error(format!(
                "`{name}`: a command name is 1 to 64 ASCII letters, digits, `-` and `_` (it is an MQTT topic level)"
            )));
        }
        if commands.iter().any(|c| c == name) {
            return Err(error(format!("`{name}` is listed twice")));
        }
        commands.push(name.to_owned());
    }
    Ok(commands)
}
