//! The terminal view: exact half-block output in both modes and in-place redraws.

use wasi_hal_sim::Frame;
use wasi_hal_sim_render::{TerminalView, half_blocks};

/// A 2x4 frame:
///
/// ```text
/// white   black
/// black   green (luma 150: on)
/// white   grey 200
/// grey 128 (luma 128: on)   grey 127 (luma 127: off)
/// ```
fn tiny() -> Frame {
    let mut frame = Frame::black(2, 4);
    frame.set_pixel(0, 0, [255, 255, 255]);
    frame.set_pixel(1, 1, [0, 255, 0]);
    frame.set_pixel(0, 2, [255, 255, 255]);
    frame.set_pixel(1, 2, [200, 200, 200]);
    frame.set_pixel(0, 3, [128, 128, 128]);
    frame.set_pixel(1, 3, [127, 127, 127]);
    frame
}

#[test]
fn monochrome_half_blocks_are_exact() {
    assert_eq!(half_blocks(&tiny(), false), "▀▄\n█▀\n");
}

#[test]
fn colour_half_blocks_are_exact() {
    assert_eq!(
        half_blocks(&tiny(), true),
        concat!(
            "\x1b[38;2;255;255;255m\x1b[48;2;0;0;0m▀",
            "\x1b[38;2;0;0;0m\x1b[48;2;0;255;0m▀",
            "\x1b[0m\n",
            "\x1b[38;2;255;255;255m\x1b[48;2;128;128;128m▀",
            "\x1b[38;2;200;200;200m\x1b[48;2;127;127;127m▀",
            "\x1b[0m\n",
        )
    );
}

#[test]
fn colour_codes_are_only_written_when_they_change() {
    let mut frame = Frame::black(3, 2);
    for x in 0..3 {
        frame.set_pixel(x, 0, [1, 2, 3]);
    }
    frame.set_pixel(2, 1, [9, 9, 9]);
    assert_eq!(
        half_blocks(&frame, true),
        "\x1b[38;2;1;2;3m\x1b[48;2;0;0;0m▀▀\x1b[48;2;9;9;9m▀\x1b[0m\n"
    );
}

#[test]
fn odd_height_draws_the_last_row_over_black() {
    let mut frame = Frame::black(2, 3);
    frame.set_pixel(0, 2, [255, 255, 255]);
    frame.set_pixel(1, 1, [255, 255, 255]);
    assert_eq!(half_blocks(&frame, false), " ▄\n▀ \n");
    assert_eq!(
        half_blocks(&frame, true).lines().nth(1).unwrap(),
        "\x1b[38;2;255;255;255m\x1b[48;2;0;0;0m▀\x1b[38;2;0;0;0m▀\x1b[0m"
    );
}

#[test]
fn malformed_frame_draws_missing_pixels_black_instead_of_panicking() {
    let frame = Frame {
        width: 2,
        height: 2,
        rgb: vec![255; 6], // only the top row
    };
    assert_eq!(half_blocks(&frame, false), "▀▀\n");
    assert_eq!(half_blocks(&Frame::black(0, 0), true), "");
}

#[test]
fn terminal_view_redraws_in_place_with_a_title_per_display() {
    let mut small = Frame::black(1, 2);
    small.set_pixel(0, 1, [255, 255, 255]);
    let mut view = TerminalView::new(Vec::new(), false);
    view.draw(&[("oled 2x4", &tiny()), ("dot\tline", &small)])
        .unwrap();
    let first = String::from_utf8(view.get_ref().clone()).unwrap();
    assert_eq!(
        first,
        "\x1b[2J\x1b[Holed 2x4\x1b[K\n▀▄\n█▀\ndot?line\x1b[K\n▄\n\x1b[J"
    );

    view.draw(&[("oled", &Frame::black(2, 2))]).unwrap();
    let all = String::from_utf8(view.into_inner()).unwrap();
    assert_eq!(&all[first.len()..], "\x1b[Holed\x1b[K\n  \n\x1b[J");
}
