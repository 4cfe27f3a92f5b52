//! `[sensor.NAME]`: an environmental sensor the host reads itself and serves to guests as
//! `sensor:environment`: a Linux IIO device (the kernel's dht11, bme280, bme680 drivers ...) or,
//! on a simulated board, a simulated DHT22.

use crate::document::Table;
use crate::error::{BoardError, ErrorKind, Location};
use crate::model::Backend;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Where a Linux board's IIO device is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum IioDevice {
    /// `device` is an absolute path: the device's sysfs folder
    /// (`/sys/bus/iio/devices/iio:device0`).
    Path(PathBuf),
    /// `device` is a name: the device whose `name` file says it (`dht11`), found under
    /// `/sys/bus/iio/devices` when the board is built.
    Name(String),
}

/// A simulated DHT22's air and failures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SimDht22Settings {
    /// `temperature-c` (default 21).
    pub temperature_c: f64,
    /// `humidity-percent` (default 45).
    pub humidity_percent: f64,
    /// `fail-every`: every n-th read fails with `EIO`, as real reads do now and then (default:
    /// none fails).
    pub fail_every: Option<u32>,
}

/// What is behind a sensor name.
#[derive(Clone, Debug, PartialEq)]
pub enum SensorSource {
    /// A simulated DHT22 (`model = "dht22"`, the only simulated model).
    SimulatedDht22(SimDht22Settings),
    /// A Linux IIO device read through sysfs.
    Linux(IioDevice),
}

/// One `[sensor.NAME]` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct SensorEntry {
    /// What is behind the name.
    pub source: SensorSource,
    /// Where the entry is in the file.
    pub location: Location,
}

/// The keys of a sensor table.
const KEYS: &[&str] = &[
    "device",
    "model",
    "temperature-c",
    "humidity-percent",
    "fail-every",
];

/// Reads `[sensor.NAME]`. `sensor:environment`'s `open` takes no name, so a board offers one
/// host-read sensor: a second entry is an error.
pub(crate) fn read_entries(
    root: &Table<'_, '_>,
    backend: Backend,
) -> Result<BTreeMap<String, SensorEntry>, BoardError> {
    let mut entries = BTreeMap::new();
    for (name, table) in root.named_tables("sensor")? {
        table.only(KEYS)?;
        if let Some(first) = entries.keys().next() {
            return Err(table.table_error(
                ErrorKind::InvalidValue,
                format!(
                    "a board offers one host-read sensor (sensor:environment's `open` takes no \
                     name), and `sensor.{first}` is it"
                ),
            ));
        }
        let source = match backend {
            Backend::Linux => read_linux(&table)?,
            Backend::Simulated => read_simulated(&table)?,
        };
        entries.insert(
            name.to_owned(),
            SensorEntry {
                source,
                location: table.location(),
            },
        );
    }
    Ok(entries)
}

fn read_linux(table: &Table<'_, '_>) -> Result<SensorSource, BoardError> {
    if let Some(key) = ["model", "temperature-c", "humidity-percent", "fail-every"]
        .into_iter()
        .find(|k| table.has(k))
    {
        return Err(table.key_error(
            key,
            ErrorKind::InvalidValue,
            "a linux board reads a real sensor: only `device` applies",
        ));
    }
    let Some(device) = table.get::<String>("device")? else {
        return Err(table.key_error(
            "device",
            ErrorKind::MissingKey,
            "missing required key: the IIO device, as its sysfs folder (device = \
             \"/sys/bus/iio/devices/iio:device0\") or its driver's name (device = \"dht11\")",
        ));
    };
    if device.trim().is_empty() {
        return Err(table.value_error("device", ErrorKind::InvalidValue, "the device is empty"));
    }
    let path = std::path::Path::new(&device);
    Ok(SensorSource::Linux(if path.is_absolute() {
        IioDevice::Path(path.components().collect())
    } else if device.contains('/') {
        return Err(table.value_error(
            "device",
            ErrorKind::InvalidValue,
            format!(
                "`{device}` is neither an absolute path nor an IIO device name (e.g. \"dht11\")"
            ),
        ));
    } else {
        IioDevice::Name(device)
    }))
}

fn read_simulated(table: &Table<'_, '_>) -> Result<SensorSource, BoardError> {
    if table.has("device") {
        return Err(table.key_error(
            "device",
            ErrorKind::InvalidValue,
            "a simulated board has no IIO devices: the sensor is a simulated part (model = \
             \"dht22\")",
        ));
    }
    let model = table.get::<String>("model")?;
    if let Some(model) = model.filter(|m| m != "dht22") {
        return Err(table.value_error(
            "model",
            ErrorKind::InvalidValue,
            format!("unknown simulated sensor `{model}` (the simulated model is \"dht22\")"),
        ));
    }
    let temperature_c = table.get::<f64>("temperature-c")?.unwrap_or(21.0);
    let humidity_percent = table.get::<f64>("humidity-percent")?.unwrap_or(45.0);
    if !(-40.0..=80.0).contains(&temperature_c) {
        return Err(table.value_error(
            "temperature-c",
            ErrorKind::InvalidValue,
            format!("a DHT22 measures -40 to 80 °C, not {temperature_c}"),
        ));
    }
    if !(0.0..=100.0).contains(&humidity_percent) {
        return Err(table.value_error(
            "humidity-percent",
            ErrorKind::InvalidValue,
            format!("relative humidity is 0 to 100 %, not {humidity_percent}"),
        ));
    }
    let fail_every = table.get::<u32>("fail-every")?;
    if fail_every == Some(0) {
        return Err(table.value_error(
            "fail-every",
            ErrorKind::InvalidValue,
            "fail-every is a count of reads, at least 1",
        ));
    }
    Ok(SensorSource::SimulatedDht22(SimDht22Settings {
        temperature_c,
        humidity_percent,
        fail_every,
    }))
}
