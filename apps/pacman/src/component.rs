//! The component's main loop: display, buttons and frame pacing over the WIT imports.

use display_graphics::GraphicsDisplay;
use display_graphics::pacing::{FRAME_NS_30_FPS, Pacer};
use display_graphics::wit::WitDisplay;
use embedded_graphics::pixelcolor::BinaryColor;
use embedded_graphics::prelude::Size;
use embedded_hal::delay::DelayNs;
use embedded_hal::digital::InputPin as _;
use embedded_hal_wasi::delay::Delay;
use embedded_hal_wasi::gpio::{self, InputPin, PinModes};
use pacman::args::Args;
use pacman::game::{Dir, Game, Input};
use pacman::maze::Maze;
use pacman::render::{self, Layout};
use std::process::ExitCode;

/// Runs the game until `--frames` frames have been shown, or forever.
pub fn run(args: Args) -> ExitCode {
    let panel = match WitDisplay::open() {
        Ok(panel) => panel,
        Err(err) => {
            eprintln!("pacman: cannot open the display: {err:?}");
            return ExitCode::FAILURE;
        }
    };
    let mut display = match GraphicsDisplay::<_, BinaryColor>::new(panel) {
        Ok(display) => display,
        Err(err) => {
            eprintln!("pacman: {err}");
            return ExitCode::FAILURE;
        }
    };
    let info = display.info();
    let Some(maze) = Maze::for_display(info.width, info.height) else {
        eprintln!(
            "pacman: the display is {}x{}; the smallest maze needs {}x{}",
            info.width,
            info.height,
            Maze::small().pixel_width(),
            Maze::small().pixel_height()
        );
        return ExitCode::FAILURE;
    };
    let layout = Layout::new(Size::new(info.width, info.height), &maze);
    let mut buttons = Buttons::open(args.buttons_active_high);
    let mut game = Game::new(maze, args.seed);
    let mut delay = Delay;
    let mut pacer = Pacer::new(FRAME_NS_30_FPS, delay.now_ns());
    let mut frame = 0u64;
    while args.frames.is_none_or(|n| frame < n) {
        game.step(buttons.read());
        let Ok(()) = render::draw(&game, &layout, &mut display);
        if let Err(err) = display.flush() {
            eprintln!("pacman: the display failed: {err:?}");
            return ExitCode::FAILURE;
        }
        frame += 1;
        let wait = pacer.wait_ns(delay.now_ns());
        if wait > 0 {
            delay.delay_ns(u32::try_from(wait).unwrap_or(u32::MAX));
        }
    }
    ExitCode::SUCCESS
}

/// The direction buttons the board offers (none, some or all four).
struct Buttons {
    pins: Vec<(Dir, InputPin)>,
    active_high: bool,
}

impl Buttons {
    /// Opens `button-<dir>` (or `btn-<dir>`) for each direction the board offers as an input.
    fn open(active_high: bool) -> Self {
        let offered = gpio::pins();
        let mut pins = Vec::new();
        for (dir, name) in [
            (Dir::Up, "up"),
            (Dir::Down, "down"),
            (Dir::Left, "left"),
            (Dir::Right, "right"),
        ] {
            let candidates = [format!("button-{name}"), format!("btn-{name}")];
            let Some(pin) = candidates.iter().find(|candidate| {
                offered.iter().any(|p| {
                    &p.name == *candidate && (p.modes & PinModes::INPUT) == PinModes::INPUT
                })
            }) else {
                continue;
            };
            match InputPin::open(pin) {
                Ok(input) => pins.push((dir, input)),
                Err(err) => eprintln!("pacman: cannot open button {pin}: {err}"),
            }
        }
        Self { pins, active_high }
    }

    /// The buttons held now; a pin that cannot be read counts as released.
    fn read(&mut self) -> Input {
        let mut input = Input::default();
        for (dir, pin) in &mut self.pins {
            let pressed = match pin.is_high() {
                Ok(high) => high == self.active_high,
                Err(_) => false,
            };
            if pressed {
                match dir {
                    Dir::Up => input.up = true,
                    Dir::Down => input.down = true,
                    Dir::Left => input.left = true,
                    Dir::Right => input.right = true,
                }
            }
        }
        input
    }
}
