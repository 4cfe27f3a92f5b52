//! The board file as data: one TOML file that says what hardware a wasi-hal host offers its
//! guests, read and checked into a [`BoardFile`] with no live devices in it.
//!
//! A board file maps each virtual name a guest may open (an SPI device, an I2C bus, a GPIO line)
//! to what is behind it (a Linux device node, or a simulated part) and sets the policy for it.
//! The schema is documented in `docs/board-file.md`; `boards/` at the repository root has
//! examples. [`BoardFile::load`] and [`BoardFile::parse`] check every rule; every mistake is a
//! [`BoardError`] naming the file, line, column and key.
//!
//! The crate needs no Wasmtime: `wasi-hal-board` builds the live board from a [`BoardFile`], and
//! the virtual-board components read their board file with it at build time.
//!
//! One module per job: [`model`](BoardFile) (the board as a whole), [`spi`](SpiPolicy),
//! [`i2c`](I2cPolicy), [`gpio`](GpioPolicy), [`pwm`](PwmPolicy), [`sensor`](SensorSource),
//! [`discovery`](Discovery), one module per part kind
//! under [`parts`](PartKind), loading and the board-wide checks, and the reader of toml's spanned
//! document that locates every error ([`document`], public: the device file of
//! `wasi-hal-device-file` reads through it too, with its own error kinds).

pub mod discovery;
pub mod document;
mod error;
mod gpio;
mod i2c;
mod load;
mod model;
mod parts;
mod pwm;
mod sensor;
mod spi;

pub use discovery::Discovery;
pub use error::{BoardError, ErrorKind, FileError, Location, TomlSource, toml_type_name};
pub use gpio::{GpioEntry, GpioPolicy, GpioSource, Level, PinMode};
pub use i2c::{DEFAULT_I2C_FREQUENCY_HZ, I2cEntry, I2cPolicy, I2cSource};
pub use load::{DEFAULT_MAX_TRANSFER_BYTES, MAX_BOARD_FILE_BYTES, MAX_TRANSFER_BYTES_LIMIT};
pub use model::{Backend, BoardFile, Entry};
pub use parts::{
    Bme680Part, Bme680Variant, ButtonPart, BuzzerPart, BuzzerWiring, Conditions,
    DEFAULT_ACTIVE_PITCH_HZ, LedPart, MAX_STRIP_LENGTH, PanelSize, Part, PartKind,
    Ssd1306Interface, Ssd1306Part, Ssd1331Part, StripModel, Ws2812Part,
};
pub use pwm::{MAX_PWM_FREQUENCY_HZ, PwmEntry, PwmPolicy, PwmSource};
pub use sensor::{IioDevice, SensorEntry, SensorSource, SimDht22Settings};
pub use spi::{
    AboveMax, BitOrder, DEFAULT_DISCOVERY_SPI_MAX_FREQUENCY_HZ, SpiEntry, SpiMode, SpiPolicy,
    SpiSettings, SpiSource,
};
