//! The component's main loop: the display and frame pacing over the WIT imports.

use ball_screensaver::args::Args;
use ball_screensaver::{BallColor, Scene};
use display_graphics::pacing::{FRAME_NS_30_FPS, Pacer};
use display_graphics::wit::WitDisplay;
use display_graphics::{GraphicsDisplay, PanelColor, PixelFormat, PixelSink};
use embedded_graphics::pixelcolor::{BinaryColor, Rgb565};
use embedded_hal::delay::DelayNs;
use embedded_hal_wasi::delay::Delay;
use std::process::ExitCode;

/// Runs the balls until `--frames` frames have been shown, or forever: in colour on an `rgb565`
/// display, lit on a `mono1` one.
pub fn run(args: Args) -> ExitCode {
    let panel = match WitDisplay::open() {
        Ok(panel) => panel,
        Err(err) => {
            eprintln!("ball-screensaver: cannot open the display: {err:?}");
            return ExitCode::FAILURE;
        }
    };
    match panel.info().format {
        PixelFormat::Rgb565 => run_in::<Rgb565>(panel, args),
        PixelFormat::Mono1 => run_in::<BinaryColor>(panel, args),
    }
}

fn run_in<C: BallColor + PanelColor>(panel: WitDisplay, args: Args) -> ExitCode {
    let mut display = match GraphicsDisplay::<_, C>::new(panel) {
        Ok(display) => display,
        Err(err) => {
            eprintln!("ball-screensaver: {err}");
            return ExitCode::FAILURE;
        }
    };
    let info = display.info();
    let mut scene = Scene::new(info.width, info.height, args.balls, args.seed);
    let mut delay = Delay;
    let mut pacer = Pacer::new(FRAME_NS_30_FPS, delay.now_ns());
    let mut frame = 0u64;
    while args.frames.is_none_or(|n| frame < n) {
        let Ok(()) = scene.draw(&mut display);
        if let Err(err) = display.flush() {
            eprintln!("ball-screensaver: the display failed: {err:?}");
            return ExitCode::FAILURE;
        }
        scene.step();
        frame += 1;
        let wait = pacer.wait_ns(delay.now_ns());
        if wait > 0 {
            delay.delay_ns(u32::try_from(wait).unwrap_or(u32::MAX));
        }
    }
    ExitCode::SUCCESS
}
