//! Datasheet violations, kept for inspection instead of failing.

use serde::Serialize;

/// What kind of misuse a [`Warning`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WarningKind {
    /// A command byte that the SSD1306 command table does not define (ignored).
    UnknownCommand,
    /// A command argument outside the range or fixed-bit pattern the datasheet allows.
    ArgumentOutOfRange,
    /// A command the datasheet reserves for other addressing modes (accepted anyway).
    WrongAddressingMode,
    /// Data bytes arrived while a command still waited for argument bytes.
    DataDuringCommand,
    /// More data bytes than the address window holds since it was last set: the pointer
    /// wrapped around and overwrote bytes of the same run.
    WindowOverrun,
    /// RAM written while scrolling was active (0x2F), which the datasheet prohibits.
    ScrollingActive,
    /// Scroll commands in an order or with an area the datasheet forbids: setup or area changed
    /// while scrolling is active, activation with no setup, area larger than the multiplex ratio.
    ScrollMisuse,
    /// Display switched on (0xAF) with the charge pump off on a module with no external VCC.
    NoPanelSupply,
    /// A bad I2C control byte (bits 5..0 must be zero).
    BadControlByte,
    /// A read was attempted; the SSD1306 serial interfaces are write-only.
    ReadAttempted,
    /// SPI clock faster than the 100 ns minimum cycle (10 MHz).
    SpiClockTooFast,
    /// SPI mode other than 0 or 3, or LSB-first bit order.
    SpiFormat,
    /// Bytes sent while the RES# line held the controller in reset (ignored).
    WriteDuringReset,
    /// RES# pulse shorter than the 3 us the datasheet requires.
    ResetPulseTooShort,
}

/// One datasheet violation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Simulated time when it happened, in nanoseconds.
    pub time_ns: u64,
    /// What kind of violation.
    pub kind: WarningKind,
    /// A description for people, naming the command or value involved.
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{} ns] {:?}: {}", self.time_ns, self.kind, self.message)
    }
}
