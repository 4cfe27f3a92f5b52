//! The BME680/BME688 register map: addresses, bit fields, reset values and who may write what.
//!
//! Addresses are the 8-bit addresses an I2C controller uses. On SPI the same registers are reached
//! through a 7-bit address and the memory page in [`STATUS`] (see [`super::Bme680Spi`]).

use super::Bme680Variant;

/// Calibration bank 3 (heater range, heater resistance correction, range switching error):
/// `0x00..=0x04`.
pub const COEFF3_START: u8 = 0x00;
/// Last register of calibration bank 3.
pub const COEFF3_END: u8 = 0x04;
/// Field 0 status: `new_data` (bit 7), `gas_measuring` (bit 6), `measuring` (bit 5),
/// `gas_meas_index` (bits 3:0).
pub const MEAS_STATUS_0: u8 = 0x1D;
/// Field 0 sub-measurement index (used by the BME688's parallel mode; 0 here).
pub const SUB_MEAS_INDEX_0: u8 = 0x1E;
/// Pressure ADC bits 19:12; `0x20` holds 11:4 and `0x21` bits 7:4 hold 3:0.
pub const PRESS_MSB: u8 = 0x1F;
/// Temperature ADC bits 19:12; `0x23` holds 11:4 and `0x24` bits 7:4 hold 3:0.
pub const TEMP_MSB: u8 = 0x22;
/// Humidity ADC bits 15:8; `0x26` holds 7:0.
pub const HUM_MSB: u8 = 0x25;
/// BME680 gas ADC bits 9:2.
pub const GAS_R_MSB: u8 = 0x2A;
/// BME680 gas ADC bits 1:0 (7:6), `gas_valid` (5), `heat_stab` (4), gas range (3:0).
pub const GAS_R_LSB: u8 = 0x2B;
/// BME688 gas ADC bits 9:2 (the BME688 reports its gas result here, not in [`GAS_R_MSB`]).
pub const GAS_R_MSB_HIGH: u8 = 0x2C;
/// BME688 gas ADC bits 1:0, `gas_valid`, `heat_stab`, gas range, laid out like [`GAS_R_LSB`].
pub const GAS_R_LSB_HIGH: u8 = 0x2D;
/// Last register of the three field-data blocks (fields 1 and 2 are only used by the BME688's
/// parallel mode, which is not modelled: they keep their reset values).
pub const FIELD_DATA_END: u8 = 0x4F;
/// Heater current set-points `idac_heat_0..=9`: `0x50..=0x59`.
pub const IDAC_HEAT_0: u8 = 0x50;
/// Heater resistance set-points `res_heat_0..=9`: `0x5A..=0x63`.
pub const RES_HEAT_0: u8 = 0x5A;
/// Heater wait times `gas_wait_0..=9`: `0x64..=0x6D`.
pub const GAS_WAIT_0: u8 = 0x64;
/// BME688 shared heater duration (parallel mode); undefined on the BME680.
pub const SHD_HEATR_DUR: u8 = 0x6E;
/// `heat_off` (bit 3).
pub const CTRL_GAS_0: u8 = 0x70;
/// `run_gas` (bit 4 on the BME680, bit 5 on the BME688), `nb_conv` heater profile (bits 3:0).
pub const CTRL_GAS_1: u8 = 0x71;
/// `osrs_h` (bits 2:0).
pub const CTRL_HUM: u8 = 0x72;
/// SPI memory page `spi_mem_page` (bit 4). Reachable through 7-bit address `0x73` on both SPI
/// pages.
pub const STATUS: u8 = 0x73;
/// `osrs_t` (bits 7:5), `osrs_p` (bits 4:2), `mode` (bits 1:0).
pub const CTRL_MEAS: u8 = 0x74;
/// IIR `filter` (bits 4:2).
pub const CONFIG: u8 = 0x75;
/// Calibration bank 1: `0x89..=0xA1`.
pub const COEFF1_START: u8 = 0x89;
/// Last register of calibration bank 1.
pub const COEFF1_END: u8 = 0xA1;
/// Chip id, reads [`CHIP_ID_VALUE`].
pub const CHIP_ID: u8 = 0xD0;
/// Soft reset: writing [`SOFT_RESET_COMMAND`] resets the part; reads 0.
pub const RESET: u8 = 0xE0;
/// Calibration bank 2: `0xE1..=0xEF`.
pub const COEFF2_START: u8 = 0xE1;
/// Last register of calibration bank 2.
pub const COEFF2_END: u8 = 0xEF;
/// Bme680Variant id: 0 = BME680 (low gas variant), 1 = BME688 (high gas variant).
pub const VARIANT_ID: u8 = 0xF0;

/// What [`CHIP_ID`] reads.
pub const CHIP_ID_VALUE: u8 = 0x61;
/// The value that, written to [`RESET`], resets the part.
pub const SOFT_RESET_COMMAND: u8 = 0xB6;

/// [`MEAS_STATUS_0`]: new data available.
pub const NEW_DATA: u8 = 0x80;
/// [`MEAS_STATUS_0`]: the gas measurement (heating and conversion) is running.
pub const GAS_MEASURING: u8 = 0x40;
/// [`MEAS_STATUS_0`]: a measurement is running.
pub const MEASURING: u8 = 0x20;
/// [`MEAS_STATUS_0`]: index of the heater profile used by the last gas measurement.
pub const GAS_MEAS_INDEX_MASK: u8 = 0x0F;
/// [`GAS_R_LSB`]: a real gas conversion (not a dummy one) produced this value.
pub const GAS_VALID: u8 = 0x20;
/// [`GAS_R_LSB`]: the heater reached its target temperature.
pub const HEAT_STAB: u8 = 0x10;
/// [`GAS_R_LSB`]: the ADC range of the gas conversion.
pub const GAS_RANGE_MASK: u8 = 0x0F;
/// [`CTRL_GAS_0`]: heater off.
pub const HEAT_OFF: u8 = 0x08;
/// [`CTRL_GAS_1`]: run gas conversions, BME680.
pub const RUN_GAS_LOW: u8 = 0x10;
/// [`CTRL_GAS_1`]: run gas conversions, BME688.
pub const RUN_GAS_HIGH: u8 = 0x20;
/// [`CTRL_GAS_1`]: heater profile used in forced mode.
pub const NB_CONV_MASK: u8 = 0x0F;
/// [`CTRL_MEAS`]: the power mode bits.
pub const MODE_MASK: u8 = 0x03;
/// [`STATUS`]: SPI memory page bit (0: page 0 = `0x80..=0xFF`, 1: page 1 = `0x00..=0x7F`).
pub const SPI_MEM_PAGE: u8 = 0x10;

/// How a register answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Readable; writes are ignored (and reported).
    ReadOnly,
    /// Readable and writable.
    ReadWrite,
    /// The soft-reset command register: reads 0, writing the command resets the part.
    Command,
    /// Not in the datasheet's memory map: reads 0, writes are ignored (both reported).
    Undefined,
}

/// How the register at `address` answers on a part of `variant`.
pub fn access(address: u8, variant: Bme680Variant) -> Access {
    match address {
        COEFF3_START..=COEFF3_END => Access::ReadOnly,
        MEAS_STATUS_0..=FIELD_DATA_END => Access::ReadOnly,
        IDAC_HEAT_0..=0x6D => Access::ReadWrite,
        SHD_HEATR_DUR if variant == Bme680Variant::Bme688 => Access::ReadWrite,
        CTRL_GAS_0..=CONFIG => Access::ReadWrite,
        COEFF1_START..=COEFF1_END => Access::ReadOnly,
        CHIP_ID => Access::ReadOnly,
        RESET => Access::Command,
        COEFF2_START..=COEFF2_END => Access::ReadOnly,
        VARIANT_ID => Access::ReadOnly,
        _ => Access::Undefined,
    }
}

/// The value a register of the register file holds after power-on or soft reset.
///
/// Calibration, chip id and variant id are not part of the register file (they come from the
/// part's NVM and never change); this returns 0 for them.
pub fn reset_value(address: u8) -> u8 {
    // The three field-data blocks are 17 registers apart; each resets to "no data": pressure and
    // temperature 0x80000, humidity 0x8000, everything else 0.
    if (MEAS_STATUS_0..=FIELD_DATA_END).contains(&address) {
        let offset = (address - MEAS_STATUS_0) % 17;
        match offset {
            2 | 5 | 8 => 0x80, // press_msb, temp_msb, hum_msb
            _ => 0x00,
        }
    } else {
        0x00
    }
}

/// The 8-bit register an SPI access reaches: `address7` is the 7-bit address from the control
/// byte, `status` the current [`STATUS`] register.
///
/// `0x73` always reaches [`STATUS`] itself, so a controller can change page from either page.
pub fn spi_register(address7: u8, status: u8) -> u8 {
    let address7 = address7 & 0x7F;
    if address7 == STATUS {
        STATUS
    } else if status & SPI_MEM_PAGE != 0 {
        address7
    } else {
        address7 | 0x80
    }
}
