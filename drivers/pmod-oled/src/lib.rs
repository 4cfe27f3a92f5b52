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

mod bindings {
    #![allow(missing_docs, reason = "generated")]
    wit_bindgen::generate!({
        path: ["../../wit/display-pixels", "../../wit/wasi-spi", "../../wit/wasi-gpio", "../../wit/wasi-delay", "../wit-deps/config", "wit"],
        world: "wasi-hal:pmod-oled/driver",
        generate_all,
    });
}

use alloc::string::String;
use alloc::vec::Vec;
use bindings::exports::display::pixels::display::{
    self as wit, ColorFormat, ErrorCode, Guest, GuestDisplay, Info,
};
use bindings::exports::display::pixels::word_pixels;
use bindings::wasi::config::store;
use core::cell::RefCell;
use core::sync::atomic::{AtomicBool, Ordering};
use embedded_hal::delay::DelayNs;
use embedded_hal::digital::OutputPin as _;
use embedded_hal_wasi::delay::Delay;
use embedded_hal_wasi::gpio::{self, Level, OutputPin};
use embedded_hal_wasi::spi::{self, BitOrder, Config, Device, Mode};
use ssd1306_core::{Error, Panel, Rect, SpiInterface, Ssd1306, config};

/// Key of the SPI device's virtual name.
const KEY_DEVICE: &str = "display.spi-device";
/// Key of the D/C# pin's name.
const KEY_DC: &str = "display.dc";
/// Key of the RES# pin's name.
const KEY_RESET: &str = "display.reset";
/// Key of the VBATC pin's name.
const KEY_VBATC: &str = "display.vbatc";
/// Key of the VDDC pin's name.
const KEY_VDDC: &str = "display.vddc";
/// Key of the SPI clock.
const KEY_FREQUENCY: &str = "display.spi-frequency-hz";

/// VDD settling time after switching it on.
const VDD_SETTLE_MS: u32 = 1;
/// VBAT settling time (after switching it on before display on, after switching it off before
/// VDD off).
const VBAT_SETTLE_MS: u32 = 100;

/// Whether a display is open (a component drives one display).
static OPEN: AtomicBool = AtomicBool::new(false);

type Controller = Ssd1306<SpiInterface<Device, OutputPin>>;

struct Driver;

/// The Pmod: the controller and the supply and reset pins.
struct Pmod {
    display: Controller,
    res: OutputPin,
    vbatc: OutputPin,
    vddc: OutputPin,
    powered: bool,
}

/// The open display.
struct Display(RefCell<Pmod>);

impl Guest for Driver {
    type Display = Display;

    fn open() -> Result<wit::Display, ErrorCode> {
        if OPEN.swap(true, Ordering::Relaxed) {
            return Err(ErrorCode::InUse);
        }
        match open() {
            Ok(pmod) => Ok(wit::Display::new(Display(RefCell::new(pmod)))),
            Err(e) => {
                OPEN.store(false, Ordering::Relaxed);
                Err(code(e))
            }
        }
    }
}

fn open() -> Result<Pmod, Error> {
    let device_name = get(KEY_DEVICE, "oled")?;
    let dc_name = get(KEY_DC, "oled-dc")?;
    let res_name = get(KEY_RESET, "oled-res")?;
    let vbatc_name = get(KEY_VBATC, "oled-vbatc")?;
    let vddc_name = get(KEY_VDDC, "oled-vddc")?;
    let frequency_hz = match store::get(KEY_FREQUENCY).map_err(|_| Error::Other)? {
        Some(value) => config::parse_frequency_hz(&value).ok_or(Error::Other)?,
        None => config::MAX_SPI_FREQUENCY_HZ,
    };

    let mut device = Device::open(&device_name).map_err(|e| spi_error(&e))?;
    configure(&mut device, frequency_hz)?;
    let max = usize::try_from(device.max_transfer_bytes()).unwrap_or(usize::MAX);
    let open_pin = |name: &str, level| OutputPin::open(name, level).map_err(|e| pin_error(&e));
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
        display: Ssd1306::new(iface, Panel::W128H32),
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
        self.vddc.set_low().map_err(|e| pin_error(&e))?;
        self.powered = true;
        Delay.delay_ms(VDD_SETTLE_MS);
        self.display.set_display_on(false)?;
        ssd1306_core::reset(&mut self.res, &mut Delay).map_err(|e| pin_error(&e))?;
        self.display.load(&[])?;
        self.vbatc.set_low().map_err(|e| pin_error(&e))?;
        Delay.delay_ms(VBAT_SETTLE_MS);
        self.display.set_display_on(true)
    }

    /// Digilent's power-down sequence.
    fn power_down(&mut self) -> Result<(), Error> {
        self.display.set_display_on(false)?;
        self.vbatc.set_high().map_err(|e| pin_error(&e))?;
        Delay.delay_ms(VBAT_SETTLE_MS);
        self.vddc.set_high().map_err(|e| pin_error(&e))?;
        self.powered = false;
        Ok(())
    }

    fn set_power(&mut self, on: bool) -> Result<(), Error> {
        match (on, self.powered) {
            (true, false) => self.power_up(),
            (true, true) => self.display.set_display_on(true),
            (false, true) => self.power_down(),
            (false, false) => Ok(()),
        }
    }

    fn present(&mut self) -> Result<(), Error> {
        if self.powered {
            self.display.present()
        } else {
            Ok(())
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

/// Asks for mode 0, MSB first at `frequency_hz`. A host that refuses keeps its own settings,
/// which do if they are a mode the SSD1306 samples correctly (0 or 3) with MSB first.
fn configure(device: &mut Device, frequency_hz: u32) -> Result<(), Error> {
    let requested = Config {
        frequency_hz,
        mode: Mode::Mode0,
        bit_order: BitOrder::MsbFirst,
    };
    let (in_force, refused) = match device.configure(requested) {
        Ok(config) => (config, false),
        Err(spi::Error(spi::ErrorCode::NotPermitted)) => (device.config(), true),
        Err(e) => return Err(spi_error(&e)),
    };
    let usable = matches!(in_force.mode, Mode::Mode0 | Mode::Mode3)
        && in_force.bit_order == BitOrder::MsbFirst;
    match (usable, refused) {
        (true, _) => Ok(()),
        (false, true) => Err(Error::NotPermitted),
        (false, false) => Err(Error::Unsupported),
    }
}

/// The value of `key`, or `default` when the key is missing.
fn get(key: &str, default: &str) -> Result<String, Error> {
    match store::get(key) {
        Ok(Some(value)) => Ok(value),
        Ok(None) => Ok(default.into()),
        Err(_) => Err(Error::Other),
    }
}

/// What an SPI error means for the display.
fn spi_error(e: &spi::Error) -> Error {
    match e.0 {
        spi::ErrorCode::NotPermitted => Error::NotPermitted,
        spi::ErrorCode::InUse => Error::InUse,
        spi::ErrorCode::TooLarge => Error::Other,
        _ => Error::BusError,
    }
}

/// What a GPIO error means for the display.
fn pin_error(e: &gpio::Error) -> Error {
    match e.0 {
        gpio::ErrorCode::PinNotAllowed | gpio::ErrorCode::ModeNotAllowed => Error::NotPermitted,
        gpio::ErrorCode::AlreadyInUse => Error::InUse,
        gpio::ErrorCode::Other => Error::BusError,
    }
}

fn code(e: Error) -> ErrorCode {
    match e {
        Error::NotConnected => ErrorCode::NotConnected,
        Error::BusError => ErrorCode::BusError,
        Error::NotPermitted => ErrorCode::NotPermitted,
        Error::InUse => ErrorCode::InUse,
        Error::OutOfBounds => ErrorCode::OutOfBounds,
        Error::WrongLength => ErrorCode::WrongLength,
        Error::Unsupported => ErrorCode::Unsupported,
        Error::Other => ErrorCode::Other,
    }
}

fn rect(area: wit::Rect) -> Rect {
    Rect::new(area.x, area.y, area.width, area.height)
}

impl Display {
    fn with<T>(&self, f: impl FnOnce(&mut Pmod) -> Result<T, Error>) -> Result<T, ErrorCode> {
        // Calls into a component never overlap, so the borrow always succeeds.
        let mut pmod = self.0.try_borrow_mut().map_err(|_| ErrorCode::Other)?;
        f(&mut pmod).map_err(code)
    }
}

impl GuestDisplay for Display {
    fn get_info(&self) -> Info {
        let panel = Panel::W128H32;
        Info {
            width: panel.width().into(),
            height: panel.height().into(),
            format: ColorFormat::Mono1,
        }
    }

    fn write_region(&self, area: wit::Rect, pixels: Vec<u8>) -> Result<(), ErrorCode> {
        self.with(|p| p.display.write_region(rect(area), &pixels))
    }

    fn fill_rect(&self, area: wit::Rect, color: u32) -> Result<(), ErrorCode> {
        self.with(|p| p.display.fill_rect(rect(area), color))
    }

    fn present(&self) -> Result<(), ErrorCode> {
        self.with(|p| p.present())
    }

    fn present_region(&self, area: wit::Rect, pixels: Vec<u8>) -> Result<(), ErrorCode> {
        self.with(|p| {
            p.display.write_region(rect(area), &pixels)?;
            p.present()
        })
    }

    fn set_power(&self, on: bool) -> Result<(), ErrorCode> {
        self.with(|p| p.set_power(on))
    }

    fn set_brightness(&self, level: u8) -> Result<(), ErrorCode> {
        self.with(|p| p.set_brightness(level))
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        // Switch the supplies off in order (VBAT before VDD), as the panel needs; the host
        // would otherwise return both pins to their safe levels at once.
        let pmod = self.0.get_mut();
        if pmod.powered {
            let _ = pmod.power_down();
        }
        OPEN.store(false, Ordering::Relaxed);
    }
}

impl word_pixels::Guest for Driver {
    fn present_region(
        target: wit::DisplayBorrow<'_>,
        area: wit::Rect,
        pixels: Vec<u64>,
    ) -> Result<(), ErrorCode> {
        target.get::<Display>().with(|p| {
            p.display.write_region_words(rect(area), &pixels)?;
            p.present()
        })
    }
}

bindings::export!(Driver with_types_in bindings);
