//! The part on SPI.

use super::registers as reg;
use super::{SharedBme680, WarningKind};
use crate::spi::{SpiConfig, SpiMode, SpiTarget};

/// The part's maximum SPI clock.
pub const MAX_SPI_HZ: u32 = 10_000_000;

/// Where the part is within one chip-select period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Expecting a control byte: bit 7 = read, bits 6:0 = register in the current page.
    Control,
    /// Expecting the data byte for a write to this 8-bit register.
    WriteData(u8),
    /// Sending registers from this 7-bit address on; `first` until the first byte went out.
    Read {
        /// 7-bit address of the next byte.
        address7: u8,
        /// No byte of this read has been sent yet.
        first: bool,
    },
    /// The transaction is ignored (wrong clock mode or bit order, or the part is starting up).
    Ignored,
}

/// The SPI interface of a [`super::Bme680`]: an [`SpiTarget`] to put behind a
/// [`crate::SimSpiDevice`].
///
/// Each chip-select period starts with a control byte: bit 7 set = read, bits 6:0 = register
/// within the page selected by `status` (`0x73`) bit 4 (page 0 = `0x80..=0xFF`, page 1 =
/// `0x00..=0x7F`; 7-bit address `0x73` reaches `status` from both pages). A read then streams
/// registers on MISO, auto-incrementing within the page (wrapping from `0x7F` to `0x00`); a write
/// takes one data byte, then another control byte may follow. MISO is 0 while the controller
/// sends control and data bytes.
///
/// The part supports SPI modes 0 and 3, MSB first, up to 10 MHz. A transaction in another mode,
/// LSB first, or during start-up after a soft reset is ignored (MISO 0) and reported; a faster
/// clock is only reported.
pub struct Bme680Spi {
    part: SharedBme680,
    state: State,
}

impl Bme680Spi {
    /// The SPI interface of `part`.
    pub fn new(part: SharedBme680) -> Self {
        Self {
            part,
            state: State::Control,
        }
    }
}

impl SpiTarget for Bme680Spi {
    fn select(&mut self, config: &SpiConfig) {
        let mut part = self.part.lock().unwrap_or_else(|e| e.into_inner());
        self.state = State::Control;
        let mode = match config.mode {
            SpiMode::Mode0 => 0,
            SpiMode::Mode1 => 1,
            SpiMode::Mode2 => 2,
            SpiMode::Mode3 => 3,
        };
        if mode != 0 && mode != 3 {
            part.warn(WarningKind::UnsupportedSpiMode { mode });
            self.state = State::Ignored;
        }
        if config.lsb_first {
            part.warn(WarningKind::SpiLsbFirst);
            self.state = State::Ignored;
        }
        if config.frequency_hz > MAX_SPI_HZ {
            part.warn(WarningKind::SpiClockTooFast {
                frequency_hz: config.frequency_hz,
            });
        }
        if self.state != State::Ignored && !part.ready() {
            self.state = State::Ignored;
        }
    }

    fn exchange(&mut self, mosi: &[u8], miso: &mut [u8]) {
        let mut part = self.part.lock().unwrap_or_else(|e| e.into_inner());
        for (i, &byte) in mosi.iter().enumerate() {
            let mut out = 0;
            self.state = match self.state {
                State::Ignored => State::Ignored,
                State::Control => {
                    let address7 = byte & 0x7F;
                    if byte & 0x80 != 0 {
                        State::Read {
                            address7,
                            first: true,
                        }
                    } else {
                        State::WriteData(reg::spi_register(address7, part.status()))
                    }
                }
                State::WriteData(register) => {
                    part.store(register, byte);
                    // A soft reset silences the part for the rest of the transaction.
                    if part.is_starting_up() {
                        State::Ignored
                    } else {
                        State::Control
                    }
                }
                State::Read { address7, first } => {
                    let register = reg::spi_register(address7, part.status());
                    out = part.register_value(register, first);
                    State::Read {
                        address7: address7.wrapping_add(1) & 0x7F,
                        first: false,
                    }
                }
            };
            if let Some(slot) = miso.get_mut(i) {
                *slot = out;
            }
        }
    }

    fn deselect(&mut self) {
        if let State::WriteData(address) = self.state {
            let mut part = self.part.lock().unwrap_or_else(|e| e.into_inner());
            part.warn(WarningKind::IncompleteSpiWrite { address });
        }
        self.state = State::Control;
    }
}
