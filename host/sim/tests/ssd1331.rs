//! The simulated SSD1331 shows what the real Pmod OLEDrgb shows for the command and data bytes a
//! driver sends: Digilent's initialisation gives an upright RGB565 image, the power-on remap a
//! mirrored one, and the drawing commands, the lock, the panel supply and the bus settings act
//! as the datasheet says.

use embedded_hal::spi::{Operation, SpiDevice};
use std::sync::{Arc, Mutex};
use wasi_hal_sim::ssd1331::{SharedSsd1331, Ssd1331, Ssd1331Spi, Ssd1331WarningKind};
use wasi_hal_sim::{SimClock, SimLine, SimSpiDevice, SpiConfig, Trace};

/// Digilent's reference initialisation for the Pmod OLEDrgb, less its power-line steps.
const INIT: &[u8] = &[
    0xFD, 0x12, 0xAE, 0xA0, 0x72, 0xA1, 0x00, 0xA2, 0x00, 0xA4, 0xA8, 0x3F, 0xAD, 0x8E, 0xB0, 0x0B,
    0xB1, 0x31, 0xB3, 0xF0, 0x8A, 0x64, 0x8B, 0x78, 0x8C, 0x64, 0xBB, 0x3A, 0xBE, 0x3E, 0x87, 0x06,
    0x81, 0x91, 0x82, 0x50, 0x83, 0x7D, 0x2E, 0x25, 0x00, 0x00, 0x5F, 0x3F,
];

struct Rig {
    display: SharedSsd1331,
    device: SimSpiDevice,
    dc: SimLine,
    vcc: SimLine,
}

fn rig() -> Rig {
    let clock = SimClock::new();
    let trace = Trace::new();
    let display = Ssd1331::new_shared(clock.clone());
    let dc = SimLine::new("dc", false, clock.clone(), trace.clone());
    let vcc = SimLine::new("vcc", true, clock.clone(), trace.clone());
    let front = Ssd1331Spi::new(display.clone(), dc.clone(), None, Some(&vcc));
    let mut device = SimSpiDevice::new("oled", Arc::new(Mutex::new(front)), clock, trace);
    device.set_config(SpiConfig {
        frequency_hz: 6_000_000,
        mode: wasi_hal_sim::SpiMode::Mode0,
        lsb_first: false,
    });
    Rig {
        display,
        device,
        dc,
        vcc,
    }
}

impl Rig {
    fn commands(&mut self, bytes: &[u8]) {
        self.dc.set(false);
        self.device
            .transaction(&mut [Operation::Write(bytes)])
            .unwrap();
    }
    fn data(&mut self, bytes: &[u8]) {
        self.dc.set(true);
        self.device
            .transaction(&mut [Operation::Write(bytes)])
            .unwrap();
    }
    fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        self.display.lock().unwrap().frame().pixel(x, y).unwrap()
    }
    fn warnings(&self) -> Vec<Ssd1331WarningKind> {
        self.display
            .lock()
            .unwrap()
            .warnings()
            .iter()
            .map(|w| w.kind)
            .collect()
    }
}

/// A test image: red at the top-left quarter, green top-right, blue bottom-left, white
/// bottom-right, RGB565 big-endian.
fn quarters() -> Vec<u8> {
    let mut bytes = Vec::new();
    for y in 0..64 {
        for x in 0..96 {
            let pixel: u16 = match (x < 48, y < 32) {
                (true, true) => 0xF800,
                (false, true) => 0x07E0,
                (true, false) => 0x001F,
                (false, false) => 0xFFFF,
            };
            bytes.extend(pixel.to_be_bytes());
        }
    }
    bytes
}

#[test]
fn digilents_initialisation_shows_an_upright_rgb565_image() {
    let mut rig = rig();
    rig.commands(INIT);
    rig.data(&quarters());
    rig.commands(&[0xAF]);
    // Master current 6 of 15: every channel at sqrt(7/16) of full scale.
    let full = (255.0 * (7.0f64 / 16.0).sqrt()).round() as u8;
    assert_eq!(rig.pixel(0, 0), [full, 0, 0]);
    assert_eq!(rig.pixel(95, 0), [0, full, 0]);
    assert_eq!(rig.pixel(0, 63), [0, 0, full]);
    assert_eq!(rig.pixel(95, 63), [full, full, full]);
    assert_eq!(rig.warnings(), []);
}

#[test]
fn the_power_on_remap_shows_the_image_mirrored_and_interleaved() {
    let mut rig = rig();
    rig.commands(&[0x87, 0x0F]);
    rig.data(&quarters());
    rig.commands(&[0xAF]);
    // Without column remap the first column written lands on the right.
    assert_eq!(rig.pixel(95, 63), [255, 0, 0]);
    // Without the COM split, even glass row 62 is COM 31, which without COM remap shows RAM
    // line 63 - 31 = 32: the lower half of the image, next to the top row on glass row 63.
    assert_eq!(rig.pixel(95, 62), [0, 0, 255]);
}

#[test]
fn a_window_limits_where_data_goes_and_wraps() {
    let mut rig = rig();
    rig.commands(INIT);
    rig.commands(&[0x87, 0x0F, 0x15, 10, 11, 0x75, 20, 21]);
    // Six pixels into a 2x2 window: the last two wrap onto the first two.
    let colours: [u16; 6] = [0xF800, 0x07E0, 0x001F, 0xFFFF, 0x0000, 0x0000];
    rig.data(
        &colours
            .iter()
            .flat_map(|c| c.to_be_bytes())
            .collect::<Vec<_>>(),
    );
    rig.commands(&[0xAF]);
    assert_eq!(rig.pixel(10, 20), [0, 0, 0]);
    assert_eq!(rig.pixel(11, 20), [0, 0, 0]);
    assert_eq!(rig.pixel(10, 21), [0, 0, 255]);
    assert_eq!(rig.pixel(11, 21), [255, 255, 255]);
    assert_eq!(
        rig.pixel(12, 21),
        [0, 0, 0],
        "outside the window nothing changed"
    );
}

#[test]
fn the_256_colour_format_widens_each_channel() {
    let mut rig = rig();
    rig.commands(INIT);
    // 0xA0 0x32: the Pmod's remap in the 256-colour format.
    rig.commands(&[0x87, 0x0F, 0xA0, 0x32, 0x15, 0, 0, 0x75, 0, 0]);
    // RRRGGGBB: red 7 of 7, green 0, blue 3 of 3.
    rig.data(&[0b1110_0011]);
    rig.commands(&[0xAF]);
    assert_eq!(rig.pixel(0, 0), [255, 0, 255]);
}

#[test]
fn drawing_commands_draw_lines_rectangles_and_clear() {
    let mut rig = rig();
    rig.commands(INIT);
    rig.commands(&[0x87, 0x0F, 0xAF]);
    // A filled rectangle: red outline, blue fill (colour bytes C[5:1] B[5:0] A[5:1]).
    rig.commands(&[0x26, 0x01, 0x22, 2, 2, 6, 6, 0x3E, 0, 0, 0, 0, 0x3E]);
    assert_eq!(rig.pixel(2, 2), [255, 0, 0]);
    assert_eq!(rig.pixel(4, 4), [0, 0, 255]);
    // A green diagonal line.
    rig.commands(&[0x21, 10, 10, 13, 13, 0, 0x3F, 0]);
    assert_eq!(rig.pixel(12, 12), [0, 255, 0]);
    assert_eq!(rig.pixel(12, 13), [0, 0, 0]);
    // Copy the rectangle's corner, then clear the original.
    rig.commands(&[0x23, 2, 2, 3, 3, 40, 40]);
    rig.commands(&[0x25, 0, 0, 8, 8]);
    assert_eq!(rig.pixel(40, 40), [255, 0, 0]);
    assert_eq!(rig.pixel(41, 41), [0, 0, 255]);
    assert_eq!(rig.pixel(4, 4), [0, 0, 0]);
    // Out of range: ignored with a warning.
    rig.commands(&[0x25, 0, 0, 96, 8]);
    assert_eq!(rig.warnings(), [Ssd1331WarningKind::ArgumentOutOfRange]);
}

#[test]
fn the_command_lock_ignores_everything_but_the_unlock() {
    let mut rig = rig();
    rig.commands(&[0xFD, 0x16, 0xAF]);
    assert!(!rig.display.lock().unwrap().registers().on);
    assert_eq!(rig.warnings(), [Ssd1331WarningKind::CommandLocked]);
    rig.commands(&[0xFD, 0x12, 0xAF]);
    assert!(rig.display.lock().unwrap().registers().on);
}

#[test]
fn without_the_panel_supply_the_glass_is_dark() {
    let mut rig = rig();
    rig.vcc.set(false);
    rig.commands(INIT);
    rig.data(&quarters());
    rig.commands(&[0xAF]);
    assert_eq!(rig.pixel(0, 0), [0, 0, 0]);
    assert_eq!(rig.warnings(), [Ssd1331WarningKind::NoPanelSupply]);
    rig.vcc.set(true);
    assert_ne!(rig.pixel(0, 0), [0, 0, 0]);
}

#[test]
fn bus_settings_outside_the_datasheet_are_flagged_once() {
    let mut rig = rig();
    rig.device.set_config(SpiConfig {
        frequency_hz: 10_000_000,
        mode: wasi_hal_sim::SpiMode::Mode2,
        lsb_first: false,
    });
    rig.commands(&[0xAE]);
    rig.commands(&[0xAE]);
    assert_eq!(
        rig.warnings(),
        [
            Ssd1331WarningKind::SpiClockTooFast,
            Ssd1331WarningKind::SpiFormat
        ]
    );
}
