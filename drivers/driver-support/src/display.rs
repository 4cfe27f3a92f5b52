//! The `display:pixels` class: its [`Error`] and [`Rect`] without WIT types (so a display's logic
//! stays plain Rust), the [`DisplayDevice`] trait a driver implements, and (feature
//! `display-pixels`) `export_display!` with the bindings it exports.

use embedded_hal_wasi::spi::{BitOrder, Config, Device, Mode};

/// The failures of `display:pixels`' `error-code`, one for one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Error {
    /// The display did not answer (I2C address not acknowledged) or its bus is missing.
    NotConnected,
    /// The bus reported an error while talking to the display.
    BusError,
    /// The host's policy refused access to the display's bus or pins.
    NotPermitted,
    /// The display, its bus or one of its pins is held by someone else.
    InUse,
    /// The rectangle does not lie inside the display.
    OutOfBounds,
    /// The pixel data is not the length the rectangle and the colour format require.
    WrongLength,
    /// The display cannot do this.
    Unsupported,
    /// Any other failure (for example an invalid configuration value or colour).
    Other,
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Error::NotConnected => "the display did not answer",
            Error::BusError => "bus error",
            Error::NotPermitted => "not permitted by the host's policy",
            Error::InUse => "in use",
            Error::OutOfBounds => "rectangle out of bounds",
            Error::WrongLength => "pixel data of the wrong length",
            Error::Unsupported => "unsupported",
            Error::Other => "other error",
        })
    }
}

impl core::error::Error for Error {}

crate::device_error_from_fault!(Error);

/// A rectangle of the display in pixels from the top-left corner (`display:pixels`' `rect`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Rect {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width; zero is an empty rectangle.
    pub width: u32,
    /// Height; zero is an empty rectangle.
    pub height: u32,
}

impl Rect {
    /// A rectangle.
    pub const fn new(x: u32, y: u32, width: u32, height: u32) -> Rect {
        Rect {
            x,
            y,
            width,
            height,
        }
    }

    /// Whether the rectangle has no pixels.
    pub fn is_empty(&self) -> bool {
        self.width == 0 || self.height == 0
    }
}

/// How a display packs its pixels (`display:pixels`' `color-format`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PixelFormat {
    /// One bit per pixel, rows on byte boundaries, the leftmost pixel in the top bit.
    #[default]
    Mono1,
    /// Sixteen bits per pixel, red 15-11, green 10-5, blue 4-0, most significant byte first.
    Rgb565,
}

/// An open display, as a driver implements it: the operations of `display:pixels`' `display`
/// resource (and `word-pixels`), in plain Rust types.
pub trait DisplayDevice: 'static {
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32);
    /// How the display packs its pixels; `mono1` unless the display says otherwise.
    fn format(&self) -> PixelFormat {
        PixelFormat::Mono1
    }
    /// `write-region`: replaces the pixels of `area` in the driver's frame.
    fn write_region(&mut self, area: Rect, pixels: &[u8]) -> Result<(), Error>;
    /// `fill-rect`: sets every pixel of `area` to `color`.
    fn fill_rect(&mut self, area: Rect, color: u32) -> Result<(), Error>;
    /// `present`: makes the changes visible.
    fn present(&mut self) -> Result<(), Error>;
    /// `write-region` with the pixels in 64-bit words (`word-pixels`), the same bytes in the
    /// guest's (little-endian) order.
    fn write_region_words(&mut self, area: Rect, words: &[u64]) -> Result<(), Error>;
    /// `present-region`: `write-region` and `present` in one call (nothing is presented when
    /// the write fails).
    fn present_region(&mut self, area: Rect, pixels: &[u8]) -> Result<(), Error> {
        self.write_region(area, pixels)?;
        self.present()
    }
    /// `word-pixels.present-region`: the same with the pixels in 64-bit words.
    fn present_region_words(&mut self, area: Rect, words: &[u64]) -> Result<(), Error> {
        self.write_region_words(area, words)?;
        self.present()
    }
    /// `set-power`.
    fn set_power(&mut self, on: bool) -> Result<(), Error>;
    /// `set-brightness`.
    fn set_brightness(&mut self, level: u8) -> Result<(), Error>;
}

/// Opens the display's SPI device `name` and asks for mode 0, MSB first at `frequency_hz`, what
/// a controller that samples on the rising clock edge needs; returns it with its largest transfer.
/// A host that refuses (`not-permitted`) keeps its own settings, which do if they are mode 0 or 3
/// with MSB first; otherwise the answer is `not-permitted` (refused) or `unsupported` (granted,
/// but not usable).
pub fn open_spi(name: &str, frequency_hz: u32) -> Result<(Device, usize), Error> {
    let mut device = Device::open(name).map_err(|e| crate::spi_error::<Error>(&e))?;
    let requested = Config {
        frequency_hz,
        mode: Mode::Mode0,
        bit_order: BitOrder::MsbFirst,
    };
    let (in_force, refused) = crate::request_spi_config(&mut device, requested)
        .map_err(|e| crate::spi_error::<Error>(&e))?;
    let usable = matches!(in_force.mode, Mode::Mode0 | Mode::Mode3)
        && in_force.bit_order == BitOrder::MsbFirst;
    match (usable, refused) {
        (true, _) => {
            let max = usize::try_from(device.max_transfer_bytes()).unwrap_or(usize::MAX);
            Ok((device, max))
        }
        (false, true) => Err(Error::NotPermitted),
        (false, false) => Err(Error::Unsupported),
    }
}

#[cfg(feature = "display-pixels")]
pub use export::*;

#[cfg(feature = "display-pixels")]
mod export {
    use super::{DisplayDevice, Error, PixelFormat, Rect};
    use crate::SingleOpen;
    use crate::single_open::OpenClaim;
    use core::cell::RefCell;

    /// The `display:pixels` export bindings, generated once for every display driver.
    #[allow(missing_docs, reason = "generated")]
    pub mod bindings {
        wit_bindgen::generate!({
            inline: "
                package wasi-hal:driver-support;
                world display-driver {
                    include display:pixels/driver@0.1.1;
                }
            ",
            path: ["../../wit/display-pixels"],
            world: "wasi-hal:driver-support/display-driver",
            pub_export_macro: true,
            export_macro_name: "export_display_bindings",
            default_bindings_module: "wasi_hal_driver_support::display::bindings",
            generate_all,
        });
    }

    use alloc::vec::Vec;
    /// The exported interfaces' generated types and traits, for [`export_display!`](crate::export_display).
    pub use bindings::exports::display::pixels::{display as wit, word_pixels};
    use wit::{ColorFormat, ErrorCode, GuestDisplay, Info};

    /// A component drives one display.
    static DISPLAY_OPEN: SingleOpen = SingleOpen::new();

    impl From<Error> for ErrorCode {
        fn from(e: Error) -> Self {
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
    }

    impl From<wit::Rect> for Rect {
        fn from(area: wit::Rect) -> Self {
            Rect::new(area.x, area.y, area.width, area.height)
        }
    }

    /// The exported `display` resource: the driver's open display, and the claim that keeps a
    /// second `open` out while it lives (dropped after the display, so a display that switches
    /// itself off when dropped has done so before it may be opened again).
    pub struct OpenDisplay<D> {
        device: RefCell<D>,
        _claim: OpenClaim,
    }

    /// `open`: claims the component's one display (`in-use` when it is open), then opens it with
    /// `open`; a failed `open` leaves it closed.
    pub fn open_display<D: DisplayDevice>(
        open: impl FnOnce() -> Result<D, Error>,
    ) -> Result<wit::Display, ErrorCode> {
        let claim = DISPLAY_OPEN.claim().ok_or(ErrorCode::InUse)?;
        let device = open()?;
        Ok(wit::Display::new(OpenDisplay {
            device: RefCell::new(device),
            _claim: claim,
        }))
    }

    /// `word-pixels.present-region` on the display `target`.
    pub fn present_words<D: DisplayDevice>(
        target: wit::DisplayBorrow<'_>,
        area: wit::Rect,
        words: &[u64],
    ) -> Result<(), ErrorCode> {
        target
            .get::<OpenDisplay<D>>()
            .with(|d| d.present_region_words(area.into(), words))
    }

    impl<D: DisplayDevice> OpenDisplay<D> {
        fn with<T>(&self, f: impl FnOnce(&mut D) -> Result<T, Error>) -> Result<T, ErrorCode> {
            // Calls into a component never overlap, so the borrow always succeeds.
            let mut device = self.device.try_borrow_mut().map_err(|_| ErrorCode::Other)?;
            Ok(f(&mut device)?)
        }
    }

    impl<D: DisplayDevice> GuestDisplay for OpenDisplay<D> {
        fn get_info(&self) -> Info {
            let (width, height, format) =
                self.device
                    .try_borrow()
                    .map_or((0, 0, PixelFormat::Mono1), |d| {
                        let (w, h) = d.size();
                        (w, h, d.format())
                    });
            Info {
                width,
                height,
                format: match format {
                    PixelFormat::Mono1 => ColorFormat::Mono1,
                    PixelFormat::Rgb565 => ColorFormat::Rgb565,
                },
            }
        }

        fn write_region(&self, area: wit::Rect, pixels: Vec<u8>) -> Result<(), ErrorCode> {
            self.with(|d| d.write_region(area.into(), &pixels))
        }

        fn fill_rect(&self, area: wit::Rect, color: u32) -> Result<(), ErrorCode> {
            self.with(|d| d.fill_rect(area.into(), color))
        }

        fn present(&self) -> Result<(), ErrorCode> {
            self.with(|d| d.present())
        }

        fn present_region(&self, area: wit::Rect, pixels: Vec<u8>) -> Result<(), ErrorCode> {
            self.with(|d| d.present_region(area.into(), &pixels))
        }

        fn set_power(&self, on: bool) -> Result<(), ErrorCode> {
            self.with(|d| d.set_power(on))
        }

        fn set_brightness(&self, level: u8) -> Result<(), ErrorCode> {
            self.with(|d| d.set_brightness(level))
        }
    }
}

/// Exports a display driver's `display:pixels` interfaces (`display` and `word-pixels`):
/// `export_display!(DEVICE, OPEN)`, where `DEVICE` is the driver's [`DisplayDevice`] type and
/// `OPEN` a `fn() -> Result<DEVICE, Error>` that opens it. Needs the feature `display-pixels`.
#[cfg(feature = "display-pixels")]
#[macro_export]
macro_rules! export_display {
    ($device:ty, $open:expr) => {
        /// The component's `display:pixels` exports.
        struct ExportedDisplay;

        impl $crate::display::wit::Guest for ExportedDisplay {
            type Display = $crate::display::OpenDisplay<$device>;

            fn open() -> ::core::result::Result<
                $crate::display::wit::Display,
                $crate::display::wit::ErrorCode,
            > {
                $crate::display::open_display::<$device>($open)
            }
        }

        impl $crate::display::word_pixels::Guest
            for ExportedDisplay
        {
            fn present_region(
                target: $crate::display::wit::DisplayBorrow<'_>,
                area: $crate::display::wit::Rect,
                pixels: ::alloc::vec::Vec<u64>,
            ) -> ::core::result::Result<
                (),
                $crate::display::wit::ErrorCode,
            > {
                $crate::display::present_words::<$device>(target, area, &pixels)
            }
        }

        $crate::display::bindings::export_display_bindings!(ExportedDisplay with_types_in $crate::display::bindings);
    };
}
