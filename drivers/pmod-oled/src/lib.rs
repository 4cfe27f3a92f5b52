//! A `display:pixels` driver component for the Digilent Pmod OLED: an SSD1306 with a 128x32
//! panel on SPI, plus four outputs: D/C#, RES# (active low), VBATC and VDDC (both active low:
//! low switches the supply on).
//!
//! Exports `display:pixels/display@0.1.1`; imports `wasi:spi/spi@0.1.0`,
//! `wasi:gpio/gpio@0.1.0`, `wasi:delay/delay@0.1.0` and `wasi:config/store@0.2.0-rc.1`,
//! nothing else.
//!
//! # Power sequences (Digilent's reference driver, waits through `wasi:delay`)
//! - Up (`open`, and `set-power(true)` after a power-down): VDD on (VDDC low), 1 ms; display
//!   off (`AE`); RES# low 1 ms, high; configuration (charge pump `8D 14`, pre-charge `D9 F1`,
//!   segment remap `A1`, COM scan `C8`, COM pins `DA 02`, … see
//!   [`ssd1306_core::command::configuration`]) and the whole frame; VBAT on (VBATC low),
//!   100 ms; display on (`AF`).
//! - Down (`set-power(false)`, and when the display is dropped powered): display off (`AE`);
//!   VBAT off (VBATC high), 100 ms; VDD off (VDDC high).
//!
//! The controller loses its RAM without VDD: while powered down drawing only changes the
//! driver's frame (and `present` sends nothing); the next power-up sends the whole frame.
//!
//! # Configuration (`wasi:config/store`; a missing key means the default)
//! | key | default | meaning |
//! | --- | --- | --- |
//! | `display.spi-device` | `oled` | the virtual name of the SPI device |
//! | `display.dc` | `oled-dc` | the D/C# output pin |
//! | `display.reset` | `oled-res` | the RES# output pin |
//! | `display.vbatc` | `oled-vbatc` | the VBAT supply switch (active low) |
//! | `display.vddc` | `oled-vddc` | the VDD supply switch (active low) |
//! | `display.spi-frequency-hz` | `10000000` | SPI clock to ask for, 1 to 10000000 |
//!
//! An invalid value makes `open` fail with `other`.
#![no_std]

extern crate alloc;

use component_runtime as _;

use embedded_hal::delay::DelayNs;
use embedded_hal::digital::OutputPin as _;
use embedded_hal_wasi::delay::Delay;
use embedded_hal_wasi::gpio::{Level, OutputPin};
use embedded_hal_wasi::spi::Device;
use ssd1306_core::{DisplayDevice, Error, PanelSize, Rect, SpiInterface, Ssd1306, config};
use wasi_hal_driver_support::config::text_or;
use wasi_hal_driver_support::display::open_spi;
use wasi_hal_driver_support::{pin_error, spi_error};

/// VDD settling time after switching it on.
const VDD_SETTLE_MS: u32 = 1;
/// VBAT settling time (after switching it on before display on, after switching it off before
/// VDD off).
const VBAT_SETTLE_MS: u32 = 100;

type Controller = Ssd1306<SpiInterface<Device, OutputPin>>;

/// The Pmod: the controller and the supply and reset pins.
struct Pmod {
    display: Controller,
    res: OutputPin,
    vbatc: OutputPin,
    vddc: OutputPin,
    powered: bool,
}

fn open() -> Result<Pmod, Error> {
    let device_name = text_or("display.spi-device", "oled")?;
    let dc_name = text_or("display.dc", "oled-dc")?;
    let res_name = text_or("display.reset", "oled-res")?;
    let vbatc_name = text_or("display.vbatc", "oled-vbatc")?;
    let vddc_name = text_or("display.vddc", "oled-vddc")?;

    let (device, max) = open_spi(&device_name, config::spi_frequency_hz()?)?;
    let open_pin =
        |name: &str, level| OutputPin::open(name, level).map_err(|e| pin_error::<Error>(&e));
    let dc = open_pin(&dc_name, Level::Low)?;
    let res = open_pin(&res_name, Level::High)?;
    // Both supplies off (the switches are active low) until the power-up sequence.
    let vbatc = open_pin(&vbatc_name, Level::High)?;
    let vddc = open_pin(&vddc_name, Level::High)?;
    let iface = SpiInterface::new(device, dc)
        .with_dc_level(false)
        .with_max_transfer(max)
        .with_error_maps(spi_error, pin_error);
    let mut pmod = Pmod {
        display: Ssd1306::new(iface, PanelSize::W128H32),
        res,
        vbatc,
        vddc,
        powered: false,
    };
    pmod.power_up()?;
    Ok(pmod)
}

impl Pmod {
    /// Digilent's power-up sequence. On failure both supplies are switched off again.
    fn power_up(&mut self) -> Result<(), Error> {
        let result = self.power_up_steps();
        if result.is_err() {
            let _ = self.vbatc.set_high();
            let _ = self.vddc.set_high();
            self.powered = false;
        }
        result
    }

    fn power_up_steps(&mut self) -> Result<(), Error> {
        self.vddc.set_low().map_err(|e| pin_error::<Error>(&e))?;
        self.powered = true;
        Delay.delay_ms(VDD_SETTLE_MS);
        self.display.set_display_on(false)?;
        ssd1306_core::reset(&mut self.res, &mut Delay).map_err(|e| pin_error::<Error>(&e))?;
        self.display.load(&[])?;
        self.vbatc.set_low().map_err(|e| pin_error::<Error>(&e))?;
        Delay.delay_ms(VBAT_SETTLE_MS);
        self.display.set_display_on(true)
    }

    /// Digilent's power-down sequence.
    fn power_down(&mut self) -> Result<(), Error> {
        self.display.set_display_on(false)?;
        self.vbatc.set_high().map_err(|e| pin_error::<Error>(&e))?;
        Delay.delay_ms(VBAT_SETTLE_MS);
        self.vddc.set_high().map_err(|e| pin_error::<Error>(&e))?;
        self.powered = false;
        Ok(())
    }
}

impl DisplayDevice for Pmod {
    fn size(&self) -> (u32, u32) {
        self.display.size()
    }

    fn write_region(&mut self, area: Rect, pixels: &[u8]) -> Result<(), Error> {
        self.display.write_region(area, pixels)
    }

    fn fill_rect(&mut self, area: Rect, color: u32) -> Result<(), Error> {
        self.display.fill_rect(area, color)
    }

    fn present(&mut self) -> Result<(), Error> {
        if self.powered {
            self.display.present()
        } else {
            Ok(())
        }
    }

    fn write_region_words(&mut self, area: Rect, words: &[u64]) -> Result<(), Error> {
        self.display.write_region_words(area, words)
    }

    fn set_power(&mut self, on: bool) -> Result<(), Error> {
        match (on, self.powered) {
            (true, false) => self.power_up(),
            (true, true) => self.display.set_display_on(true),
            (false, true) => self.power_down(),
            (false, false) => Ok(()),
        }
    }

    fn set_brightness(&mut self, level: u8) -> Result<(), Error> {
        if self.powered {
            self.display.set_contrast(level)
        } else {
            self.display.store_contrast(level);
            Ok(())
        }
    }
}

impl Drop for Pmod {
    fn drop(&mut self) {
        // Switch the supplies off in order (VBAT before VDD), as the panel needs; the host
        // would otherwise return both pins to their safe levels at once.
        if self.powered {
            let _ = self.power_down();
        }
    }
}

wasi_hal_driver_support::export_display!(Pmod, open);
