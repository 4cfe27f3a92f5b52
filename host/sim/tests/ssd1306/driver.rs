//! The `ssd1306` crate 0.10 driving the model over I2C and SPI.

use crate::*;
use embedded_graphics::pixelcolor::BinaryColor;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{PrimitiveStyle, Rectangle};
use ssd1306::command::AddrMode;
use ssd1306::mode::{BufferedGraphicsMode, DisplayConfig};
use ssd1306::prelude::*;
use ssd1306::size::DisplaySize;
use ssd1306::{I2CDisplayInterface, Ssd1306 as Driver};
use wasi_hal_sim::ssd1306::PowerOnRam;

/// The warning every init of the `ssd1306` crate gives: it sends VCOMH 0x40, a value the
/// SSD1306 datasheet does not list (00h, 20h, 30h), which real parts accept.
fn assert_only_vcomh_warning(display: &Ssd1306) {
    assert_eq!(
        warning_kinds(display),
        vec![WarningKind::ArgumentOutOfRange],
        "{:#?}",
        display.warnings()
    );
    assert!(display.warnings()[0].message.contains("0xDB 0x40"));
}

/// The command messages `init()` sends for a 128x64 panel in horizontal mode, as I2C writes:
/// control byte 0x00, then one command with its arguments (one message per command).
const INIT_128X64_HORIZONTAL: [&[u8]; 17] = [
    &[0x00, 0xAE],
    &[0x00, 0xD5, 0x80],
    &[0x00, 0xA8, 0x3F],
    &[0x00, 0xD3, 0x00],
    &[0x00, 0x40],
    &[0x00, 0x8D, 0x14],
    &[0x00, 0x20, 0x00],
    &[0x00, 0xDA, 0x12],
    &[0x00, 0xA1],
    &[0x00, 0xC8],
    &[0x00, 0xD9, 0x21],
    &[0x00, 0x81, 0x5F],
    &[0x00, 0xDB, 0x40],
    &[0x00, 0xA4],
    &[0x00, 0xA6],
    &[0x00, 0x2E],
    &[0x00, 0xAF],
];

#[test]
fn i2c_buffered_graphics_init_flush_and_one_pixel() {
    let board = I2cBoard::new(PanelSize::W128H64);
    let interface = I2CDisplayInterface::new(board.bus.clone());
    let mut driver = Driver::new(interface, DisplaySize128x64, DisplayRotation::Rotate0)
        .into_buffered_graphics_mode();
    driver.init().expect("init");
    let writes = board.i2c_writes();
    assert_eq!(writes[..17], INIT_128X64_HORIZONTAL.map(<[u8]>::to_vec));
    assert_eq!(writes.len(), 17);
    {
        let display = board.display();
        let r = display.registers();
        assert_eq!(
            r.addressing_mode,
            wasi_hal_sim::ssd1306::AddressingMode::Horizontal
        );
        assert_eq!((r.contrast, r.precharge, r.vcomh), (0x5F, 0x21, 0x40));
        assert!(r.display_on && r.charge_pump && r.segment_remap && r.com_scan_reversed);
        assert_only_vcomh_warning(&display);
    }

    // The first flush sends the whole (cleared) buffer: window, then 1024 bytes in 16-byte parts.
    driver.flush().expect("flush");
    let writes = board.i2c_writes();
    assert_eq!(writes[17], vec![0x00, 0x21, 0, 127]);
    assert_eq!(writes[18], vec![0x00, 0x22, 0, 7]);
    assert_eq!(writes.len(), 19 + 64);
    assert!(writes[19..].iter().all(|w| w.len() == 17 && w[0] == 0x40));

    // One pixel at (3, 10): page 1, bit 2, column 3.
    driver.set_pixel(3, 10, true);
    driver.flush().expect("flush");
    let writes = board.i2c_writes();
    assert_eq!(
        writes[19 + 64..],
        [
            vec![0x00, 0x21, 3, 3],
            vec![0x00, 0x22, 1, 1],
            vec![0x40, 0x04],
        ]
    );
    let display = board.display();
    // Column address 3 with segment remap on is segment 124.
    let nonzero: Vec<(usize, u8)> = display
        .gddram()
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b != 0)
        .map(|(i, &b)| (i, b))
        .collect();
    assert_eq!(nonzero, vec![(ram_index(1, 124), 0x04)]);
    let frame = display.frame();
    assert_eq!(lit_pixels(&frame), vec![(3, 10)]);
    assert_eq!(frame.pixel(3, 10), Some(GREY_5F));
    assert_only_vcomh_warning(&display);
}

#[test]
fn spi_buffered_graphics_with_reset_and_a_rectangle() {
    let board = SpiBoard::new(PanelSize::W128H32);
    let mut res = board.res.clone();
    let mut delay = board.clock.clone();
    let interface = SPIInterface::new(board.spi.clone(), board.dc.clone());
    let mut driver = Driver::new(interface, DisplaySize128x32, DisplayRotation::Rotate0)
        .into_buffered_graphics_mode();
    driver.reset(&mut res, &mut delay).expect("reset");
    // The crate's pulse: high, 1 ms, low, 10 ms, high.
    assert_eq!(
        board.res.history(),
        vec![(0, true), (1_000_000, false), (11_000_000, true)]
    );
    driver.init().expect("init");
    let expected_init: Vec<(bool, Vec<u8>)> = [
        &[0xAE][..],
        &[0xD5, 0x80],
        &[0xA8, 0x1F],
        &[0xD3, 0x00],
        &[0x40],
        &[0x8D, 0x14],
        &[0x20, 0x00],
        &[0xDA, 0x02],
        &[0xA1],
        &[0xC8],
        &[0xD9, 0x21],
        &[0x81, 0x5F],
        &[0xDB, 0x40],
        &[0xA4],
        &[0xA6],
        &[0x2E],
        &[0xAF],
    ]
    .iter()
    .map(|c| (false, c.to_vec()))
    .collect();
    assert_eq!(spi_writes(&board.trace, "dc"), expected_init);

    driver.flush().expect("flush"); // the cleared buffer
    let before = spi_writes(&board.trace, "dc").len();
    Rectangle::new(Point::new(2, 3), Size::new(5, 4))
        .into_styled(PrimitiveStyle::with_fill(BinaryColor::On))
        .draw(&mut driver)
        .expect("draw");
    driver.flush().expect("flush");
    assert_eq!(
        spi_writes(&board.trace, "dc")[before..],
        [
            (false, vec![0x21, 2, 6]),
            (false, vec![0x22, 0, 0]),
            (true, vec![0x78; 5]),
        ]
    );
    let display = board.display();
    // Rows 3..=6 are bits 3..=6 of page 0 (0x78); columns 2..=6 are segments 125..=121.
    for segment in 0..128 {
        let expected = if (121..=125).contains(&segment) {
            0x78
        } else {
            0
        };
        assert_eq!(
            display.gddram()[ram_index(0, segment)],
            expected,
            "segment {segment}"
        );
    }
    assert!(display.gddram()[128..].iter().all(|&b| b == 0));
    let expected: Vec<(u32, u32)> = (3..=6).flat_map(|y| (2..=6).map(move |x| (x, y))).collect();
    assert_eq!(lit_pixels(&display.frame()), expected);
    assert_only_vcomh_warning(&display);
}

#[test]
fn terminal_mode_over_i2c() {
    let board = I2cBoard::new(PanelSize::W128H64);
    let interface = I2CDisplayInterface::new(board.bus.clone());
    let mut driver =
        Driver::new(interface, DisplaySize128x64, DisplayRotation::Rotate0).into_terminal_mode();
    driver.init().expect("init");
    driver.clear().expect("clear");
    let before = board.i2c_writes().len();
    for c in "Hi".chars() {
        driver.print_char(c).expect("print");
    }
    // Each character: 8 data bytes (blank, 6 glyph columns, blank), then the cursor moves with
    // the page-mode column nibbles and page commands.
    assert_eq!(
        board.i2c_writes()[before..],
        [
            vec![0x40, 0x00, 0x3F, 0x04, 0x04, 0x04, 0x04, 0x3F, 0x00],
            vec![0x00, 0x08, 0x10],
            vec![0x00, 0xB0],
            vec![0x40, 0x00, 0x00, 0x24, 0x3D, 0x20, 0x00, 0x00, 0x00],
            vec![0x00, 0x00, 0x11],
            vec![0x00, 0xB0],
        ]
    );
    let display = board.display();
    assert_eq!(
        display.registers().addressing_mode,
        wasi_hal_sim::ssd1306::AddressingMode::Page
    );
    // Columns 0..=15 with segment remap on: segments 127 down to 112.
    let page0: Vec<u8> = (0..16)
        .map(|c| display.gddram()[ram_index(0, 127 - c)])
        .collect();
    assert_eq!(
        page0,
        [
            0x00, 0x3F, 0x04, 0x04, 0x04, 0x04, 0x3F, 0x00, 0x00, 0x00, 0x24, 0x3D, 0x20, 0x00,
            0x00, 0x00
        ]
    );
    // 'H': columns 1 and 6 rows 0..=5, bar on row 2; 'i': x 10 rows 2, 5; x 11 rows 0, 2..=5;
    // x 12 row 5.
    let mut expected = Vec::new();
    for y in 0..6 {
        for x in 0..13 {
            let lit = match x {
                1 | 6 => true,
                2..=5 => y == 2,
                10 => y == 2 || y == 5,
                11 => y != 1,
                12 => y == 5,
                _ => false,
            };
            if lit {
                expected.push((x, y));
            }
        }
    }
    assert_eq!(lit_pixels(&display.frame()), expected);
    assert_only_vcomh_warning(&display);
}

#[test]
fn terminal_mode_fmt_write_prints_only_the_last_character() {
    // Found with this model: the crate's `impl fmt::Write for Ssd1306<_, _, TerminalMode>`
    // is `s.chars().map(|c| self.print_char(c)).next_back()`, which runs `print_char` for the
    // last character only. Real glass shows the same; this test pins the behaviour down so a
    // fixed crate version is noticed.
    use core::fmt::Write as _;
    let board = I2cBoard::new(PanelSize::W128H64);
    let interface = I2CDisplayInterface::new(board.bus.clone());
    let mut driver =
        Driver::new(interface, DisplaySize128x64, DisplayRotation::Rotate0).into_terminal_mode();
    driver.init().expect("init");
    driver.clear().expect("clear");
    driver.write_str("Hi").expect("write");
    let display = board.display();
    // 'i' in the first cell: x 2 rows 2, 5; x 3 rows 0, 2..=5; x 4 row 5. No 'H'.
    let expected = vec![
        (3, 0),
        (2, 2),
        (3, 2),
        (3, 3),
        (3, 4),
        (2, 5),
        (3, 5),
        (4, 5),
    ];
    assert_eq!(lit_pixels(&display.frame()), expected);
}

#[test]
fn terminal_mode_on_an_offset_panel() {
    let board = I2cBoard::new(PanelSize::W72H40);
    let interface = I2CDisplayInterface::new(board.bus.clone());
    let mut driver =
        Driver::new(interface, DisplaySize72x40, DisplayRotation::Rotate0).into_terminal_mode();
    driver.init().expect("init");
    driver.clear().expect("clear");
    driver.set_position(1, 4).expect("position");
    driver.print_char('|').expect("print");
    let display = board.display();
    // '|' is glyph column 0x3F in the second byte of its cell: x = 8 + 1, rows 32..=37.
    let expected: Vec<(u32, u32)> = (32..=37).map(|y| (9, y)).collect();
    assert_eq!(
        lit_pixels(&display.frame()),
        expected,
        "\n{}",
        ascii(&display.frame())
    );
    assert_eq!(display.registers().iref, 0x30);
    assert_only_vcomh_warning(&display);
}

/// Inits the driver and lights the four corner pixels of a `width` x `height` panel.
fn draw_corners<DI: WriteOnlyDataCommand, SIZE: DisplaySize>(
    driver: &mut Driver<DI, SIZE, BufferedGraphicsMode<SIZE>>,
    width: u32,
    height: u32,
) {
    driver.init().expect("init");
    for (x, y) in [
        (0, 0),
        (width - 1, 0),
        (0, height - 1),
        (width - 1, height - 1),
    ] {
        driver.set_pixel(x, y, true);
    }
    driver.flush().expect("flush");
}

/// Checks that the glass shows exactly the four corners and the panel's settings.
fn check_corners(display: &Ssd1306, panel: PanelSize, mux: u8, com_pins: u8) {
    let (width, height) = (panel.width(), panel.height());
    let frame = display.frame();
    assert_eq!(
        lit_pixels(&frame),
        vec![
            (0, 0),
            (width - 1, 0),
            (0, height - 1),
            (width - 1, height - 1)
        ],
        "{panel:?}\n{}",
        ascii(&frame)
    );
    assert_eq!(display.registers().multiplex, mux, "{panel:?}");
    assert_eq!(display.registers().com_pins, com_pins, "{panel:?}");
    assert_only_vcomh_warning(display);
}

/// Initialises `SIZE` in buffered graphics mode over I2C and over SPI, lights the corner
/// pixels and checks the glass.
fn corners<SIZE: DisplaySize + Copy>(size: SIZE, panel: PanelSize, mux: u8, com_pins: u8) {
    let (width, height) = (u32::from(SIZE::WIDTH), u32::from(SIZE::HEIGHT));
    assert_eq!((panel.width(), panel.height()), (width, height));

    let board = I2cBoard::new(panel);
    let mut driver = Driver::new(
        I2CDisplayInterface::new(board.bus.clone()),
        size,
        DisplayRotation::Rotate0,
    )
    .into_buffered_graphics_mode();
    draw_corners(&mut driver, width, height);
    check_corners(&board.display(), panel, mux, com_pins);

    let board = SpiBoard::new(panel);
    let mut driver = Driver::new(
        SPIInterface::new(board.spi.clone(), board.dc.clone()),
        size,
        DisplayRotation::Rotate0,
    )
    .into_buffered_graphics_mode();
    draw_corners(&mut driver, width, height);
    check_corners(&board.display(), panel, mux, com_pins);
}

#[test]
fn every_panel_size_initialises_and_shows_its_corners() {
    corners(DisplaySize128x64, PanelSize::W128H64, 64, 0x12);
    corners(DisplaySize128x32, PanelSize::W128H32, 32, 0x02);
    corners(DisplaySize96x16, PanelSize::W96H16, 16, 0x02);
    corners(DisplaySize72x40, PanelSize::W72H40, 40, 0x12);
    corners(DisplaySize64x48, PanelSize::W64H48, 48, 0x12);
    corners(DisplaySize64x32, PanelSize::W64H32, 32, 0x12);
}

#[test]
fn basic_mode_clear_relies_on_wrap_around() {
    let mut config = Ssd1306Config::new(PanelSize::W128H64);
    config.power_on_ram = PowerOnRam::Noise(1);
    let board = I2cBoard::with_config(config);
    assert!(board.display().gddram().iter().any(|&b| b != 0));
    let mut driver = Driver::new(
        I2CDisplayInterface::new(board.bus.clone()),
        DisplaySize128x64,
        DisplayRotation::Rotate0,
    );
    driver
        .init_with_addr_mode(AddrMode::Horizontal)
        .expect("init");
    // Noise shows as soon as the display is on.
    assert!(!lit_pixels(&board.display().frame()).is_empty());
    driver.clear().expect("clear");
    // 17 batches of 64 bytes = 1088 bytes for a 1024-byte window.
    let data: usize = board
        .i2c_writes()
        .iter()
        .filter(|w| w[0] == 0x40)
        .map(|w| w.len() - 1)
        .sum();
    assert_eq!(data, 1088);
    let display = board.display();
    assert!(display.gddram().iter().all(|&b| b == 0));
    assert!(lit_pixels(&display.frame()).is_empty());
    assert_eq!(
        warning_kinds(&display),
        vec![WarningKind::ArgumentOutOfRange, WarningKind::WindowOverrun]
    );
}

#[test]
fn set_display_on_and_invert_through_the_driver() {
    let board = I2cBoard::new(PanelSize::W128H64);
    let mut driver = Driver::new(
        I2CDisplayInterface::new(board.bus.clone()),
        DisplaySize128x64,
        DisplayRotation::Rotate0,
    )
    .into_buffered_graphics_mode();
    driver.init().expect("init");
    driver.flush().expect("flush");
    driver.set_invert(true).expect("invert");
    assert_eq!(lit_pixels(&board.display().frame()).len(), 128 * 64);
    driver.set_display_on(false).expect("off");
    assert!(lit_pixels(&board.display().frame()).is_empty());
    driver.set_display_on(true).expect("on");
    driver
        .set_brightness(Brightness::BRIGHTEST)
        .expect("brightness");
    assert_eq!(board.display().frame().pixel(5, 5), Some([255, 255, 255]));
    let display = board.display();
    let r = display.registers();
    assert!(r.inverse && r.display_on);
    // Brightness::BRIGHTEST: pre-charge phases 1 and 2, contrast 0xFF.
    assert_eq!((r.contrast, r.precharge), (0xFF, 0x21));
}
