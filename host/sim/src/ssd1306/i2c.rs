//! The SSD1306 I2C interface (datasheet section 8.1.5): write-only, a control byte before the
//! commands or data.

use super::{SharedSsd1306, WarningKind};
use crate::i2c::{I2cTarget, I2cTargetError};

/// Where the I2C byte decoder is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// The next byte is a control byte: Co (bit 7), D/C# (bit 6), then six zero bits.
    Control,
    /// Co = 0: every byte up to the STOP is a command (`data = false`) or data.
    Stream { data: bool },
    /// Co = 1: one command or data byte, then another control byte.
    Single { data: bool },
}

/// An SSD1306 on an I2C bus, for [`SimI2cBus::attach`](crate::SimI2cBus::attach) at 0x3C or
/// 0x3D (SA0).
///
/// - Control byte 0x00: the rest of the message is commands; 0x40: the rest is data.
/// - Control byte 0x80 / 0xC0 (Co = 1): one command / data byte, then another control byte.
/// - Reads are not acknowledged ([`I2cTargetError::AddressNack`]) and recorded as a warning:
///   the serial interfaces of the SSD1306 are write-only.
/// - While RES# holds the controller in reset it does not acknowledge its address.
///
/// Adjacent write operations of one embedded-hal transaction are one message on the wire (no
/// repeated START between them), so the decoder only expects a new control byte after a STOP or
/// a read, not at the start of every write segment.
#[derive(Debug)]
pub struct Ssd1306I2c {
    display: SharedSsd1306,
    state: State,
}

impl Ssd1306I2c {
    /// An I2C front end for `display`.
    pub fn new(display: SharedSsd1306) -> Self {
        Self {
            display,
            state: State::Control,
        }
    }

    /// The controller behind this interface.
    pub fn display(&self) -> &SharedSsd1306 {
        &self.display
    }
}

impl I2cTarget for Ssd1306I2c {
    fn write(&mut self, bytes: &[u8]) -> Result<(), I2cTargetError> {
        let mut display = self.display.lock().unwrap_or_else(|e| e.into_inner());
        if display.in_reset() {
            display.warn(
                WarningKind::WriteDuringReset,
                format!(
                    "I2C write of {} byte(s) while RES# is low; address not acknowledged",
                    bytes.len()
                ),
            );
            self.state = State::Control;
            return Err(I2cTargetError::AddressNack);
        }
        let mut rest = bytes;
        while let Some((&first, tail)) = rest.split_first() {
            match self.state {
                State::Control => {
                    if first & 0x3F != 0 {
                        display.warn(
                            WarningKind::BadControlByte,
                            format!(
                                "I2C control byte 0x{first:02X}: bits 5..0 must be 0; Co and D/C# used"
                            ),
                        );
                    }
                    let data = first & 0x40 != 0;
                    self.state = if first & 0x80 != 0 {
                        State::Single { data }
                    } else {
                        State::Stream { data }
                    };
                    rest = tail;
                }
                State::Single { data } => {
                    if data {
                        display.write_data(std::slice::from_ref(&first));
                    } else {
                        display.write_commands(std::slice::from_ref(&first));
                    }
                    self.state = State::Control;
                    rest = tail;
                }
                State::Stream { data } => {
                    if data {
                        display.write_data(rest);
                    } else {
                        display.write_commands(rest);
                    }
                    rest = &[];
                }
            }
        }
        Ok(())
    }

    fn read(&mut self, buf: &mut [u8]) -> Result<(), I2cTargetError> {
        buf.fill(0xFF); // nobody drives SDA: the pull-ups read as ones
        self.state = State::Control;
        let mut display = self.display.lock().unwrap_or_else(|e| e.into_inner());
        display.warn(
            WarningKind::ReadAttempted,
            format!(
                "I2C read of {} byte(s): the SSD1306 serial interface is write-only; address not \
                 acknowledged",
                buf.len()
            ),
        );
        Err(I2cTargetError::AddressNack)
    }

    fn stop(&mut self) {
        self.state = State::Control;
    }
}
