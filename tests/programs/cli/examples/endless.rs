//! Draws a new frame 30 times a second forever and ignores its arguments, `--frames` included:
//! the host must stop it after the frames it was asked for. Composed with a display driver.

use display_graphics::GraphicsDisplay;
use display_graphics::wit::WitDisplay;
use embedded_graphics::pixelcolor::BinaryColor;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{PrimitiveStyle, Rectangle};
use embedded_hal::delay::DelayNs;
use embedded_hal_wasi::delay::Delay;

fn main() {
    let panel = WitDisplay::open().expect("a display");
    let mut display = GraphicsDisplay::<_, BinaryColor>::new(panel).expect("a mono display");
    let width = display.info().width;
    let mut delay = Delay;
    let mut frame: u32 = 0;
    loop {
        // A bar that grows by one column a frame and starts again at the right edge: every
        // frame differs from the one before.
        let length = frame % width + 1;
        let _ = display.clear(BinaryColor::Off);
        let _ = Rectangle::new(Point::new(0, 0), Size::new(length, 4))
            .into_styled(PrimitiveStyle::with_fill(BinaryColor::On))
            .draw(&mut display);
        display.flush().expect("the display takes the frame");
        frame = frame.wrapping_add(1);
        delay.delay_ms(33);
    }
}
