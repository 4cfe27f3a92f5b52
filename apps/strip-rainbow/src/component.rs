//! The component's main loop: the strip and frame pacing over the WIT imports.

use display_graphics::pacing::{FRAME_NS_30_FPS, Pacer};
use embedded_hal::delay::DelayNs;
use embedded_hal_wasi::delay::Delay;
use std::process::ExitCode;
use strip_rainbow::Rainbow;
use strip_rainbow::args::Args;

mod bindings {
    #![allow(missing_docs, reason = "generated")]
    wit_bindgen::generate!({
        inline: "package wasi-hal:strip-rainbow; world app { include led:strip/app@0.1.0; }",
        path: ["../../wit/led-strip"],
        generate_all,
    });
}

use bindings::led::strip::strip::{self, Color};

/// Runs the rainbow until `--frames` frames have been shown, or forever.
pub fn run(args: Args) -> ExitCode {
    let led_strip = match strip::open() {
        Ok(s) => s,
        Err(err) => {
            eprintln!("strip-rainbow: cannot open the strip: {err:?}");
            return ExitCode::FAILURE;
        }
    };
    let length = led_strip.get_info().length;
    led_strip.set_brightness(args.brightness);
    let mut rainbow = Rainbow::new(args.speed);
    let mut delay = Delay;
    let mut pacer = Pacer::new(FRAME_NS_30_FPS, delay.now_ns());
    let mut frame = 0u64;
    let mut colors = Vec::with_capacity(length as usize);
    while args.frames.is_none_or(|n| frame < n) {
        colors.clear();
        colors.extend(
            rainbow
                .colors(length)
                .into_iter()
                .map(|[red, green, blue, white]| Color {
                    red,
                    green,
                    blue,
                    white,
                }),
        );
        let shown = led_strip
            .set_colors(0, &colors)
            .and_then(|()| led_strip.show());
        if let Err(err) = shown {
            eprintln!("strip-rainbow: the strip failed: {err:?}");
            return ExitCode::FAILURE;
        }
        rainbow.step();
        frame += 1;
        let wait = pacer.wait_ns(delay.now_ns());
        if wait > 0 {
            delay.delay_ns(u32::try_from(wait).unwrap_or(u32::MAX));
        }
    }
    ExitCode::SUCCESS
}
