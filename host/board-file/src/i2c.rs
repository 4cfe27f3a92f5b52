//! `[i2c.NAME]` and `[discovery.i2c]`: the addresses, transfer size and clock of a bus, and
//! what is behind each name.

use crate::document::Table;
use crate::error::{BoardError, ErrorKind};
use crate::load::{Context, DeviceKey, device_node, max_transfer, read_named};
use crate::model::Backend;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Default I2C bus clock (fast mode), used to time transfers on a simulated bus.
pub const DEFAULT_I2C_FREQUENCY_HZ: u32 = 400_000;

/// What a guest may do on an I2C bus.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct I2cPolicy {
    /// `addresses`: the 7-bit addresses a guest may reach (never empty; the general-call address 0
    /// only when listed).
    pub addresses: BTreeSet<u8>,
    /// `max-transfer-bytes`: the most bytes one call may move (never 0).
    pub max_transfer_bytes: u32,
    /// `frequency-hz`: the bus clock. A simulated bus times transfers by it; on Linux the device
    /// tree sets the clock and this value is informational.
    pub frequency_hz: u32,
}

/// What is behind an I2C name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum I2cSource {
    /// A simulated bus with the parts whose `i2c` key names it.
    Simulated,
    /// A Linux i2c-dev node, e.g. `/dev/i2c-1`.
    Linux {
        /// The device node.
        path: PathBuf,
    },
}

/// One `[i2c.NAME]` entry.
pub type I2cEntry = crate::model::Entry<I2cSource, I2cPolicy>;

/// The keys of an I2C table.
const KEYS: &[&str] = &["device", "addresses", "max-transfer-bytes", "frequency-hz"];

/// What the `device` key of `[i2c.NAME]` must say.
const DEVICE: DeviceKey = DeviceKey {
    mapped_as: "is already mapped as ",
    mapped_note: " (to share a bus, list every address under one name)",
    missing: "missing required key: a linux board maps each I2C name to an i2c-dev node, e.g. \
              device = \"/dev/i2c-1\"",
    on_simulated: "a simulated board has no device nodes: the parts whose `i2c` key names this \
                   bus sit on it",
};

/// Reads `[i2c.NAME]`, in file order: one device node per name on a Linux board.
pub(crate) fn read_entries(
    root: &Table<'_, '_>,
    backend: Backend,
) -> Result<BTreeMap<String, I2cEntry>, BoardError> {
    let mut nodes = BTreeMap::new();
    read_named(root, "i2c", KEYS, |table, name| {
        let source = match device_node(table, backend, name, &mut nodes, "i2c", &DEVICE)? {
            Some(path) => I2cSource::Linux { path },
            None => I2cSource::Simulated,
        };
        Ok((source, read_policy(table, Context::Named)?))
    })
}

/// Reads and checks an I2C policy table.
pub(crate) fn read_policy(
    table: &Table<'_, '_>,
    context: Context,
) -> Result<I2cPolicy, BoardError> {
    table.only(KEYS)?;
    let listed = table.array::<u8>("addresses")?;
    let max_transfer_bytes = table.get::<u32>("max-transfer-bytes")?;
    let frequency_hz = table.get::<u32>("frequency-hz")?;
    let device = table.get::<String>("device")?;
    let addresses: BTreeSet<u8> = match (listed, context) {
        (Some(list), _) => {
            if let Some((i, address)) = list.iter().enumerate().find(|(_, a)| **a > 0x7F) {
                return Err(table.element_error(
                    "addresses",
                    i,
                    ErrorKind::InvalidValue,
                    format!("{address:#04x} is not a 7-bit address (0x00 to 0x7f)"),
                ));
            }
            list.into_iter().collect()
        }
        // Every address a target may use: not general call (0), not the reserved 0x01..=0x07
        // or 0x78..=0x7f.
        (None, Context::Discovery) => (0x08..=0x77).collect(),
        (None, Context::Named) => {
            return Err(table.key_error(
                "addresses",
                ErrorKind::MissingKey,
                "missing required key: the 7-bit addresses a guest may reach, e.g. addresses = \
                 [0x3c]",
            ));
        }
    };
    if addresses.is_empty() {
        return Err(table.value_error(
            "addresses",
            ErrorKind::ImpossiblePolicy,
            "no allowed addresses: a guest could reach nothing on this bus",
        ));
    }
    let max_transfer_bytes = max_transfer(table, "max-transfer-bytes", max_transfer_bytes)?;
    let frequency_hz = frequency_hz.unwrap_or(DEFAULT_I2C_FREQUENCY_HZ);
    if frequency_hz == 0 {
        return Err(table.value_error(
            "frequency-hz",
            ErrorKind::ImpossiblePolicy,
            "a bus clock of 0 Hz moves no data",
        ));
    }
    if context == Context::Discovery && device.is_some() {
        return Err(table.key_error(
            "device",
            ErrorKind::UnknownKey,
            "discovered buses take their node from the scan: remove `device`",
        ));
    }
    Ok(I2cPolicy {
        addresses,
        max_transfer_bytes,
        frequency_hz,
    })
}
