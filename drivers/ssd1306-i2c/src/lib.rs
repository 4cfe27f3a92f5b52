//! A `display:pixels` driver component for an SSD1306 OLED on I2C.
//!
//! Exports `display:pixels/display@0.1.1`; imports `wasi:i2c/i2c@0.1.0` and
//! `wasi:config/store@0.2.0-rc.1`, nothing else. Each transfer is one I2C write of a control
//! byte (0x00 commands, 0x40 data) and the bytes; transfers longer than the bus's
//! `max-transfer-bytes` are split.
//!
//! # Configuration (`wasi:config/store`; a missing key means the default)
//! | key | default | meaning |
//! | --- | --- | --- |
//! | `display.i2c-bus` | `i2c0` | the virtual name of the I2C bus |
//! | `display.address` | `0x3c` | the controller's address: `0x3c` or `0x3d` (or `60`, `61`) |
//! | `display.panel` | `128x64` | `128x64`, `128x32`, `96x16`, `72x40`, `64x48` or `64x32` |
//!
//! An invalid value makes `open` fail with `other`.
#![no_std]

extern crate alloc;

use component_runtime as _;

mod bindings {
    #![allow(missing_docs, reason = "generated")]
    wit_bindgen::generate!({
        path: ["../../wit/display-pixels", "../../wit/wasi-i2c", "../wit-deps/config", "wit"],
        world: "wasi-hal:ssd1306-i2c/driver",
        generate_all,
    });
}

use alloc::string::String;
use bindings::exports::display::pixels::display::{
    self as wit, ColorFormat, ErrorCode, Guest, GuestDisplay, Info,
};
use bindings::exports::display::pixels::word_pixels;
use bindings::wasi::config::store;
use core::cell::RefCell;
use core::sync::atomic::{AtomicBool, Ordering};
use embedded_hal_wasi::i2c::{
    Bus, Error as I2cError, ErrorCode as I2cCode, WitNoAcknowledgeSource,
};
use ssd1306_core::{Error, I2cInterface, Panel, Rect, Ssd1306, config};

/// Key of the I2C bus's virtual name.
const KEY_BUS: &str = "display.i2c-bus";
/// Key of the controller's address.
const KEY_ADDRESS: &str = "display.address";
/// Key of the panel size.
const KEY_PANEL: &str = "display.panel";

/// Whether a display is open (a component drives one display).
static OPEN: AtomicBool = AtomicBool::new(false);

struct Driver;

/// The open display.
struct Display {
    panel: Panel,
    display: RefCell<Ssd1306<I2cInterface<Bus>>>,
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
    let bus_name = get(KEY_BUS, "i2c0")?;
    let address = config::parse_i2c_address(&get(KEY_ADDRESS, "0x3c")?).ok_or(Error::Other)?;
    let panel = Panel::from_name(get(KEY_PANEL, "128x64")?.trim()).ok_or(Error::Other)?;
    let bus = Bus::open(&bus_name).map_err(|e| i2c_error(&e))?;
    let max = usize::try_from(bus.max_transfer_bytes()).unwrap_or(usize::MAX);
    let iface = I2cInterface::new(bus, address)
        .with_max_transfer(max)
        .with_error_map(i2c_error);
    let mut display = Ssd1306::new(iface, panel);
    display.init()?;
    Ok(Display {
        panel,
        display: RefCell::new(display),
    })
}

/// The value of `key`, or `default` when the key is missing.
fn get(key: &str, default: &str) -> Result<String, Error> {
    match store::get(key) {
        Ok(Some(value)) => Ok(value),
        Ok(None) => Ok(default.into()),
        Err(_) => Err(Error::Other),
    }
}

/// What an I2C error means for the display.
fn i2c_error(e: &I2cError) -> Error {
    match e.0 {
        I2cCode::NotPermitted | I2cCode::AddressNotPermitted => Error::NotPermitted,
        I2cCode::InUse => Error::InUse,
        I2cCode::NoAcknowledge(
            WitNoAcknowledgeSource::Address | WitNoAcknowledgeSource::Unknown,
        ) => Error::NotConnected,
        I2cCode::TooLarge | I2cCode::Other => Error::Other,
        I2cCode::NoAcknowledge(WitNoAcknowledgeSource::Data)
        | I2cCode::Bus
        | I2cCode::ArbitrationLoss
        | I2cCode::Overrun => Error::BusError,
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
    fn with<T>(
        &self,
        f: impl FnOnce(&mut Ssd1306<I2cInterface<Bus>>) -> Result<T, Error>,
    ) -> Result<T, ErrorCode> {
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

    fn write_region(&self, area: wit::Rect, pixels: alloc::vec::Vec<u8>) -> Result<(), ErrorCode> {
        self.with(|d| d.write_region(rect(area), &pixels))
    }

    fn fill_rect(&self, area: wit::Rect, color: u32) -> Result<(), ErrorCode> {
        self.with(|d| d.fill_rect(rect(area), color))
    }

    fn present(&self) -> Result<(), ErrorCode> {
        self.with(|d| d.present())
    }

    fn present_region(
        &self,
        area: wit::Rect,
        pixels: alloc::vec::Vec<u8>,
    ) -> Result<(), ErrorCode> {
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
        pixels: alloc::vec::Vec<u64>,
    ) -> Result<(), ErrorCode> {
        target
            .get::<Display>()
            .with(|d| d.present_region_words(rect(area), &pixels))
    }
}

bindings::export!(Driver with_types_in bindings);
