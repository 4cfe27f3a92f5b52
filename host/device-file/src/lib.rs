//! The device file as data: one TOML file that says what one wasi-hal device runs: its board
//! file, and the components on it, each with the board names it may open, its `wasi:config`
//! values, memory limit, restart policy and how it runs (a `wasi:cli/run` app, or a sensor the
//! host polls). `docs/device-file.md` documents the schema; `devices/` has examples.
//!
//! [`DeviceFile::load`] reads and checks it, and the board file it names; every mistake is a
//! [`DeviceError`] naming the file, line, column and key. Grants are checked at load: every
//! granted name exists on the board, and no name is granted to two components, except that an
//! I2C bus may be shared address by address (`"i2c0@0x76"`): two components on one bus, each
//! with its own devices.
//!
//! The crate needs no Wasmtime: `wasi-hal-runtime` runs what it describes.

mod error;
mod load;
mod model;
pub mod units;

pub use error::{DeviceError, ErrorKind, FileError, Location};
pub use load::{
    DEFAULT_MEMORY_LIMIT, MAX_COMPONENTS, MAX_DEVICE_FILE_BYTES, MAX_MEMORY_LIMIT, MAX_PLUGS,
    MIN_POLL_PERIOD,
};
pub use model::{
    Backoff, ComponentEntry, ComponentKind, ComponentSource, DeviceFile, Grant, RestartPolicy,
    Supply, TelemetryEntry,
};
pub use wasi_hal_board_file::BoardFile;
