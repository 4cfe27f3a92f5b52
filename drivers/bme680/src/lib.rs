//! A `sensor:environment` driver component for a Bosch BME680 (or BME688) on I2C.
//!
//! Exports `sensor:environment/environment@0.1.0`; imports `wasi:i2c/i2c@0.1.0`,
//! `wasi:delay/delay@0.1.0` and `wasi:config/store@0.2.0-rc.1`, nothing else.
//!
//! `open` soft-resets the sensor (`0xE0` ← `0xB6`, then 10 ms), checks the chip id (`0xD0` =
//! `0x61`), reads the variant id and the calibration (`0x8A`, 23 bytes; `0xE1`, 14; `0x00`, 5) and
//! writes the settings in one write of register/value pairs. `measure` writes `ctrl_hum` and then
//! `ctrl_meas` with forced mode, waits the datasheet's measurement time (plus the heater duration)
//! with `wasi:delay`, reads the data registers from `0x1D` and compensates them with Bosch's
//! integer formulas (see [`compensation`]).
//!
//! # Configuration (`wasi:config/store`; a missing key means the default)
//! | key | default | values |
//! | --- | --- | --- |
//! | `sensor.i2c-bus` | `i2c0` | the virtual name of the I2C bus |
//! | `sensor.address` | `0x76` | `0x76` or `0x77` (or `118`, `119`) |
//! | `sensor.oversampling-temperature` | `8` | `1`, `2`, `4`, `8`, `16` |
//! | `sensor.oversampling-pressure` | `4` | `none`, `1`, `2`, `4`, `8`, `16` |
//! | `sensor.oversampling-humidity` | `2` | `none`, `1`, `2`, `4`, `8`, `16` |
//! | `sensor.iir-filter` | `3` | `off`, `1`, `3`, `7`, `15`, `31`, `63`, `127` |
//! | `sensor.heater-temperature-c` | `320` | 1 to 400, or `off` |
//! | `sensor.heater-duration-ms` | `150` | 1 to 4032, or `off` |
//!
//! An invalid value makes `open` fail with `other` before anything is sent.
#![no_std]

extern crate alloc;

use component_runtime as _;

pub mod compensation;
pub mod config;
pub mod sensor;

mod bindings {
    #![allow(missing_docs, reason = "generated")]
    wit_bindgen::generate!({
        path: ["../../wit/sensor-environment", "../../wit/wasi-i2c", "../../wit/wasi-delay", "../wit-deps/config", "wit"],
        world: "wasi-hal:bme680/driver",
        generate_all,
    });
}

use alloc::string::String;
use bindings::exports::sensor::environment::environment::{
    self as wit, ErrorCode, Guest, GuestSensor, Measurement, Quantities, SensorInfo,
};
use bindings::wasi::config::store;
use config::{Heater, Settings};
use core::cell::RefCell;
use core::sync::atomic::{AtomicBool, Ordering};
use embedded_hal_wasi::delay::Delay;
use embedded_hal_wasi::i2c::{
    Bus, Error as I2cError, ErrorCode as I2cCode, WitNoAcknowledgeSource,
};
use sensor::{Bme680, Error, Variant};

/// Key of the I2C bus's virtual name.
const KEY_BUS: &str = "sensor.i2c-bus";
/// Key of the sensor's address.
const KEY_ADDRESS: &str = "sensor.address";
/// Keys of the oversampling settings.
const KEY_OSRS_T: &str = "sensor.oversampling-temperature";
const KEY_OSRS_P: &str = "sensor.oversampling-pressure";
const KEY_OSRS_H: &str = "sensor.oversampling-humidity";
/// Key of the IIR filter coefficient.
const KEY_FILTER: &str = "sensor.iir-filter";
/// Keys of the heater set-point.
const KEY_HEATER_C: &str = "sensor.heater-temperature-c";
const KEY_HEATER_MS: &str = "sensor.heater-duration-ms";

/// Whether a sensor is open (a component drives one sensor).
static OPEN: AtomicBool = AtomicBool::new(false);

struct Driver;

/// The open sensor.
struct Sensor(RefCell<Bme680<Bus, Delay>>);

impl Guest for Driver {
    type Sensor = Sensor;

    fn open() -> Result<wit::Sensor, ErrorCode> {
        if OPEN.swap(true, Ordering::Relaxed) {
            return Err(ErrorCode::InUse);
        }
        match open() {
            Ok(sensor) => Ok(wit::Sensor::new(Sensor(RefCell::new(sensor)))),
            Err(e) => {
                OPEN.store(false, Ordering::Relaxed);
                Err(code(e))
            }
        }
    }
}

fn open() -> Result<Bme680<Bus, Delay>, Error> {
    let bus_name = get(KEY_BUS, "i2c0")?;
    let address = config::parse_address(&get(KEY_ADDRESS, "0x76")?).ok_or(Error::Other)?;
    let settings = settings()?;
    let bus = Bus::open(&bus_name).map_err(|e| i2c_error(&e))?;
    Bme680::open(bus, Delay, address, settings, i2c_error)
}

/// The measurement settings from the configuration.
fn settings() -> Result<Settings, Error> {
    let osrs = |key, default, may_skip| {
        config::parse_oversampling(&get(key, default)?, may_skip).ok_or(Error::Other)
    };
    let target =
        config::parse_heater_temperature(&get(KEY_HEATER_C, "320")?).ok_or(Error::Other)?;
    let duration =
        config::parse_heater_duration(&get(KEY_HEATER_MS, "150")?).ok_or(Error::Other)?;
    Ok(Settings {
        osrs_t: osrs(KEY_OSRS_T, "8", false)?,
        osrs_p: osrs(KEY_OSRS_P, "4", true)?,
        osrs_h: osrs(KEY_OSRS_H, "2", true)?,
        filter: config::parse_filter(&get(KEY_FILTER, "3")?).ok_or(Error::Other)?,
        heater: match (target, duration) {
            (Some(target_celsius), Some(duration_ms)) => Some(Heater {
                target_celsius,
                duration_ms,
            }),
            _ => None,
        },
    })
}

/// The value of `key`, or `default` when the key is missing.
fn get(key: &str, default: &str) -> Result<String, Error> {
    match store::get(key) {
        Ok(Some(value)) => Ok(value),
        Ok(None) => Ok(default.into()),
        Err(_) => Err(Error::Other),
    }
}

/// What an I2C error means for the sensor.
fn i2c_error(e: &I2cError) -> Error {
    match e.0 {
        I2cCode::NotPermitted | I2cCode::AddressNotPermitted => Error::NotPermitted,
        I2cCode::InUse => Error::InUse,
        I2cCode::NoAcknowledge(
            WitNoAcknowledgeSource::Address | WitNoAcknowledgeSource::Unknown,
        ) => Error::NotConnected,
        I2cCode::TooLarge | I2cCode::Other => Error::Other,
        I2cCode::NoAcknowledge(WitNoAcknowledgeSource::Data)
        | I2cCode::Bus
        | I2cCode::ArbitrationLoss
        | I2cCode::Overrun => Error::BusError,
    }
}

fn code(e: Error) -> ErrorCode {
    match e {
        Error::NotConnected => ErrorCode::NotConnected,
        Error::BusError => ErrorCode::BusError,
        Error::NotPermitted => ErrorCode::NotPermitted,
        Error::InUse => ErrorCode::InUse,
        Error::Timeout => ErrorCode::Timeout,
        Error::Other => ErrorCode::Other,
    }
}

impl GuestSensor for Sensor {
    fn get_info(&self) -> SensorInfo {
        let Ok(sensor) = self.0.try_borrow() else {
            // Calls into a component never overlap, so this does not happen.
            return SensorInfo {
                model: "BME680".into(),
                quantities: Quantities::TEMPERATURE,
            };
        };
        let st = sensor.settings();
        let mut quantities = Quantities::TEMPERATURE;
        if st.osrs_p != 0 {
            quantities = quantities | Quantities::PRESSURE;
        }
        if st.osrs_h != 0 {
            quantities = quantities | Quantities::HUMIDITY;
        }
        if st.heater.is_some() {
            quantities = quantities | Quantities::GAS_RESISTANCE;
        }
        let model = match sensor.variant() {
            Variant::Bme680 => "BME680",
            Variant::Bme688 => "BME688",
        };
        SensorInfo {
            model: model.into(),
            quantities,
        }
    }

    fn measure(&self) -> Result<Measurement, ErrorCode> {
        let mut sensor = self.0.try_borrow_mut().map_err(|_| ErrorCode::Other)?;
        let r = sensor.measure().map_err(code)?;
        Ok(Measurement {
            temperature_celsius: Some(f64::from(r.centi_celsius) / 100.0),
            pressure_pa: r.pressure_pa.map(f64::from),
            humidity_percent: r.milli_percent.map(|h| f64::from(h) / 1000.0),
            gas_resistance_ohm: r.gas_ohm.map(f64::from),
        })
    }
}

impl Drop for Sensor {
    fn drop(&mut self) {
        OPEN.store(false, Ordering::Relaxed);
    }
}

bindings::export!(Driver with_types_in bindings);
