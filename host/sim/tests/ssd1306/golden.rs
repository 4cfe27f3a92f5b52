//! Golden PNGs: scenes drawn with embedded-graphics through the `ssd1306` crate (I2C, 128x64)
//! under each of the crate's four rotations, compared pixel by pixel with
//! `tests/golden/ssd1306/<scene>_<rotation>.png`.
//!
//! To create or update the golden files after a deliberate change, run
//! `UPDATE_GOLDEN=1 cargo test -p wasi-hal-sim --test ssd1306 golden` and look at the PNGs.

use crate::*;
use embedded_graphics::mono_font::MonoTextStyle;
use embedded_graphics::mono_font::ascii::FONT_6X10;
use embedded_graphics::pixelcolor::BinaryColor;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{PrimitiveStyle, Rectangle};
use embedded_graphics::text::{Baseline, Text};
use ssd1306::mode::{BufferedGraphicsMode, DisplayConfig};
use ssd1306::prelude::*;
use ssd1306::{I2CDisplayInterface, Ssd1306 as Driver};
use std::path::PathBuf;

type GraphicsDriver =
    Driver<I2CInterface<SimI2cBus>, DisplaySize128x64, BufferedGraphicsMode<DisplaySize128x64>>;

const ROTATIONS: [(DisplayRotation, &str); 4] = [
    (DisplayRotation::Rotate0, "rotate0"),
    (DisplayRotation::Rotate90, "rotate90"),
    (DisplayRotation::Rotate180, "rotate180"),
    (DisplayRotation::Rotate270, "rotate270"),
];

/// Draws a scene with the crate on a fresh 128x64 I2C board and returns what the glass shows.
fn render(rotation: DisplayRotation, scene: impl FnOnce(&mut GraphicsDriver)) -> Frame {
    let board = I2cBoard::new(PanelSize::W128H64);
    let mut driver = Driver::new(
        I2CDisplayInterface::new(board.bus.clone()),
        DisplaySize128x64,
        rotation,
    )
    .into_buffered_graphics_mode();
    driver.init().expect("init");
    scene(&mut driver);
    driver.flush().expect("flush");
    let display = board.display();
    assert_eq!(display.warnings().len(), 1, "{:#?}", display.warnings());
    display.frame()
}

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/ssd1306")
        .join(format!("{name}.png"))
}

/// Compares `frame` with the golden file `name`, or writes it when `UPDATE_GOLDEN=1`.
fn check_golden(name: &str, frame: &Frame) {
    let path = golden_path(name);
    if std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1") {
        let png = wasi_hal_sim_render::encode_png(frame).expect("encode PNG");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("create the golden directory");
        }
        std::fs::write(&path, png).expect("write the golden file");
        // A 4x copy to look at.
        let view = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.x4.png"));
        wasi_hal_sim_render::save_png_scaled(frame, 4, &view).expect("write the 4x view");
        return;
    }
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "golden file {} cannot be read ({e}); create it with \
             `UPDATE_GOLDEN=1 cargo test -p wasi-hal-sim --test ssd1306 golden` and check it",
            path.display()
        )
    });
    let expected = wasi_hal_sim_render::decode_png(&bytes).expect("decode the golden PNG");
    if expected == *frame {
        return;
    }
    let actual = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.actual.png"));
    let saved = wasi_hal_sim_render::save_png(frame, &actual).is_ok();
    let mut message = format!(
        "{name}: frame differs from {} (size {}x{} expected, {}x{} got)",
        path.display(),
        expected.width,
        expected.height,
        frame.width,
        frame.height
    );
    if (expected.width, expected.height) == (frame.width, frame.height) {
        let differing: Vec<(u32, u32)> = (0..frame.height)
            .flat_map(|y| (0..frame.width).map(move |x| (x, y)))
            .filter(|&(x, y)| expected.pixel(x, y) != frame.pixel(x, y))
            .collect();
        message += &format!(
            "; {} pixels differ, first at {:?}",
            differing.len(),
            differing.first()
        );
    }
    if saved {
        message += &format!("; actual frame saved to {}", actual.display());
    }
    panic!(
        "{message}\nexpected:\n{}got:\n{}",
        ascii(&expected),
        ascii(frame)
    );
}

fn on() -> BinaryColor {
    BinaryColor::On
}

#[test]
fn golden_single_pixel() {
    // Where the crate's pixel (2, 1) lands on the glass: rotations are clockwise, and the
    // rotated drawing area is 64x128 for 90 and 270 degrees.
    let expected = [(2, 1), (126, 2), (125, 62), (1, 61)];
    for ((rotation, label), position) in ROTATIONS.into_iter().zip(expected) {
        let frame = render(rotation, |d| d.set_pixel(2, 1, true));
        assert_eq!(lit_pixels(&frame), vec![position], "{label}");
        assert_eq!(
            frame.pixel(position.0, position.1),
            Some(GREY_5F),
            "{label}"
        );
        check_golden(&format!("pixel_{label}"), &frame);
    }
}

#[test]
fn golden_rectangle() {
    for (rotation, label) in ROTATIONS {
        let frame = render(rotation, |d| {
            Rectangle::new(Point::new(3, 5), Size::new(20, 12))
                .into_styled(PrimitiveStyle::with_stroke(on(), 1))
                .draw(d)
                .expect("draw");
        });
        // The outline of a 20x12 rectangle has 2 * 20 + 2 * 10 pixels in every rotation.
        assert_eq!(lit_pixels(&frame).len(), 60, "{label}");
        check_golden(&format!("rectangle_{label}"), &frame);
    }
    // Unrotated, its corners are (3, 5) and (22, 16).
    let frame = render(DisplayRotation::Rotate0, |d| {
        Rectangle::new(Point::new(3, 5), Size::new(20, 12))
            .into_styled(PrimitiveStyle::with_stroke(on(), 1))
            .draw(d)
            .expect("draw");
    });
    for (x, y) in [(3, 5), (22, 5), (3, 16), (22, 16)] {
        assert_eq!(frame.pixel(x, y), Some(GREY_5F));
    }
}

#[test]
fn golden_text() {
    for (rotation, label) in ROTATIONS {
        let frame = render(rotation, |d| {
            Text::with_baseline(
                "Hi 42",
                Point::new(1, 1),
                MonoTextStyle::new(&FONT_6X10, on()),
                Baseline::Top,
            )
            .draw(d)
            .expect("draw");
        });
        check_golden(&format!("text_{label}"), &frame);
    }
}
