//! The component: the draft's handles over wasi-hal's bus and delay.

use crate::{length, seven_bit};
use alloc::string::String;
use alloc::vec::Vec;
use component_runtime as _;

mod bindings {
    #![allow(missing_docs, reason = "generated")]
    wit_bindgen::generate!({
        path: [
            "../../wit/wasi-i2c",
            "../../wit/wasi-delay",
            "../wit/i2c-draft",
            "wit",
        ],
        world: "wasi-hal:i2c-draft-adapter/adapter",
        generate_all,
    });
}

use bindings::exports::wasi::i2c0_2_0_draft::{delay as draft_delay, i2c as draft};
use bindings::exports::wasi_hal::i2c_draft_adapter::handles;
use bindings::wasi::delay::delay as hal_delay;
use bindings::wasi::i2c0_1_0::i2c as hal;

use draft::{ErrorCode, NoAcknowledgeSource, Operation};

struct Adapter;

bindings::export!(Adapter with_types_in bindings);

/// A wasi-hal error code as the draft's: the policy refusals (`address-not-permitted`,
/// `not-permitted`, `in-use`, `too-large`), which the draft has no case for, are `other`.
fn draft_error(code: hal::ErrorCode) -> ErrorCode {
    use hal::ErrorCode as C;
    match code {
        C::Bus => ErrorCode::Bus,
        C::ArbitrationLoss => ErrorCode::ArbitrationLoss,
        C::NoAcknowledge(source) => ErrorCode::NoAcknowledge(match source {
            hal::NoAcknowledgeSource::Address => NoAcknowledgeSource::Address,
            hal::NoAcknowledgeSource::Data => NoAcknowledgeSource::Data,
            hal::NoAcknowledgeSource::Unknown => NoAcknowledgeSource::Unknown,
        }),
        C::Overrun => ErrorCode::Overrun,
        C::AddressNotPermitted | C::NotPermitted | C::InUse | C::TooLarge | C::Other => {
            ErrorCode::Other
        }
    }
}

fn address(address: u16) -> Result<u8, ErrorCode> {
    seven_bit(address).ok_or(ErrorCode::Other)
}

fn len(len: u64) -> Result<u32, ErrorCode> {
    length(len).ok_or(ErrorCode::Other)
}

/// A bus of the board, as the draft's `i2c` handle.
struct Bus(hal::Bus);

/// The host's delay, as the draft's `delay` handle.
struct Delay;

impl handles::Guest for Adapter {
    fn open_bus(name: String) -> Result<draft::I2c, ErrorCode> {
        let bus = hal::open_bus(&name).map_err(draft_error)?;
        Ok(draft::I2c::new(Bus(bus)))
    }

    fn open_delay() -> draft_delay::Delay {
        draft_delay::Delay::new(Delay)
    }
}

impl draft::Guest for Adapter {
    type I2c = Bus;
}

impl draft::GuestI2c for Bus {
    fn transaction(
        &self,
        address_: u16,
        operations: Vec<Operation>,
    ) -> Result<Vec<Vec<u8>>, ErrorCode> {
        let address = address(address_)?;
        let operations = operations
            .into_iter()
            .map(|op| {
                Ok(match op {
                    Operation::Read(n) => hal::Operation::Read(len(n)?),
                    Operation::Write(data) => hal::Operation::Write(data),
                })
            })
            .collect::<Result<Vec<_>, ErrorCode>>()?;
        self.0
            .transaction(address, &operations)
            .map_err(draft_error)
    }

    fn read(&self, address_: u16, n: u64) -> Result<Vec<u8>, ErrorCode> {
        self.0
            .read(address(address_)?, len(n)?)
            .map_err(draft_error)
    }

    fn write(&self, address_: u16, data: Vec<u8>) -> Result<(), ErrorCode> {
        self.0.write(address(address_)?, &data).map_err(draft_error)
    }

    fn write_read(
        &self,
        address_: u16,
        write: Vec<u8>,
        read_len: u64,
    ) -> Result<Vec<u8>, ErrorCode> {
        self.0
            .write_read(address(address_)?, &write, len(read_len)?)
            .map_err(draft_error)
    }
}

impl draft_delay::Guest for Adapter {
    type Delay = Delay;
}

impl draft_delay::GuestDelay for Delay {
    fn delay_ns(&self, ns: u32) {
        hal_delay::delay_ns(ns);
    }
}
