//! The BME680 environmental sensor (temperature, pressure, humidity, gas), and its BME688
//! sibling.
//!
//! - [`Bme680`] is the part: its register file, forced-mode measurements that take their
//!   datasheet duration in simulated time, soft reset, and [`Bme680Warning`]s for misuse. It
//!   measures either fixed raw ADC values ([`Bme680::set_raw`]) or physical [`Conditions`]
//!   turned into raw values through the inverse of Bosch's compensation ([`inverse`]).
//! - [`Bme680I2c`] and [`Bme680Spi`] put a part on a [`crate::SimI2cBus`] or behind a
//!   [`crate::SimSpiDevice`].
//! - [`compensation`] is Bosch's integer compensation (temperature, pressure, humidity, gas
//!   resistance, heater set-point), [`calibration`] the calibration bytes and parameters,
//!   [`registers`] the register map.
//!
//! The part and its bus interface share one [`SharedBme680`] (`Arc<Mutex<Bme680>>`): the bus
//! side holds a clone, and whoever drives the simulation keeps another to set the environment
//! and read the warnings between transactions:
//!
//! ```
//! use wasi_hal_sim::bme680::{Bme680, Bme680Address, Bme680I2c};
//! use wasi_hal_sim::{SimClock, SimI2cBus, Trace};
//! use embedded_hal::i2c::I2c;
//!
//! let clock = SimClock::new();
//! let mut bus = SimI2cBus::new("i2c-1", clock.clone(), Trace::new());
//! let part = Bme680::new(clock.clone()).into_shared();
//! Bme680I2c::attach(&part, &bus, Bme680Address::Primary);
//!
//! let mut id = [0];
//! bus.write_read(0x76, &[0xD0], &mut id).unwrap();
//! assert_eq!(id, [0x61]);
//! assert!(part.lock().unwrap().warnings().is_empty());
//! ```

pub mod calibration;
pub mod compensation;
mod i2c;
pub mod inverse;
mod model;
pub mod registers;
mod spi;

pub use calibration::{Calibration, CalibrationParams, NotCalibrationRegister};
pub use i2c::{Bme680Address, Bme680I2c};
pub use model::{
    Bme680, Bme680Variant, Bme680Warning, Conditions, Environment, RawSample, STARTUP_NS,
    SharedBme680, WarningKind,
};
pub use spi::{Bme680Spi, MAX_SPI_HZ};
