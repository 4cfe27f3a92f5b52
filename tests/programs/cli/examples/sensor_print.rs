//! A command that reads the host-served `sensor:environment` three times and prints each answer
//! as a line: `info <model>`, then `ok t=<°C> h=<%>` or `err <error-code>`, or one
//! `open-err <error-code>` line. What a weather app sees from a kernel sensor.
// The generated bindings are not documented; this program is not a library.
#![allow(missing_docs)]

wit_bindgen::generate!({
    inline: "package test:sensor-print; world guest { include sensor:environment/app@0.1.0; }",
    path: "../../../wit/sensor-environment",
    generate_all,
});

use sensor::environment::environment;

fn value(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{v:.1}"))
}

fn main() {
    let sensor = match environment::open() {
        Ok(sensor) => sensor,
        Err(e) => {
            println!("open-err {}", e.name());
            return;
        }
    };
    println!("info {}", sensor.get_info().model);
    for _ in 0..3 {
        match sensor.measure() {
            Ok(m) => println!(
                "ok t={} h={}",
                value(m.temperature_celsius),
                value(m.humidity_percent)
            ),
            Err(e) => println!("err {}", e.name()),
        }
    }
}
