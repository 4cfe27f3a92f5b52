//! The component's main loop: sensor, display and frame pacing over the WIT imports.

use display_graphics::GraphicsDisplay;
use display_graphics::pacing::Pacer;
use display_graphics::wit::WitDisplay;
use embedded_graphics::pixelcolor::BinaryColor;
use embedded_graphics::prelude::Size;
use embedded_hal::delay::DelayNs;
use embedded_hal_wasi::delay::Delay;
use std::process::ExitCode;
use weather_station::args::Args;
use weather_station::{Reading, Screen};

/// The generated bindings of the `sensor:environment/app` world.
#[allow(missing_docs, reason = "generated")]
mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/sensor-environment",
        world: "sensor:environment/app",
    });
}

use bindings::sensor::environment::environment as wit;

/// The WIT name of a sensor error, as shown on the screen.
fn error_name(code: wit::ErrorCode) -> &'static str {
    match code {
        wit::ErrorCode::NotConnected => "not-connected",
        wit::ErrorCode::BusError => "bus-error",
        wit::ErrorCode::NotPermitted => "not-permitted",
        wit::ErrorCode::InUse => "in-use",
        wit::ErrorCode::Timeout => "timeout",
        wit::ErrorCode::Other => "other",
    }
}

/// Runs the station until `--frames` frames have been shown, or forever.
pub fn run(args: Args) -> ExitCode {
    let panel = match WitDisplay::open() {
        Ok(panel) => panel,
        Err(err) => {
            eprintln!("weather-station: cannot open the display: {err:?}");
            return ExitCode::FAILURE;
        }
    };
    let mut display = match GraphicsDisplay::<_, BinaryColor>::new(panel) {
        Ok(display) => display,
        Err(err) => {
            eprintln!("weather-station: {err}");
            return ExitCode::FAILURE;
        }
    };
    let info = display.info();
    let mut screen = Screen::new(Size::new(info.width, info.height));
    let mut sensor: Option<wit::Sensor> = None;
    let mut delay = Delay;
    let frame_ns = u64::from(args.interval_ms) * 1_000_000;
    let mut pacer = Pacer::new(frame_ns, delay.now_ns());
    let mut frame = 0u64;
    while args.frames.is_none_or(|n| frame < n) {
        if sensor.is_none() {
            match wit::open() {
                Ok(opened) => sensor = Some(opened),
                Err(code) => screen.record_error(error_name(code)),
            }
        }
        if let Some(open) = &sensor {
            match open.measure() {
                Ok(m) => screen.record(Reading {
                    temperature_celsius: m.temperature_celsius,
                    pressure_pa: m.pressure_pa,
                    humidity_percent: m.humidity_percent,
                    gas_resistance_ohm: m.gas_resistance_ohm,
                }),
                Err(code) => screen.record_error(error_name(code)),
            }
        }
        let Ok(()) = screen.draw(&mut display);
        if let Err(err) = display.flush() {
            eprintln!("weather-station: the display failed: {err:?}");
            return ExitCode::FAILURE;
        }
        frame += 1;
        // Wait in steps of at most a second (delay-ns takes a u32 of nanoseconds).
        let mut wait = pacer.wait_ns(delay.now_ns());
        while wait > 0 {
            let step = wait.min(1_000_000_000);
            delay.delay_ns(step as u32);
            wait -= step;
        }
    }
    ExitCode::SUCCESS
}
