//! A simulated SPI device: one chip select, one part, bytes streamed in both directions.

use crate::{SimClock, Trace, TraceKind, trace::TraceOp};
use embedded_hal::spi::{ErrorKind, Operation};
use std::sync::{Arc, Mutex};
/// The bus settings in force for a device: the board's own type (1 MHz, mode 0, MSB first by
/// default).
pub use wasi_hal_policy::{SpiConfig, SpiMode};

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

/// What a part that samples MOSI on the rising SCLK edge (mode 0 or 3) and shifts MSB first takes
/// (the SSD1306, the SSD1331): its name and its fastest clock, for [`check_settings`].
#[derive(Clone, Copy, Debug)]
pub struct SpiLimits {
    /// The part, for messages (`"SSD1306"`).
    pub part: &'static str,
    /// Its fastest SCLK.
    pub max_frequency_hz: u32,
    /// That limit as the datasheet gives it, for messages (`"10 MHz (100 ns cycle)"`).
    pub limit: &'static str,
}

/// A transaction setting a part cannot take, with a message for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpiSettingProblem {
    /// SCLK above the part's fastest.
    ClockTooFast(String),
    /// A mode other than 0 or 3, or LSB first.
    Format(String),
}

/// What is wrong with `config` for a part with `limits`, one entry per problem.
pub fn check_settings(config: &SpiConfig, limits: &SpiLimits) -> Vec<SpiSettingProblem> {
    let part = limits.part;
    let mut problems = Vec::new();
    if config.frequency_hz > limits.max_frequency_hz {
        problems.push(SpiSettingProblem::ClockTooFast(format!(
            "SPI clock {} Hz is above the {part}'s {}",
            config.frequency_hz, limits.limit
        )));
    }
    if !matches!(config.mode, SpiMode::Mode0 | SpiMode::Mode3) {
        problems.push(SpiSettingProblem::Format(format!(
            "SPI mode {:?}: the {part} samples on the rising SCLK edge, use mode 0 or 3",
            config.mode.to_hal()
        )));
    }
    if config.lsb_first {
        problems.push(SpiSettingProblem::Format(format!(
            "LSB-first SPI: the {part} shifts MSB first, so it receives bit-reversed bytes"
        )));
    }
    problems
}

/// The bytes as a part that shifts MSB first receives them: bit-reversed when the controller
/// sends LSB first.
pub fn as_received(mosi: &[u8], lsb_first: bool) -> std::borrow::Cow<'_, [u8]> {
    if lsb_first {
        mosi.iter().map(|b| b.reverse_bits()).collect()
    } else {
        mosi.into()
    }
}

/// A controller on 4-wire SPI with a D/C# line (SSD1306, SSD1331): what [`DcSpi`] needs of it.
pub trait DcController: Send + 'static {
    /// What bus settings it takes.
    const LIMITS: SpiLimits;
    /// Records a bus setting it cannot take (a datasheet violation, not an error).
    fn setting_problem(&mut self, problem: SpiSettingProblem);
    /// Command bytes (D/C# low).
    fn write_commands(&mut self, bytes: &[u8]);
    /// Data bytes (D/C# high).
    fn write_data(&mut self, bytes: &[u8]);
}

/// A [`DcController`] behind an SPI chip select, for [`SimSpiDevice::new`]:
///
/// - D/C# (a [`SimLine`](crate::SimLine) the driver also holds as an output pin) is sampled for
///   each run of bytes: low = commands, high = data. SPI is write-only; MISO reads back 0.
/// - Each transaction's bus settings are checked with [`check_settings`] against the
///   controller's [`DcController::LIMITS`], once per distinct setting. LSB-first bytes arrive
///   bit-reversed, as the controllers shift MSB first.
pub struct DcSpi<C: DcController> {
    controller: Arc<Mutex<C>>,
    dc: crate::SimLine,
    /// Settings of the current transaction.
    config: SpiConfig,
    /// The last settings that were checked, so a bad setting is reported once.
    checked: Option<SpiConfig>,
}

impl<C: DcController> DcSpi<C> {
    /// A front end for `controller` with its D/C# input on `dc`.
    pub fn with_dc(controller: Arc<Mutex<C>>, dc: crate::SimLine) -> Self {
        Self {
            controller,
            dc,
            config: SpiConfig::default(),
            checked: None,
        }
    }

    /// The controller behind this interface.
    pub fn display(&self) -> &Arc<Mutex<C>> {
        &self.controller
    }
}

impl<C: DcController> std::fmt::Debug for DcSpi<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DcSpi")
            .field("part", &C::LIMITS.part)
            .field("dc", &self.dc)
            .field("config", &self.config)
            .finish()
    }
}

impl<C: DcController> SpiTarget for DcSpi<C> {
    fn select(&mut self, config: &SpiConfig) {
        self.config = *config;
        if self.checked == Some(*config) {
            return;
        }
        self.checked = Some(*config);
        let mut controller = self.controller.lock().unwrap_or_else(|e| e.into_inner());
        for problem in check_settings(config, &C::LIMITS) {
            controller.setting_problem(problem);
        }
    }

    fn exchange(&mut self, mosi: &[u8], miso: &mut [u8]) {
        miso.fill(0);
        let data = self.dc.is_high_now();
        let mut controller = self.controller.lock().unwrap_or_else(|e| e.into_inner());
        let bytes = as_received(mosi, self.config.lsb_first);
        if data {
            controller.write_data(&bytes);
        } else {
            controller.write_commands(&bytes);
        }
    }
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

/// A guest's `configure` reaches the simulated device: it is what a host applies.
impl wasi_hal_policy::spi::ApplySpiSettings for SimSpiDevice {
    fn apply_spi_settings(&mut self, config: &SpiConfig) -> Result<(), SimSpiError> {
        self.set_config(*config);
        Ok(())
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_hal::spi::SpiDevice;
    use wasi_hal_policy::spi::ApplySpiSettings;

    #[derive(Default)]
    struct Part {
        selected: Vec<SpiConfig>,
        received: Vec<u8>,
    }

    impl SpiTarget for Part {
        fn select(&mut self, config: &SpiConfig) {
            self.selected.push(*config);
        }
        fn exchange(&mut self, mosi: &[u8], miso: &mut [u8]) {
            self.received.extend_from_slice(mosi);
            miso.fill(0x5A);
        }
    }

    /// What a host applies (a guest's `configure`) is what the part sees, and sets the time a
    /// transfer takes on the wire.
    #[test]
    fn applied_settings_reach_the_part_and_the_wire_time() {
        let part = Arc::new(Mutex::new(Part::default()));
        let clock = SimClock::new();
        let mut device = SimSpiDevice::new("oled", part.clone(), clock.clone(), Trace::new());
        device
            .apply_spi_settings(&SpiConfig {
                frequency_hz: 8_000_000,
                mode: SpiMode::Mode3,
                lsb_first: false,
            })
            .unwrap();
        let mut read = [0; 2];
        device.transfer(&mut read, &[1, 2]).unwrap();
        assert_eq!(read, [0x5A, 0x5A]);
        let part = part.lock().unwrap();
        assert_eq!(part.received, [1, 2]);
        assert_eq!(
            part.selected,
            [SpiConfig {
                frequency_hz: 8_000_000,
                mode: SpiMode::Mode3,
                lsb_first: false
            }]
        );
        // 16 bits at 8 MHz took 2 us of virtual time.
        assert_eq!(clock.now_ns(), 2_000);
    }
}
