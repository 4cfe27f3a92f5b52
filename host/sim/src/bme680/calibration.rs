//! The factory calibration of a BME680: the bytes in its registers and the parameters Bosch's
//! compensation formulas take from them.

use super::registers::{
    COEFF1_END, COEFF1_START, COEFF2_END, COEFF2_START, COEFF3_END, COEFF3_START,
};

/// Number of registers in bank 1 (`0x89..=0xA1`).
const BANK1_LEN: usize = (COEFF1_END - COEFF1_START) as usize + 1;
/// Number of registers in bank 2 (`0xE1..=0xEF`).
const BANK2_LEN: usize = (COEFF2_END - COEFF2_START) as usize + 1;
/// Number of registers in bank 3 (`0x00..=0x04`).
const BANK3_LEN: usize = (COEFF3_END - COEFF3_START) as usize + 1;

/// The calibration bytes a part holds in NVM, as they appear in its registers.
///
/// Three banks: `0x89..=0xA1`, `0xE1..=0xEF` and `0x00..=0x04`. Bytes that Bosch's API does not use
/// (for example `0x89`, `0x8D`, `0xA1`, `0xEF`) are kept too, so a driver that reads the banks in
/// other chunks sees the same image. The default is the register image of the reference test
/// vector (`tests/data/bme680-vector.toml`), with the bytes the vector leaves out set to 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Calibration {
    bank1: [u8; BANK1_LEN],
    bank2: [u8; BANK2_LEN],
    bank3: [u8; BANK3_LEN],
}

/// A calibration byte was addressed outside the calibration banks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotCalibrationRegister {
    /// The first register that is not a calibration register.
    pub address: u8,
}

impl std::fmt::Display for NotCalibrationRegister {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "register {:#04x} is not a BME680 calibration register",
            self.address
        )
    }
}

impl std::error::Error for NotCalibrationRegister {}

impl Default for Calibration {
    fn default() -> Self {
        Self::reference()
    }
}

impl Calibration {
    /// The reference vector's register image (Pimoroni bme680-python's test calibration).
    pub const fn reference() -> Self {
        Self {
            bank1: [
                0x00, // 0x89: not in the vector
                0x65, 0x67, 0x03, 0x00, 0x41, 0x8F, 0xED, 0xD6, 0x58, 0x00, 0x8E, 0x1C, 0x7F, 0xFF,
                0x2E, 0x1E, 0x00, 0x00, 0x97, 0xF3, 0xB5, 0xF6, 0x1E, // 0x8A..=0xA0
                0x00, // 0xA1: not in the vector
            ],
            bank2: [
                0x40, 0x54, 0x2A, 0x00, 0x2D, 0x14, 0x78, 0x9C, 0xB9, 0x65, 0x4E, 0x9F, 0xE2,
                0x12, // 0xE1..=0xEE
                0x00, // 0xEF: not in the vector
            ],
            bank3: [0x30, 0x00, 0x10, 0x00, 0x00],
        }
    }

    /// A calibration with every byte 0.
    pub const fn zeroed() -> Self {
        Self {
            bank1: [0; BANK1_LEN],
            bank2: [0; BANK2_LEN],
            bank3: [0; BANK3_LEN],
        }
    }

    /// The calibration byte at `address`, or `None` if `address` is not a calibration register.
    pub fn register(&self, address: u8) -> Option<u8> {
        self.slot(address).map(|(bank, index)| match bank {
            1 => self.bank1[index],
            2 => self.bank2[index],
            _ => self.bank3[index],
        })
    }

    /// Sets the calibration byte at `address`.
    pub fn set_register(&mut self, address: u8, value: u8) -> Result<(), NotCalibrationRegister> {
        let (bank, index) = self
            .slot(address)
            .ok_or(NotCalibrationRegister { address })?;
        match bank {
            1 => self.bank1[index] = value,
            2 => self.bank2[index] = value,
            _ => self.bank3[index] = value,
        }
        Ok(())
    }

    /// This calibration with `bytes` at consecutive registers from `start` (the form of the
    /// reference vector's `[registers]` table). Fails if any byte falls outside the banks.
    pub fn with_bytes(self, start: u8, bytes: &[u8]) -> Result<Self, NotCalibrationRegister> {
        let mut updated = self;
        for (i, &value) in bytes.iter().enumerate() {
            let address =
                u8::try_from(usize::from(start) + i).map_err(|_| NotCalibrationRegister {
                    address: start.wrapping_add(i as u8),
                })?;
            updated.set_register(address, value)?;
        }
        Ok(updated)
    }

    /// The compensation parameters encoded in these bytes, decoded as Bosch's API does.
    pub fn params(&self) -> CalibrationParams {
        let r = |address: u8| self.register(address).unwrap_or(0);
        let u16_le = |lsb: u8| u16::from_le_bytes([r(lsb), r(lsb.wrapping_add(1))]);
        let i16_le = |lsb: u8| i16::from_le_bytes([r(lsb), r(lsb.wrapping_add(1))]);
        CalibrationParams {
            par_t1: u16_le(0xE9),
            par_t2: i16_le(0x8A),
            par_t3: r(0x8C) as i8,
            par_p1: u16_le(0x8E),
            par_p2: i16_le(0x90),
            par_p3: r(0x92) as i8,
            par_p4: i16_le(0x94),
            par_p5: i16_le(0x96),
            par_p6: r(0x99) as i8,
            par_p7: r(0x98) as i8,
            par_p8: i16_le(0x9C),
            par_p9: i16_le(0x9E),
            par_p10: r(0xA0),
            par_h1: (u16::from(r(0xE3)) << 4) | u16::from(r(0xE2) & 0x0F),
            par_h2: (u16::from(r(0xE1)) << 4) | u16::from(r(0xE2) >> 4),
            par_h3: r(0xE4) as i8,
            par_h4: r(0xE5) as i8,
            par_h5: r(0xE6) as i8,
            par_h6: r(0xE7),
            par_h7: r(0xE8) as i8,
            par_gh1: r(0xED) as i8,
            par_gh2: i16_le(0xEB),
            par_gh3: r(0xEE) as i8,
            res_heat_val: r(0x00) as i8,
            res_heat_range: (r(0x02) & 0x30) >> 4,
            // The signed high nibble, as Bosch's `(int8_t)(byte & 0xF0) / 16`.
            range_sw_err: ((r(0x04) & 0xF0) as i8) / 16,
        }
    }

    /// Encodes `params` into a register image (unused bytes 0).
    ///
    /// Fields wider than their registers are cut to size: `par_h1`/`par_h2` to 12 bits,
    /// `res_heat_range` to 2 bits, `range_sw_err` to a signed 4-bit value.
    pub fn from_params(params: &CalibrationParams) -> Self {
        let p = params;
        let h1 = p.par_h1.to_le_bytes();
        let h2 = p.par_h2.to_le_bytes();
        // (first register, bytes) for every parameter; 16-bit values are little-endian.
        let fields: [(u8, &[u8]); 20] = [
            (0xE9, &p.par_t1.to_le_bytes()),
            (0x8A, &p.par_t2.to_le_bytes()),
            (0x8C, &[p.par_t3 as u8]),
            (0x8E, &p.par_p1.to_le_bytes()),
            (0x90, &p.par_p2.to_le_bytes()),
            (0x92, &[p.par_p3 as u8]),
            (0x94, &p.par_p4.to_le_bytes()),
            (0x96, &p.par_p5.to_le_bytes()),
            (0x98, &[p.par_p7 as u8, p.par_p6 as u8]),
            (0x9C, &p.par_p8.to_le_bytes()),
            (0x9E, &p.par_p9.to_le_bytes()),
            (0xA0, &[p.par_p10]),
            // 0xE1: H2 bits 11:4; 0xE2: H2 bits 3:0 | H1 bits 3:0; 0xE3: H1 bits 11:4.
            (
                0xE1,
                &[
                    (h2[1] << 4) | (h2[0] >> 4),
                    (h2[0] << 4) | (h1[0] & 0x0F),
                    (h1[1] << 4) | (h1[0] >> 4),
                ],
            ),
            (0xE4, &[p.par_h3 as u8, p.par_h4 as u8, p.par_h5 as u8]),
            (0xE7, &[p.par_h6, p.par_h7 as u8]),
            (0xEB, &p.par_gh2.to_le_bytes()),
            (0xED, &[p.par_gh1 as u8, p.par_gh3 as u8]),
            (0x00, &[p.res_heat_val as u8]),
            (0x02, &[(p.res_heat_range & 0x03) << 4]),
            (0x04, &[((p.range_sw_err as u8) & 0x0F) << 4]),
        ];
        let mut cal = Self::zeroed();
        for (start, bytes) in fields {
            for (i, &value) in bytes.iter().enumerate() {
                // Every address above is a calibration register.
                let _ = cal.set_register(start.wrapping_add(i as u8), value);
            }
        }
        cal
    }

    /// `(bank, index)` of a calibration register.
    fn slot(&self, address: u8) -> Option<(u8, usize)> {
        match address {
            COEFF1_START..=COEFF1_END => Some((1, usize::from(address - COEFF1_START))),
            COEFF2_START..=COEFF2_END => Some((2, usize::from(address - COEFF2_START))),
            COEFF3_START..=COEFF3_END => Some((3, usize::from(address - COEFF3_START))),
            _ => None,
        }
    }
}

/// The calibration parameters of Bosch's BME68x Sensor API (`struct bme68x_calib_data`), with
/// its names and types.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CalibrationParams {
    /// Temperature T1 (`0xE9`/`0xEA`).
    pub par_t1: u16,
    /// Temperature T2 (`0x8A`/`0x8B`).
    pub par_t2: i16,
    /// Temperature T3 (`0x8C`).
    pub par_t3: i8,
    /// Pressure P1 (`0x8E`/`0x8F`).
    pub par_p1: u16,
    /// Pressure P2 (`0x90`/`0x91`).
    pub par_p2: i16,
    /// Pressure P3 (`0x92`).
    pub par_p3: i8,
    /// Pressure P4 (`0x94`/`0x95`).
    pub par_p4: i16,
    /// Pressure P5 (`0x96`/`0x97`).
    pub par_p5: i16,
    /// Pressure P6 (`0x99`).
    pub par_p6: i8,
    /// Pressure P7 (`0x98`).
    pub par_p7: i8,
    /// Pressure P8 (`0x9C`/`0x9D`).
    pub par_p8: i16,
    /// Pressure P9 (`0x9E`/`0x9F`).
    pub par_p9: i16,
    /// Pressure P10 (`0xA0`).
    pub par_p10: u8,
    /// Humidity H1, 12 bits (`0xE3` and the low nibble of `0xE2`).
    pub par_h1: u16,
    /// Humidity H2, 12 bits (`0xE1` and the high nibble of `0xE2`).
    pub par_h2: u16,
    /// Humidity H3 (`0xE4`).
    pub par_h3: i8,
    /// Humidity H4 (`0xE5`).
    pub par_h4: i8,
    /// Humidity H5 (`0xE6`).
    pub par_h5: i8,
    /// Humidity H6 (`0xE7`).
    pub par_h6: u8,
    /// Humidity H7 (`0xE8`).
    pub par_h7: i8,
    /// Gas heater GH1 (`0xED`).
    pub par_gh1: i8,
    /// Gas heater GH2 (`0xEB`/`0xEC`).
    pub par_gh2: i16,
    /// Gas heater GH3 (`0xEE`).
    pub par_gh3: i8,
    /// Heater resistance correction (`0x00`).
    pub res_heat_val: i8,
    /// Heater range, 2 bits (`0x02` bits 5:4).
    pub res_heat_range: u8,
    /// Gas range switching error, signed 4 bits (`0x04` bits 7:4).
    pub range_sw_err: i8,
}
