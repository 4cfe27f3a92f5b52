//! The part itself: register file, forced-mode measurement in simulated time, soft reset and
//! warnings. Bus-independent; [`super::Bme680I2c`] and [`super::Bme680Spi`] put it on a bus.

use super::calibration::{Calibration, CalibrationParams};
use super::compensation;
use super::inverse::{self, ADC20_MAX, GAS_ADC_MAX};
use super::registers::{self as reg, Access};
use crate::SimClock;
use std::sync::{Arc, Mutex};

/// A shared handle to one part.
///
/// The bus side ([`super::Bme680I2c`] or [`super::Bme680Spi`]) holds one clone, the test or host
/// that sets the environment and inspects warnings holds another. Lock it only between bus
/// transactions (the bus locks it while a transaction runs).
pub type SharedBme680 = Arc<Mutex<Bme680>>;

/// How long the part takes to start after a soft reset before it communicates again: the
/// datasheet's start-up time `t_startup` of 2 ms (a soft reset has the same effect as power-on
/// reset). Bosch's API and most drivers wait 5-10 ms.
pub const STARTUP_NS: u64 = 2_000_000;

/// At most this many warnings are kept; later ones are only counted.
const MAX_WARNINGS: usize = 1024;

/// Which member of the family the part is: the board's own type.
pub use wasi_hal_policy::parts::Bme680Variant;

/// What each member of the family does differently, in registers.
trait VariantRegisters {
    /// The value of the variant id register `0xF0`.
    fn id(self) -> u8;
    /// The `ctrl_gas_1` bit that enables gas conversions on this variant.
    fn run_gas_bit(self) -> u8;
    /// Where this variant reports its gas result: `(msb, lsb)` registers.
    fn gas_registers(self) -> (u8, u8);
}

impl VariantRegisters for Bme680Variant {
    fn id(self) -> u8 {
        match self {
            Bme680Variant::Bme680 => 0,
            Bme680Variant::Bme688 => 1,
        }
    }

    fn run_gas_bit(self) -> u8 {
        match self {
            Bme680Variant::Bme680 => reg::RUN_GAS_LOW,
            Bme680Variant::Bme688 => reg::RUN_GAS_HIGH,
        }
    }

    fn gas_registers(self) -> (u8, u8) {
        match self {
            Bme680Variant::Bme680 => (reg::GAS_R_MSB, reg::GAS_R_LSB),
            Bme680Variant::Bme688 => (reg::GAS_R_MSB_HIGH, reg::GAS_R_LSB_HIGH),
        }
    }
}

/// Raw ADC values, as the part writes them to its data registers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawSample {
    /// Temperature ADC, 20 bits.
    pub temperature_adc: u32,
    /// Pressure ADC, 20 bits.
    pub pressure_adc: u32,
    /// Humidity ADC, 16 bits.
    pub humidity_adc: u16,
    /// Gas ADC, 10 bits.
    pub gas_adc: u16,
    /// Gas ADC range, 4 bits.
    pub gas_range: u8,
}

impl RawSample {
    /// The raw values of the reference test vector (`tests/data/bme680-vector.toml`).
    pub const REFERENCE: RawSample = RawSample {
        temperature_adc: 501_240,
        pressure_adc: 353_485,
        humidity_adc: 19_019,
        gas_adc: 512,
        gas_range: 5,
    };
}

/// Physical conditions around the part: the board's own type.
pub use wasi_hal_policy::parts::Conditions;

/// What the part measures: fixed raw values, or conditions it converts through the inverse of
/// the compensation formulas (see [`super::inverse`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Environment {
    /// These raw values, whatever the calibration.
    Raw(RawSample),
    /// Raw values that compensate back to these conditions with the part's calibration.
    Conditions(Conditions),
}

/// Something the part was asked to do that the real part would ignore or get wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bme680Warning {
    /// Simulated time of the access, in nanoseconds.
    pub time_ns: u64,
    /// What happened.
    pub kind: WarningKind,
}

/// The kinds of [`Bme680Warning`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WarningKind {
    /// A write to a read-only register (calibration, data, chip or variant id) was ignored.
    WriteToReadOnly {
        /// The register.
        address: u8,
        /// The value written.
        value: u8,
    },
    /// A write to an address outside the memory map was ignored.
    WriteToUndefined {
        /// The register.
        address: u8,
        /// The value written.
        value: u8,
    },
    /// A read started at an address outside the memory map (it reads 0).
    ReadFromUndefined {
        /// The register.
        address: u8,
    },
    /// A value other than `0xB6` was written to the reset register and ignored.
    InvalidResetCommand {
        /// The value written.
        value: u8,
    },
    /// The part was accessed during its start-up after a soft reset (I2C: not acknowledged; SPI:
    /// ignored, reads 0).
    AccessDuringStartup,
    /// A power mode other than sleep (0) or forced (1) was written to `ctrl_meas`; nothing runs.
    UnsupportedMode {
        /// The mode bits.
        mode: u8,
    },
    /// A control or heater register was written while a measurement ran; the running
    /// measurement keeps the settings it started with.
    WriteDuringMeasurement {
        /// The register.
        address: u8,
        /// The value written.
        value: u8,
    },
    /// Gas conversion was enabled with `nb_conv` above 9; no gas conversion runs.
    InvalidHeaterProfile {
        /// The `nb_conv` field.
        nb_conv: u8,
    },
    /// `ctrl_gas_1` enabled gas conversions with the other variant's `run_gas` bit only; no gas
    /// conversion runs.
    RunGasBitOfOtherVariant {
        /// The `ctrl_gas_1` value.
        ctrl_gas_1: u8,
    },
    /// A raw value given to [`Bme680::set_raw`] did not fit its ADC and was clamped.
    RawValueOutOfRange {
        /// Which value.
        quantity: &'static str,
        /// The value given.
        value: u32,
    },
    /// A condition given to [`Bme680::set_conditions`] was not a finite number; the call was
    /// ignored.
    InvalidCondition {
        /// Which condition.
        quantity: &'static str,
    },
    /// A condition lies outside what the ADC can express; the nearest raw value was used.
    ConditionOutOfRange {
        /// Which condition.
        quantity: &'static str,
    },
    /// An SPI transaction used a clock mode other than 0 or 3; the part ignored it.
    UnsupportedSpiMode {
        /// The SPI mode number (0-3).
        mode: u8,
    },
    /// An SPI transaction was sent LSB first; the part ignored it.
    SpiLsbFirst,
    /// An SPI transaction ran faster than the part's 10 MHz maximum.
    SpiClockTooFast {
        /// The clock frequency used.
        frequency_hz: u32,
    },
    /// Chip select went inactive between an SPI write's control byte and its data byte.
    IncompleteSpiWrite {
        /// The register that was to be written.
        address: u8,
    },
}

impl std::fmt::Display for WarningKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WarningKind::WriteToReadOnly { address, value } => {
                write!(
                    f,
                    "write of {value:#04x} to read-only register {address:#04x} ignored"
                )
            }
            WarningKind::WriteToUndefined { address, value } => {
                write!(
                    f,
                    "write of {value:#04x} to undefined register {address:#04x} ignored"
                )
            }
            WarningKind::ReadFromUndefined { address } => {
                write!(f, "read of undefined register {address:#04x} (reads 0)")
            }
            WarningKind::InvalidResetCommand { value } => {
                write!(
                    f,
                    "{value:#04x} written to the reset register (only 0xb6 resets)"
                )
            }
            WarningKind::AccessDuringStartup => write!(f, "access during start-up after reset"),
            WarningKind::UnsupportedMode { mode } => {
                write!(f, "unsupported power mode {mode} written to ctrl_meas")
            }
            WarningKind::WriteDuringMeasurement { address, value } => write!(
                f,
                "write of {value:#04x} to {address:#04x} while a measurement runs"
            ),
            WarningKind::InvalidHeaterProfile { nb_conv } => {
                write!(
                    f,
                    "gas conversion with heater profile {nb_conv} (0-9 exist)"
                )
            }
            WarningKind::RunGasBitOfOtherVariant { ctrl_gas_1 } => write!(
                f,
                "ctrl_gas_1 = {ctrl_gas_1:#04x} uses the other variant's run_gas bit"
            ),
            WarningKind::RawValueOutOfRange { quantity, value } => {
                write!(f, "raw {quantity} {value} does not fit the ADC (clamped)")
            }
            WarningKind::InvalidCondition { quantity } => {
                write!(f, "{quantity} is not a finite number (ignored)")
            }
            WarningKind::ConditionOutOfRange { quantity } => {
                write!(f, "{quantity} is outside what the ADC can express")
            }
            WarningKind::UnsupportedSpiMode { mode } => {
                write!(f, "SPI mode {mode} (the part supports 0 and 3)")
            }
            WarningKind::SpiLsbFirst => write!(f, "SPI sent LSB first (the part is MSB first)"),
            WarningKind::SpiClockTooFast { frequency_hz } => {
                write!(f, "SPI clock {frequency_hz} Hz above the 10 MHz maximum")
            }
            WarningKind::IncompleteSpiWrite { address } => {
                write!(f, "SPI write to {address:#04x} without a data byte")
            }
        }
    }
}

/// A running forced-mode measurement, with the settings latched when it started.
#[derive(Clone, Copy, Debug)]
struct Measurement {
    /// When the gas phase (heating, then gas conversion) starts.
    gas_start_ns: u64,
    /// When the results are in the data registers.
    end_ns: u64,
    osrs_t: u8,
    osrs_p: u8,
    osrs_h: u8,
    gas: Option<GasRun>,
}

/// A gas conversion within a measurement.
#[derive(Clone, Copy, Debug)]
struct GasRun {
    /// Heater profile (`nb_conv`).
    profile: u8,
    /// Whether the heater reached its target.
    heat_stab: bool,
}

/// The simulated BME680 (or BME688).
///
/// It holds a [`SimClock`] handle and evaluates time lazily: a measurement started at `t`
/// completes when the clock reads at least `t + duration` at the next register access.
///
/// Register behaviour, all documented choices where the datasheet says nothing:
/// - Undefined addresses (outside the datasheet's memory map) read `0x00`. A read that *starts*
///   at one is reported ([`WarningKind::ReadFromUndefined`]); a burst that runs through reserved
///   bytes inside or between documented blocks is normal driver behaviour and is not.
/// - Writes to read-only or undefined registers are ignored and reported.
/// - Control registers keep every bit written (reserved bits included).
/// - A soft reset restores every register to its reset value, aborts a running measurement and
///   starts [`STARTUP_NS`] of start-up, during which the part does not communicate.
///   Calibration, chip and variant id come from NVM and are unaffected.
/// - Writing sleep mode to `ctrl_meas` during a measurement aborts it (no new data), as Bosch's
///   API does before every mode change. Other control writes during a measurement are stored
///   but do not affect it (reported).
/// - `new_data` is cleared when a measurement starts, not by reading.
/// - `measuring` is set for the whole measurement, `gas_measuring` during its gas phase
///   (heater wait, then the gas conversion) when a gas conversion runs.
/// - A skipped oversampling (`osrs_x` = 0) leaves that value's registers at their reset value
///   (`0x80000` / `0x8000`); a measurement without gas conversion writes 0 to the gas registers.
/// - `heat_stab` is set when the heater was on for a non-zero wait time and
///   [`Bme680::set_heater_stable`] has not been cleared.
/// - Not modelled: the IIR filter and the reduced resolution without it (raw values are reported
///   as given), the BME688's parallel/sequential modes, heater physics.
pub struct Bme680 {
    clock: SimClock,
    variant: Bme680Variant,
    calibration: Calibration,
    params: CalibrationParams,
    regs: [u8; 256],
    environment: Environment,
    heater_stable: bool,
    measurement: Option<Measurement>,
    startup_until_ns: u64,
    completed: u64,
    last_sample: Option<RawSample>,
    warnings: Vec<Bme680Warning>,
    dropped_warnings: u64,
}

impl std::fmt::Debug for Bme680 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bme680")
            .field("variant", &self.variant)
            .field("environment", &self.environment)
            .field("measuring", &self.measurement.is_some())
            .field("warnings", &self.warnings.len())
            .finish()
    }
}

impl Bme680 {
    /// A powered, idle BME680 with the reference calibration, measuring the reference vector's
    /// raw values. (The part is taken to have been powered long enough to have started up.)
    pub fn new(clock: SimClock) -> Self {
        let calibration = Calibration::reference();
        let mut regs = [0u8; 256];
        for (address, value) in regs.iter_mut().enumerate() {
            *value = reg::reset_value(address as u8);
        }
        Self {
            clock,
            variant: Bme680Variant::Bme680,
            params: calibration.params(),
            calibration,
            regs,
            environment: Environment::Raw(RawSample::REFERENCE),
            heater_stable: true,
            measurement: None,
            startup_until_ns: 0,
            completed: 0,
            last_sample: None,
            warnings: Vec::new(),
            dropped_warnings: 0,
        }
    }

    /// This part as `variant`.
    pub fn with_variant(mut self, variant: Bme680Variant) -> Self {
        self.variant = variant;
        self
    }

    /// This part with the calibration bytes `calibration`.
    pub fn with_calibration(mut self, calibration: Calibration) -> Self {
        self.params = calibration.params();
        self.calibration = calibration;
        self
    }

    /// Wraps the part in a [`SharedBme680`].
    pub fn into_shared(self) -> SharedBme680 {
        Arc::new(Mutex::new(self))
    }

    /// The variant.
    pub fn variant(&self) -> Bme680Variant {
        self.variant
    }

    /// The calibration bytes.
    pub fn calibration(&self) -> &Calibration {
        &self.calibration
    }

    /// The calibration parameters decoded from the calibration bytes.
    pub fn calibration_params(&self) -> CalibrationParams {
        self.params
    }

    /// Makes the following measurements report these raw values. Values wider than their ADC are
    /// clamped and reported.
    pub fn set_raw(
        &mut self,
        temperature_adc: u32,
        pressure_adc: u32,
        humidity_adc: u16,
        gas_adc: u16,
        gas_range: u8,
    ) {
        let mut clamp = |quantity: &'static str, value: u32, max: u32| {
            if value > max {
                self.warn(WarningKind::RawValueOutOfRange { quantity, value });
            }
            value.min(max)
        };
        let sample = RawSample {
            temperature_adc: clamp("temperature_adc", temperature_adc, ADC20_MAX),
            pressure_adc: clamp("pressure_adc", pressure_adc, ADC20_MAX),
            humidity_adc,
            gas_adc: clamp("gas_adc", gas_adc.into(), GAS_ADC_MAX.into()) as u16,
            gas_range: clamp("gas_range", gas_range.into(), 15) as u8,
        };
        self.environment = Environment::Raw(sample);
    }

    /// Makes the following measurements report the raw values that compensate back to
    /// `conditions` (to within one ADC step). A non-finite value is reported and the call
    /// ignored; values beyond the ADC's reach give the nearest raw value and a warning at each
    /// measurement.
    pub fn set_conditions(&mut self, conditions: Conditions) {
        let checks = [
            ("temperature", conditions.temperature_celsius),
            ("pressure", conditions.pressure_pa),
            ("humidity", conditions.humidity_percent),
            ("gas resistance", conditions.gas_resistance_ohm),
        ];
        let mut valid = true;
        for (quantity, value) in checks {
            if !value.is_finite() {
                self.warn(WarningKind::InvalidCondition { quantity });
                valid = false;
            }
        }
        if valid {
            self.environment = Environment::Conditions(conditions);
        }
    }

    /// What the part measures.
    pub fn environment(&self) -> Environment {
        self.environment
    }

    /// Whether the heater reaches its target in the following gas measurements (`heat_stab`);
    /// `true` by default.
    pub fn set_heater_stable(&mut self, stable: bool) {
        self.heater_stable = stable;
    }

    /// Reads one register as a bus read starting there would.
    pub fn read_register(&mut self, address: u8) -> u8 {
        if !self.ready() {
            return 0;
        }
        self.register_value(address, true)
    }

    /// Reads `buf.len()` registers from `start`, auto-incrementing (wrapping from `0xFF` to
    /// `0x00`), as an I2C burst read does.
    pub fn read_registers(&mut self, start: u8, buf: &mut [u8]) {
        if !self.ready() {
            buf.fill(0);
            return;
        }
        for (i, byte) in buf.iter_mut().enumerate() {
            *byte = self.register_value(start.wrapping_add(i as u8), i == 0);
        }
    }

    /// Writes one register as a bus write would.
    pub fn write_register(&mut self, address: u8, value: u8) {
        if self.ready() {
            self.store(address, value);
        }
    }

    /// Whether the part is still starting up after a soft reset.
    pub fn is_starting_up(&self) -> bool {
        self.clock.now_ns() < self.startup_until_ns
    }

    /// Whether a measurement is running now.
    pub fn is_measuring(&mut self) -> bool {
        self.update();
        self.measurement.is_some()
    }

    /// When the running measurement completes, in simulated nanoseconds.
    pub fn measurement_end_ns(&mut self) -> Option<u64> {
        self.update();
        self.measurement.map(|m| m.end_ns)
    }

    /// How many measurements have completed.
    pub fn measurements_completed(&mut self) -> u64 {
        self.update();
        self.completed
    }

    /// The raw values the environment gave the last completed measurement (a quantity whose
    /// oversampling was skipped was not written to the registers).
    pub fn last_sample(&mut self) -> Option<RawSample> {
        self.update();
        self.last_sample
    }

    /// The warnings recorded so far, oldest first.
    pub fn warnings(&self) -> &[Bme680Warning] {
        &self.warnings
    }

    /// Removes and returns the warnings recorded so far.
    pub fn take_warnings(&mut self) -> Vec<Bme680Warning> {
        std::mem::take(&mut self.warnings)
    }

    /// How many warnings were not kept because too many were pending.
    pub fn dropped_warnings(&self) -> u64 {
        self.dropped_warnings
    }

    /// Records a warning at the current simulated time.
    pub(crate) fn warn(&mut self, kind: WarningKind) {
        if self.warnings.len() < MAX_WARNINGS {
            let time_ns = self.clock.now_ns();
            self.warnings.push(Bme680Warning { time_ns, kind });
        } else {
            self.dropped_warnings += 1;
        }
    }

    /// Brings the part up to the current time and tells whether it communicates; an access
    /// during start-up is reported.
    pub(crate) fn ready(&mut self) -> bool {
        self.update();
        if self.is_starting_up() {
            self.warn(WarningKind::AccessDuringStartup);
            false
        } else {
            true
        }
    }

    /// The `status` register (SPI memory page).
    pub(crate) fn status(&self) -> u8 {
        self.regs[usize::from(reg::STATUS)]
    }

    /// The value a read of `address` returns now; `first` when the read starts here (only then
    /// is an undefined address reported). Call [`Bme680::ready`] first.
    pub(crate) fn register_value(&mut self, address: u8, first: bool) -> u8 {
        match reg::access(address, self.variant) {
            Access::Undefined => {
                if first {
                    self.warn(WarningKind::ReadFromUndefined { address });
                }
                0
            }
            Access::Command => 0,
            Access::ReadOnly | Access::ReadWrite => match address {
                reg::CHIP_ID => reg::CHIP_ID_VALUE,
                reg::VARIANT_ID => self.variant.id(),
                reg::MEAS_STATUS_0 => self.regs[usize::from(address)] | self.busy_bits(),
                _ => self
                    .calibration
                    .register(address)
                    .unwrap_or(self.regs[usize::from(address)]),
            },
        }
    }

    /// Stores a bus write of `value` to `address`. Call [`Bme680::ready`] first.
    pub(crate) fn store(&mut self, address: u8, value: u8) {
        match reg::access(address, self.variant) {
            Access::ReadOnly => self.warn(WarningKind::WriteToReadOnly { address, value }),
            Access::Undefined => self.warn(WarningKind::WriteToUndefined { address, value }),
            Access::Command => {
                if value == reg::SOFT_RESET_COMMAND {
                    self.soft_reset();
                } else {
                    self.warn(WarningKind::InvalidResetCommand { value });
                }
            }
            Access::ReadWrite if address == reg::CTRL_MEAS => self.write_ctrl_meas(value),
            Access::ReadWrite => {
                if self.measurement.is_some() && address != reg::STATUS {
                    self.warn(WarningKind::WriteDuringMeasurement { address, value });
                }
                self.regs[usize::from(address)] = value;
            }
        }
    }

    fn soft_reset(&mut self) {
        for (address, value) in self.regs.iter_mut().enumerate() {
            *value = reg::reset_value(address as u8);
        }
        self.measurement = None;
        self.startup_until_ns = self.clock.now_ns().saturating_add(STARTUP_NS);
    }

    fn write_ctrl_meas(&mut self, value: u8) {
        let mode = value & reg::MODE_MASK;
        if self.measurement.is_some() {
            if mode == 0 {
                self.measurement = None;
            } else {
                self.warn(WarningKind::WriteDuringMeasurement {
                    address: reg::CTRL_MEAS,
                    value,
                });
            }
            self.regs[usize::from(reg::CTRL_MEAS)] = value;
            return;
        }
        self.regs[usize::from(reg::CTRL_MEAS)] = value;
        match mode {
            0 => {}
            1 => self.start_measurement(),
            _ => self.warn(WarningKind::UnsupportedMode { mode }),
        }
    }

    fn start_measurement(&mut self) {
        let ctrl_meas = self.regs[usize::from(reg::CTRL_MEAS)];
        let osrs_t = ctrl_meas >> 5;
        let osrs_p = (ctrl_meas >> 2) & 0x07;
        let osrs_h = self.regs[usize::from(reg::CTRL_HUM)] & 0x07;
        let ctrl_gas_1 = self.regs[usize::from(reg::CTRL_GAS_1)];
        let own = self.variant.run_gas_bit();
        let other = reg::RUN_GAS_LOW | reg::RUN_GAS_HIGH;
        if ctrl_gas_1 & own == 0 && ctrl_gas_1 & (other & !own) != 0 {
            self.warn(WarningKind::RunGasBitOfOtherVariant { ctrl_gas_1 });
        }
        let profile = ctrl_gas_1 & reg::NB_CONV_MASK;
        let mut wait_ms = 0u32;
        let gas = if ctrl_gas_1 & own == 0 {
            None
        } else if profile > 9 {
            self.warn(WarningKind::InvalidHeaterProfile { nb_conv: profile });
            None
        } else {
            let heater_on = self.regs[usize::from(reg::CTRL_GAS_0)] & reg::HEAT_OFF == 0;
            if heater_on {
                wait_ms =
                    compensation::gas_wait_ms(self.regs[usize::from(reg::GAS_WAIT_0 + profile)]);
            }
            Some(GasRun {
                profile,
                heat_stab: heater_on && wait_ms > 0 && self.heater_stable,
            })
        };
        let tph_us = compensation::measurement_duration_us(osrs_t, osrs_p, osrs_h)
            - compensation::GAS_CONVERSION_US;
        let gas_us = u64::from(wait_ms) * 1000 + u64::from(compensation::GAS_CONVERSION_US);
        let now = self.clock.now_ns();
        let gas_start_ns = now.saturating_add(u64::from(tph_us) * 1000);
        self.measurement = Some(Measurement {
            gas_start_ns,
            end_ns: gas_start_ns.saturating_add(gas_us * 1000),
            osrs_t,
            osrs_p,
            osrs_h,
            gas,
        });
        self.regs[usize::from(reg::MEAS_STATUS_0)] &= !reg::NEW_DATA;
    }

    /// Completes the running measurement if its time has come.
    fn update(&mut self) {
        if let Some(m) = self.measurement
            && self.clock.now_ns() >= m.end_ns
        {
            self.measurement = None;
            self.complete(m);
        }
    }

    /// The `measuring` / `gas_measuring` bits of `meas_status_0` now.
    fn busy_bits(&self) -> u8 {
        match &self.measurement {
            None => 0,
            Some(m) => {
                let gas_phase = m.gas.is_some() && self.clock.now_ns() >= m.gas_start_ns;
                reg::MEASURING | if gas_phase { reg::GAS_MEASURING } else { 0 }
            }
        }
    }

    fn complete(&mut self, m: Measurement) {
        let sample = match self.environment {
            Environment::Raw(sample) => sample,
            Environment::Conditions(conditions) => {
                let (sample, out_of_range) =
                    inverse::raw_for_conditions(&self.params, self.variant, &conditions);
                for quantity in out_of_range {
                    self.warn(WarningKind::ConditionOutOfRange { quantity });
                }
                sample
            }
        };
        if m.osrs_p != 0 {
            self.put20(reg::PRESS_MSB, sample.pressure_adc);
        }
        if m.osrs_t != 0 {
            self.put20(reg::TEMP_MSB, sample.temperature_adc);
        }
        if m.osrs_h != 0 {
            let [msb, lsb] = sample.humidity_adc.to_be_bytes();
            self.regs[usize::from(reg::HUM_MSB)] = msb;
            self.regs[usize::from(reg::HUM_MSB) + 1] = lsb;
        }
        let (msb_at, lsb_at) = self.variant.gas_registers();
        let (gas_msb, gas_lsb, index) = match m.gas {
            Some(gas) => {
                let adc = sample.gas_adc & GAS_ADC_MAX;
                let mut lsb =
                    ((adc & 0x03) as u8) << 6 | reg::GAS_VALID | (sample.gas_range & 0x0F);
                if gas.heat_stab {
                    lsb |= reg::HEAT_STAB;
                }
                ((adc >> 2) as u8, lsb, gas.profile)
            }
            None => (0, 0, 0),
        };
        self.regs[usize::from(msb_at)] = gas_msb;
        self.regs[usize::from(lsb_at)] = gas_lsb;
        self.regs[usize::from(reg::MEAS_STATUS_0)] = reg::NEW_DATA | index;
        self.regs[usize::from(reg::CTRL_MEAS)] &= !reg::MODE_MASK;
        self.completed += 1;
        self.last_sample = Some(sample);
    }

    /// Writes a 20-bit ADC value as msb, lsb, xlsb (bits 7:4) from `msb_at`.
    fn put20(&mut self, msb_at: u8, value: u32) {
        let at = usize::from(msb_at);
        self.regs[at] = (value >> 12) as u8;
        self.regs[at + 1] = (value >> 4) as u8;
        self.regs[at + 2] = ((value & 0x0F) << 4) as u8;
    }
}
