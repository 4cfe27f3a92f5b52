//! The fuzzing guest of `fuzz/` (the `host_calls` target): the example `host_calls` reads its whole
//! stdin, decodes it with [`arbitrary`] into a list of [`Call`]s and makes each one through the
//! raw `wasi:spi`, `wasi:i2c`, `wasi:gpio` and `wasi:delay` imports, ignoring the errors the
//! host returns. It returns `ok` whatever happens: a trap is a host fault.
//!
//! Before the script, it opens every SPI device and I2C bus of the fuzz board, and its outputs
//! at the level opposite to their safe one (and the button as an input), so that every call
//! has a handle to work on.

use arbitrary::Arbitrary;

/// The names a script picks from by index: the fuzz board's names, names it does not offer,
/// and odd strings.
pub const NAMES: [&str; 12] = [
    "spi-a",
    "spi-b",
    "i2c-a",
    "out-low",
    "out-high",
    "in-button",
    "in-out",
    "spi-c",
    "",
    "../spi-a",
    "SPI-A",
    "out-low\0",
];

/// A name: one of [`NAMES`] (by index, wrapping) or any string.
#[derive(Arbitrary, Debug)]
pub enum Name {
    /// `NAMES[index % NAMES.len()]`.
    Known(u8),
    /// Anything.
    Other(String),
}

impl Name {
    /// The name as a string.
    pub fn as_str(&self) -> &str {
        match self {
            Name::Known(i) => NAMES[usize::from(*i) % NAMES.len()],
            Name::Other(s) => s,
        }
    }
}

/// The I2C addresses a script picks from by index: the fuzz board's listed ones (0x3c, 0x76),
/// the unlisted one with a part behind it (0x77), and the edges of the 7-bit range.
pub const ADDRESSES: [u8; 6] = [0x3c, 0x76, 0x77, 0x00, 0x7f, 0x78];

/// An I2C address: one of [`ADDRESSES`] (by index, wrapping) or any byte.
#[derive(Arbitrary, Debug)]
pub enum Address {
    /// `ADDRESSES[index % ADDRESSES.len()]`.
    Known(u8),
    /// Anything.
    Other(u8),
}

impl Address {
    /// The address.
    pub fn get(&self) -> u8 {
        match self {
            Address::Known(i) => ADDRESSES[usize::from(*i) % ADDRESSES.len()],
            Address::Other(a) => *a,
        }
    }
}

/// One SPI transaction step.
#[derive(Arbitrary, Debug)]
pub enum SpiStep {
    /// `read(len)`.
    Read(u32),
    /// `write(data)`.
    Write(Vec<u8>),
    /// `transfer(data)`.
    Transfer(Vec<u8>),
    /// `delay-ns(ns)`.
    DelayNs(u32),
}

/// One I2C transaction step.
#[derive(Arbitrary, Debug)]
pub enum I2cStep {
    /// `read(len)`.
    Read(u32),
    /// `write(data)`.
    Write(Vec<u8>),
}

/// One guest call. `slot` picks an open handle of that kind (wrapping; nothing happens when
/// none is open).
#[derive(Arbitrary, Debug)]
pub enum Call {
    /// `get-device-names`.
    SpiNames,
    /// `open-device`.
    SpiOpen(Name),
    /// `device.configure`.
    SpiConfigure {
        /// Which open device.
        slot: u8,
        /// Requested frequency.
        frequency_hz: u32,
        /// Mode 0 to 3 (wrapping).
        mode: u8,
        /// LSB first.
        lsb_first: bool,
    },
    /// `device.current-config` and `device.max-transfer-bytes`.
    SpiQuery(u8),
    /// `device.read`.
    SpiRead(u8, u32),
    /// `device.write`.
    SpiWrite(u8, Vec<u8>),
    /// `device.transfer`.
    SpiTransfer(u8, Vec<u8>),
    /// `device.transaction`.
    SpiTransaction(u8, Vec<SpiStep>),
    /// Drops an open device.
    SpiDrop(u8),
    /// `get-bus-names`.
    I2cNames,
    /// `open-bus`.
    I2cOpen(Name),
    /// `bus.max-transfer-bytes`.
    I2cQuery(u8),
    /// `bus.read`.
    I2cRead(u8, Address, u32),
    /// `bus.write`.
    I2cWrite(u8, Address, Vec<u8>),
    /// `bus.write-read`.
    I2cWriteRead(u8, Address, Vec<u8>, u32),
    /// `bus.transaction`.
    I2cTransaction(u8, Address, Vec<I2cStep>),
    /// Drops an open bus.
    I2cDrop(u8),
    /// `get-pins`.
    GpioPins,
    /// `open-output`.
    GpioOutput(Name, bool),
    /// `output-pin.set-level`.
    GpioSet(u8, bool),
    /// `output-pin.get-level`.
    GpioGet(u8),
    /// Drops an output pin.
    GpioDropOutput(u8),
    /// `open-input`.
    GpioInput(Name),
    /// `input-pin.read-level`.
    GpioRead(u8),
    /// `input-pin.wait-for-edge`: edge 0 to 2 (wrapping), timeout.
    GpioWait(u8, u8, u64),
    /// Drops an input pin.
    GpioDropInput(u8),
    /// `delay-ns`.
    DelayNs(u32),
    /// `delay-us`.
    DelayUs(u32),
    /// `delay-ms`.
    DelayMs(u32),
    /// `now-ns`.
    Now,
}
