//! Linux IIO devices in sysfs (`/sys/bus/iio/devices/iio:deviceN`), read as the kernel's IIO ABI
//! documents them (Documentation/ABI/testing/sysfs-bus-iio).
//!
//! A channel is read from its processed value, `in_<type>_input`, or else from
//! `(in_<type>_raw + in_<type>_offset) * in_<type>_scale`. Units are the ABI's: temperature in
//! milli-degrees Celsius, relative humidity in milli-percent, pressure in kilopascals,
//! resistance in ohms. Every read opens the file anew, as the kernel driver does the measuring
//! when the file is read.

use crate::source::{EnvironmentSource, Quantities, Reading, SourceError, SourceInfo};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Where Linux lists its IIO devices.
pub const IIO_DEVICES: &str = "/sys/bus/iio/devices";

/// A quantity, its sysfs channel name, and the factor from the ABI's unit to ours.
const CHANNELS: [(Quantity, &str, f64); 4] = [
    (Quantity::Temperature, "temp", 0.001),
    (Quantity::Humidity, "humidityrelative", 0.001),
    (Quantity::Pressure, "pressure", 1000.0),
    (Quantity::GasResistance, "resistance", 1.0),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quantity {
    Temperature,
    Humidity,
    Pressure,
    GasResistance,
}

/// How a channel's value is read.
#[derive(Clone, Debug)]
enum Value {
    /// `in_<type>_input`.
    Processed(PathBuf),
    /// `in_<type>_raw`, with the scale and offset read when the device was opened.
    Raw {
        raw: PathBuf,
        scale: f64,
        offset: f64,
    },
}

#[derive(Clone, Debug)]
struct Channel {
    quantity: Quantity,
    value: Value,
    /// From the ABI's unit to `sensor:environment`'s.
    factor: f64,
}

/// One IIO device, found by its directory or by the name its driver gives it.
#[derive(Clone, Debug)]
pub struct SysfsIio {
    dir: PathBuf,
    name: String,
    channels: Vec<Channel>,
}

/// Why an IIO device could not be opened.
#[derive(Debug)]
pub enum OpenError {
    /// No device under the root has that name; the names that are there, for the message.
    NotFound {
        /// The name asked for.
        name: String,
        /// The folder searched.
        root: PathBuf,
        /// The names found.
        found: Vec<String>,
    },
    /// The device has no channel this crate knows.
    NoChannels(PathBuf),
    /// Reading the device's files failed.
    Io(PathBuf, io::Error),
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::NotFound { name, root, found } if found.is_empty() => write!(
                f,
                "no IIO device named `{name}` under {}: there is none (is the kernel driver loaded?)",
                root.display()
            ),
            OpenError::NotFound { name, root, found } => write!(
                f,
                "no IIO device named `{name}` under {}; there are: {}",
                root.display(),
                found.join(", ")
            ),
            OpenError::NoChannels(dir) => write!(
                f,
                "{} has no temperature, humidity, pressure or resistance channel",
                dir.display()
            ),
            OpenError::Io(path, e) => write!(f, "{}: {e}", path.display()),
        }
    }
}

impl std::error::Error for OpenError {}

impl SysfsIio {
    /// The device whose driver calls it `name` (the `name` file), under `root` (normally
    /// [`IIO_DEVICES`]; tests pass a fake tree).
    pub fn find(root: &Path, name: &str) -> Result<Self, OpenError> {
        let entries = fs::read_dir(root).map_err(|e| OpenError::Io(root.to_path_buf(), e))?;
        let mut found = Vec::new();
        let mut dirs: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        dirs.sort();
        for dir in dirs {
            let Ok(text) = fs::read_to_string(dir.join("name")) else {
                continue;
            };
            let device_name = text.trim().to_string();
            if device_name == name {
                return Self::open(&dir);
            }
            found.push(device_name);
        }
        Err(OpenError::NotFound {
            name: name.to_string(),
            root: root.to_path_buf(),
            found,
        })
    }

    /// The device in `dir` (`.../iio:deviceN`).
    pub fn open(dir: &Path) -> Result<Self, OpenError> {
        let name = fs::read_to_string(dir.join("name"))
            .map_err(|e| OpenError::Io(dir.join("name"), e))?
            .trim()
            .to_string();
        let mut channels = Vec::new();
        for (quantity, channel, factor) in CHANNELS {
            let input = dir.join(format!("in_{channel}_input"));
            let raw = dir.join(format!("in_{channel}_raw"));
            let value = if input.exists() {
                Value::Processed(input)
            } else if raw.exists() {
                let number = |suffix: &str, default: f64| -> Result<f64, OpenError> {
                    let path = dir.join(format!("in_{channel}_{suffix}"));
                    match fs::read_to_string(&path) {
                        Ok(text) => parse(&text).ok_or_else(|| {
                            OpenError::Io(
                                path.clone(),
                                io::Error::new(io::ErrorKind::InvalidData, "not a number"),
                            )
                        }),
                        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(default),
                        Err(e) => Err(OpenError::Io(path, e)),
                    }
                };
                Value::Raw {
                    raw,
                    scale: number("scale", 1.0)?,
                    offset: number("offset", 0.0)?,
                }
            } else {
                continue;
            };
            channels.push(Channel {
                quantity,
                value,
                factor,
            });
        }
        if channels.is_empty() {
            return Err(OpenError::NoChannels(dir.to_path_buf()));
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            name,
            channels,
        })
    }

    /// The device's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn read_channel(&self, channel: &Channel) -> Result<f64, SourceError> {
        let (path, scale, offset) = match &channel.value {
            Value::Processed(path) => (path, 1.0, 0.0),
            Value::Raw { raw, scale, offset } => (raw, *scale, *offset),
        };
        let text = fs::read_to_string(path).map_err(|e| source_error(path, &e))?;
        let value = parse(&text).ok_or_else(|| {
            SourceError::Other(format!(
                "{}: `{}` is not a number",
                path.display(),
                text.trim()
            ))
        })?;
        Ok((value + offset) * scale * channel.factor)
    }
}

/// A sysfs value: an integer or a decimal, possibly with a trailing newline.
fn parse(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// The kernel's error on reading `path` as a [`SourceError`].
fn source_error(path: &Path, e: &io::Error) -> SourceError {
    let message = format!("reading {}: {e}", path.display());
    match e.raw_os_error() {
        Some(5) => SourceError::Bus(message),
        Some(110) => SourceError::Timeout(message),
        Some(2 | 6 | 19) => SourceError::NotConnected(message),
        _ => SourceError::Other(message),
    }
}

impl EnvironmentSource for SysfsIio {
    fn info(&self) -> SourceInfo {
        let has = |q| self.channels.iter().any(|c| c.quantity == q);
        SourceInfo {
            model: self.name.clone(),
            quantities: Quantities {
                temperature: has(Quantity::Temperature),
                pressure: has(Quantity::Pressure),
                humidity: has(Quantity::Humidity),
                gas_resistance: has(Quantity::GasResistance),
            },
        }
    }

    fn measure(&mut self) -> Result<Reading, SourceError> {
        let mut reading = Reading::default();
        for channel in &self.channels {
            let value = Some(self.read_channel(channel)?);
            match channel.quantity {
                Quantity::Temperature => reading.temperature_celsius = value,
                Quantity::Humidity => reading.humidity_percent = value,
                Quantity::Pressure => reading.pressure_pa = value,
                Quantity::GasResistance => reading.gas_resistance_ohm = value,
            }
        }
        Ok(reading)
    }
}
