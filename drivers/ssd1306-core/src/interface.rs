//! How command and data bytes reach the controller: I2C with control bytes, or 4-wire SPI
//! with a D/C# line, over any embedded-hal 1.0 implementation.

use crate::Error;
use alloc::vec::Vec;
use embedded_hal::delay::DelayNs;
use embedded_hal::digital::OutputPin;
use embedded_hal::i2c::{I2c, NoAcknowledgeSource};
use embedded_hal::spi::SpiDevice;

/// A way to send bytes to an SSD1306.
///
/// Each call is as few bus transactions as the bus allows: one, unless the bytes exceed the
/// bus's largest transfer, in which case they are split (the controller does not care where:
/// a command's arguments may follow in the next transfer, and data continues at the address
/// pointer).
pub trait Interface {
    /// Sends command bytes (D/C# low, or I2C control byte 0x00).
    fn send_commands(&mut self, commands: &[u8]) -> Result<(), Error>;
    /// Sends GDDRAM data bytes (D/C# high, or I2C control byte 0x40).
    fn send_data(&mut self, data: &[u8]) -> Result<(), Error>;
}

/// I2C control byte: Co = 0, D/C# = 0: every following byte of the message is a command.
pub const CONTROL_COMMANDS: u8 = 0x00;
/// I2C control byte: Co = 0, D/C# = 1: every following byte of the message is data.
pub const CONTROL_DATA: u8 = 0x40;

/// The embedded-hal reading of an I2C error: no acknowledge of the address (or from an unknown
/// source, which is how Linux reports a missing device) means nobody answers there; everything
/// else is a bus error.
pub fn i2c_error_kind<E: embedded_hal::i2c::Error>(error: &E) -> Error {
    match error.kind() {
        embedded_hal::i2c::ErrorKind::NoAcknowledge(
            NoAcknowledgeSource::Address | NoAcknowledgeSource::Unknown,
        ) => Error::NotConnected,
        _ => Error::BusError,
    }
}

/// Any SPI error is a bus error (SPI has no acknowledge: a missing display is not seen).
pub fn spi_error_kind<E: embedded_hal::spi::Error>(_: &E) -> Error {
    Error::BusError
}

/// A pin that cannot be driven is a bus error.
pub fn pin_error_kind<E: embedded_hal::digital::Error>(_: &E) -> Error {
    Error::BusError
}

/// An SSD1306 on an I2C bus: each transfer is one I2C write to `address` of a control byte
/// (0x00 commands, 0x40 data) followed by the bytes.
#[derive(Debug)]
pub struct I2cInterface<I: I2c> {
    i2c: I,
    address: u8,
    max_transfer: usize,
    map_error: fn(&I::Error) -> Error,
    buf: Vec<u8>,
}

impl<I: I2c> I2cInterface<I> {
    /// The controller at 7-bit `address` (0x3C or 0x3D) on `i2c`.
    pub fn new(i2c: I, address: u8) -> Self {
        Self {
            i2c,
            address,
            max_transfer: usize::MAX,
            map_error: i2c_error_kind::<I::Error>,
            buf: Vec::new(),
        }
    }

    /// Splits transfers so that none moves more than `max` bytes (control byte included; at
    /// least one payload byte per transfer).
    pub fn with_max_transfer(mut self, max: usize) -> Self {
        self.max_transfer = max.max(2);
        self
    }

    /// Maps the bus's errors with `map` instead of [`i2c_error_kind`] (a host's policy errors
    /// say more than embedded-hal's kinds).
    pub fn with_error_map(mut self, map: fn(&I::Error) -> Error) -> Self {
        self.map_error = map;
        self
    }

    /// The bus back.
    pub fn release(self) -> I {
        self.i2c
    }

    fn send(&mut self, control: u8, bytes: &[u8]) -> Result<(), Error> {
        for part in bytes.chunks(self.max_transfer - 1) {
            self.buf.clear();
            self.buf.reserve(part.len() + 1);
            self.buf.push(control);
            self.buf.extend_from_slice(part);
            self.i2c
                .write(self.address, &self.buf)
                .map_err(|e| (self.map_error)(&e))?;
        }
        Ok(())
    }
}

impl<I: I2c> Interface for I2cInterface<I> {
    fn send_commands(&mut self, commands: &[u8]) -> Result<(), Error> {
        self.send(CONTROL_COMMANDS, commands)
    }

    fn send_data(&mut self, data: &[u8]) -> Result<(), Error> {
        self.send(CONTROL_DATA, data)
    }
}

/// An SSD1306 on 4-wire SPI: D/C# low for commands, high for data, one SPI write per
/// transfer. The D/C# level is remembered, so consecutive transfers of one kind do not drive
/// the pin again.
#[derive(Debug)]
pub struct SpiInterface<S: SpiDevice, DC: OutputPin> {
    spi: S,
    dc: DC,
    dc_high: Option<bool>,
    max_transfer: usize,
    map_spi: fn(&S::Error) -> Error,
    map_pin: fn(&DC::Error) -> Error,
    reset: Option<DC>,
}

impl<S: SpiDevice, DC: OutputPin> SpiInterface<S, DC> {
    /// The controller on `spi` with its D/C# input on `dc`. The pin's level is not assumed:
    /// the first transfer drives it.
    pub fn new(spi: S, dc: DC) -> Self {
        Self {
            spi,
            dc,
            dc_high: None,
            max_transfer: usize::MAX,
            map_spi: spi_error_kind::<S::Error>,
            map_pin: pin_error_kind::<DC::Error>,
            reset: None,
        }
    }

    /// Splits transfers so that none moves more than `max` bytes (at least one).
    pub fn with_max_transfer(mut self, max: usize) -> Self {
        self.max_transfer = max.max(1);
        self
    }

    /// Tells the interface the level the D/C# pin has now (`true` = high, data), so the first
    /// transfer of that kind does not drive it again.
    pub fn with_dc_level(mut self, high: bool) -> Self {
        self.dc_high = Some(high);
        self
    }

    /// Maps the SPI device's and the D/C# pin's errors with these functions instead of
    /// [`spi_error_kind`] and [`pin_error_kind`].
    pub fn with_error_maps(
        mut self,
        map_spi: fn(&S::Error) -> Error,
        map_pin: fn(&DC::Error) -> Error,
    ) -> Self {
        self.map_spi = map_spi;
        self.map_pin = map_pin;
        self
    }

    /// Keeps the RES# pin held (not driven again) while the interface lives, so that a host
    /// does not return it to its safe level, which may be low, while the display is in use.
    pub fn with_reset_held(mut self, reset: Option<DC>) -> Self {
        self.reset = reset;
        self
    }

    /// The SPI device and the D/C# pin back.
    pub fn release(self) -> (S, DC) {
        (self.spi, self.dc)
    }

    fn send(&mut self, data: bool, bytes: &[u8]) -> Result<(), Error> {
        if self.dc_high != Some(data) {
            self.dc_high = None;
            let set = if data {
                self.dc.set_high()
            } else {
                self.dc.set_low()
            };
            set.map_err(|e| (self.map_pin)(&e))?;
            self.dc_high = Some(data);
        }
        for part in bytes.chunks(self.max_transfer) {
            self.spi.write(part).map_err(|e| (self.map_spi)(&e))?;
        }
        Ok(())
    }
}

impl<S: SpiDevice, DC: OutputPin> Interface for SpiInterface<S, DC> {
    fn send_commands(&mut self, commands: &[u8]) -> Result<(), Error> {
        self.send(false, commands)
    }

    fn send_data(&mut self, data: &[u8]) -> Result<(), Error> {
        self.send(true, data)
    }
}

/// A reset pulse on RES# (active low): low for 1 ms, then high. The datasheet asks for at
/// least 3 us (section 8.9); 1 ms is what Digilent's Pmod OLED driver holds it.
pub fn reset<P: OutputPin, D: DelayNs>(res: &mut P, delay: &mut D) -> Result<(), P::Error> {
    res.set_low()?;
    delay.delay_ms(1);
    res.set_high()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use alloc::vec;
    use core::convert::Infallible;
    use embedded_hal::i2c::{ErrorKind, Operation as I2cOperation};
    use embedded_hal::spi::Operation as SpiOperation;

    /// An I2C bus that records every transaction, or fails with a given kind.
    #[derive(Default)]
    pub(crate) struct I2cLog {
        pub transactions: Vec<(u8, Vec<Vec<u8>>)>,
        pub fail: Option<ErrorKind>,
    }

    #[derive(Debug)]
    pub(crate) struct I2cFail(ErrorKind);
    impl embedded_hal::i2c::Error for I2cFail {
        fn kind(&self) -> ErrorKind {
            self.0
        }
    }
    impl embedded_hal::i2c::ErrorType for I2cLog {
        type Error = I2cFail;
    }
    impl I2c for I2cLog {
        fn transaction(
            &mut self,
            address: u8,
            operations: &mut [I2cOperation<'_>],
        ) -> Result<(), I2cFail> {
            if let Some(kind) = self.fail {
                return Err(I2cFail(kind));
            }
            let writes = operations
                .iter()
                .map(|op| match op {
                    I2cOperation::Write(b) => b.to_vec(),
                    I2cOperation::Read(_) => panic!("the SSD1306 is write-only"),
                })
                .collect();
            self.transactions.push((address, writes));
            Ok(())
        }
    }

    /// What crossed the SPI interface: D/C# changes and writes, in order.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(crate) enum Wire {
        Dc(bool),
        Res(bool),
        Write(Vec<u8>),
        DelayNs(u64),
    }

    #[derive(Clone, Default)]
    pub(crate) struct WireLog(pub alloc::rc::Rc<core::cell::RefCell<Vec<Wire>>>);
    impl WireLog {
        pub fn take(&self) -> Vec<Wire> {
            core::mem::take(&mut self.0.borrow_mut())
        }
        fn push(&self, w: Wire) {
            self.0.borrow_mut().push(w);
        }
    }

    pub(crate) struct Spi(pub WireLog);
    impl embedded_hal::spi::ErrorType for Spi {
        type Error = Infallible;
    }
    impl SpiDevice for Spi {
        fn transaction(&mut self, ops: &mut [SpiOperation<'_, u8>]) -> Result<(), Infallible> {
            for op in ops {
                match op {
                    SpiOperation::Write(b) => self.0.push(Wire::Write(b.to_vec())),
                    _ => panic!("the SSD1306 is write-only"),
                }
            }
            Ok(())
        }
    }

    pub(crate) struct Pin(pub WireLog, pub bool);
    impl embedded_hal::digital::ErrorType for Pin {
        type Error = Infallible;
    }
    impl OutputPin for Pin {
        fn set_low(&mut self) -> Result<(), Infallible> {
            self.0.push(if self.1 {
                Wire::Dc(false)
            } else {
                Wire::Res(false)
            });
            Ok(())
        }
        fn set_high(&mut self) -> Result<(), Infallible> {
            self.0.push(if self.1 {
                Wire::Dc(true)
            } else {
                Wire::Res(true)
            });
            Ok(())
        }
    }

    pub(crate) struct Delay(pub WireLog);
    impl DelayNs for Delay {
        fn delay_ns(&mut self, ns: u32) {
            self.0.push(Wire::DelayNs(u64::from(ns)));
        }
        fn delay_ms(&mut self, ms: u32) {
            self.0.push(Wire::DelayNs(u64::from(ms) * 1_000_000));
        }
    }

    #[test]
    fn i2c_prefixes_a_control_byte_and_splits_at_the_transfer_limit() {
        let mut iface = I2cInterface::new(I2cLog::default(), 0x3C).with_max_transfer(4);
        iface.send_commands(&[0xAE]).unwrap();
        iface.send_data(&[1, 2, 3, 4, 5, 6, 7]).unwrap();
        let log = iface.release();
        assert_eq!(
            log.transactions,
            [
                (0x3C, vec![vec![0x00, 0xAE]]),
                (0x3C, vec![vec![0x40, 1, 2, 3]]),
                (0x3C, vec![vec![0x40, 4, 5, 6]]),
                (0x3C, vec![vec![0x40, 7]]),
            ]
        );
    }

    #[test]
    fn i2c_errors_are_mapped_by_kind() {
        for (kind, expected) in [
            (
                ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address),
                Error::NotConnected,
            ),
            (
                ErrorKind::NoAcknowledge(NoAcknowledgeSource::Unknown),
                Error::NotConnected,
            ),
            (
                ErrorKind::NoAcknowledge(NoAcknowledgeSource::Data),
                Error::BusError,
            ),
            (ErrorKind::ArbitrationLoss, Error::BusError),
        ] {
            let log = I2cLog {
                fail: Some(kind),
                ..Default::default()
            };
            let mut iface = I2cInterface::new(log, 0x3D);
            assert_eq!(iface.send_commands(&[0xAF]), Err(expected));
        }
        let log = I2cLog {
            fail: Some(ErrorKind::Other),
            ..Default::default()
        };
        let mut iface = I2cInterface::new(log, 0x3D).with_error_map(|_| Error::NotPermitted);
        assert_eq!(iface.send_data(&[0]), Err(Error::NotPermitted));
    }

    #[test]
    fn spi_drives_dc_only_when_the_kind_changes() {
        let log = WireLog::default();
        let mut iface =
            SpiInterface::new(Spi(log.clone()), Pin(log.clone(), true)).with_max_transfer(2);
        iface.send_commands(&[0x21, 0, 127]).unwrap();
        iface.send_commands(&[0xAF]).unwrap();
        iface.send_data(&[9]).unwrap();
        iface.send_data(&[8]).unwrap();
        assert_eq!(
            log.take(),
            [
                Wire::Dc(false),
                Wire::Write(vec![0x21, 0]),
                Wire::Write(vec![127]),
                Wire::Write(vec![0xAF]),
                Wire::Dc(true),
                Wire::Write(vec![9]),
                Wire::Write(vec![8]),
            ]
        );
    }

    #[test]
    fn reset_pulses_res_low_for_a_millisecond() {
        let log = WireLog::default();
        reset(&mut Pin(log.clone(), false), &mut Delay(log.clone())).unwrap();
        assert_eq!(
            log.take(),
            [Wire::Res(false), Wire::DelayNs(1_000_000), Wire::Res(true)]
        );
    }
}
