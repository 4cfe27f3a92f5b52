//! The component: `led:strip` on top of `wasi:spi`, with settings from `wasi:config`.

use crate::encode::{Encoding, Model};
use alloc::string::String;
use alloc::vec::Vec;
use component_runtime as _;
use core::cell::{Cell, RefCell};
use core::sync::atomic::{AtomicBool, Ordering};
use embedded_hal::spi::SpiDevice;
use embedded_hal_wasi::spi::{self, BitOrder, Config, Device, Mode};

mod bindings {
    #![allow(missing_docs, reason = "generated")]
    wit_bindgen::generate!({
        path: ["../../wit/led-strip", "../../wit/wasi-spi", "../wit-deps/config", "wit"],
        world: "wasi-hal:ws2812-spi/driver",
        generate_all,
    });
}

use bindings::exports::led::strip::strip::{
    self as wit, Color, ErrorCode, Guest, GuestStrip, StripInfo,
};
use bindings::wasi::config::store;

/// Key of the SPI device's virtual name.
const KEY_DEVICE: &str = "strip.spi-device";
/// Key of the LED model.
const KEY_MODEL: &str = "strip.model";
/// Key of the strip's length.
const KEY_LENGTH: &str = "strip.length";
/// Key of the SPI clock.
const KEY_FREQUENCY: &str = "strip.spi-frequency-hz";
/// The longest strip the driver accepts: its buffers grow with the length.
const MAX_LENGTH: u32 = 4096;

/// Whether the strip is open (a component drives one strip).
static OPEN: AtomicBool = AtomicBool::new(false);

struct Driver;

/// The open strip: the colours set since, the brightness, and the bus.
struct Strip {
    model: Model,
    encoding: Encoding,
    device: RefCell<Device>,
    max_transfer: usize,
    leds: RefCell<Vec<[u8; 4]>>,
    brightness: Cell<u8>,
    /// The bytes of the last `show`, kept so that each `show` reuses the allocation.
    wire: RefCell<Vec<u8>>,
}

impl Guest for Driver {
    type Strip = Strip;

    fn open() -> Result<wit::Strip, ErrorCode> {
        if OPEN.swap(true, Ordering::Relaxed) {
            return Err(ErrorCode::InUse);
        }
        open().map(wit::Strip::new).inspect_err(|_| {
            OPEN.store(false, Ordering::Relaxed);
        })
    }
}

fn open() -> Result<Strip, ErrorCode> {
    let device_name = get(KEY_DEVICE)?.unwrap_or_else(|| "strip".into());
    let model = match get(KEY_MODEL)? {
        Some(name) => Model::from_name(name.trim()).ok_or(ErrorCode::Other)?,
        None => Model::Ws2812b,
    };
    let length = match get(KEY_LENGTH)? {
        Some(value) => value.trim().parse::<u32>().map_err(|_| ErrorCode::Other)?,
        None => 8,
    };
    if !(1..=MAX_LENGTH).contains(&length) {
        return Err(ErrorCode::Other);
    }
    let frequency_hz = match get(KEY_FREQUENCY)? {
        Some(value) => value.trim().parse::<u32>().map_err(|_| ErrorCode::Other)?,
        None => model.default_frequency_hz(),
    };

    let mut device = Device::open(&device_name).map_err(|e| spi_error(&e))?;
    let requested = Config {
        frequency_hz,
        mode: Mode::Mode0,
        bit_order: BitOrder::MsbFirst,
    };
    // A host that refuses keeps its own settings; they do if an encoding fits their clock.
    let (in_force, refused) = match device.configure(requested) {
        Ok(config) => (config, false),
        Err(spi::Error(spi::ErrorCode::NotPermitted)) => (device.config(), true),
        Err(e) => return Err(spi_error(&e)),
    };
    let encoding = match Encoding::for_clock(model, in_force.frequency_hz) {
        Some(encoding) if in_force.bit_order == BitOrder::MsbFirst => encoding,
        _ if refused => return Err(ErrorCode::NotPermitted),
        _ => return Err(ErrorCode::Other),
    };
    let max_transfer = usize::try_from(device.max_transfer_bytes())
        .unwrap_or(usize::MAX)
        .max(1);
    Ok(Strip {
        model,
        encoding,
        device: RefCell::new(device),
        max_transfer,
        leds: RefCell::new(alloc::vec![[0; 4]; length as usize]),
        brightness: Cell::new(255),
        wire: RefCell::new(Vec::new()),
    })
}

impl GuestStrip for Strip {
    fn get_info(&self) -> StripInfo {
        StripInfo {
            model: self.model.name().into(),
            length: self.leds.borrow().len() as u32,
            has_white: self.model.has_white(),
        }
    }

    fn set_colors(&self, first: u32, colors: Vec<Color>) -> Result<(), ErrorCode> {
        let mut leds = self.leds.borrow_mut();
        let start = first as usize;
        let end = start
            .checked_add(colors.len())
            .filter(|&end| end <= leds.len())
            .ok_or(ErrorCode::OutOfRange)?;
        for (led, c) in leds[start..end].iter_mut().zip(colors) {
            *led = [c.red, c.green, c.blue, c.white];
        }
        Ok(())
    }

    fn fill(&self, color: Color) {
        let c = [color.red, color.green, color.blue, color.white];
        self.leds.borrow_mut().fill(c);
    }

    fn set_brightness(&self, level: u8) {
        self.brightness.set(level);
    }

    fn show(&self) -> Result<(), ErrorCode> {
        let mut wire = self.wire.borrow_mut();
        self.encoding.encode(
            self.model,
            &self.leds.borrow(),
            self.brightness.get(),
            &mut wire,
        );
        let mut device = self.device.borrow_mut();
        for chunk in wire.chunks(self.max_transfer) {
            device.write(chunk).map_err(|e| spi_error(&e))?;
        }
        Ok(())
    }
}

impl Drop for Strip {
    fn drop(&mut self) {
        OPEN.store(false, Ordering::Relaxed);
    }
}

/// The value of `key`, `None` when it is missing.
fn get(key: &str) -> Result<Option<String>, ErrorCode> {
    store::get(key).map_err(|_| ErrorCode::Other)
}

/// What an SPI error means for the strip.
fn spi_error(e: &spi::Error) -> ErrorCode {
    match e.0 {
        spi::ErrorCode::NotPermitted => ErrorCode::NotPermitted,
        spi::ErrorCode::InUse => ErrorCode::InUse,
        _ => ErrorCode::BusError,
    }
}

bindings::export!(Driver with_types_in bindings);
