//! The simulated board is wired as its file says: driving the board's buses and lines through
//! embedded-hal reaches the parts.

use embedded_hal::digital::{InputPin, OutputPin};
use embedded_hal::i2c::{ErrorKind as I2cErrorKind, I2c, NoAcknowledgeSource};
use embedded_hal::spi::SpiDevice;
use std::path::Path;
use wasi_hal_board::{Board, BoardFile};
use wasi_hal_sim::TraceKind;

fn board(name: &str) -> Board {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../boards")
        .join(format!("{name}.toml"));
    Board::load(path).unwrap_or_else(|e| panic!("{e}"))
}

/// The init sequence of a 128x32 panel: horizontal addressing over the whole panel, remap and
/// COM direction for an upright image, charge pump on, display on.
const INIT_128X32: &[u8] = &[
    0xAE, // display off
    0xA8, 0x1F, // multiplex 32
    0xDA, 0x02, // COM pins for 128x32
    0xA1, 0xC8, // segment remap, COM scan reversed: upright
    0x8D, 0x14, // charge pump on
    0x20, 0x00, // horizontal addressing
    0x21, 0x00, 0x7F, // columns 0..127
    0x22, 0x00, 0x03, // pages 0..3
    0xAF, // display on
];

#[test]
fn spi_oled_and_dc_line_reach_the_ssd1306() {
    let board = board("sim-pacman-pmod-oled");
    let sim = board.simulated().unwrap();
    let mut spi = sim.spi("oled").unwrap();
    let mut dc = sim.line("oled-dc").unwrap();
    let mut res = sim.line("oled-res").unwrap();
    let mut vdd = sim.line("oled-vddc").unwrap();
    let mut vbat = sim.line("oled-vbatc").unwrap();

    // The policy's settings are in force on the board's handle.
    assert_eq!(spi.config().frequency_hz, 8_000_000);

    // Power up as Digilent's driver does: VDD on, reset pulse, commands, VBAT on, display on.
    vdd.set_low().unwrap();
    res.set_low().unwrap();
    sim.clock().advance_ns(1_000_000);
    res.set_high().unwrap();
    dc.set_low().unwrap();
    spi.write(INIT_128X32).unwrap();
    vbat.set_low().unwrap();
    dc.set_high().unwrap();
    // One lit column of 8 pixels at the top left, then one dark column.
    spi.write(&[0xFF, 0x00]).unwrap();

    let frame = sim.frame("oled").unwrap();
    assert_eq!((frame.width, frame.height), (128, 32));
    let lit = |x, y| frame.pixel(x, y).unwrap() != [0, 0, 0];
    assert!(lit(0, 0) && lit(0, 7), "the column written as data is lit");
    assert!(!lit(0, 8) && !lit(1, 0), "nothing else is lit");
    let display = sim.ssd1306("oled").unwrap().lock().unwrap();
    assert_eq!(display.gddram().iter().filter(|&&b| b != 0).count(), 1);
    assert!(!display.in_reset());
}

#[test]
fn dc_low_sends_commands_not_data() {
    // The same bytes with D/C left low are commands: no pixel changes. This fails if the part is
    // not wired to the board's `oled-dc` line.
    let board = board("sim-pacman-pmod-oled");
    let sim = board.simulated().unwrap();
    let mut spi = sim.spi("oled").unwrap();
    sim.line("oled-res").unwrap().set(true);
    sim.line("oled-dc").unwrap().set(false);
    spi.write(INIT_128X32).unwrap();
    spi.write(&[0xFF]).unwrap(); // as a command: "all pixels on" is 0xA5, 0xFF is no data
    let display = sim.ssd1306("oled").unwrap().lock().unwrap();
    assert!(display.gddram().iter().all(|&b| b == 0));
}

#[test]
fn res_line_holds_the_controller_in_reset() {
    let board = board("sim-pacman-pmod-oled");
    let sim = board.simulated().unwrap();
    // `oled-res` starts low (its `initial`), so the controller is in reset and ignores bytes.
    assert!(sim.ssd1306("oled").unwrap().lock().unwrap().in_reset());
    let mut spi = sim.spi("oled").unwrap();
    sim.line("oled-dc").unwrap().set(true);
    spi.write(&[0xFF; 16]).unwrap();
    let display = sim.ssd1306("oled").unwrap().lock().unwrap();
    assert!(display.gddram().iter().all(|&b| b == 0));
}

#[test]
fn buttons_drive_their_lines() {
    let board = board("sim-pacman-pmod-oled");
    let sim = board.simulated().unwrap();
    let mut up = sim.line("btn-up").unwrap();
    // Released, an active-low button's line is high.
    assert!(up.is_high().unwrap());
    let button = sim.button("up").unwrap();
    sim.trace().enable();
    button.press();
    assert!(up.is_low().unwrap());
    assert!(button.is_pressed());
    button.release();
    assert!(up.is_high().unwrap());
    // The other buttons are on their own lines.
    assert!(sim.line("btn-down").unwrap().is_high_now());
    let edges: Vec<bool> = sim
        .trace()
        .events()
        .into_iter()
        .filter_map(|e| match e.kind {
            TraceKind::Gpio { line, high } if line == "btn-up" => Some(high),
            _ => None,
        })
        .collect();
    assert_eq!(edges, [false, true]);
}

#[test]
fn i2c_bus_acks_its_parts_and_nacks_empty_addresses() {
    let board = board("sim-weather");
    let sim = board.simulated().unwrap();
    let mut bus = sim.i2c("i2c0").unwrap();
    // Nothing at 0x10.
    let err = bus.write(0x10, &[0x00]).unwrap_err();
    assert_eq!(
        embedded_hal::i2c::Error::kind(&err),
        I2cErrorKind::NoAcknowledge(NoAcknowledgeSource::Address)
    );
    // The BME680 at 0x76 answers its chip id.
    let mut id = [0];
    bus.write_read(0x76, &[0xD0], &mut id).unwrap();
    assert_eq!(id, [0x61]);
    // The SSD1306 at 0x3C takes a command stream.
    bus.write(0x3C, &[0x00, 0xAF]).unwrap();
    assert!(sim.bme680("sensor").is_some());
    assert!(
        sim.ssd1306("display")
            .unwrap()
            .lock()
            .unwrap()
            .registers()
            .display_on
    );
}

#[test]
fn sensor_starts_with_the_board_files_conditions() {
    let board = board("sim-weather");
    let sim = board.simulated().unwrap();
    let sensor = sim.bme680("sensor").unwrap().lock().unwrap();
    match sensor.environment() {
        wasi_hal_sim::bme680::Environment::Conditions(c) => {
            assert_eq!(c.temperature_celsius, 21.5);
            assert_eq!(c.humidity_percent, 45.0);
            assert_eq!(c.gas_resistance_ohm, 120_000.0);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn one_clock_and_one_trace_for_the_whole_board() {
    let board = board("sim-weather");
    let sim = board.simulated().unwrap();
    sim.trace().enable();
    let before = sim.clock().now_ns();
    let mut bus = sim.i2c("i2c0").unwrap();
    bus.write(0x3C, &[0x00, 0xAE]).unwrap();
    // 3 bytes at 400 kHz, 9 clocks each: 67.5 us of wire time on the board's clock.
    assert_eq!(sim.clock().now_ns() - before, 67_500);
    let events = sim.trace().events();
    assert_eq!(events.len(), 1);
    assert!(
        matches!(&events[0].kind, TraceKind::I2c { bus, address: 0x3C, error: None, .. } if bus == "i2c0")
    );
}

#[test]
fn leds_follow_their_lines() {
    let text = "[board]\nname = \"leds\"\nbackend = \"simulated\"\n\n\
                [gpio.led0]\nmodes = [\"output\"]\n\n\
                [gpio.led1]\nmodes = [\"output\"]\ninitial = \"high\"\n\n\
                [[part]]\nkind = \"led\"\nname = \"power\"\nline = \"led0\"\n\n\
                [[part]]\nkind = \"led\"\nname = \"status\"\nline = \"led1\"\nactive = \"low\"\n";
    let board = Board::build(BoardFile::parse(text, "leds.toml").unwrap()).unwrap();
    let sim = board.simulated().unwrap();
    let (power, status) = (sim.led("power").unwrap(), sim.led("status").unwrap());
    assert!(!power.is_lit() && !status.is_lit());
    sim.line("led0").unwrap().set(true);
    sim.line("led1").unwrap().set(false);
    assert!(power.is_lit() && status.is_lit());
}

#[test]
fn spi_name_without_a_part_reads_ones() {
    let text = "[board]\nname = \"bare\"\nbackend = \"simulated\"\n\n\
                [spi.bare]\nmax-frequency-hz = 1_000_000\n";
    let board = Board::build(BoardFile::parse(text, "bare.toml").unwrap()).unwrap();
    let mut spi = board.simulated().unwrap().spi("bare").unwrap();
    let mut buf = [0u8; 3];
    spi.read(&mut buf).unwrap();
    assert_eq!(buf, [0xFF; 3]);
}
