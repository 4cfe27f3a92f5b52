//! The simulated LED strip reads colours from SPI bit streams the way the real strip reads its
//! data line: pulse lengths at the transaction's clock decide each bit, a long low latches.
//!
//! The streams here are made by a small encoder written for the test from the datasheet (not
//! the driver's), so a driver bug and a model bug cannot cancel out.

use embedded_hal::spi::{Operation, SpiDevice};
use std::sync::{Arc, Mutex};
use wasi_hal_sim::ws2812::{LedColor, StripModel, StripWarningKind, Ws2812Spi, Ws2812Strip};
use wasi_hal_sim::{SimClock, SimSpiDevice, SpiConfig, Trace};

/// SPI bits per data bit and the patterns of a 0 and a 1.
#[derive(Clone, Copy)]
struct Encoding {
    bits: u32,
    zero: u32,
    one: u32,
}

const THREE: Encoding = Encoding {
    bits: 3,
    zero: 0b100,
    one: 0b110,
};
const FOUR: Encoding = Encoding {
    bits: 4,
    zero: 0b1000,
    one: 0b1110,
};

/// The SPI bytes for `data` (MSB first), then `reset_bytes` zero bytes.
fn encode(data: &[u8], enc: Encoding, reset_bytes: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut acc, mut n) = (0u32, 0u32);
    for &byte in data {
        for i in (0..8).rev() {
            let pattern = if byte >> i & 1 == 1 {
                enc.one
            } else {
                enc.zero
            };
            acc = acc << enc.bits | pattern;
            n += enc.bits;
            while n >= 8 {
                out.push((acc >> (n - 8)) as u8);
                n -= 8;
            }
        }
    }
    if n > 0 {
        out.push((acc << (8 - n)) as u8);
    }
    out.extend(std::iter::repeat_n(0, reset_bytes));
    out
}

/// GRB bytes of `colors`.
fn grb(colors: &[(u8, u8, u8)]) -> Vec<u8> {
    colors.iter().flat_map(|&(r, g, b)| [g, r, b]).collect()
}

fn rgb(r: u8, g: u8, b: u8) -> LedColor {
    LedColor {
        red: r,
        green: g,
        blue: b,
        white: 0,
    }
}

struct Rig {
    strip: Arc<Mutex<Ws2812Strip>>,
    device: SimSpiDevice,
}

fn rig(model: StripModel, length: u32, frequency_hz: u32) -> Rig {
    let clock = SimClock::new();
    let strip = Arc::new(Mutex::new(Ws2812Strip::new(model, length, clock.clone())));
    let mut device = SimSpiDevice::new(
        "strip",
        Arc::new(Mutex::new(Ws2812Spi(strip.clone()))),
        clock,
        Trace::new(),
    );
    device.set_config(SpiConfig {
        frequency_hz,
        ..SpiConfig::default()
    });
    Rig { strip, device }
}

impl Rig {
    fn send(&mut self, bytes: &[u8]) {
        self.device
            .transaction(&mut [Operation::Write(bytes)])
            .unwrap();
    }
    fn shown(&self) -> Vec<LedColor> {
        self.strip.lock().unwrap().shown().to_vec()
    }
    fn warnings(&self) -> Vec<StripWarningKind> {
        self.strip
            .lock()
            .unwrap()
            .warnings()
            .iter()
            .map(|w| w.kind)
            .collect()
    }
}

const COLORS: [(u8, u8, u8); 3] = [(255, 0, 0), (0x12, 0x34, 0x56), (0, 0, 0xff)];

#[test]
fn three_spi_bits_per_bit_at_2_4_mhz_show_the_colours() {
    let mut rig = rig(StripModel::Ws2812b, 3, 2_400_000);
    // 280 us of reset at 2.4 MHz is 672 bits: 84 bytes.
    rig.send(&encode(&grb(&COLORS), THREE, 84));
    assert_eq!(rig.shown(), COLORS.map(|(r, g, b)| rgb(r, g, b)));
    assert_eq!(rig.warnings(), []);
    assert_eq!(rig.strip.lock().unwrap().latches(), 1);
}

#[test]
fn four_spi_bits_per_bit_at_3_2_mhz_show_the_colours() {
    let mut rig = rig(StripModel::Ws2812b, 3, 3_200_000);
    rig.send(&encode(&grb(&COLORS), FOUR, 112));
    assert_eq!(rig.shown(), COLORS.map(|(r, g, b)| rgb(r, g, b)));
    assert_eq!(rig.warnings(), []);
}

#[test]
fn nothing_changes_until_the_reset() {
    let mut rig = rig(StripModel::Ws2812b, 3, 2_400_000);
    // 40 zero bytes are 133 us: shorter than the WS2812B's 280 us reset.
    rig.send(&encode(&grb(&COLORS), THREE, 40));
    assert_eq!(rig.shown(), vec![LedColor::default(); 3]);
    // The line stays low into the next transaction: the reset completes there.
    rig.send(&[0; 50]);
    assert_eq!(rig.shown(), COLORS.map(|(r, g, b)| rgb(r, g, b)));
}

#[test]
fn a_wrong_clock_is_wrong_colours_and_a_warning() {
    // At 1.2 MHz a 3-bit 0 is an 833 ns pulse: the strip reads it as a 1.
    let mut rig = rig(StripModel::Ws2812b, 1, 1_200_000);
    rig.send(&encode(&grb(&[(0x0f, 0, 0)]), THREE, 60));
    assert_ne!(rig.shown()[0], rgb(0x0f, 0, 0));
    assert_eq!(rig.warnings(), [StripWarningKind::PulseOutOfTolerance]);
    let message = rig.strip.lock().unwrap().warnings()[0].message.clone();
    assert!(message.contains("1200000 Hz"), "{message}");
}

#[test]
fn a_clock_that_reads_right_but_is_out_of_tolerance_is_flagged() {
    // At 3.2 MHz the 3-bit 1 is a 625 ns pulse: above the midpoint, so a 1, but short of the
    // 650 ns a 1 needs.
    let mut rig = rig(StripModel::Ws2812b, 1, 3_200_000);
    rig.send(&encode(&grb(&[(0xff, 0xff, 0xff)]), THREE, 120));
    assert_eq!(rig.shown()[0], rgb(0xff, 0xff, 0xff));
    assert_eq!(rig.warnings(), [StripWarningKind::PulseOutOfTolerance]);
}

#[test]
fn an_incomplete_led_keeps_its_colour_and_extra_bits_pass_on() {
    let mut rig = rig(StripModel::Ws2812b, 2, 2_400_000);
    rig.send(&encode(&grb(&COLORS[..2]), THREE, 84));
    // One and a half LEDs: the second keeps what it had.
    let mut half = grb(&[(9, 9, 9), (7, 7, 7)]);
    half.truncate(4);
    rig.send(&encode(&half, THREE, 84));
    let (r, g, b) = COLORS[1];
    assert_eq!(rig.shown(), [rgb(9, 9, 9), rgb(r, g, b)]);
    assert_eq!(rig.warnings(), [StripWarningKind::IncompleteLed]);
    // Three LEDs' worth on a strip of two: the third's 24 bits leave the strip.
    rig.send(&encode(&grb(&COLORS), THREE, 84));
    assert_eq!(rig.strip.lock().unwrap().bits_passed_on(), 24);
}

#[test]
fn sk6812_rgbw_takes_32_bits_and_a_shorter_reset() {
    let mut rig = rig(StripModel::Sk6812Rgbw, 1, 3_200_000);
    // SK6812: 0 = 300 ns, 1 = 600 ns high; at 3.2 MHz (312.5 ns a bit) 1000 and 1100 fit.
    let enc = Encoding {
        bits: 4,
        zero: 0b1000,
        one: 0b1100,
    };
    // 80 us at 3.2 MHz is 256 bits: 32 bytes.
    rig.send(&encode(&[0x20, 0x10, 0x30, 0x40], enc, 32));
    assert_eq!(
        rig.shown(),
        [LedColor {
            red: 0x10,
            green: 0x20,
            blue: 0x30,
            white: 0x40
        }]
    );
    assert_eq!(rig.warnings(), []);
}

#[test]
fn the_frame_shows_each_led_as_a_block() {
    let mut rig = rig(StripModel::Ws2812b, 3, 2_400_000);
    rig.send(&encode(&grb(&COLORS), THREE, 84));
    let frame = rig.strip.lock().unwrap().frame();
    assert_eq!((frame.width, frame.height), (24, 8));
    assert_eq!(frame.pixel(4, 4), Some([255, 0, 0]));
    assert_eq!(frame.pixel(12, 4), Some([0x12, 0x34, 0x56]));
    assert_eq!(
        frame.pixel(8, 4),
        Some([0, 0, 0]),
        "the border between LEDs is dark"
    );
}
