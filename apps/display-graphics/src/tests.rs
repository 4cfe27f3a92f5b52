use super::*;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{Circle, Line, PrimitiveStyle};

/// A display that records every `present-region` call and can be told to fail.
#[derive(Debug, Default)]
struct Recorder {
    info: Option<PanelInfo>,
    calls: Vec<(Area, Vec<u8>)>,
    fail_next: bool,
}

impl Recorder {
    fn new(width: u32, height: u32, format: PixelFormat) -> Self {
        Self {
            info: Some(PanelInfo {
                width,
                height,
                format,
            }),
            ..Self::default()
        }
    }
}

impl PixelSink for Recorder {
    type Error = &'static str;

    fn info(&self) -> PanelInfo {
        self.info.unwrap()
    }

    fn present_region(&mut self, area: Area, pixels: &[u8]) -> Result<(), &'static str> {
        if self.fail_next {
            self.fail_next = false;
            return Err("bus-error");
        }
        assert_eq!(
            pixels.len(),
            self.info().format.packed_len(area.width, area.height),
            "wrong-length for {area:?}"
        );
        self.calls.push((area, pixels.to_vec()));
        Ok(())
    }
}

fn mono(width: u32, height: u32) -> GraphicsDisplay<Recorder, BinaryColor> {
    GraphicsDisplay::new(Recorder::new(width, height, PixelFormat::Mono1)).unwrap()
}

fn area(x: u32, y: u32, width: u32, height: u32) -> Area {
    Area {
        x,
        y,
        width,
        height,
    }
}

fn on(display: &mut GraphicsDisplay<Recorder, BinaryColor>, x: i32, y: i32) {
    Pixel(Point::new(x, y), BinaryColor::On)
        .draw(display)
        .unwrap();
}

#[test]
fn first_flush_sends_the_whole_frame_packed_msb_first() {
    let mut d = mono(10, 2);
    on(&mut d, 0, 0);
    on(&mut d, 9, 0);
    on(&mut d, 2, 1);
    on(&mut d, 8, 1);
    assert_eq!(d.flush(), Ok(Some(area(0, 0, 10, 2))));
    let calls = &d.panel().calls;
    assert_eq!(calls.len(), 1);
    // Row 0: pixel 0 = bit 7 of byte 0, pixel 9 = bit 6 of byte 1.
    // Row 1 starts on a byte boundary: pixel 2 = bit 5 of byte 2, pixel 8 = bit 7 of byte 3.
    assert_eq!(calls[0].1, vec![0x80, 0x40, 0x20, 0x80]);
}

#[test]
fn nothing_is_sent_when_nothing_changed() {
    let mut d = mono(128, 32);
    d.flush().unwrap();
    assert_eq!(d.flush(), Ok(None));
    assert_eq!(d.pending(), None);
    assert_eq!(d.panel().calls.len(), 1);
}

#[test]
fn the_architecture_example_pixel_10_3_is_bit_5_of_byte_1() {
    let mut d = mono(128, 32);
    d.flush().unwrap();
    on(&mut d, 0, 3);
    on(&mut d, 10, 3);
    assert_eq!(d.flush(), Ok(Some(area(0, 3, 11, 1))));
    assert_eq!(d.panel().calls[1].1, vec![0x80, 0b0010_0000]);
}

#[test]
fn the_dirty_rectangle_is_relative_packing_with_byte_aligned_rows() {
    let mut d = mono(64, 16);
    d.flush().unwrap();
    // A 10x3 rectangle at x = 3: each row is two bytes, the rectangle's own left edge is the MSB.
    on(&mut d, 3, 5);
    on(&mut d, 12, 5);
    on(&mut d, 4, 6);
    on(&mut d, 11, 7);
    assert_eq!(d.flush(), Ok(Some(area(3, 5, 10, 3))));
    assert_eq!(
        d.panel().calls[1].1,
        vec![0x80, 0x40, 0x40, 0x00, 0x00, 0x80]
    );
}

#[test]
fn one_call_per_flush_however_much_was_drawn() {
    let mut d = mono(128, 32);
    d.flush().unwrap();
    for i in 0..20 {
        Circle::new(Point::new(i * 5, i % 7), 9)
            .into_styled(PrimitiveStyle::with_stroke(BinaryColor::On, 1))
            .draw(&mut d)
            .unwrap();
    }
    Line::new(Point::new(0, 31), Point::new(127, 0))
        .into_styled(PrimitiveStyle::with_stroke(BinaryColor::On, 1))
        .draw(&mut d)
        .unwrap();
    let sent = d.flush().unwrap().unwrap();
    assert_eq!(d.panel().calls.len(), 2);
    assert_eq!(sent, area(0, 0, 128, 32));
    // What was sent is exactly the frame buffer.
    let bytes = &d.panel().calls[1].1;
    for y in 0..32u32 {
        for x in 0..128u32 {
            let bit = bytes[(y * 16 + x / 8) as usize] & (0x80 >> (x % 8)) != 0;
            assert_eq!(
                bit,
                d.pixel(x, y) == Some(BinaryColor::On),
                "pixel ({x}, {y})"
            );
        }
    }
}

#[test]
fn redrawing_the_same_scene_sends_nothing() {
    let mut d = mono(128, 32);
    let scene = |d: &mut GraphicsDisplay<Recorder, BinaryColor>| {
        d.clear(BinaryColor::Off).unwrap();
        Circle::new(Point::new(40, 4), 20)
            .into_styled(PrimitiveStyle::with_fill(BinaryColor::On))
            .draw(d)
            .unwrap();
    };
    scene(&mut d);
    d.flush().unwrap();
    scene(&mut d);
    assert_eq!(d.flush(), Ok(None));
    assert_eq!(d.panel().calls.len(), 1);
}

#[test]
fn only_the_pixels_that_differ_are_sent_after_a_full_redraw() {
    let mut d = mono(128, 32);
    d.flush().unwrap();
    on(&mut d, 50, 10);
    d.flush().unwrap();
    // Clear everything and draw the old pixel one to the right: only (50..=51, 10) differs.
    d.clear(BinaryColor::Off).unwrap();
    on(&mut d, 51, 10);
    assert_eq!(d.pending(), Some(area(50, 10, 2, 1)));
    assert_eq!(d.flush(), Ok(Some(area(50, 10, 2, 1))));
    assert_eq!(d.panel().calls[2].1, vec![0x40]);
}

#[test]
fn a_failed_flush_is_retried_by_the_next_one() {
    let mut d = mono(16, 8);
    d.flush().unwrap();
    on(&mut d, 1, 1);
    d.panel_mut().fail_next = true;
    assert_eq!(d.flush(), Err("bus-error"));
    assert_eq!(d.flush(), Ok(Some(area(1, 1, 1, 1))));
    assert_eq!(d.panel().calls[1].1, vec![0x80]);
}

#[test]
fn invalidate_resends_the_whole_frame() {
    let mut d = mono(16, 2);
    on(&mut d, 15, 1);
    d.flush().unwrap();
    d.invalidate();
    assert_eq!(d.flush(), Ok(Some(area(0, 0, 16, 2))));
    assert_eq!(d.panel().calls[1].1, vec![0, 0, 0, 0x01]);
}

#[test]
fn drawing_outside_the_display_is_clipped() {
    let mut d = mono(8, 8);
    d.flush().unwrap();
    on(&mut d, -1, 0);
    on(&mut d, 8, 0);
    on(&mut d, 0, 100);
    d.fill_solid(
        &Rectangle::new(Point::new(-5, -5), Size::new(3, 3)),
        BinaryColor::On,
    )
    .unwrap();
    assert_eq!(d.flush(), Ok(None));
    d.fill_solid(
        &Rectangle::new(Point::new(6, 6), Size::new(10, 10)),
        BinaryColor::On,
    )
    .unwrap();
    assert_eq!(d.flush(), Ok(Some(area(6, 6, 2, 2))));
    assert_eq!(d.panel().calls[1].1, vec![0xC0, 0xC0]);
}

#[test]
fn rgb565_is_two_big_endian_bytes_per_pixel() {
    let panel = Recorder::new(3, 2, PixelFormat::Rgb565);
    let mut d: GraphicsDisplay<_, Rgb565> = GraphicsDisplay::new(panel).unwrap();
    Pixel(Point::new(0, 0), Rgb565::RED).draw(&mut d).unwrap();
    Pixel(Point::new(2, 0), Rgb565::new(0, 63, 1))
        .draw(&mut d)
        .unwrap();
    Pixel(Point::new(1, 1), Rgb565::BLUE).draw(&mut d).unwrap();
    d.flush().unwrap();
    assert_eq!(
        d.panel().calls[0].1,
        vec![
            0xF8, 0x00, 0x00, 0x00, 0x07, 0xE1, //
            0x00, 0x00, 0x00, 0x1F, 0x00, 0x00,
        ]
    );
}

#[test]
fn binary_colour_on_an_rgb565_display_is_white_on_black() {
    let panel = Recorder::new(2, 1, PixelFormat::Rgb565);
    let mut d: GraphicsDisplay<_, BinaryColor> = GraphicsDisplay::new(panel).unwrap();
    Pixel(Point::new(1, 0), BinaryColor::On)
        .draw(&mut d)
        .unwrap();
    d.flush().unwrap();
    assert_eq!(d.panel().calls[0].1, vec![0x00, 0x00, 0xFF, 0xFF]);
}

#[test]
fn rgb565_on_a_mono1_display_lights_bright_colours_only() {
    let panel = Recorder::new(4, 1, PixelFormat::Mono1);
    let mut d: GraphicsDisplay<_, Rgb565> = GraphicsDisplay::new(panel).unwrap();
    let row = [
        Rgb565::WHITE,
        Rgb565::BLUE,
        Rgb565::YELLOW,
        Rgb565::new(4, 8, 4),
    ];
    for (x, color) in row.into_iter().enumerate() {
        Pixel(Point::new(x as i32, 0), color).draw(&mut d).unwrap();
    }
    d.flush().unwrap();
    assert_eq!(d.panel().calls[0].1, vec![0b1010_0000]);
}

#[test]
fn a_display_of_no_pixels_is_a_clear_error() {
    let err = GraphicsDisplay::<_, BinaryColor>::new(Recorder::new(0, 32, PixelFormat::Mono1))
        .unwrap_err();
    assert_eq!(
        err,
        Error::UnsupportedSize {
            width: 0,
            height: 32
        }
    );
    assert!(err.to_string().contains("0x32"));
}

#[test]
fn packed_lengths_follow_the_wit() {
    assert_eq!(PixelFormat::Mono1.packed_len(128, 32), 512);
    assert_eq!(PixelFormat::Mono1.packed_len(9, 3), 6);
    assert_eq!(PixelFormat::Rgb565.packed_len(9, 3), 54);
}
