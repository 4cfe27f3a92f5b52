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

use bindings::exports::sensor::environment::environment::{
    self as wit, ErrorCode, Guest, GuestSensor, Measurement, Quantities, SensorInfo,
};
use config::{Heater, Settings};
use core::cell::RefCell;
use embedded_hal_wasi::delay::Delay;
use embedded_hal_wasi::i2c::Bus;
use sensor::{Bme680, Error, Variant};
use wasi_hal_driver_support::config::{ConfigError, parsed, text_or};
use wasi_hal_driver_support::{OpenClaim, SingleOpen, i2c_error};

/// A component drives one sensor.
static OPEN: SingleOpen = SingleOpen::new();

struct Driver;

/// The open sensor, and the claim that keeps a second `open` out while it lives.
struct Sensor {
    sensor: RefCell<Bme680<Bus, Delay>>,
    _claim: OpenClaim,
}

impl Guest for Driver {
    type Sensor = Sensor;

    fn open() -> Result<wit::Sensor, ErrorCode> {
        let claim = OPEN.claim().ok_or(ErrorCode::InUse)?;
        let sensor = open().map_err(code)?;
        Ok(wit::Sensor::new(Sensor {
            sensor: RefCell::new(sensor),
            _claim: claim,
        }))
    }
}

fn open() -> Result<Bme680<Bus, Delay>, Error> {
    let bus_name = text_or("sensor.i2c-bus", "i2c0")?;
    let address = parsed("sensor.address", "0x76", config::parse_address)?;
    let settings = settings()?;
    let bus = Bus::open(&bus_name).map_err(|e| i2c_error::<Error>(&e))?;
    Bme680::open(bus, Delay, address, settings, i2c_error)
}

/// The measurement settings from the configuration.
fn settings() -> Result<Settings, ConfigError> {
    let osrs =
        |key, default, may_skip| parsed(key, default, |v| config::parse_oversampling(v, may_skip));
    let target = parsed(
        "sensor.heater-temperature-c",
        "320",
        config::parse_heater_temperature,
    )?;
    let duration = parsed(
        "sensor.heater-duration-ms",
        "150",
        config::parse_heater_duration,
    )?;
    Ok(Settings {
        osrs_t: osrs("sensor.oversampling-temperature", "8", false)?,
        osrs_p: osrs("sensor.oversampling-pressure", "4", true)?,
        osrs_h: osrs("sensor.oversampling-humidity", "2", true)?,
        filter: parsed("sensor.iir-filter", "3", config::parse_filter)?,
        heater: match (target, duration) {
            (Some(target_celsius), Some(duration_ms)) => Some(Heater {
                target_celsius,
                duration_ms,
            }),
            _ => None,
        },
    })
}

wasi_hal_driver_support::device_error_from_fault!(Error);

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
        let Ok(sensor) = self.sensor.try_borrow() else {
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
        let mut sensor = self.sensor.try_borrow_mut().map_err(|_| ErrorCode::Other)?;
        let r = sensor.measure().map_err(code)?;
        Ok(Measurement {
            temperature_celsius: Some(f64::from(r.centi_celsius) / 100.0),
            pressure_pa: r.pressure_pa.map(f64::from),
            humidity_percent: r.milli_percent.map(|h| f64::from(h) / 1000.0),
            gas_resistance_ohm: r.gas_ohm.map(f64::from),
        })
    }
}

bindings::export!(Driver with_types_in bindings);
