//! The SSD1306 driver components (`ssd1306-i2c`, `ssd1306-spi`, `pmod-oled`) in a real Wasmtime
//! with the real host crates, against the simulated SSD1306.
//!
//! Expected bytes are written out from the datasheet (SSD1306 rev 1.1, chapter 9, and the
//! application note's initialisation flow) and Digilent's Pmod OLED reference sequence, never
//! taken from the driver's code; expected pixels are computed from the drawing calls.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use test_programs_artifacts::{DRIVER_PMOD_OLED, DRIVER_SSD1306_I2C, DRIVER_SSD1306_SPI};
use wasi_hal_i2c::{AllowedAddresses, I2cPolicy};
use wasi_hal_sim::ssd1306::{AddressingMode, PanelSize};
use wasi_hal_sim::{I2cTarget, I2cTargetError, TraceKind};
use wasi_hal_spi::{SpiConfig, SpiMode, SpiPolicy};
use wasi_hal_tests::{ColorFormat, ErrorCode, Rect, Running, TestBoard, wire};

/// The configuration commands for a 128-column panel with `mux` rows and COM pins `com`, as
/// the application note's software initialisation flow orders them.
fn configuration(mux_minus_one: u8, com: u8) -> Vec<u8> {
    vec![
        0xD5,
        0x80, // display clock: divide ratio 1, oscillator frequency 8 (reset value)
        0xA8,
        mux_minus_one, // multiplex ratio
        0xD3,
        0x00, // display offset 0
        0x40, // display start line 0
        0x8D,
        0x14, // charge pump on
        0x20,
        0x00, // horizontal addressing mode
        0xA1, // segment remap: column 127 to SEG0
        0xC8, // COM output scan direction remapped
        0xDA,
        com, // COM pins hardware configuration
        0xD9,
        0xF1, // pre-charge: phase 1 = 1 DCLK, phase 2 = 15 DCLKs
        0x81,
        0x7F, // contrast 0x7F (reset value)
        0xDB,
        0x20, // VCOMH deselect level 0.77 x VCC (reset value)
        0xA4, // display follows RAM
        0xA6, // normal display
        0x2E, // deactivate scrolling
    ]
}

/// `AE`, the configuration and the window over the whole of a 128-column panel.
fn init_commands(mux_minus_one: u8, com: u8, last_page: u8) -> Vec<u8> {
    let mut cmds = vec![0xAE];
    cmds.extend(configuration(mux_minus_one, com));
    cmds.extend([0x21, 0x00, 0x7F, 0x22, 0x00, last_page]);
    cmds
}

/// One I2C write of control byte `control` and `bytes` to the display at 0x3c on `i2c0`.
fn i2c(control: u8, bytes: &[u8]) -> (String, Vec<u8>) {
    let mut v = vec![control];
    v.extend_from_slice(bytes);
    ("i2c0@0x3c".to_string(), v)
}

fn spi(device: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    (device.to_string(), bytes.to_vec())
}

fn pin(line: &str, high: bool) -> (String, Vec<u8>) {
    (line.to_string(), vec![u8::from(high)])
}

/// Packs a `w` x `h` picture as `mono1`: rows top to bottom, each on a byte boundary, MSB =
/// leftmost pixel.
fn mono1(w: u32, h: u32, lit: impl Fn(u32, u32) -> bool) -> Vec<u8> {
    let stride = w.div_ceil(8) as usize;
    let mut out = vec![0u8; stride * h as usize];
    for y in 0..h {
        for x in 0..w {
            if lit(x, y) {
                out[y as usize * stride + x as usize / 8] |= 0x80 >> (x % 8);
            }
        }
    }
    out
}

/// The GDDRAM bytes of a `w` x `pages * 8` picture: page by page, one byte per column, bit 0 =
/// the page's top row (datasheet Figure 10-3).
fn gddram(w: u32, pages: u32, lit: impl Fn(u32, u32) -> bool) -> Vec<u8> {
    let mut out = Vec::new();
    for page in 0..pages {
        for x in 0..w {
            let mut byte = 0u8;
            for bit in 0..8 {
                if lit(x, page * 8 + bit) {
                    byte |= 1 << bit;
                }
            }
            out.push(byte);
        }
    }
    out
}

fn rect(x: u32, y: u32, width: u32, height: u32) -> Rect {
    Rect {
        x,
        y,
        width,
        height,
    }
}

/// Asserts that the glass shows exactly `lit`.
fn assert_glass(running: &Running, lit: impl Fn(u32, u32) -> bool) {
    let glass = running.glass();
    for (y, row) in glass.iter().enumerate() {
        for (x, &on) in row.iter().enumerate() {
            assert_eq!(on, lit(x as u32, y as u32), "pixel ({x}, {y})");
        }
    }
}

fn assert_no_warnings(running: &Running) {
    let warnings = running.display.lock().unwrap().warnings().to_vec();
    assert!(warnings.is_empty(), "{warnings:#?}");
}

/// The `display.panel` value for `panel`.
fn panel_name(panel: PanelSize) -> &'static str {
    match panel {
        PanelSize::W128H64 => "128x64",
        PanelSize::W128H32 => "128x32",
        PanelSize::W96H16 => "96x16",
        PanelSize::W72H40 => "72x40",
        PanelSize::W64H48 => "64x48",
        PanelSize::W64H32 => "64x32",
    }
}

/// A board with the SSD1306 at 0x3c on `i2c0`, and the driver configured for its panel.
fn i2c_board(panel: PanelSize) -> TestBoard {
    let mut board = TestBoard::new(panel);
    board.i2c_bus("i2c0", Some(0x3C), I2cPolicy::default());
    board.config("display.panel", panel_name(panel));
    board
}

// ---------------------------------------------------------------------------------------------
// ssd1306-i2c
// ---------------------------------------------------------------------------------------------

#[test]
fn i2c_open_sends_the_datasheet_initialisation_in_three_writes() {
    let mut running = i2c_board(PanelSize::W128H64)
        .start(DRIVER_SSD1306_I2C)
        .unwrap();
    let d = running.open().unwrap().unwrap();
    assert_eq!(
        wire(&running.take_trace()),
        [
            i2c(0x00, &init_commands(0x3F, 0x12, 7)),
            i2c(0x40, &[0; 1024]),
            i2c(0x00, &[0xAF]),
        ]
    );
    let info = running.info(d).unwrap();
    assert_eq!((info.width, info.height), (128, 64));
    assert!(matches!(info.format, ColorFormat::Mono1));
    let regs = *running.display.lock().unwrap().registers();
    assert!(regs.display_on && regs.charge_pump && regs.segment_remap && regs.com_scan_reversed);
    assert_eq!(regs.addressing_mode, AddressingMode::Horizontal);
    assert_eq!(
        (regs.multiplex, regs.com_pins, regs.contrast),
        (64, 0x12, 0x7F)
    );
    assert_no_warnings(&running);
    assert_glass(&running, |_, _| false);
}

#[test]
fn i2c_full_frame_is_one_data_write_byte_for_byte() {
    let mut running = i2c_board(PanelSize::W128H64)
        .start(DRIVER_SSD1306_I2C)
        .unwrap();
    let d = running.open().unwrap().unwrap();
    running.take_trace();
    // Every column of every page has a lit pixel, so every byte of the frame changes.
    let lit = |x: u32, y: u32| (x + y).is_multiple_of(3);
    running
        .present_region(d, rect(0, 0, 128, 64), &mono1(128, 64, lit))
        .unwrap()
        .unwrap();
    // `open` wrote the whole GDDRAM through the full window, which left the controller's
    // pointer at its start: one data write of the whole GDDRAM, no window.
    assert_eq!(
        wire(&running.take_trace()),
        [i2c(0x40, &gddram(128, 8, lit))]
    );
    assert_glass(&running, lit);
    // After a smaller window (pixel (0, 1) is dark), a full frame sets the full window again.
    running.fill_rect(d, rect(0, 1, 1, 1), 1).unwrap().unwrap();
    running.present(d).unwrap().unwrap();
    assert_eq!(
        wire(&running.take_trace()),
        [
            i2c(0x00, &[0x21, 0, 0, 0x22, 0, 0]),
            i2c(0x40, &[0b0100_1011])
        ]
    );
    // The inverse of the first frame: every byte changes again.
    let lit = |x: u32, y: u32| !(x + y).is_multiple_of(3);
    running
        .present_region(d, rect(0, 0, 128, 64), &mono1(128, 64, lit))
        .unwrap()
        .unwrap();
    assert_eq!(
        wire(&running.take_trace()),
        [
            i2c(0x00, &[0x21, 0, 127, 0x22, 0, 7]),
            i2c(0x40, &gddram(128, 8, lit))
        ]
    );
    assert_glass(&running, lit);
    // Presenting again with nothing changed sends nothing.
    running.present(d).unwrap().unwrap();
    assert!(running.take_trace().is_empty());
    assert_no_warnings(&running);
}

#[test]
fn i2c_drawing_on_a_72x40_panel_lands_at_its_column_offset() {
    let board = i2c_board(PanelSize::W72H40);
    let mut running = board.start(DRIVER_SSD1306_I2C).unwrap();
    let d = running.open().unwrap().unwrap();
    let init = running.take_trace();
    let mut cmds = vec![0xAE];
    let mut config = configuration(0x27, 0x12);
    // The 72x40 modules also select the internal IREF (0xAD 0x30) after the COM pins.
    config.splice(15..15, [0xAD, 0x30]);
    cmds.extend(config);
    cmds.extend([0x21, 28, 99, 0x22, 0, 4]);
    assert_eq!(
        wire(&init),
        [
            i2c(0x00, &cmds),
            i2c(0x40, &[0; 72 * 5]),
            i2c(0x00, &[0xAF])
        ]
    );
    let info = running.info(d).unwrap();
    assert_eq!((info.width, info.height), (72, 40));

    // A 13x11 pattern at (3, 5) and a filled bar at the right edge.
    let pattern = |x: u32, y: u32| (x * 7 + y * 3).is_multiple_of(5);
    running
        .write_region(d, rect(3, 5, 13, 11), &mono1(13, 11, pattern))
        .unwrap()
        .unwrap();
    running
        .fill_rect(d, rect(70, 30, 2, 10), 1)
        .unwrap()
        .unwrap();
    // Drawing alone sends nothing.
    assert!(running.take_trace().is_empty());
    running.present(d).unwrap().unwrap();
    let lit = |x: u32, y: u32| {
        ((3..16).contains(&x) && (5..16).contains(&y) && pattern(x - 3, y - 5))
            || (x >= 70 && y >= 30)
    };
    assert_glass(&running, lit);
    // The window: columns 3..=71 of the panel are 31..=99 of the controller; pages 0..=4.
    let traffic = wire(&running.take_trace());
    assert_eq!(traffic.len(), 2);
    assert_eq!(traffic[0], i2c(0x00, &[0x21, 31, 99, 0x22, 0, 4]));
    let all = gddram(72, 5, lit);
    let expected: Vec<u8> = (0..5)
        .flat_map(|page| all[page * 72 + 3..page * 72 + 72].to_vec())
        .collect();
    assert_eq!(traffic[1], i2c(0x40, &expected));
    assert_no_warnings(&running);
}

#[test]
fn i2c_power_and_brightness() {
    let mut running = i2c_board(PanelSize::W128H32)
        .start(DRIVER_SSD1306_I2C)
        .unwrap();
    let d = running.open().unwrap().unwrap();
    running.take_trace();
    running.set_brightness(d, 0xFF).unwrap().unwrap();
    running.set_power(d, false).unwrap().unwrap();
    assert!(!running.lit(0, 0));
    running.fill_rect(d, rect(0, 0, 1, 1), 1).unwrap().unwrap();
    // The frame is kept and can be written while the panel is off.
    running.present(d).unwrap().unwrap();
    assert!(!running.lit(0, 0));
    running.set_power(d, true).unwrap().unwrap();
    assert!(running.lit(0, 0));
    assert_eq!(
        wire(&running.take_trace()),
        [
            i2c(0x00, &[0x81, 0xFF]),
            i2c(0x00, &[0xAE]),
            i2c(0x00, &[0x21, 0, 0, 0x22, 0, 0]),
            i2c(0x40, &[0x01]),
            i2c(0x00, &[0xAF]),
        ]
    );
    assert_eq!(running.display.lock().unwrap().registers().contrast, 0xFF);
}

#[test]
fn i2c_missing_refused_and_silent_displays_are_errors_not_traps() {
    // The bus the driver is configured for is not offered: a guest cannot tell a missing bus
    // from a forbidden one.
    let mut board = i2c_board(PanelSize::W128H64);
    board.config("display.i2c-bus", "i2c7");
    let mut running = board.start(DRIVER_SSD1306_I2C).unwrap();
    assert_eq!(
        running.open().unwrap().unwrap_err(),
        ErrorCode::NotPermitted
    );
    assert!(running.take_trace().is_empty());

    // The board's policy does not let the driver reach 0x3c: nothing reaches the bus.
    let mut board = TestBoard::new(PanelSize::W128H64);
    board.i2c_bus(
        "i2c0",
        Some(0x3C),
        I2cPolicy {
            allowed_addresses: AllowedAddresses::Only(vec![0x3D]),
            ..I2cPolicy::default()
        },
    );
    let mut running = board.start(DRIVER_SSD1306_I2C).unwrap();
    assert_eq!(
        running.open().unwrap().unwrap_err(),
        ErrorCode::NotPermitted
    );
    assert!(running.take_trace().is_empty());

    // Nothing answers at 0x3c.
    let mut board = TestBoard::new(PanelSize::W128H64);
    board.i2c_bus("i2c0", None, I2cPolicy::default());
    let mut running = board.start(DRIVER_SSD1306_I2C).unwrap();
    assert_eq!(
        running.open().unwrap().unwrap_err(),
        ErrorCode::NotConnected
    );
    let trace = running.take_trace();
    assert_eq!(trace.len(), 1);
    assert!(matches!(
        &trace[0].kind,
        TraceKind::I2c {
            address: 0x3C,
            error: Some(_),
            ..
        }
    ));

    // The display answers at 0x3d, which the configuration selects.
    let mut board = TestBoard::new(PanelSize::W128H64);
    board.i2c_bus("i2c0", Some(0x3D), I2cPolicy::default());
    board.config("display.address", "0x3D");
    let mut running = board.start(DRIVER_SSD1306_I2C).unwrap();
    running.open().unwrap().unwrap();
    assert_no_warnings(&running);
}

/// A part that acknowledges nothing, as a display that lost power.
struct Silent;

impl I2cTarget for Silent {
    fn write(&mut self, _: &[u8]) -> Result<(), I2cTargetError> {
        Err(I2cTargetError::AddressNack)
    }
    fn read(&mut self, _: &mut [u8]) -> Result<(), I2cTargetError> {
        Err(I2cTargetError::AddressNack)
    }
}

#[test]
fn i2c_a_display_that_stops_answering_is_not_connected_until_it_answers_again() {
    let mut board = TestBoard::new(PanelSize::W128H64);
    let bus = board.i2c_bus("i2c0", Some(0x3C), I2cPolicy::default());
    let mut running = board.start(DRIVER_SSD1306_I2C).unwrap();
    let d = running.open().unwrap().unwrap();
    let real = bus.attach(0x3C, Arc::new(Mutex::new(Silent))).unwrap();
    running.fill_rect(d, rect(5, 9, 2, 1), 1).unwrap().unwrap();
    assert_eq!(running.present(d).unwrap(), Err(ErrorCode::NotConnected));
    assert_eq!(
        running.set_power(d, false).unwrap(),
        Err(ErrorCode::NotConnected)
    );
    assert!(!running.lit(5, 9));
    running.take_trace();
    // Back on the bus: the change was kept and is sent with its window.
    bus.attach(0x3C, real);
    running.present(d).unwrap().unwrap();
    assert_eq!(
        wire(&running.take_trace()),
        [
            i2c(0x00, &[0x21, 5, 6, 0x22, 1, 1]),
            i2c(0x40, &[0x02, 0x02])
        ]
    );
    assert!(running.lit(5, 9) && running.lit(6, 9) && !running.lit(7, 9));
}

#[test]
fn i2c_invalid_configuration_values_fail_open_with_other() {
    for (key, value) in [
        ("display.address", "0x3e"),
        ("display.address", "sixty"),
        ("display.panel", "128x48"),
        ("display.panel", ""),
    ] {
        let mut board = i2c_board(PanelSize::W128H64);
        board.config(key, value);
        let mut running = board.start(DRIVER_SSD1306_I2C).unwrap();
        assert_eq!(
            running.open().unwrap().unwrap_err(),
            ErrorCode::Other,
            "{key} = {value:?}"
        );
        assert!(running.take_trace().is_empty(), "{key} = {value:?}");
    }
}

#[test]
fn i2c_bad_rectangles_and_second_opens_are_refused() {
    let mut running = i2c_board(PanelSize::W128H32)
        .start(DRIVER_SSD1306_I2C)
        .unwrap();
    let d = running.open().unwrap().unwrap();
    assert_eq!(running.open().unwrap().unwrap_err(), ErrorCode::InUse);
    running.take_trace();
    assert_eq!(
        running
            .present_region(d, rect(120, 0, 9, 1), &[0, 0])
            .unwrap(),
        Err(ErrorCode::OutOfBounds)
    );
    assert_eq!(
        running
            .write_region(d, rect(u32::MAX, 0, 2, 1), &[0])
            .unwrap(),
        Err(ErrorCode::OutOfBounds)
    );
    assert_eq!(
        running.fill_rect(d, rect(0, 30, 1, 3), 1).unwrap(),
        Err(ErrorCode::OutOfBounds)
    );
    assert_eq!(
        running
            .present_region(d, rect(0, 0, 9, 2), &[0xFF; 3])
            .unwrap(),
        Err(ErrorCode::WrongLength)
    );
    assert_eq!(
        running.fill_rect(d, rect(0, 0, 1, 1), 2).unwrap(),
        Err(ErrorCode::Other)
    );
    running.present(d).unwrap().unwrap();
    assert!(running.take_trace().is_empty());
    // Dropping the display lets it be opened again.
    running.close(d).unwrap();
    running.open().unwrap().unwrap();
}

// ---------------------------------------------------------------------------------------------
// ssd1306-spi
// ---------------------------------------------------------------------------------------------

#[test]
fn spi_open_pulses_reset_and_initialises_with_dc() {
    let mut board = TestBoard::new(PanelSize::W128H32);
    let dc = board.output_line("display-dc", false, false);
    let res = board.output_line("display-reset", true, true);
    board.spi_device("display", &dc, Some(&res), SpiPolicy::default());
    board.config("display.panel", "128x32");
    let mut running = board.start(DRIVER_SSD1306_SPI).unwrap();
    let d = running.open().unwrap().unwrap();
    let trace = running.take_trace();
    assert_eq!(
        wire(&trace),
        [
            pin("display-reset", false),
            pin("display-reset", true),
            spi("display", &init_commands(0x1F, 0x02, 3)),
            pin("display-dc", true),
            spi("display", &[0; 512]),
            pin("display-dc", false),
            spi("display", &[0xAF]),
        ]
    );
    // RES# low for 1 ms (the datasheet asks for at least 3 us).
    assert_eq!(trace[1].time_ns - trace[0].time_ns, 1_000_000);
    // The driver asked for 10 MHz, mode 0, MSB first.
    let info = running.info(d).unwrap();
    assert_eq!((info.width, info.height), (128, 32));
    assert_no_warnings(&running);
}

#[test]
fn spi_draws_pixels_and_sends_only_the_changed_box() {
    let mut board = TestBoard::new(PanelSize::W128H64);
    let dc = board.output_line("display-dc", false, false);
    board.spi_device("display", &dc, None, SpiPolicy::default());
    let mut running = board.start(DRIVER_SSD1306_SPI).unwrap();
    let d = running.open().unwrap().unwrap();
    let init = wire(&running.take_trace());
    // No RES# pin offered under the default name: no reset, the same initialisation.
    assert_eq!(init[0], spi("display", &init_commands(0x3F, 0x12, 7)));
    assert_eq!(init.len(), 5);

    // A 20x20 diagonal cross at (40, 10).
    let cross = |x: u32, y: u32| x == y || x + y == 19;
    running
        .present_region(d, rect(40, 10, 20, 20), &mono1(20, 20, cross))
        .unwrap()
        .unwrap();
    let lit =
        |x: u32, y: u32| (40..60).contains(&x) && (10..30).contains(&y) && cross(x - 40, y - 10);
    assert_glass(&running, lit);
    let traffic = wire(&running.take_trace());
    let all = gddram(128, 8, lit);
    let expected: Vec<u8> = (1..=3)
        .flat_map(|page| all[page * 128 + 40..page * 128 + 60].to_vec())
        .collect();
    assert_eq!(
        traffic,
        [
            spi("display", &[0x21, 40, 59, 0x22, 1, 3]),
            pin("display-dc", true),
            spi("display", &expected),
        ]
    );

    // The inverse in the same box.
    running
        .present_region(d, rect(40, 10, 20, 20), &mono1(20, 20, |x, y| !cross(x, y)))
        .unwrap()
        .unwrap();
    let inverse =
        |x: u32, y: u32| (40..60).contains(&x) && (10..30).contains(&y) && !cross(x - 40, y - 10);
    assert_glass(&running, inverse);
    let all = gddram(128, 8, inverse);
    let expected: Vec<u8> = (1..=3)
        .flat_map(|page| all[page * 128 + 40..page * 128 + 60].to_vec())
        .collect();
    // The same box: the last data write filled it, so the controller's pointer is at its
    // start; the data go alone and D/C# stays high.
    assert_eq!(wire(&running.take_trace()), [spi("display", &expected)]);
    assert_no_warnings(&running);
}

#[test]
fn spi_reset_none_leaves_an_offered_reset_pin_alone() {
    let mut board = TestBoard::new(PanelSize::W128H64);
    let dc = board.output_line("display-dc", false, false);
    let res = board.output_line("display-reset", true, true);
    board.spi_device("display", &dc, Some(&res), SpiPolicy::default());
    board.config("display.reset", "none");
    let mut running = board.start(DRIVER_SSD1306_SPI).unwrap();
    running.open().unwrap().unwrap();
    assert_eq!(
        wire(&running.take_trace()),
        [
            spi("display", &init_commands(0x3F, 0x12, 7)),
            pin("display-dc", true),
            spi("display", &[0; 1024]),
            pin("display-dc", false),
            spi("display", &[0xAF]),
        ]
    );
    assert_eq!(res.history().len(), 1);
}

#[test]
fn spi_missing_or_refused_devices_and_pins_are_errors() {
    // No SPI device of that name.
    let mut board = TestBoard::new(PanelSize::W128H64);
    let dc = board.output_line("display-dc", false, false);
    board.spi_device("lcd", &dc, None, SpiPolicy::default());
    let mut running = board.start(DRIVER_SSD1306_SPI).unwrap();
    assert_eq!(
        running.open().unwrap().unwrap_err(),
        ErrorCode::NotPermitted
    );
    assert!(running.take_trace().is_empty());

    // No D/C# pin offered.
    let mut board = TestBoard::new(PanelSize::W128H64);
    let dc = board.hidden_line("display-dc", false);
    board.spi_device("display", &dc, None, SpiPolicy::default());
    let mut running = board.start(DRIVER_SSD1306_SPI).unwrap();
    assert_eq!(
        running.open().unwrap().unwrap_err(),
        ErrorCode::NotPermitted
    );
    assert!(running.take_trace().is_empty());

    // A RES# pin named explicitly must be there.
    let mut board = TestBoard::new(PanelSize::W128H64);
    let dc = board.output_line("display-dc", false, false);
    board.spi_device("display", &dc, None, SpiPolicy::default());
    board.config("display.reset", "oled-res");
    let mut running = board.start(DRIVER_SSD1306_SPI).unwrap();
    assert_eq!(
        running.open().unwrap().unwrap_err(),
        ErrorCode::NotPermitted
    );

    // The board allows only mode 1, which the SSD1306 cannot sample.
    let mut board = TestBoard::new(PanelSize::W128H64);
    let dc = board.output_line("display-dc", false, false);
    let policy = SpiPolicy {
        default_config: SpiConfig {
            mode: SpiMode::Mode1,
            ..SpiConfig::default()
        },
        allowed_modes: vec![SpiMode::Mode1],
        ..SpiPolicy::default()
    };
    board.spi_device("display", &dc, None, policy);
    let mut running = board.start(DRIVER_SSD1306_SPI).unwrap();
    assert_eq!(
        running.open().unwrap().unwrap_err(),
        ErrorCode::NotPermitted
    );
    assert!(running.take_trace().is_empty());

    // The board fixes mode 3 (the SSD1306 samples it correctly): accepted.
    let mut board = TestBoard::new(PanelSize::W128H64);
    let dc = board.output_line("display-dc", false, false);
    let policy = SpiPolicy {
        default_config: SpiConfig {
            mode: SpiMode::Mode3,
            ..SpiConfig::default()
        },
        guest_may_configure: false,
        ..SpiPolicy::default()
    };
    board.spi_device("display", &dc, None, policy);
    let mut running = board.start(DRIVER_SSD1306_SPI).unwrap();
    running.open().unwrap().unwrap();
    assert_no_warnings(&running);

    // Invalid values.
    for (key, value) in [
        ("display.spi-frequency-hz", "20000000"),
        ("display.spi-frequency-hz", "0"),
        ("display.panel", "256x64"),
    ] {
        let mut board = TestBoard::new(PanelSize::W128H64);
        let dc = board.output_line("display-dc", false, false);
        board.spi_device("display", &dc, None, SpiPolicy::default());
        board.config(key, value);
        let mut running = board.start(DRIVER_SSD1306_SPI).unwrap();
        assert_eq!(
            running.open().unwrap().unwrap_err(),
            ErrorCode::Other,
            "{key} = {value:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// pmod-oled
// ---------------------------------------------------------------------------------------------

fn pmod_board() -> TestBoard {
    let mut board = TestBoard::new(PanelSize::W128H32);
    let dc = board.output_line("oled-dc", false, false);
    let res = board.output_line("oled-res", true, true);
    // The supply switches are active low: high (off) at rest and when let go.
    board.output_line("oled-vbatc", true, true);
    board.output_line("oled-vddc", true, true);
    board.spi_device("oled", &dc, Some(&res), SpiPolicy::default());
    board
}

/// Digilent's power-up, as it crosses the wires, with the frame `frame` (512 GDDRAM bytes).
fn pmod_power_up(frame: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut config = configuration(0x1F, 0x02);
    config.extend([0x21, 0x00, 0x7F, 0x22, 0x00, 0x03]);
    vec![
        pin("oled-vddc", false), // VDD on
        spi("oled", &[0xAE]),    // display off
        pin("oled-res", false),  // reset pulse
        pin("oled-res", true),
        spi("oled", &config), // charge pump, pre-charge, remap, COM settings, window
        pin("oled-dc", true),
        spi("oled", frame),
        pin("oled-vbatc", false), // VBAT on
        pin("oled-dc", false),
        spi("oled", &[0xAF]), // display on
    ]
}

#[test]
fn pmod_power_up_and_down_follow_digilent() {
    let mut running = pmod_board().start(DRIVER_PMOD_OLED).unwrap();
    let d = running.open().unwrap().unwrap();
    let trace = running.take_trace();
    assert_eq!(wire(&trace), pmod_power_up(&[0; 512]));
    // VDD settles 1 ms before the first command; RES# is low 1 ms; VBAT settles 100 ms before
    // the display goes on.
    assert!(trace[1].time_ns - trace[0].time_ns >= 1_000_000);
    assert_eq!(trace[3].time_ns - trace[2].time_ns, 1_000_000);
    assert!(trace[9].time_ns - trace[7].time_ns >= 100_000_000);
    let info = running.info(d).unwrap();
    assert_eq!((info.width, info.height), (128, 32));
    assert_no_warnings(&running);

    // A frame, then power-down: display off, VBAT off, 100 ms, VDD off.
    let lit = |x: u32, y: u32| x % 16 == y % 16;
    running
        .present_region(d, rect(0, 0, 128, 32), &mono1(128, 32, lit))
        .unwrap()
        .unwrap();
    assert_glass(&running, lit);
    running.take_trace();
    running.set_power(d, false).unwrap().unwrap();
    let trace = running.take_trace();
    assert_eq!(
        wire(&trace),
        [
            pin("oled-dc", false),
            spi("oled", &[0xAE]),
            pin("oled-vbatc", true),
            pin("oled-vddc", true),
        ]
    );
    assert!(trace[3].time_ns - trace[2].time_ns >= 100_000_000);
    assert_glass(&running, |_, _| false);

    // Drawing while powered down sends nothing; power-up sends the whole frame as it is now.
    running.fill_rect(d, rect(0, 0, 8, 8), 1).unwrap().unwrap();
    running.present(d).unwrap().unwrap();
    running.set_brightness(d, 0x20).unwrap().unwrap();
    assert!(running.take_trace().is_empty());
    running.set_power(d, true).unwrap().unwrap();
    let now = |x: u32, y: u32| (x < 8 && y < 8) || lit(x, y);
    let mut expected = pmod_power_up(&gddram(128, 4, now));
    // The brightness set while off is part of the configuration.
    let config = &mut expected[4].1;
    let at = config.windows(2).position(|w| w == [0x81, 0x7F]).unwrap();
    config[at + 1] = 0x20;
    // D/C# was left low by the power-down.
    assert_eq!(wire(&running.take_trace()), expected);
    assert_glass(&running, now);
    assert_eq!(running.display.lock().unwrap().registers().contrast, 0x20);

    // Dropping the display powers it down in order.
    running.close(d).unwrap();
    assert_eq!(
        wire(&running.take_trace()),
        [
            spi("oled", &[0xAE]),
            pin("oled-vbatc", true),
            pin("oled-vddc", true),
        ]
    );
}

#[test]
fn pmod_missing_pins_are_errors_before_any_supply_is_switched() {
    let mut board = TestBoard::new(PanelSize::W128H32);
    let dc = board.output_line("oled-dc", false, false);
    let res = board.output_line("oled-res", true, true);
    board.output_line("oled-vbatc", true, true);
    board.spi_device("oled", &dc, Some(&res), SpiPolicy::default());
    let mut running = board.start(DRIVER_PMOD_OLED).unwrap();
    assert_eq!(
        running.open().unwrap().unwrap_err(),
        ErrorCode::NotPermitted
    );
    assert!(running.take_trace().is_empty());

    // Renamed pins through the configuration.
    let mut board = TestBoard::new(PanelSize::W128H32);
    let dc = board.output_line("jb-dc", false, false);
    let res = board.output_line("jb-res", true, true);
    board.output_line("jb-vbatc", true, true);
    board.output_line("jb-vddc", true, true);
    board.spi_device("jb", &dc, Some(&res), SpiPolicy::default());
    for (key, value) in [
        ("display.spi-device", "jb"),
        ("display.dc", "jb-dc"),
        ("display.reset", "jb-res"),
        ("display.vbatc", "jb-vbatc"),
        ("display.vddc", "jb-vddc"),
    ] {
        board.config(key, value);
    }
    let mut running = board.start(DRIVER_PMOD_OLED).unwrap();
    running.open().unwrap().unwrap();
    assert_eq!(wire(&running.take_trace()).len(), 10);
    assert_no_warnings(&running);
}

// ---------------------------------------------------------------------------------------------
// The components themselves
// ---------------------------------------------------------------------------------------------

/// The interfaces a component imports and exports, by their full names.
fn interfaces(path: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let bytes = std::fs::read(path).unwrap();
    let wit_component::DecodedWasm::Component(resolve, world) =
        wit_component::decode(&bytes).unwrap()
    else {
        panic!("{path} is not a component");
    };
    let world = &resolve.worlds[world];
    let names = |items: Vec<(&wit_parser::WorldKey, &wit_parser::WorldItem)>| {
        items
            .into_iter()
            .map(|(key, item)| match (key, item) {
                (wit_parser::WorldKey::Interface(id), wit_parser::WorldItem::Interface { .. }) => {
                    resolve.id_of(*id).unwrap()
                }
                (key, _) => panic!(
                    "{path}: a bare import or export {}",
                    resolve.name_world_key(key)
                ),
            })
            .collect::<BTreeSet<_>>()
    };
    (
        names(world.imports.iter().collect()),
        names(world.exports.iter().collect()),
    )
}

#[test]
fn components_import_only_their_buses_delay_and_config() {
    let set = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    let config = "wasi:config/store@0.2.0-rc.1";
    for (path, expected) in [
        (DRIVER_SSD1306_I2C, set(&["wasi:i2c/i2c@0.1.0", config])),
        (
            DRIVER_SSD1306_SPI,
            set(&[
                "wasi:spi/spi@0.1.0",
                "wasi:gpio/gpio@0.1.0",
                "wasi:delay/delay@0.1.0",
                config,
            ]),
        ),
        (
            DRIVER_PMOD_OLED,
            set(&[
                "wasi:spi/spi@0.1.0",
                "wasi:gpio/gpio@0.1.0",
                "wasi:delay/delay@0.1.0",
                config,
            ]),
        ),
    ] {
        let (imports, exports) = interfaces(path);
        assert_eq!(imports, expected, "{path}");
        assert_eq!(
            exports,
            set(&[
                "display:pixels/display@0.1.1",
                "display:pixels/word-pixels@0.1.1"
            ]),
            "{path}"
        );
    }
}

#[test]
fn components_are_at_most_64_kib() {
    for path in [DRIVER_SSD1306_I2C, DRIVER_SSD1306_SPI, DRIVER_PMOD_OLED] {
        let size = std::fs::metadata(path).unwrap().len();
        assert!(size <= 64 * 1024, "{path}: {size} bytes");
    }
}
