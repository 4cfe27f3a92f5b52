//! A `display:pixels` driver component for an SSD1306 OLED on 4-wire SPI.
//!
//! Exports `display:pixels/display@0.1.1`; imports `wasi:spi/spi@0.1.0`,
//! `wasi:gpio/gpio@0.1.0`, `wasi:delay/delay@0.1.0` and `wasi:config/store@0.2.0-rc.1`,
//! nothing else. Commands go with the D/C# output low, pixel data with it high; each transfer
//! is one SPI write (split only at the device's `max-transfer-bytes`). The bus is asked for
//! mode 0, MSB first, at the configured clock. With a RES# output, `open` pulses it low for
//! 1 ms before initialising.
//!
//! # Configuration (`wasi:config/store`; a missing key means the default)
//! | key | default | meaning |
//! | --- | --- | --- |
//! | `display.spi-device` | `display` | the virtual name of the SPI device |
//! | `display.dc` | `display-dc` | the D/C# output pin |
//! | `display.reset` | `display-reset` | the RES# output pin; `none` (or empty) for none. When the key is missing and the host offers no such pin, the display is used without reset |
//! | `display.panel` | `128x64` | `128x64`, `128x32`, `96x16`, `72x40`, `64x48` or `64x32` |
//! | `display.spi-frequency-hz` | `10000000` | SPI clock to ask for, 1 to 10000000 (the SSD1306's 100 ns cycle) |
//!
//! An invalid value makes `open` fail with `other`.
#![no_std]

extern crate alloc;

use component_runtime as _;

mod bindings {
    #![allow(missing_docs, reason = "generated")]
    wit_bindgen::generate!({
        path: ["../../wit/display-pixels", "../../wit/wasi-spi", "../../wit/wasi-gpio", "../../wit/wasi-delay", "../wit-deps/config", "wit"],
        world: "wasi-hal:ssd1306-spi/driver",
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
/// Key of the panel size.
const KEY_PANEL: &str = "display.panel";
/// Key of the SPI clock.
const KEY_FREQUENCY: &str = "display.spi-frequency-hz";

/// Whether a display is open (a component drives one display).
static OPEN: AtomicBool = AtomicBool::new(false);

type Controller = Ssd1306<SpiInterface<Device, OutputPin>>;

struct Driver;

/// The open display. The RES# pin is held (not used again) so that the host does not return
/// it to its safe level, which may be low, while the display is in use.
struct Display {
    panel: Panel,
    display: RefCell<Controller>,
    _reset: Option<OutputPin>,
}

impl Guest for Driver {
    type Display = Display;

    fn open() -> Result<wit::Display, ErrorCode> {
        if OPEN.swap(true, Ordering::Relaxed) {
            return Err(ErrorCode::InUse);
        }
        match open() {
            Ok(display) => Ok(wit::Display::new(display)),
            Err(e) => {
                OPEN.store(false, Ordering::Relaxed);
                Err(code(e))
            }
        }
    }
}

fn open() -> Result<Display, Error> {
    let device_name = get(KEY_DEVICE)?.unwrap_or_else(|| "display".into());
    let dc_name = get(KEY_DC)?.unwrap_or_else(|| "display-dc".into());
    let reset_key = get(KEY_RESET)?;
    let panel = match get(KEY_PANEL)? {
        Some(name) => Panel::from_name(name.trim()).ok_or(Error::Other)?,
        None => Panel::W128H64,
    };
    let frequency_hz = match get(KEY_FREQUENCY)? {
        Some(value) => config::parse_frequency_hz(&value).ok_or(Error::Other)?,
        None => config::MAX_SPI_FREQUENCY_HZ,
    };

    let mut device = Device::open(&device_name).map_err(|e| spi_error(&e))?;
    configure(&mut device, frequency_hz)?;
    let max = usize::try_from(device.max_transfer_bytes()).unwrap_or(usize::MAX);
    let dc = OutputPin::open(&dc_name, Level::Low).map_err(|e| pin_error(&e))?;
    let mut reset = match &reset_key {
        // Named explicitly: it must be there.
        Some(value) => match config::optional_name(value) {
            Some(name) => Some(OutputPin::open(name, Level::High).map_err(|e| pin_error(&e))?),
            None => None,
        },
        // The default name: used when the host offers it.
        None => match OutputPin::open("display-reset", Level::High) {
            Ok(pin) => Some(pin),
            Err(gpio::Error(gpio::ErrorCode::PinNotAllowed)) => None,
            Err(e) => return Err(pin_error(&e)),
        },
    };
    if let Some(res) = reset.as_mut() {
        ssd1306_core::reset(res, &mut Delay).map_err(|e| pin_error(&e))?;
    }
    let iface = SpiInterface::new(device, dc)
        .with_dc_level(false)
        .with_max_transfer(max)
        .with_error_maps(spi_error, pin_error);
    let mut display = Ssd1306::new(iface, panel);
    display.init()?;
    Ok(Display {
        panel,
        display: RefCell::new(display),
        _reset: reset,
    })
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

/// The value of `key`, `None` when it is missing.
fn get(key: &str) -> Result<Option<String>, Error> {
    store::get(key).map_err(|_| Error::Other)
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
    fn with<T>(&self, f: impl FnOnce(&mut Controller) -> Result<T, Error>) -> Result<T, ErrorCode> {
        // Calls into a component never overlap, so the borrow always succeeds.
        let mut display = self
            .display
            .try_borrow_mut()
            .map_err(|_| ErrorCode::Other)?;
        f(&mut display).map_err(code)
    }
}

impl GuestDisplay for Display {
    fn get_info(&self) -> Info {
        Info {
            width: self.panel.width().into(),
            height: self.panel.height().into(),
            format: ColorFormat::Mono1,
        }
    }

    fn write_region(&self, area: wit::Rect, pixels: Vec<u8>) -> Result<(), ErrorCode> {
        self.with(|d| d.write_region(rect(area), &pixels))
    }

    fn fill_rect(&self, area: wit::Rect, color: u32) -> Result<(), ErrorCode> {
        self.with(|d| d.fill_rect(rect(area), color))
    }

    fn present(&self) -> Result<(), ErrorCode> {
        self.with(|d| d.present())
    }

    fn present_region(&self, area: wit::Rect, pixels: Vec<u8>) -> Result<(), ErrorCode> {
        self.with(|d| d.present_region(rect(area), &pixels))
    }

    fn set_power(&self, on: bool) -> Result<(), ErrorCode> {
        self.with(|d| d.set_display_on(on))
    }

    fn set_brightness(&self, level: u8) -> Result<(), ErrorCode> {
        self.with(|d| d.set_contrast(level))
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        OPEN.store(false, Ordering::Relaxed);
    }
}

impl word_pixels::Guest for Driver {
    fn present_region(
        target: wit::DisplayBorrow<'_>,
        area: wit::Rect,
        pixels: Vec<u64>,
    ) -> Result<(), ErrorCode> {
        target
            .get::<Display>()
            .with(|d| d.present_region_words(rect(area), &pixels))
    }
}

bindings::export!(Driver with_types_in bindings);
