//! A guest of the world `sensor:environment/driver`: a sensor with fixed readings.
#![no_std]
// The generated bindings are not documented; this program is not a library.
#![allow(missing_docs)]

extern crate alloc;
use test_programs_worlds as _;

wit_bindgen::generate!({
    world: "sensor:environment/driver",
    path: "../../../wit/sensor-environment",
    generate_all,
});

use exports::sensor::environment::environment::{
    ErrorCode, Guest, GuestSensor, Measurement, Quantities, Sensor, SensorInfo,
};

struct Driver;

impl Guest for Driver {
    type Sensor = Driver;

    fn open() -> Result<Sensor, ErrorCode> {
        Ok(Sensor::new(Driver))
    }
}

impl GuestSensor for Driver {
    fn get_info(&self) -> SensorInfo {
        SensorInfo {
            model: alloc::string::String::from("fixed"),
            quantities: Quantities::TEMPERATURE,
        }
    }

    fn measure(&self) -> Result<Measurement, ErrorCode> {
        Ok(Measurement {
            temperature_celsius: Some(21.5),
            pressure_pa: None,
            humidity_percent: None,
            gas_resistance_ohm: None,
        })
    }
}

export!(Driver);
