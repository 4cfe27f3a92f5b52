//! Opens `sensor:environment`, measures `n` times and reports every answer as one line of text:
//! `info <model> <quantities>`, then `ok t=<°C> p=<Pa> h=<%> g=<ohm>` (`-` for an absent
//! quantity) or `err <error-code>` per measurement, or `open-err <error-code>`.
#![no_std]
// The generated bindings are not documented; this program is not a library.
#![allow(missing_docs)]

extern crate alloc;
use test_programs_sensor as _;

wit_bindgen::generate!({
    inline: "package test:sensor-report; world guest { include sensor:environment/app@0.1.0; export report: func(n: u32) -> string; }",
    path: "../../../wit/sensor-environment",
    generate_all,
});

use alloc::format;
use alloc::string::String;
use sensor::environment::environment::{self, Quantities};

struct Program;

fn value(v: Option<f64>) -> String {
    v.map_or_else(|| String::from("-"), |v| format!("{v:.3}"))
}

impl Guest for Program {
    fn report(n: u32) -> String {
        let sensor = match environment::open() {
            Ok(sensor) => sensor,
            Err(e) => return format!("open-err {}\n", e.name()),
        };
        let info = sensor.get_info();
        let mut out = format!("info {}", info.model);
        for (flag, name) in [
            (Quantities::TEMPERATURE, "temperature"),
            (Quantities::PRESSURE, "pressure"),
            (Quantities::HUMIDITY, "humidity"),
            (Quantities::GAS_RESISTANCE, "gas"),
        ] {
            if info.quantities & flag == flag {
                out.push(' ');
                out.push_str(name);
            }
        }
        out.push('\n');
        for _ in 0..n {
            match sensor.measure() {
                Ok(m) => out.push_str(&format!(
                    "ok t={} p={} h={} g={}\n",
                    value(m.temperature_celsius),
                    value(m.pressure_pa),
                    value(m.humidity_percent),
                    value(m.gas_resistance_ohm)
                )),
                Err(e) => out.push_str(&format!("err {}\n", e.name())),
            }
        }
        out
    }
}

export!(Program);
