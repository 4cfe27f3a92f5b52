//! The terminal view: exact half-block and Braille output, fitting any terminal size, colours
//! from the environment, and in-place redraws.

use wasi_hal_sim::Frame;
use wasi_hal_sim_render::{
    CellKind, Colors, Display, Fit, Scale, TerminalView, braille, braille_dots, fit, half_blocks,
};

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

fn checkerboard(width: u32, height: u32) -> Frame {
    let mut frame = Frame::black(width, height);
    for y in 0..height {
        for x in 0..width {
            if (x * 7 + y * 3) % 5 < 2 {
                frame.set_pixel(x, y, [40, 200, 255]);
            }
        }
    }
    frame
}

fn lit(frame: &Frame, x: u32, y: u32) -> bool {
    frame.pixel(x, y).is_some_and(|p| p != [0, 0, 0])
}

#[test]
fn braille_round_trips_every_pixel_at_every_zoom() {
    let frame = checkerboard(13, 7);
    for zoom in 1..=3 {
        let lines = braille(&frame, Scale { zoom, shrink: 1 }, false);
        assert_eq!(lines.len() as u32, (7 * zoom).div_ceil(4));
        assert!(
            lines
                .iter()
                .all(|l| l.chars().count() as u32 == (13 * zoom).div_ceil(2))
        );
        let dots = braille_dots(&lines);
        for y in 0..7 * zoom {
            for x in 0..13 * zoom {
                assert_eq!(
                    dots[y as usize][x as usize],
                    lit(&frame, x / zoom, y / zoom),
                    "zoom {zoom}, dot ({x}, {y})"
                );
            }
        }
    }
}

#[test]
fn braille_dot_bits_follow_the_unicode_numbering() {
    // Dots 1, 2, 3, 7 down the left column, 4, 5, 6, 8 down the right.
    let expected = [
        ((0, 0), '⠁'),
        ((0, 1), '⠂'),
        ((0, 2), '⠄'),
        ((0, 3), '⡀'),
        ((1, 0), '⠈'),
        ((1, 1), '⠐'),
        ((1, 2), '⠠'),
        ((1, 3), '⢀'),
    ];
    for ((x, y), c) in expected {
        let mut frame = Frame::black(2, 4);
        frame.set_pixel(x, y, [255, 255, 255]);
        assert_eq!(braille(&frame, Scale::ONE, false), [c.to_string()]);
    }
}

#[test]
fn braille_in_colour_sets_the_foreground_once_and_resets() {
    let frame = checkerboard(6, 4);
    let lines = braille(&frame, Scale::ONE, true);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].matches("\x1b[38;2;40;200;255m").count(), 1);
    assert!(lines[0].ends_with("\x1b[0m"));
    assert_eq!(
        braille_dots(&lines),
        braille_dots(&braille(&frame, Scale::ONE, false))
    );
}

#[test]
fn a_dimmed_panel_still_draws() {
    let mut frame = Frame::black(2, 4);
    frame.set_pixel(0, 0, [20, 20, 20]);
    assert_eq!(braille(&frame, Scale::ONE, false), ["⠁"]);
}

#[test]
fn shrunk_braille_raises_a_dot_for_any_lit_pixel_of_its_block() {
    let mut frame = Frame::black(8, 8);
    frame.set_pixel(3, 5, [255, 255, 255]);
    let dots = braille_dots(&braille(&frame, Scale { zoom: 1, shrink: 2 }, false));
    assert!(dots[2][1]);
    assert_eq!(dots.iter().flatten().filter(|&&d| d).count(), 1);
}

#[test]
fn fit_picks_braille_for_mono_panels_and_half_blocks_for_colour() {
    let braille = |zoom, shrink, cols, rows| Fit {
        kind: CellKind::Braille,
        scale: Scale { zoom, shrink },
        cols,
        rows,
        cropped: false,
    };
    assert_eq!(fit(128, 32, true, 80, 22), braille(1, 1, 64, 8));
    assert_eq!(fit(128, 64, true, 80, 22), braille(1, 1, 64, 16));
    assert_eq!(fit(128, 32, true, 200, 58), braille(3, 1, 192, 24));
    assert_eq!(fit(128, 32, true, 40, 10), braille(1, 2, 32, 4));
    assert_eq!(
        fit(128, 32, false, 200, 58),
        Fit {
            kind: CellKind::HalfBlocks,
            scale: Scale { zoom: 1, shrink: 1 },
            cols: 128,
            rows: 16,
            cropped: false,
        }
    );
    // A colour panel with no room for half blocks is drawn in Braille.
    assert_eq!(fit(128, 32, false, 80, 22), braille(1, 1, 64, 8));
    assert!(fit(128, 32, true, 0, 5).cropped);
}

#[test]
fn colours_follow_colorterm_and_no_color() {
    assert_eq!(Colors::detect(Some("truecolor"), None), Colors::TrueColor);
    assert_eq!(Colors::detect(Some("24bit"), None), Colors::TrueColor);
    assert_eq!(Colors::detect(Some("truecolor"), Some("1")), Colors::Plain);
    assert_eq!(
        Colors::detect(Some("truecolor"), Some("")),
        Colors::TrueColor
    );
    assert_eq!(Colors::detect(None, None), Colors::Plain);
    assert_eq!(Colors::detect(Some("yes"), None), Colors::Plain);
}

/// The printed width of a line: its characters, escape sequences left out.
fn width(line: &str) -> usize {
    braille_dots(&[line])[0].len() / 2
}

#[test]
fn the_view_fits_any_terminal_and_says_when_it_shrank() {
    let frame = checkerboard(128, 32);
    for (cols, rows) in [(80, 24), (200, 60), (40, 10), (20, 3), (1, 1), (64, 9)] {
        for colors in [Colors::Plain, Colors::TrueColor] {
            let mut view = TerminalView::new(Vec::new(), colors, cols, rows);
            view.set_help("arrows/WASD move, q quits");
            let lines = view.lines(
                &[Display {
                    name: "oled",
                    frame: &frame,
                }],
                1_500_000_000,
            );
            assert!(lines.len() <= rows as usize, "{cols}x{rows}: {lines:?}");
            for line in &lines {
                assert!(width(line) <= cols as usize, "{cols}x{rows}: {line:?}");
            }
        }
    }
    let view = TerminalView::new(Vec::new(), Colors::Plain, 80, 24);
    let lines = view.lines(
        &[Display {
            name: "oled",
            frame: &frame,
        }],
        1_500_000_000,
    );
    assert_eq!(lines.len(), 9);
    assert_eq!(lines[8], "oled 128x32 (braille x1) | t 1.5 s");
    let small = TerminalView::new(Vec::new(), Colors::Plain, 40, 10);
    let lines = small.lines(
        &[Display {
            name: "oled",
            frame: &frame,
        }],
        0,
    );
    assert_eq!(
        lines.last().unwrap(),
        "scaled down to fit 40x10: the panel need"
    );
}

#[test]
fn terminal_view_redraws_in_place_with_a_status_per_display() {
    let mut small = Frame::black(1, 2);
    small.set_pixel(0, 1, [255, 255, 255]);
    let mut view = TerminalView::new(Vec::new(), Colors::Plain, 30, 8);
    view.draw(
        &[
            Display {
                name: "oled",
                frame: &tiny(),
            },
            Display {
                name: "dot\tline",
                frame: &small,
            },
        ],
        2_000_000_000,
    )
    .unwrap();
    let first = String::from_utf8(view.get_ref().clone()).unwrap();
    // Each display gets 4 lines: tiny() has colours, so half blocks (x1: x2 would take 4
    // lines); the one-colour `small` in Braille at the largest zoom that fits 3 lines.
    assert_eq!(
        first,
        concat!(
            "\x1b[2J",
            "\x1b[1;1H▀▄\x1b[K",
            "\x1b[2;1H█▀\x1b[K",
            "\x1b[3;1Holed 2x4 (half blocks x1) | t \x1b[K",
            "\x1b[4;1H⠀⠀⠀\x1b[K",
            "\x1b[5;1H⣤⣤⣤\x1b[K",
            "\x1b[6;1H⣿⣿⣿\x1b[K",
            "\x1b[7;1Hdot?line 1x2 (braille x6) | t \x1b[K",
            "\x1b[J"
        )
    );
    view.resize(10, 2);
    view.draw(
        &[Display {
            name: "oled",
            frame: &Frame::black(2, 4),
        }],
        0,
    )
    .unwrap();
    let all = String::from_utf8(view.into_inner()).unwrap();
    assert_eq!(
        &all[first.len()..],
        "\x1b[1;1H⠀\x1b[K\x1b[2;1Holed 2x4 (\x1b[K\x1b[J"
    );
}
