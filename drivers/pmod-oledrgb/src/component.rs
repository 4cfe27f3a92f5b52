//! The component: the Pmod's pins and power sequences around the controller, exported as
//! `display:pixels`.

use crate::controller::{MAX_SPI_FREQUENCY_HZ, Ssd1331};
use component_runtime as _;
use embedded_hal::delay::DelayNs;
use embedded_hal::digital::OutputPin as _;
use embedded_hal_wasi::delay::Delay;
use embedded_hal_wasi::gpio::{Level, OutputPin};
use embedded_hal_wasi::spi::Device;
use wasi_hal_driver_support::config::{parsed, text_or};
use wasi_hal_driver_support::display::{DisplayDevice, Error, PixelFormat, Rect, open_spi};
use wasi_hal_driver_support::{pin_error, spi_error};

/// Logic supply settling time.
const PMODEN_SETTLE_MS: u32 = 20;
/// Panel supply settling time before display on.
const VCCEN_SETTLE_MS: u32 = 25;
/// Time for the display to come on.
const DISPLAY_ON_MS: u32 = 100;
/// Time for the panel supply to fall before the logic supply goes off.
const VCCEN_FALL_MS: u32 = 400;

/// The Pmod: the controller and the supply and reset pins.
struct Pmod {
    display: Ssd1331<Device, OutputPin>,
    res: OutputPin,
    vccen: OutputPin,
    pmoden: Option<OutputPin>,
    powered: bool,
}

fn open() -> Result<Pmod, Error> {
    let device_name = text_or("display.spi-device", "oledrgb")?;
    let dc_name = text_or("display.dc", "oledrgb-dc")?;
    let res_name = text_or("display.reset", "oledrgb-res")?;
    let vccen_name = text_or("display.vccen", "oledrgb-vccen")?;
    let pmoden_name = text_or("display.pmoden", "oledrgb-pmoden")?;
    let frequency_hz = parsed("display.spi-frequency-hz", "6666666", |v| {
        v.trim()
            .parse::<u32>()
            .ok()
            .filter(|f| (1..=MAX_SPI_FREQUENCY_HZ).contains(f))
    })?;

    let (device, max) = open_spi(&device_name, frequency_hz)?;
    let open_pin =
        |name: &str, level| OutputPin::open(name, level).map_err(|e| pin_error::<Error>(&e));
    let dc = open_pin(&dc_name, Level::Low)?;
    let res = open_pin(&res_name, Level::High)?;
    // Both supplies off until the power-up sequence.
    let vccen = open_pin(&vccen_name, Level::Low)?;
    let pmoden = match pmoden_name.trim() {
        "" | "none" => None,
        name => Some(open_pin(name, Level::Low)?),
    };
    let mut pmod = Pmod {
        display: Ssd1331::new(device, dc, spi_error, pin_error, max),
        res,
        vccen,
        pmoden,
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
            let _ = self.vccen.set_low();
            if let Some(pmoden) = &mut self.pmoden {
                let _ = pmoden.set_low();
            }
            self.powered = false;
        }
        result
    }

    fn power_up_steps(&mut self) -> Result<(), Error> {
        if let Some(pmoden) = &mut self.pmoden {
            pmoden.set_high().map_err(|e| pin_error::<Error>(&e))?;
            Delay.delay_ms(PMODEN_SETTLE_MS);
        }
        self.powered = true;
        self.res.set_low().map_err(|e| pin_error::<Error>(&e))?;
        Delay.delay_ms(1);
        self.res.set_high().map_err(|e| pin_error::<Error>(&e))?;
        Delay.delay_ms(1);
        self.display.init()?;
        self.vccen.set_high().map_err(|e| pin_error::<Error>(&e))?;
        Delay.delay_ms(VCCEN_SETTLE_MS);
        self.display.set_display_on(true)?;
        Delay.delay_ms(DISPLAY_ON_MS);
        Ok(())
    }

    /// Digilent's power-down sequence.
    fn power_down(&mut self) -> Result<(), Error> {
        self.display.set_display_on(false)?;
        self.vccen.set_low().map_err(|e| pin_error::<Error>(&e))?;
        Delay.delay_ms(VCCEN_FALL_MS);
        if let Some(pmoden) = &mut self.pmoden {
            pmoden.set_low().map_err(|e| pin_error::<Error>(&e))?;
            // Without its logic supply the controller forgets its RAM.
            self.display.invalidate();
        }
        self.powered = false;
        Ok(())
    }
}

impl DisplayDevice for Pmod {
    fn size(&self) -> (u32, u32) {
        (crate::controller::WIDTH, crate::controller::HEIGHT)
    }

    fn format(&self) -> PixelFormat {
        PixelFormat::Rgb565
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
        self.display.set_brightness(level)
    }
}

impl Drop for Pmod {
    fn drop(&mut self) {
        // Switch the supplies off in order (panel before logic), as the OLED needs; the host
        // would otherwise return both pins to their safe levels at once.
        if self.powered {
            let _ = self.power_down();
        }
    }
}

wasi_hal_driver_support::export_display!(Pmod, open);
