//! The `[telemetry]` table (where the device reports, docs/fleet.md) and each component's
//! `commands`: read with their locations. The broker settings are the keys of
//! `wasi_hal_telemetry::BrokerConfig` (the hub's `--broker-file` takes the same); their rules
//! (url scheme and port, keep-alive minimum, queue bound, pairs of credentials and
//! certificates) are that crate's, checked by the runtime, which names the key and line from
//! [`TelemetryEntry::location_of`]. Here: known keys, types, and paths resolved against the
//! device file's folder.

use super::{Table, join};
use crate::error::{DeviceError, ErrorKind, Location};
use crate::model::{ComponentKind, TelemetryEntry};
use std::collections::BTreeMap;
use std::path::Path;
use toml::de::DeValue;
use wasi_hal_board_file::toml_type_name;

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
    let text = |key: &str| -> Result<Option<String>, DeviceError> {
        Ok(table.string(key)?.map(|s| s.get_ref().to_string()))
    };
    let file = |key: &str| -> Result<Option<std::path::PathBuf>, DeviceError> {
        Ok(table.string(key)?.map(|s| base.join(s.get_ref())))
    };
    let url = table.require_string("url")?.get_ref().to_string();
    let mut locations = BTreeMap::new();
    for (key, _) in table.keys() {
        let (_, value) = table.entry(key).expect("a key of the table");
        locations.insert(
            key.to_string(),
            Location::of_offset(table.source.text, value.span().start),
        );
    }
    let discovery = match table.entry("discovery") {
        None => true,
        Some((_, value)) => match value.get_ref() {
            DeValue::Boolean(b) => *b,
            other => {
                return Err(table.value_error(
                    "discovery",
                    ErrorKind::WrongType,
                    format!("expected a boolean, found {}", toml_type_name(other)),
                ));
            }
        },
    };
    Ok(Some(TelemetryEntry {
        url,
        username: text("username")?,
        password: text("password")?,
        ca_cert: file("ca-cert")?,
        client_cert: file("client-cert")?,
        client_key: file("client-key")?,
        keep_alive_s: table.u32("keep-alive-s")?.map(u64::from),
        queue: table.u32("queue")?.map(|q| q as usize),
        node: text("node")?,
        discovery,
        location: Location::of_offset(table.source.text, table.offset),
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
    let Some((_, value)) = table.entry("commands") else {
        if kind == ComponentKind::Handler {
            return Err(table.error(
                ErrorKind::MissingKey,
                "missing required key `commands` for `kind = \"handler\"` (the commands it may receive)",
            ));
        }
        return Ok(Vec::new());
    };
    if kind == ComponentKind::App {
        return Err(table.value_error(
            "commands",
            ErrorKind::InvalidValue,
            "an app's `run` holds its instance, so it cannot take commands: give them to a \
             `kind = \"handler\"` or `kind = \"sensor\"` component",
        ));
    }
    let DeValue::Array(array) = value.get_ref() else {
        return Err(table.value_error(
            "commands",
            ErrorKind::WrongType,
            format!(
                "expected an array of command names, found {}",
                toml_type_name(value.get_ref())
            ),
        ));
    };
    let mut commands = Vec::new();
    for (index, element) in array.iter().enumerate() {
        let key = format!("{}[{index}]", join(&table.path, "commands"));
        let at = element.span().start;
        let DeValue::String(name) = element.get_ref() else {
            return Err(table.source.error(
                &key,
                at,
                ErrorKind::WrongType,
                format!(
                    "expected a command name, found {}",
                    toml_type_name(element.get_ref())
                ),
            ));
        };
        let name = name.to_string();
        let valid = !name.is_empty()
            && name.len() <= 64
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            return Err(table.source.error(
                &key,
                at,
                ErrorKind::InvalidValue,
                format!(
                    "`{name}`: a command name is 1 to 64 ASCII letters, digits, `-` and `_` (it is an MQTT topic level)"
                ),
            ));
        }
        if commands.contains(&name) {
            return Err(table.source.error(
                &key,
                at,
                ErrorKind::InvalidValue,
                format!("`{name}` is listed twice"),
            ));
        }
        commands.push(name);
    }
    Ok(commands)
}
