//! A simulated I2C bus: parts sit at 7-bit addresses, the controller is whoever holds the bus.

use crate::{SimClock, Trace, TraceKind, trace::TraceOp};
use embedded_hal::i2c::{ErrorKind, NoAcknowledgeSource, Operation};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Why a target did not accept a byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum I2cTargetError {
    /// The target did not acknowledge its address for this direction (for example a read from a
    /// write-only part).
    AddressNack,
    /// The target did not acknowledge a data byte.
    DataNack,
}

/// A part that answers on an I2C bus.
///
/// The bus calls these for the segments of one transaction in order, then [`I2cTarget::stop`].
/// A write segment carries the bytes after the address byte.
pub trait I2cTarget: Send {
    /// A write segment addressed to this target.
    fn write(&mut self, bytes: &[u8]) -> Result<(), I2cTargetError>;
    /// A read segment: fill `buf` with what the target sends.
    fn read(&mut self, buf: &mut [u8]) -> Result<(), I2cTargetError>;
    /// The STOP condition that ends the transaction.
    fn stop(&mut self) {}
}

/// A shared handle to a part on a bus.
pub type SharedI2cTarget = Arc<Mutex<dyn I2cTarget>>;

/// The simulated bus. Cloning gives another handle to the same bus and parts.
#[derive(Clone)]
pub struct SimI2cBus {
    name: Arc<str>,
    clock: SimClock,
    trace: Trace,
    /// Bus clock in Hz, used to advance simulated time by the time bytes take on the wire.
    frequency_hz: u32,
    targets: Arc<Mutex<BTreeMap<u8, SharedI2cTarget>>>,
}

/// The error a simulated I2C transaction returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SimI2cError(pub ErrorKind);

impl embedded_hal::i2c::Error for SimI2cError {
    fn kind(&self) -> ErrorKind {
        self.0
    }
}

impl std::fmt::Display for SimI2cError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::error::Error for SimI2cError {}

impl SimI2cBus {
    /// An empty bus at 400 kHz.
    pub fn new(name: &str, clock: SimClock, trace: Trace) -> Self {
        Self {
            name: name.into(),
            clock,
            trace,
            frequency_hz: 400_000,
            targets: Arc::default(),
        }
    }

    /// The bus's name on the board.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Sets the bus clock used to account wire time (clamped to at least 1 kHz).
    pub fn set_frequency_hz(&mut self, hz: u32) {
        self.frequency_hz = hz.max(1_000);
    }

    /// Puts a part at `address`. Returns the part that was there before, if any.
    pub fn attach(&self, address: u8, target: SharedI2cTarget) -> Option<SharedI2cTarget> {
        self.targets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(address, target)
    }

    /// The addresses that have a part.
    pub fn addresses(&self) -> Vec<u8> {
        self.targets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .copied()
            .collect()
    }

    /// Wire time of `bytes` bytes (9 clocks each, plus the address byte per segment).
    fn wire_ns(&self, bytes: usize) -> u64 {
        (bytes as u64 * 9).saturating_mul(1_000_000_000) / u64::from(self.frequency_hz)
    }
}

impl embedded_hal::i2c::ErrorType for SimI2cBus {
    type Error = SimI2cError;
}

impl embedded_hal::i2c::I2c for SimI2cBus {
    fn transaction(
        &mut self,
        address: u8,
        operations: &mut [Operation<'_>],
    ) -> Result<(), SimI2cError> {
        let start = self.clock.now_ns();
        let target = self
            .targets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&address)
            .cloned();
        let mut traced = Vec::new();
        let mut wire_bytes = 0usize;
        let result = match target {
            None => Err(SimI2cError(ErrorKind::NoAcknowledge(
                NoAcknowledgeSource::Address,
            ))),
            Some(target) => {
                let mut target = target.lock().unwrap_or_else(|e| e.into_inner());
                let mut result = Ok(());
                for op in operations.iter_mut() {
                    wire_bytes += 1; // (repeated) START + address byte
                    let step = match op {
                        Operation::Write(bytes) => {
                            wire_bytes += bytes.len();
                            traced.push(TraceOp::Write {
                                bytes: bytes.to_vec(),
                            });
                            target.write(bytes)
                        }
                        Operation::Read(buf) => {
                            wire_bytes += buf.len();
                            let r = target.read(buf);
                            traced.push(TraceOp::Read {
                                bytes: buf.to_vec(),
                            });
                            r
                        }
                    };
                    if let Err(e) = step {
                        result = Err(SimI2cError(ErrorKind::NoAcknowledge(match e {
                            I2cTargetError::AddressNack => NoAcknowledgeSource::Address,
                            I2cTargetError::DataNack => NoAcknowledgeSource::Data,
                        })));
                        break;
                    }
                }
                target.stop();
                result
            }
        };
        self.trace.record(
            start,
            TraceKind::I2c {
                bus: self.name.to_string(),
                address,
                ops: traced,
                error: result.err().map(|e| e.to_string()),
            },
        );
        self.clock.advance_ns(self.wire_ns(wire_bytes.max(1)));
        result
    }
}
