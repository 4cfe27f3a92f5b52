//! Bouncing balls, as a `wasi:cli/run` component drawing on `display:pixels`.
//!
//! The simulation ([`Scene`]) is plain, deterministic Rust in sixteenths of a pixel, tested
//! natively with `cargo test -p ball-screensaver`; the component's main loop (`src/component.rs`)
//! draws it with embedded-graphics and paces frames with `wasi:delay`.

use embedded_graphics::pixelcolor::{BinaryColor, Rgb565};
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{Circle, PrimitiveStyle};

pub mod args;

/// Sub-pixel steps per pixel.
pub const SUB: i32 = 16;

/// A fixed-seed xorshift generator: the balls' start is the same on every run with one seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rng(u32);

impl Rng {
    /// A generator from `seed` (0 is replaced by a fixed non-zero seed).
    pub fn new(seed: u32) -> Self {
        Self(if seed == 0 { 0x9E37_79B9 } else { seed })
    }

    /// A number in `low..=high`.
    pub fn range(&mut self, low: i32, high: i32) -> i32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        low + (x % (high - low + 1) as u32) as i32
    }
}

/// One ball: its top-left corner and velocity in sixteenths of a pixel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ball {
    /// Left edge, in sixteenths of a pixel.
    pub x: i32,
    /// Top edge, in sixteenths of a pixel.
    pub y: i32,
    /// Horizontal speed, sixteenths of a pixel per frame.
    pub vx: i32,
    /// Vertical speed, sixteenths of a pixel per frame.
    pub vy: i32,
    /// Diameter in pixels.
    pub diameter: u32,
    /// Drawn filled (or as a ring).
    pub filled: bool,
}

impl Ball {
    /// Top-left corner in whole pixels.
    pub fn top_left(&self) -> Point {
        Point::new(self.x / SUB, self.y / SUB)
    }
}

/// The balls in a `width` x `height` pixel box.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scene {
    width: u32,
    height: u32,
    /// The balls.
    pub balls: Vec<Ball>,
}

impl Scene {
    /// `count` balls of sizes and speeds drawn from `seed`, sized for the display (diameters from
    /// a sixteenth to an eighth of the shorter side, at least 3 pixels).
    pub fn new(width: u32, height: u32, count: usize, seed: u32) -> Self {
        let mut rng = Rng::new(seed);
        let short = width.min(height) as i32;
        let small = (short / 16).max(3);
        let large = (short / 8).max(small);
        let balls = (0..count)
            .map(|i| {
                let diameter = rng.range(small, large).min(short) as u32;
                let max_x = (width - diameter) as i32 * SUB;
                let max_y = (height - diameter) as i32 * SUB;
                let speed = |rng: &mut Rng| {
                    let v = rng.range(SUB / 2, SUB * 3 / 2);
                    if rng.range(0, 1) == 0 { v } else { -v }
                };
                Ball {
                    x: rng.range(0, max_x),
                    y: rng.range(0, max_y),
                    vx: speed(&mut rng),
                    vy: speed(&mut rng),
                    diameter,
                    filled: i % 2 == 0,
                }
            })
            .collect();
        Self {
            width,
            height,
            balls,
        }
    }

    /// Moves every ball one frame, bouncing off the edges.
    pub fn step(&mut self) {
        for ball in &mut self.balls {
            let max_x = (self.width - ball.diameter) as i32 * SUB;
            let max_y = (self.height - ball.diameter) as i32 * SUB;
            (ball.x, ball.vx) = bounce(ball.x + ball.vx, ball.vx, max_x);
            (ball.y, ball.vy) = bounce(ball.y + ball.vy, ball.vy, max_y);
        }
    }

    /// Draws the frame: a clear screen and every ball, in [`BallColor`]'s colours (lit on a
    /// monochrome display; each ball its own colour on a colour one).
    pub fn draw<C, D>(&self, target: &mut D) -> Result<(), D::Error>
    where
        C: BallColor,
        D: DrawTarget<Color = C>,
    {
        target.clear(C::BACKGROUND)?;
        for (i, ball) in self.balls.iter().enumerate() {
            let color = C::ball(i);
            let style = if ball.filled {
                PrimitiveStyle::with_fill(color)
            } else {
                PrimitiveStyle::with_stroke(color, 1)
            };
            Circle::new(ball.top_left(), ball.diameter)
                .into_styled(style)
                .draw(target)?;
        }
        Ok(())
    }
}

/// The colours the balls are drawn in.
pub trait BallColor: PixelColor {
    /// The screen behind the balls.
    const BACKGROUND: Self;
    /// The colour of ball `i`.
    fn ball(i: usize) -> Self;
}

/// Monochrome: every ball lit.
impl BallColor for BinaryColor {
    const BACKGROUND: Self = BinaryColor::Off;
    fn ball(_: usize) -> Self {
        BinaryColor::On
    }
}

/// Colour: the balls take turns through six bright colours.
impl BallColor for Rgb565 {
    const BACKGROUND: Self = Rgb565::BLACK;
    fn ball(i: usize) -> Self {
        const PALETTE: [Rgb565; 6] = [
            Rgb565::RED,
            Rgb565::GREEN,
            Rgb565::BLUE,
            Rgb565::YELLOW,
            Rgb565::CYAN,
            Rgb565::MAGENTA,
        ];
        PALETTE[i % PALETTE.len()]
    }
}

/// A coordinate moved past `0..=max` is mirrored back in, and its speed turned round.
fn bounce(pos: i32, v: i32, max: i32) -> (i32, i32) {
    if pos < 0 {
        ((-pos).min(max), -v)
    } else if pos > max {
        ((2 * max - pos).max(0), -v)
    } else {
        (pos, v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balls_stay_on_the_display() {
        for (w, h) in [(128, 32), (128, 64), (96, 96), (20, 10)] {
            let mut scene = Scene::new(w, h, 8, 3);
            for _ in 0..20_000 {
                scene.step();
                for ball in &scene.balls {
                    let p = ball.top_left();
                    assert!(p.x >= 0 && p.y >= 0, "{ball:?} left the {w}x{h} display");
                    assert!(
                        p.x as u32 + ball.diameter <= w,
                        "{ball:?} past the right edge"
                    );
                    assert!(
                        p.y as u32 + ball.diameter <= h,
                        "{ball:?} past the bottom edge"
                    );
                }
            }
        }
    }

    #[test]
    fn a_ball_bounces_off_each_edge() {
        let mut scene = Scene::new(128, 32, 1, 1);
        let d = scene.balls[0].diameter as i32;
        scene.balls[0] = Ball {
            x: SUB,
            y: (32 - d) * SUB - SUB / 2,
            vx: -24,
            vy: 12,
            diameter: d as u32,
            filled: true,
        };
        scene.step();
        let ball = scene.balls[0];
        // Left edge: 16 - 24 = -8 is mirrored to 8; bottom: 8 past the limit is mirrored back.
        assert_eq!((ball.x, ball.vx), (8, 24));
        assert_eq!(ball.y, (32 - d) * SUB - 4);
        assert_eq!(ball.vy, -12);
        scene.step();
        assert_eq!(scene.balls[0].x, 32);
        assert_eq!(scene.balls[0].y, (32 - d) * SUB - 16);
    }

    #[test]
    fn the_same_seed_gives_the_same_run() {
        let mut a = Scene::new(128, 32, 5, 9);
        let mut b = Scene::new(128, 32, 5, 9);
        assert_ne!(a, Scene::new(128, 32, 5, 10));
        for _ in 0..1000 {
            a.step();
            b.step();
        }
        assert_eq!(a, b);
        assert!(a.balls.iter().all(|b| b.vx != 0 && b.vy != 0));
    }

    #[test]
    fn balls_are_sized_for_the_display() {
        let small = Scene::new(128, 32, 10, 1);
        assert!(small.balls.iter().all(|b| (3..=4).contains(&b.diameter)));
        let large = Scene::new(128, 64, 10, 1);
        assert!(large.balls.iter().all(|b| (4..=8).contains(&b.diameter)));
    }

    #[test]
    fn drawing_lights_each_ball_and_nothing_else() {
        use display_graphics::{Area, GraphicsDisplay, PanelInfo, PixelFormat, PixelSink};
        struct Calls(u32);
        impl PixelSink for Calls {
            type Error = ();
            fn info(&self) -> PanelInfo {
                PanelInfo {
                    width: 128,
                    height: 32,
                    format: PixelFormat::Mono1,
                }
            }
            fn present_region(&mut self, _: Area, _: &[u8]) -> Result<(), ()> {
                self.0 += 1;
                Ok(())
            }
        }
        let mut display = GraphicsDisplay::<_, BinaryColor>::new(Calls(0)).unwrap();
        let mut scene = Scene::new(128, 32, 1, 5);
        scene.balls[0].x = 10 * SUB;
        scene.balls[0].y = 20 * SUB;
        scene.balls[0].filled = true;
        let d = scene.balls[0].diameter;
        let Ok(()) = scene.draw(&mut display);
        let centre = 10 + d / 2;
        assert_eq!(display.pixel(centre, 20 + d / 2), Some(BinaryColor::On));
        assert_eq!(display.pixel(9, 20 + d / 2), Some(BinaryColor::Off));
        assert_eq!(display.pixel(100, 5), Some(BinaryColor::Off));
        display.flush().unwrap();
        // The same frame again sends nothing.
        let Ok(()) = scene.draw(&mut display);
        assert_eq!(display.flush(), Ok(None));
        assert_eq!(display.panel().0, 1);
    }

    #[test]
    fn on_a_colour_display_each_ball_has_its_colour() {
        use display_graphics::{Area, GraphicsDisplay, PanelInfo, PixelFormat, PixelSink};
        struct Colour;
        impl PixelSink for Colour {
            type Error = ();
            fn info(&self) -> PanelInfo {
                PanelInfo {
                    width: 96,
                    height: 64,
                    format: PixelFormat::Rgb565,
                }
            }
            fn present_region(&mut self, _: Area, _: &[u8]) -> Result<(), ()> {
                Ok(())
            }
        }
        let mut display = GraphicsDisplay::<_, Rgb565>::new(Colour).unwrap();
        let mut scene = Scene::new(96, 64, 2, 5);
        for (i, ball) in scene.balls.iter_mut().enumerate() {
            ball.x = (10 + 40 * i as i32) * SUB;
            ball.y = 20 * SUB;
            ball.filled = true;
        }
        let Ok(()) = scene.draw(&mut display);
        let centre = |i: u32| {
            let d = scene.balls[i as usize].diameter;
            (10 + 40 * i + d / 2, 20 + d / 2)
        };
        let (x, y) = centre(0);
        assert_eq!(display.pixel(x, y), Some(Rgb565::RED));
        let (x, y) = centre(1);
        assert_eq!(display.pixel(x, y), Some(Rgb565::GREEN));
        assert_eq!(display.pixel(90, 2), Some(Rgb565::BLACK));
    }
}
