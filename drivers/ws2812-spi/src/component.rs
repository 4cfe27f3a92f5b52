//! The component: `led:strip` on top of `wasi:spi`, with settings from `wasi:config`.

use crate::encode::{Encoding, Model};
use alloc::vec::Vec;
use component_runtime as _;
use core::cell::{Cell, RefCell};
use embedded_hal::spi::SpiDevice;
use embedded_hal_wasi::spi::{BitOrder, Config, Device, Mode};
use wasi_hal_driver_support::config::{ConfigError, parsed, text_or};
use wasi_hal_driver_support::{Fault, OpenClaim, SingleOpen, request_spi_config, spi_error};

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

/// The longest strip the driver accepts: its buffers grow with the length.
const MAX_LENGTH: u32 = 4096;

/// A component drives one strip.
static OPEN: SingleOpen = SingleOpen::new();

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
    _claim: OpenClaim,
}

/// A bus fault as the strip's error.
struct StripFault(ErrorCode);

impl From<Fault> for StripFault {
    fn from(fault: Fault) -> Self {
        StripFault(match fault {
            Fault::NotConnected => ErrorCode::NotConnected,
            Fault::BusError => ErrorCode::BusError,
            Fault::NotPermitted => ErrorCode::NotPermitted,
            Fault::InUse => ErrorCode::InUse,
            Fault::Other => ErrorCode::Other,
        })
    }
}

/// An invalid setting fails `open` with `other`.
impl From<ConfigError> for StripFault {
    fn from(_: ConfigError) -> Self {
        StripFault(ErrorCode::Other)
    }
}

impl Guest for Driver {
    type Strip = Strip;

    fn open() -> Result<wit::Strip, ErrorCode> {
        let claim = OPEN.claim().ok_or(ErrorCode::InUse)?;
        open(claim).map(wit::Strip::new).map_err(|e| e.0)
    }
}

fn open(claim: OpenClaim) -> Result<Strip, StripFault> {
    let device_name = text_or("strip.spi-device", "strip")?;
    let model = parsed("strip.model", "ws2812b", |v| Model::from_name(v.trim()))?;
    let length = parsed("strip.length", "8", |v| {
        v.trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_LENGTH).contains(n))
    })?;
    let default_frequency = alloc::format!("{}", model.default_frequency_hz());
    let frequency_hz = parsed("strip.spi-frequency-hz", &default_frequency, |v| {
        v.trim().parse::<u32>().ok()
    })?;

    let mut device = Device::open(&device_name).map_err(|e| spi_error::<StripFault>(&e))?;
    let requested = Config {
        frequency_hz,
        mode: Mode::Mode0,
        bit_order: BitOrder::MsbFirst,
    };
    // A host that refuses keeps its own settings; they do if an encoding fits their clock.
    let (in_force, refused) =
        request_spi_config(&mut device, requested).map_err(|e| spi_error::<StripFault>(&e))?;
    let encoding = match Encoding::for_clock(model, in_force.frequency_hz) {
        Some(encoding) if in_force.bit_order == BitOrder::MsbFirst => encoding,
        _ if refused => return Err(StripFault(ErrorCode::NotPermitted)),
        _ => return Err(StripFault(ErrorCode::Other)),
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
        _claim: claim,
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
            device
                .write(chunk)
                .map_err(|e| spi_error::<StripFault>(&e).0)?;
        }
        Ok(())
    }
}

bindings::export!(Driver with_types_in bindings);
