//! Bosch's integer compensation for the BME68x (BME68x Sensor API v4.4.8, integer build) and the
//! heater set-point and timing formulas.
//!
//! Written from the published formulas, keeping their integer widths, shifts and truncating
//! divisions so the results match the Bosch API bit for bit. Where the C code relies on
//! two's-complement wrap-around the arithmetic wraps as well, and a division by zero that only a
//! nonsensical calibration could cause yields 0: nothing here panics, whatever the sensor sends.

/// Calibration registers `0x8A..=0xA0` (read in one burst).
pub const COEFF1_START: u8 = 0x8A;
/// Length of the first calibration block.
pub const COEFF1_LEN: usize = 23;
/// Calibration registers `0xE1..=0xEE`.
pub const COEFF2_START: u8 = 0xE1;
/// Length of the second calibration block.
pub const COEFF2_LEN: usize = 14;
/// Heater and gas range calibration `0x00..=0x04`.
pub const COEFF3_START: u8 = 0x00;
/// Length of the third calibration block.
pub const COEFF3_LEN: usize = 5;

/// The calibration parameters of Bosch's API (`struct bme68x_calib_data`), with its names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Calibration {
    /// Temperature T1.
    pub par_t1: u16,
    /// Temperature T2.
    pub par_t2: i16,
    /// Temperature T3.
    pub par_t3: i8,
    /// Pressure P1.
    pub par_p1: u16,
    /// Pressure P2.
    pub par_p2: i16,
    /// Pressure P3.
    pub par_p3: i8,
    /// Pressure P4.
    pub par_p4: i16,
    /// Pressure P5.
    pub par_p5: i16,
    /// Pressure P6.
    pub par_p6: i8,
    /// Pressure P7.
    pub par_p7: i8,
    /// Pressure P8.
    pub par_p8: i16,
    /// Pressure P9.
    pub par_p9: i16,
    /// Pressure P10.
    pub par_p10: u8,
    /// Humidity H1 (12 bits).
    pub par_h1: u16,
    /// Humidity H2 (12 bits).
    pub par_h2: u16,
    /// Humidity H3.
    pub par_h3: i8,
    /// Humidity H4.
    pub par_h4: i8,
    /// Humidity H5.
    pub par_h5: i8,
    /// Humidity H6.
    pub par_h6: u8,
    /// Humidity H7.
    pub par_h7: i8,
    /// Gas heater GH1.
    pub par_gh1: i8,
    /// Gas heater GH2.
    pub par_gh2: i16,
    /// Gas heater GH3.
    pub par_gh3: i8,
    /// Heater resistance correction.
    pub res_heat_val: i8,
    /// Heater range (2 bits).
    pub res_heat_range: u8,
    /// Gas range switching error (signed 4 bits).
    pub range_sw_err: i8,
}

impl Calibration {
    /// Decodes the three calibration blocks as Bosch's API does.
    pub fn from_blocks(
        c1: &[u8; COEFF1_LEN],
        c2: &[u8; COEFF2_LEN],
        c3: &[u8; COEFF3_LEN],
    ) -> Self {
        // The byte at register `address`; every address used below lies in a block.
        let r = |address: u8| -> u8 {
            let (block, start): (&[u8], u8) = match address {
                0x8A..=0xA0 => (c1, COEFF1_START),
                0xE1..=0xEE => (c2, COEFF2_START),
                _ => (c3, COEFF3_START),
            };
            block
                .get(usize::from(address.wrapping_sub(start)))
                .copied()
                .unwrap_or(0)
        };
        let u16_le = |lsb: u8| u16::from_le_bytes([r(lsb), r(lsb + 1)]);
        let i16_le = |lsb: u8| i16::from_le_bytes([r(lsb), r(lsb + 1)]);
        Calibration {
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
}

/// Temperature in 0.01 °C and the fine temperature `t_fine` from the 20-bit ADC value.
pub fn temperature(cal: &Calibration, temp_adc: u32) -> (i16, i32) {
    let var1 = i64::from((temp_adc as i32) >> 3) - (i64::from(cal.par_t1) << 1);
    let var2 = var1.wrapping_mul(i64::from(cal.par_t2)) >> 11;
    let var3 = (var1 >> 1).wrapping_mul(var1 >> 1) >> 12;
    let var3 = var3.wrapping_mul(i64::from(cal.par_t3) << 4) >> 14;
    let t_fine = var2.wrapping_add(var3) as i32;
    let centi = (t_fine.wrapping_mul(5).wrapping_add(128) >> 8) as i16;
    (centi, t_fine)
}

/// Pressure in Pa from the 20-bit ADC value and `t_fine`.
pub fn pressure(cal: &Calibration, t_fine: i32, pres_adc: u32) -> u32 {
    let p1 = i32::from(cal.par_p1);
    let p2 = i32::from(cal.par_p2);
    let p3 = i32::from(cal.par_p3);
    let p4 = i32::from(cal.par_p4);
    let p5 = i32::from(cal.par_p5);
    let p6 = i32::from(cal.par_p6);
    let p7 = i32::from(cal.par_p7);
    let p8 = i32::from(cal.par_p8);
    let p9 = i32::from(cal.par_p9);
    let p10 = i32::from(cal.par_p10);

    let var1 = (t_fine >> 1).wrapping_sub(64000);
    let square = (var1 >> 2).wrapping_mul(var1 >> 2);
    let var2 = ((square >> 11).wrapping_mul(p6)) >> 2;
    let var2 = var2.wrapping_add(var1.wrapping_mul(p5) << 1);
    let var2 = (var2 >> 2).wrapping_add(p4 << 16);
    let var1 =
        (((square >> 13).wrapping_mul(p3 << 5)) >> 3).wrapping_add(p2.wrapping_mul(var1) >> 1);
    let var1 = var1 >> 18;
    let var1 = (32768i32.wrapping_add(var1).wrapping_mul(p1)) >> 15;

    // `1048576 - pres_adc` is unsigned in C; so is the product with `(uint32_t)3125`.
    let comp = 1_048_576u32.wrapping_sub(pres_adc) as i32;
    let comp = (comp.wrapping_sub(var2 >> 12) as u32).wrapping_mul(3125) as i32;
    // Bosch's overflow check (`pres_ovf_check = 0x40000000`): divide first when large.
    let comp = if comp >= 0x4000_0000 {
        div(comp, var1) << 1
    } else {
        div(comp << 1, var1)
    };
    let var1 = p9.wrapping_mul(((comp >> 3).wrapping_mul(comp >> 3)) >> 13) >> 12;
    let var2 = ((comp >> 2).wrapping_mul(p8)) >> 13;
    let cube = (comp >> 8).wrapping_mul(comp >> 8).wrapping_mul(comp >> 8);
    let var3 = cube.wrapping_mul(p10) >> 17;
    let sum = var1
        .wrapping_add(var2)
        .wrapping_add(var3)
        .wrapping_add(p7 << 7);
    comp.wrapping_add(sum >> 4) as u32
}

/// Relative humidity in 0.001 %RH, clamped to `0..=100_000`, from the 16-bit ADC value and
/// `t_fine`.
pub fn humidity(cal: &Calibration, t_fine: i32, hum_adc: u16) -> u32 {
    let h1 = i32::from(cal.par_h1);
    let h2 = i32::from(cal.par_h2);
    let h3 = i32::from(cal.par_h3);
    let h4 = i32::from(cal.par_h4);
    let h5 = i32::from(cal.par_h5);
    let h6 = i32::from(cal.par_h6);
    let h7 = i32::from(cal.par_h7);

    let temp_scaled = t_fine.wrapping_mul(5).wrapping_add(128) >> 8;
    let var1 = i32::from(hum_adc)
        .wrapping_sub(h1.wrapping_mul(16))
        .wrapping_sub((temp_scaled.wrapping_mul(h3) / 100) >> 1);
    let inner = (temp_scaled.wrapping_mul(h4) / 100)
        .wrapping_add((temp_scaled.wrapping_mul(temp_scaled.wrapping_mul(h5) / 100) >> 6) / 100)
        .wrapping_add(1 << 14);
    let var2 = h2.wrapping_mul(inner) >> 10;
    let var3 = var1.wrapping_mul(var2);
    let var4 = ((h6 << 7).wrapping_add(temp_scaled.wrapping_mul(h7) / 100)) >> 4;
    let var5 = ((var3 >> 14).wrapping_mul(var3 >> 14)) >> 10;
    let var6 = var4.wrapping_mul(var5) >> 1;
    let hum = ((var3.wrapping_add(var6) >> 10).wrapping_mul(1000)) >> 12;
    hum.clamp(0, 100_000) as u32
}

/// Range-dependent correction factors of the BME680 gas ADC (Bosch's `lookup_table1`).
const GAS_LOOKUP_1: [i64; 16] = [
    2_147_483_647,
    2_147_483_647,
    2_147_483_647,
    2_147_483_647,
    2_147_483_647,
    2_126_008_810,
    2_147_483_647,
    2_130_303_777,
    2_147_483_647,
    2_147_483_647,
    2_143_188_679,
    2_136_746_228,
    2_147_483_647,
    2_126_008_810,
    2_147_483_647,
    2_147_483_647,
];

/// Range scale of the BME680 gas ADC (Bosch's `lookup_table2`).
const GAS_LOOKUP_2: [i64; 16] = [
    4_096_000_000,
    2_048_000_000,
    1_024_000_000,
    512_000_000,
    255_744_255,
    127_110_228,
    64_000_000,
    32_258_064,
    16_016_016,
    8_000_000,
    4_000_000,
    2_000_000,
    1_000_000,
    500_000,
    250_000,
    125_000,
];

/// BME680 (low gas variant) gas resistance in Ω from the 10-bit ADC value and its range.
pub fn gas_resistance_low(cal: &Calibration, gas_adc: u16, gas_range: u8) -> u32 {
    let range = usize::from(gas_range & 0x0F);
    let (lookup1, lookup2) = match (GAS_LOOKUP_1.get(range), GAS_LOOKUP_2.get(range)) {
        (Some(a), Some(b)) => (*a, *b),
        _ => return 0,
    };
    let var1 = ((1340 + 5 * i64::from(cal.range_sw_err)) * lookup1) >> 16;
    let var2 = (i64::from(gas_adc) << 15) - 16_777_216 + var1;
    let var3 = (lookup2 * var1) >> 9;
    if var2 == 0 {
        return 0;
    }
    ((var3 + (var2 >> 1)) / var2) as u32
}

/// BME688 (high gas variant) gas resistance in Ω from the 10-bit ADC value and its range.
pub fn gas_resistance_high(gas_adc: u16, gas_range: u8) -> u32 {
    let var1 = 262_144u32 >> (gas_range & 0x0F);
    let var2 = 4096 + (i32::from(gas_adc) - 512) * 3;
    // `gas_adc` is 10 bits, so var2 >= 2560: never zero or negative.
    let var2 = var2.max(1) as u32;
    (10_000u32.wrapping_mul(var1) / var2).wrapping_mul(100)
}

/// The `res_heat_x` register value for a heater target of `target_celsius` (capped at 400 °C)
/// at an ambient temperature of `ambient_celsius` (Bosch's `calc_res_heat`).
pub fn heater_resistance(cal: &Calibration, ambient_celsius: i8, target_celsius: u16) -> u8 {
    let temp = i32::from(target_celsius.min(400));
    let var1 = (i32::from(ambient_celsius) * i32::from(cal.par_gh3) / 1000) * 256;
    let var2 = (i32::from(cal.par_gh1) + 784)
        .wrapping_mul((((i32::from(cal.par_gh2) + 154_009) * temp * 5 / 100) + 3_276_800) / 10);
    let var3 = var1.wrapping_add(var2 / 2);
    let var4 = var3 / (i32::from(cal.res_heat_range) + 4);
    // 131 * (-128..=127) + 65536 is always positive.
    let var5 = 131 * i32::from(cal.res_heat_val) + 65536;
    let heatr_res_x100 = (var4 / var5 - 250).wrapping_mul(34);
    (heatr_res_x100.wrapping_add(50) / 100) as u8
}

/// The `gas_wait_x` register value for a heater duration of `duration_ms` (4032 ms and above
/// give `0xFF`, the longest).
pub fn gas_wait(duration_ms: u16) -> u8 {
    if duration_ms >= 0xFC0 {
        return 0xFF;
    }
    let mut duration = duration_ms;
    let mut factor = 0u8;
    while duration > 0x3F {
        duration /= 4;
        factor += 1;
    }
    duration as u8 + factor * 64
}

/// Conversion cycles of an oversampling setting (`osrs_x` 0 = skipped, 1..=5 = x1..x16).
pub fn oversampling_cycles(osrs: u8) -> u32 {
    match osrs & 0x07 {
        0 => 0,
        n @ 1..=4 => 1 << (n - 1),
        _ => 16,
    }
}

/// Duration in µs of a forced-mode temperature/pressure/humidity measurement without the heater
/// wait (datasheet: `(cycles_t + cycles_p + cycles_h) * 1963 + 477 * 4 + 477 * 5 + 1000`).
pub fn tph_duration_us(osrs_t: u8, osrs_p: u8, osrs_h: u8) -> u32 {
    let cycles =
        oversampling_cycles(osrs_t) + oversampling_cycles(osrs_p) + oversampling_cycles(osrs_h);
    cycles * 1963 + 477 * 4 + 477 * 5 + 1000
}

/// `a / b` as C computes it for the values that occur; 0 instead of a division by zero.
fn div(a: i32, b: i32) -> i32 {
    if b == 0 { 0 } else { a.wrapping_div(b) }
}
