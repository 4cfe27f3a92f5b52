//! embedded-hal 1.0 over the wasi-hal bus imports.
//!
//! A driver component built with this crate talks to its hardware through the traits every
//! embedded Rust driver already uses, so existing driver crates (`ssd1306`, `bme680`-style
//! crates, …) run unchanged inside a component:
//!
//! | embedded-hal trait | type here | WIT import |
//! | --- | --- | --- |
//! | [`embedded_hal::spi::SpiDevice`] | [`spi::Device`] | `wasi:spi/spi@0.1.0` `device` |
//! | [`embedded_hal::i2c::I2c`] | [`i2c::Bus`] | `wasi:i2c/i2c@0.1.0` `bus` |
//! | [`embedded_hal::digital::OutputPin`] | [`gpio::OutputPin`] | `wasi:gpio/gpio@0.1.0` `output-pin` |
//! | [`embedded_hal::digital::InputPin`] | [`gpio::InputPin`] | `wasi:gpio/gpio@0.1.0` `input-pin` |
//! | [`embedded_hal::delay::DelayNs`] | [`delay::Delay`] | `wasi:delay/delay@0.1.0` |
//!
//! One embedded-hal transaction is one WIT call: `SpiDevice::transaction` with five operations is
//! one `device.transaction` with five operations, so chip select stays asserted across them and
//! the host hands them to the bus in one go.
//!
//! The crate is `no_std` (with `alloc`). A component imports only the interfaces whose functions
//! it calls: a driver that uses [`i2c::Bus`] and [`delay::Delay`] imports `wasi:i2c` and
//! `wasi:delay`, nothing else.
//!
//! # Writing a driver
//! ```ignore
//! use embedded_hal_wasi::{delay::Delay, i2c::Bus};
//! let bus = Bus::open("i2c0")?;           // the virtual name from the host's board file
//! let mut sensor = some_driver::Sensor::new(bus, Delay);
//! let reading = sensor.measure()?;
//! ```
//! Build the crate as a `cdylib` for `wasm32-wasip2`, export your device class with
//! `wit_bindgen::generate!`, and link [`component_runtime`](../component_runtime/index.html) when
//! the driver is `no_std`. See `docs/drivers.md`.
#![no_std]

extern crate alloc;

/// The generated bindings of the four bus interfaces.
#[allow(missing_docs, reason = "generated code")]
pub mod bindings {
    wit_bindgen::generate!({
        inline: "
            package wasi-hal:guest;
            world buses {
                import wasi:spi/spi@0.1.0;
                import wasi:i2c/i2c@0.1.0;
                import wasi:gpio/gpio@0.1.0;
                import wasi:delay/delay@0.1.0;
            }
        ",
        path: [
            "../../wit/wasi-spi",
            "../../wit/wasi-i2c",
            "../../wit/wasi-gpio",
            "../../wit/wasi-delay",
        ],
        world: "wasi-hal:guest/buses",
        // Write operations borrow the caller's bytes instead of copying them into a `Vec`.
        ownership: Borrowing { duplicate_if_necessary: true },
        additional_derives: [PartialEq, Eq],
        generate_all,
    });
}

/// A bus's error type: the WIT error the host answered (`code()`), the policy [`Refusal`] it may
/// be (`refusal()`, from the listed codes), and `Display`. Each module adds embedded-hal's kind.
macro_rules! bus_error {
    ($bus:literal, $($code:pat => $refusal:ident),+ $(,)?) => {
        #[doc = concat!("A ", $bus, " error from the host.")]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct Error(pub ErrorCode);

        impl Error {
            /// The WIT error the host answered.
            pub fn code(&self) -> ErrorCode {
                self.0
            }

            /// The host's policy refusal, if this is one.
            pub fn refusal(&self) -> Option<$crate::Refusal> {
                match self.0 {
                    $($code => Some($crate::Refusal::$refusal),)+
                    _ => None,
                }
            }
        }

        impl core::fmt::Display for Error {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                core::fmt::Debug::fmt(&self.0, f)
            }
        }
    };
}

pub mod delay;
pub mod gpio;
pub mod i2c;
pub mod spi;

/// A refusal by the host's policy: the error cases every bus package has and embedded-hal's
/// `ErrorKind` has no name for (its `kind()` reports them as `Other`). Each bus error type here
/// gives its refusal with `refusal()` and its WIT error with `code()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Refusal {
    /// The bus, device, address, pin or settings are not offered to this guest.
    NotPermitted,
    /// Another guest (or another handle of this one) holds the bus, device or pin.
    InUse,
    /// A transfer is longer than the host allows; nothing was sent.
    TooLarge,
}
