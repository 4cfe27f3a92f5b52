//! A guest shaped like the seed project's apps: it imports the seed's unversioned `wasi:spi`
//! and its `wasi:gpio@0.2.0` (`digital`, `delay`), exports a bare `run: func()`, and drives a
//! Digilent Pmod OLED (SSD1306, 128x32) itself: the power-up sequence on the pins the seed's
//! policy names (`DC`, `RES`, `VBATC`, `VDDC`, with RES, VBATC and VDDC active low), the
//! controller's set-up, then one frame of [`test_programs_foreign::seed_oled_pattern`], shown
//! for one second.
//!
//! Written here for the adapter tests; it knows nothing of wasi-hal's packages.
#![no_std]
// The generated bindings are not documented; this program is not a library.
#![allow(missing_docs)]

extern crate alloc;

wit_bindgen::generate!({
    inline: "package test:seed-oled;
        world app {
            import wasi:spi/spi;
            import wasi:gpio/digital@0.2.0;
            import wasi:gpio/delay@0.2.0;
            export run: func();
        }",
    path: ["../../../adapters/wit/seed-spi", "../../../adapters/wit/seed-gpio"],
    generate_all,
});

use alloc::vec::Vec;
use test_programs_foreign::seed_oled_pattern;
use wasi::gpio::delay::delay_ms;
use wasi::gpio::digital::{DigitalFlag, DigitalOutPin};
use wasi::spi::spi::{Config, Mode, get_device_names, open_device};

const WIDTH: u32 = 128;
const PAGES: u32 = 4;

struct Program;

impl Guest for Program {
    fn run() {
        let names = get_device_names();
        let spi = open_device(&names[0]).expect("open the first SPI device");
        spi.configure(Config {
            frequency: 8_000_000,
            mode: Mode::Mode0,
            lsb_first: false,
        })
        .expect("configure the SPI device");
        let high = [DigitalFlag::OUTPUT | DigitalFlag::ACTIVE_HIGH];
        let low = [DigitalFlag::OUTPUT | DigitalFlag::ACTIVE_LOW];
        let dc = DigitalOutPin::get("DC", &high).expect("DC pin");
        let res = DigitalOutPin::get("RES", &low).expect("RES pin");
        let vbatc = DigitalOutPin::get("VBATC", &low).expect("VBATC pin");
        let vddc = DigitalOutPin::get("VDDC", &low).expect("VDDC pin");

        let command = |bytes: &[u8]| {
            dc.set_inactive().expect("D/C low");
            spi.write(bytes).expect("command bytes");
        };

        // Logic supply on, display off, a reset pulse.
        vddc.set_active().expect("VDDC");
        delay_ms(1);
        command(&[0xAE]);
        res.set_active().expect("RES");
        delay_ms(1);
        res.set_inactive().expect("RES");
        delay_ms(1);
        // Charge pump and pre-charge, then the panel supply.
        command(&[0x8D, 0x14, 0xD9, 0xF1]);
        vbatc.set_active().expect("VBATC");
        delay_ms(100);
        // 128x32, horizontal addressing, the usual orientation, display on.
        command(&[
            0xD5, 0x80, 0xA8, 0x1F, 0xD3, 0x00, 0x40, 0x20, 0x00, 0xA1, 0xC8, 0xDA, 0x02, 0x81,
            0x8F, 0xDB, 0x40, 0xA4, 0xA6, 0xAF,
        ]);

        // The frame: page p, column x, bit b is pixel (x, 8p + b).
        let mut frame = Vec::with_capacity((WIDTH * PAGES) as usize);
        for page in 0..PAGES {
            for x in 0..WIDTH {
                let mut byte = 0u8;
                for bit in 0..8 {
                    if seed_oled_pattern(x, page * 8 + bit) {
                        byte |= 1 << bit;
                    }
                }
                frame.push(byte);
            }
        }
        command(&[0x21, 0x00, 0x7F, 0x22, 0x00, 0x03]);
        dc.set_active().expect("D/C high");
        spi.write(&frame).expect("frame bytes");
        // Show it for a second: the pins are released when `run` returns, and the host then
        // puts the supplies back to their safe level (off).
        delay_ms(1000);
    }
}

export!(Program);
