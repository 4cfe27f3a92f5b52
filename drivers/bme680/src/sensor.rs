//! The BME680 protocol over any embedded-hal 1.0 I2C bus and delay: open (soft reset, chip id,
//! calibration, settings) and forced-mode measurements.

use crate::compensation::{self as comp, COEFF1_LEN, COEFF2_LEN, COEFF3_LEN, Calibration};
use crate::config::Settings;
use embedded_hal::delay::DelayNs;
use embedded_hal::i2c::I2c;

/// Soft reset register and its command.
const RESET: u8 = 0xE0;
const RESET_COMMAND: u8 = 0xB6;
/// Chip id register and the BME68x's id.
const CHIP_ID: u8 = 0xD0;
const CHIP_ID_VALUE: u8 = 0x61;
/// Variant id register (0 = BME680, 1 = BME688).
const VARIANT_ID: u8 = 0xF0;
/// Heater set-point 0, heater wait 0, heater and gas control.
const RES_HEAT_0: u8 = 0x5A;
const GAS_WAIT_0: u8 = 0x64;
const CTRL_GAS_0: u8 = 0x70;
const CTRL_GAS_1: u8 = 0x71;
/// Humidity oversampling; oversampling of temperature and pressure, and the mode; IIR filter.
const CTRL_HUM: u8 = 0x72;
const CTRL_MEAS: u8 = 0x74;
const CONFIG: u8 = 0x75;
/// The first data register (`meas_status_0`).
const FIELD: u8 = 0x1D;
/// `ctrl_gas_0`: heater off.
const HEAT_OFF: u8 = 0x08;
/// `ctrl_gas_1`: gas conversions on, BME680 and BME688.
const RUN_GAS_LOW: u8 = 0x10;
const RUN_GAS_HIGH: u8 = 0x20;
/// `meas_status_0`: new data.
const NEW_DATA: u8 = 0x80;
/// Gas result LSB: valid conversion, heater stable.
const GAS_VALID: u8 = 0x20;
const HEAT_STAB: u8 = 0x10;
/// Wait after a soft reset (Bosch's API: `BME68X_PERIOD_RESET`, 10 ms; the datasheet's start-up
/// time is 2 ms).
const RESET_WAIT_US: u32 = 10_000;
/// After the measurement time, the data is read again at most this many times ...
const POLLS: u32 = 10;
/// ... this far apart at least (or a tenth of the measurement time, if longer).
const POLL_MIN_US: u32 = 1_000;
/// Ambient temperature assumed for the heater set-point before the first measurement.
const DEFAULT_AMBIENT_CELSIUS: i8 = 25;

/// Why an operation failed, as `sensor:environment` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// No answer, the wrong chip id.
    NotConnected,
    /// The bus failed during a transfer.
    BusError,
    /// The host refused the bus or the address.
    NotPermitted,
    /// The bus (or the driver's sensor) is taken.
    InUse,
    /// No new data in the time the datasheet allows (and some).
    Timeout,
    /// Anything else (configuration).
    Other,
}

/// Which member of the family answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// BME680: gas result in `0x2A`/`0x2B`, `run_gas` bit 4.
    Bme680,
    /// BME688: gas result in `0x2C`/`0x2D`, `run_gas` bit 5.
    Bme688,
}

/// One compensated measurement in Bosch's integer units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reading {
    /// Temperature in 0.01 °C.
    pub centi_celsius: i16,
    /// Pressure in Pa, if measured.
    pub pressure_pa: Option<u32>,
    /// Relative humidity in 0.001 %, if measured.
    pub milli_percent: Option<u32>,
    /// Gas resistance in Ω, if the heater was on, the conversion valid and the heater stable.
    pub gas_ohm: Option<u32>,
}

/// An open sensor.
pub struct Bme680<I: embedded_hal::i2c::ErrorType, D> {
    i2c: I,
    delay: D,
    address: u8,
    map: fn(&I::Error) -> Error,
    settings: Settings,
    cal: Calibration,
    variant: Variant,
    /// The `res_heat_0` value in the sensor.
    res_heat: u8,
    /// The ambient temperature for the heater set-point: the last temperature measured.
    ambient_celsius: i8,
}

impl<I: I2c, D: DelayNs> Bme680<I, D> {
    /// Resets the sensor at `address`, checks its chip id, reads its calibration and writes
    /// `settings` (the sensor stays in sleep mode). `map` says what a bus error means.
    pub fn open(
        i2c: I,
        delay: D,
        address: u8,
        settings: Settings,
        map: fn(&I::Error) -> Error,
    ) -> Result<Self, Error> {
        let mut s = Bme680 {
            i2c,
            delay,
            address,
            map,
            settings,
            cal: Calibration::default(),
            variant: Variant::Bme680,
            res_heat: 0,
            ambient_celsius: DEFAULT_AMBIENT_CELSIUS,
        };
        s.write(&[RESET, RESET_COMMAND])?;
        s.delay.delay_us(RESET_WAIT_US);
        let [id] = s.read::<1>(CHIP_ID)?;
        if id != CHIP_ID_VALUE {
            return Err(Error::NotConnected);
        }
        let [variant] = s.read::<1>(VARIANT_ID)?;
        s.variant = if variant == 1 {
            Variant::Bme688
        } else {
            Variant::Bme680
        };
        let c1 = s.read::<COEFF1_LEN>(comp::COEFF1_START)?;
        let c2 = s.read::<COEFF2_LEN>(comp::COEFF2_START)?;
        let c3 = s.read::<COEFF3_LEN>(comp::COEFF3_START)?;
        s.cal = Calibration::from_blocks(&c1, &c2, &c3);
        s.configure()?;
        Ok(s)
    }

    /// The member of the family.
    pub fn variant(&self) -> Variant {
        self.variant
    }

    /// The settings in force.
    pub fn settings(&self) -> Settings {
        self.settings
    }

    /// `ctrl_meas` with the oversampling of temperature and pressure and `mode`.
    fn ctrl_meas(&self, mode: u8) -> u8 {
        (self.settings.osrs_t & 7) << 5 | (self.settings.osrs_p & 7) << 2 | mode
    }

    /// Writes every setting in one write of register/value pairs, the heater's first.
    fn configure(&mut self) -> Result<(), Error> {
        let st = self.settings;
        let config = (st.filter & 7) << 2;
        let ctrl_hum = st.osrs_h & 7;
        let sleep = self.ctrl_meas(0);
        match st.heater {
            Some(heater) => {
                self.res_heat =
                    comp::heater_resistance(&self.cal, self.ambient_celsius, heater.target_celsius);
                let run_gas = match self.variant {
                    Variant::Bme680 => RUN_GAS_LOW,
                    Variant::Bme688 => RUN_GAS_HIGH,
                };
                self.write(&[
                    RES_HEAT_0,
                    self.res_heat,
                    GAS_WAIT_0,
                    comp::gas_wait(heater.duration_ms),
                    CTRL_GAS_0,
                    0,
                    CTRL_GAS_1,
                    run_gas, // heater profile 0
                    CTRL_HUM,
                    ctrl_hum,
                    CTRL_MEAS,
                    sleep,
                    CONFIG,
                    config,
                ])
            }
            None => self.write(&[
                CTRL_GAS_0, HEAT_OFF, CTRL_GAS_1, 0, CTRL_HUM, ctrl_hum, CTRL_MEAS, sleep, CONFIG,
                config,
            ]),
        }
    }

    /// Takes one forced-mode measurement and waits for it.
    pub fn measure(&mut self) -> Result<Reading, Error> {
        let st = self.settings;
        self.track_ambient()?;
        self.write(&[CTRL_HUM, st.osrs_h & 7, CTRL_MEAS, self.ctrl_meas(1)])?;
        let heater_ms = st.heater.map_or(0, |h| u32::from(h.duration_ms));
        let duration_us = comp::tph_duration_us(st.osrs_t, st.osrs_p, st.osrs_h)
            .saturating_add(heater_ms.saturating_mul(1000));
        self.delay.delay_us(duration_us);
        let poll_us = (duration_us / 10).max(POLL_MIN_US);
        let mut polls = 0;
        let field = loop {
            let field = self.read::<17>(FIELD)?;
            if field[0] & NEW_DATA != 0 {
                break field;
            }
            if polls == POLLS {
                // Back to sleep, so the next measurement starts from a known state.
                let _ = self.write(&[CTRL_MEAS, self.ctrl_meas(0)]);
                return Err(Error::Timeout);
            }
            polls += 1;
            self.delay.delay_us(poll_us);
        };
        let reading = self.compensate(&field);
        self.ambient_celsius =
            (reading.centi_celsius / 100).clamp(i16::from(i8::MIN), i16::from(i8::MAX)) as i8;
        Ok(reading)
    }

    /// Compensates the data registers `0x1D..=0x2D`.
    fn compensate(&self, f: &[u8; 17]) -> Reading {
        let adc20 = |msb: u8, lsb: u8, xlsb: u8| {
            u32::from(msb) << 12 | u32::from(lsb) << 4 | u32::from(xlsb) >> 4
        };
        let pres_adc = adc20(f[2], f[3], f[4]);
        let temp_adc = adc20(f[5], f[6], f[7]);
        let hum_adc = u16::from_be_bytes([f[8], f[9]]);
        let (gas_msb, gas_lsb) = match self.variant {
            Variant::Bme680 => (f[13], f[14]),
            Variant::Bme688 => (f[15], f[16]),
        };
        let gas_adc = u16::from(gas_msb) << 2 | u16::from(gas_lsb >> 6);
        let gas_range = gas_lsb & 0x0F;

        let st = self.settings;
        let (centi_celsius, t_fine) = comp::temperature(&self.cal, temp_adc);
        let gas_ok = gas_lsb & GAS_VALID != 0 && gas_lsb & HEAT_STAB != 0;
        Reading {
            centi_celsius,
            pressure_pa: (st.osrs_p != 0).then(|| comp::pressure(&self.cal, t_fine, pres_adc)),
            milli_percent: (st.osrs_h != 0).then(|| comp::humidity(&self.cal, t_fine, hum_adc)),
            gas_ohm: (st.heater.is_some() && gas_ok).then(|| match self.variant {
                Variant::Bme680 => comp::gas_resistance_low(&self.cal, gas_adc, gas_range),
                Variant::Bme688 => comp::gas_resistance_high(gas_adc, gas_range),
            }),
        }
    }

    /// Keeps the heater set-point right for the last temperature measured: rewrites `res_heat_0`
    /// when the value for that ambient temperature differs from the one in the sensor.
    fn track_ambient(&mut self) -> Result<(), Error> {
        let Some(heater) = self.settings.heater else {
            return Ok(());
        };
        let res_heat =
            comp::heater_resistance(&self.cal, self.ambient_celsius, heater.target_celsius);
        if res_heat != self.res_heat {
            self.write(&[RES_HEAT_0, res_heat])?;
            self.res_heat = res_heat;
        }
        Ok(())
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.i2c
            .write(self.address, bytes)
            .map_err(|e| (self.map)(&e))
    }

    /// Reads `N` registers from `register` in one write-read.
    fn read<const N: usize>(&mut self, register: u8) -> Result<[u8; N], Error> {
        let mut buf = [0; N];
        self.i2c
            .write_read(self.address, &[register], &mut buf)
            .map_err(|e| (self.map)(&e))?;
        Ok(buf)
    }
}
