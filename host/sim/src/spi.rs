//! A simulated SPI device: one chip select, one part, bytes streamed in both directions.

use crate::{SimClock, Trace, TraceKind, trace::TraceOp};
use embedded_hal::spi::{ErrorKind, Mode, Operation};
use std::sync::{Arc, Mutex};

/// The bus settings in force for a device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpiConfig {
    /// SCLK frequency in Hz.
    pub frequency_hz: u32,
    /// Clock polarity and phase.
    pub mode: Mode,
    /// `true` when the least significant bit goes first.
    pub lsb_first: bool,
}

impl Default for SpiConfig {
    fn default() -> Self {
        Self {
            frequency_hz: 1_000_000,
            mode: embedded_hal::spi::MODE_0,
            lsb_first: false,
        }
    }
}

/// A part that answers on an SPI chip select.
///
/// For each transaction the device calls [`SpiTarget::select`], then [`SpiTarget::exchange`] for
/// each run of bytes in order (delays in between advance the clock), then [`SpiTarget::deselect`].
pub trait SpiTarget: Send {
    /// Chip select went active, with the settings the controller uses for this transaction.
    fn select(&mut self, config: &SpiConfig) {
        let _ = config;
    }
    /// Bytes on the wire: `mosi` from the controller; fill `miso` (same length) with the reply.
    fn exchange(&mut self, mosi: &[u8], miso: &mut [u8]);
    /// Chip select went inactive.
    fn deselect(&mut self) {}
}

/// A shared handle to a part on a chip select.
pub type SharedSpiTarget = Arc<Mutex<dyn SpiTarget>>;

/// The error a simulated SPI transaction returns (the simulated wire itself never fails; parts
/// report misuse as warnings, as real parts cannot answer back on SPI).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SimSpiError(pub ErrorKind);

impl embedded_hal::spi::Error for SimSpiError {
    fn kind(&self) -> ErrorKind {
        self.0
    }
}

/// One chip select of the simulated board with the part behind it.
#[derive(Clone)]
pub struct SimSpiDevice {
    name: Arc<str>,
    clock: SimClock,
    trace: Trace,
    config: SpiConfig,
    target: SharedSpiTarget,
}

impl SimSpiDevice {
    /// A device named `name` with `target` behind its chip select.
    pub fn new(name: &str, target: SharedSpiTarget, clock: SimClock, trace: Trace) -> Self {
        Self {
            name: name.into(),
            clock,
            trace,
            config: SpiConfig::default(),
            target,
        }
    }

    /// The device's name on the board.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Sets the bus settings used from the next transaction on.
    pub fn set_config(&mut self, config: SpiConfig) {
        self.config = config;
    }

    /// The bus settings in force.
    pub fn config(&self) -> SpiConfig {
        self.config
    }

    fn wire_ns(&self, bytes: usize) -> u64 {
        (bytes as u64 * 8).saturating_mul(1_000_000_000)
            / u64::from(self.config.frequency_hz.max(1))
    }
}

impl embedded_hal::spi::ErrorType for SimSpiDevice {
    type Error = SimSpiError;
}

impl embedded_hal::spi::SpiDevice for SimSpiDevice {
    fn transaction(&mut self, operations: &mut [Operation<'_, u8>]) -> Result<(), SimSpiError> {
        let start = self.clock.now_ns();
        let tracing = self.trace.is_enabled();
        let mut traced = Vec::new();
        let mut target = self.target.lock().unwrap_or_else(|e| e.into_inner());
        target.select(&self.config);
        for op in operations.iter_mut() {
            match op {
                Operation::Write(bytes) => {
                    let mut miso = vec![0; bytes.len()];
                    target.exchange(bytes, &mut miso);
                    self.clock.advance_ns(self.wire_ns(bytes.len()));
                    if tracing {
                        traced.push(TraceOp::Write {
                            bytes: bytes.to_vec(),
                        });
                    }
                }
                Operation::Read(buf) => {
                    let mosi = vec![0; buf.len()];
                    target.exchange(&mosi, buf);
                    self.clock.advance_ns(self.wire_ns(buf.len()));
                    if tracing {
                        traced.push(TraceOp::Read {
                            bytes: buf.to_vec(),
                        });
                    }
                }
                Operation::Transfer(read, write) => {
                    // embedded-hal: the longer buffer sets the length; the shorter write is
                    // padded with zeros and extra read bytes are dropped.
                    let len = read.len().max(write.len());
                    let mut mosi = write.to_vec();
                    mosi.resize(len, 0);
                    let mut miso = vec![0; len];
                    target.exchange(&mosi, &mut miso);
                    read.copy_from_slice(&miso[..read.len()]);
                    self.clock.advance_ns(self.wire_ns(len));
                    if tracing {
                        traced.push(TraceOp::Transfer {
                            written: mosi,
                            read: miso,
                        });
                    }
                }
                Operation::TransferInPlace(buf) => {
                    let mosi = buf.to_vec();
                    target.exchange(&mosi, buf);
                    self.clock.advance_ns(self.wire_ns(buf.len()));
                    if tracing {
                        traced.push(TraceOp::Transfer {
                            written: mosi,
                            read: buf.to_vec(),
                        });
                    }
                }
                Operation::DelayNs(ns) => {
                    self.clock.advance_ns(u64::from(*ns));
                    if tracing {
                        traced.push(TraceOp::Delay { ns: *ns });
                    }
                }
            }
        }
        target.deselect();
        drop(target);
        self.trace.record(
            start,
            TraceKind::Spi {
                device: self.name.to_string(),
                ops: traced,
            },
        );
        Ok(())
    }
}
