//! Bosch's integer compensation for the BME68x (BME68x Sensor API v4.4.x, integer build), plus
//! the heater set-point and timing formulas.
//!
//! These are written from the published formulas, keeping their integer widths, shifts and
//! truncating divisions so the results match the Bosch API bit for bit. Where the C code relies
//! on two's-complement wrap-around the arithmetic here wraps as well, and a division by zero that
//! only a nonsensical calibration could cause yields 0: nothing here panics, whatever the input.

use super::Bme680Variant;
use super::calibration::CalibrationParams;
use super::inverse::ADC20_MAX;

/// Compensated temperature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Temperature {
    /// Temperature in 0.01 °C.
    pub centi_celsius: i16,
    /// The fine temperature that pressure and humidity compensation take.
    pub t_fine: i32,
}

/// Temperature from the 20-bit temperature ADC value.
pub fn temperature(cal: &CalibrationParams, temp_adc: u32) -> Temperature {
    let var1 = i64::from((temp_adc as i32) >> 3) - (i64::from(cal.par_t1) << 1);
    let var2 = var1.wrapping_mul(i64::from(cal.par_t2)) >> 11;
    let var3 = (var1 >> 1).wrapping_mul(var1 >> 1) >> 12;
    let var3 = var3.wrapping_mul(i64::from(cal.par_t3) << 4) >> 14;
    let t_fine = var2.wrapping_add(var3) as i32;
    let centi_celsius = (t_fine.wrapping_mul(5).wrapping_add(128) >> 8) as i16;
    Temperature {
        centi_celsius,
        t_fine,
    }
}

/// The terms of the pressure formula that depend on `t_fine` only: `(var1, var2 >> 12)` just
/// before the ADC value enters.
fn pressure_terms(cal: &CalibrationParams, t_fine: i32) -> (i32, i32) {
    let p1 = i32::from(cal.par_p1);
    let p2 = i32::from(cal.par_p2);
    let p3 = i32::from(cal.par_p3);
    let p4 = i32::from(cal.par_p4);
    let p5 = i32::from(cal.par_p5);
    let p6 = i32::from(cal.par_p6);

    let var1 = (t_fine >> 1).wrapping_sub(64000);
    let square = (var1 >> 2).wrapping_mul(var1 >> 2);
    let var2 = ((square >> 11).wrapping_mul(p6)) >> 2;
    let var2 = var2.wrapping_add(var1.wrapping_mul(p5) << 1);
    let var2 = (var2 >> 2).wrapping_add(p4 << 16);
    let var1 =
        (((square >> 13).wrapping_mul(p3 << 5)) >> 3).wrapping_add(p2.wrapping_mul(var1) >> 1);
    let var1 = var1 >> 18;
    let var1 = (32768i32.wrapping_add(var1).wrapping_mul(p1)) >> 15;
    (var1, var2 >> 12)
}

/// Pressure in Pa from the 20-bit pressure ADC value and `t_fine`.
pub fn pressure(cal: &CalibrationParams, t_fine: i32, pres_adc: u32) -> u32 {
    let p7 = i32::from(cal.par_p7);
    let p8 = i32::from(cal.par_p8);
    let p9 = i32::from(cal.par_p9);
    let p10 = i32::from(cal.par_p10);
    let (var1, offset) = pressure_terms(cal, t_fine);

    // `1048576 - pres_adc` is unsigned in C; the product with `(uint32_t)3125` too.
    let comp = 1_048_576u32.wrapping_sub(pres_adc) as i32;
    let comp = (comp.wrapping_sub(offset) as u32).wrapping_mul(3125) as i32;
    // Divide first when the value is large, to keep the shift from overflowing.
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

/// The pressure ADC values, `(lowest, highest)`, for which [`pressure`] at `t_fine` is defined:
/// its main product `(1048576 - pres_adc - offset) * 3125` neither goes negative nor overflows
/// 32 bits. Outside, Bosch's formula returns wrapped-around values.
///
/// (Inside, the cubic correction term still wraps above about 106.5 kPa for a typical
/// `par_p10` of 30, as it does in Bosch's API.)
pub fn pressure_adc_range(cal: &CalibrationParams, t_fine: i32) -> (u32, u32) {
    let (_, offset) = pressure_terms(cal, t_fine);
    let highest = 1_048_576i64 - i64::from(offset);
    let lowest = highest - i64::from(i32::MAX / 3125);
    let clamp = |x: i64| x.clamp(0, i64::from(ADC20_MAX)) as u32;
    if highest < 0 || lowest > i64::from(ADC20_MAX) {
        (0, ADC20_MAX)
    } else {
        (clamp(lowest), clamp(highest))
    }
}

/// The terms of the humidity formula that depend on `t_fine` only: the ADC offset `var1` is
/// measured from, `var2` and `var4`.
fn humidity_terms(cal: &CalibrationParams, t_fine: i32) -> (i32, i32, i32) {
    let h1 = i32::from(cal.par_h1);
    let h2 = i32::from(cal.par_h2);
    let h3 = i32::from(cal.par_h3);
    let h4 = i32::from(cal.par_h4);
    let h5 = i32::from(cal.par_h5);
    let h6 = i32::from(cal.par_h6);
    let h7 = i32::from(cal.par_h7);

    let temp_scaled = t_fine.wrapping_mul(5).wrapping_add(128) >> 8;
    let offset = h1
        .wrapping_mul(16)
        .wrapping_add((temp_scaled.wrapping_mul(h3) / 100) >> 1);
    let inner = (temp_scaled.wrapping_mul(h4) / 100)
        .wrapping_add((temp_scaled.wrapping_mul(temp_scaled.wrapping_mul(h5) / 100) >> 6) / 100)
        .wrapping_add(1 << 14);
    let var2 = h2.wrapping_mul(inner) >> 10;
    let var4 = ((h6 << 7).wrapping_add(temp_scaled.wrapping_mul(h7) / 100)) >> 4;
    (offset, var2, var4)
}

/// Relative humidity in 0.001 %RH (clamped to `0..=100_000`) from the 16-bit humidity ADC value
/// and `t_fine`.
pub fn humidity(cal: &CalibrationParams, t_fine: i32, hum_adc: u16) -> u32 {
    let (offset, var2, var4) = humidity_terms(cal, t_fine);
    let var1 = i32::from(hum_adc).wrapping_sub(offset);
    let var3 = var1.wrapping_mul(var2);
    let var5 = ((var3 >> 14).wrapping_mul(var3 >> 14)) >> 10;
    let var6 = var4.wrapping_mul(var5) >> 1;
    let hum = ((var3.wrapping_add(var6) >> 10).wrapping_mul(1000)) >> 12;
    hum.clamp(0, 100_000) as u32
}

/// The humidity ADC values, `(lowest, highest)`, for which no intermediate of [`humidity`] at
/// `t_fine` overflows 32 bits (`|var1 * var2| <= 2^29`, which covers 0 to 100 %RH for realistic
/// calibrations). Beyond, Bosch's formula wraps around.
pub fn humidity_adc_range(cal: &CalibrationParams, t_fine: i32) -> (u16, u16) {
    let (offset, var2, _) = humidity_terms(cal, t_fine);
    if var2 <= 0 {
        return (0, u16::MAX);
    }
    let reach = (1i64 << 29) / i64::from(var2);
    let clamp = |x: i64| x.clamp(0, i64::from(u16::MAX)) as u16;
    let (lowest, highest) = (i64::from(offset) - reach, i64::from(offset) + reach);
    if highest < 0 || lowest > i64::from(u16::MAX) {
        (0, u16::MAX)
    } else {
        (clamp(lowest), clamp(highest))
    }
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

/// BME680 (low gas variant) gas resistance in Ω from the 10-bit gas ADC value and its range
/// (only the low 4 bits of `gas_range` count, as in the register).
pub fn gas_resistance_low(cal: &CalibrationParams, gas_adc: u16, gas_range: u8) -> u32 {
    let range = usize::from(gas_range & 0x0F);
    let var1 = ((1340 + 5 * i64::from(cal.range_sw_err)) * GAS_LOOKUP_1[range]) >> 16;
    let var2 = (i64::from(gas_adc) << 15) - 16_777_216 + var1;
    let var3 = (GAS_LOOKUP_2[range] * var1) >> 9;
    if var2 == 0 {
        return 0;
    }
    ((var3 + (var2 >> 1)) / var2) as u32
}

/// BME688 (high gas variant) gas resistance in Ω from the 10-bit gas ADC value and its range.
pub fn gas_resistance_high(gas_adc: u16, gas_range: u8) -> u32 {
    let var1 = 262_144u32 >> (gas_range & 0x0F);
    let var2 = 4096 + (i32::from(gas_adc) - 512) * 3;
    // `gas_adc` is at most 65535, so var2 >= 2560: never zero or negative.
    let var2 = var2.max(1) as u32;
    (10_000u32.wrapping_mul(var1) / var2).wrapping_mul(100)
}

/// Gas resistance in Ω with the formula of `variant`.
pub fn gas_resistance(
    cal: &CalibrationParams,
    variant: Bme680Variant,
    gas_adc: u16,
    gas_range: u8,
) -> u32 {
    match variant {
        Bme680Variant::Bme680 => gas_resistance_low(cal, gas_adc, gas_range),
        Bme680Variant::Bme688 => gas_resistance_high(gas_adc, gas_range),
    }
}

/// The `res_heat_x` register value for a heater target of `target_celsius` (capped at 400 °C)
/// at an ambient temperature of `ambient_celsius`.
pub fn heater_resistance(cal: &CalibrationParams, ambient_celsius: i8, target_celsius: u16) -> u8 {
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

/// The `gas_wait_x` register value for a heater duration of `duration_ms` (at most 4032 ms:
/// longer durations give `0xFF`).
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

/// The heater duration in ms a `gas_wait_x` register value stands for: bits 5:0 times 1, 4, 16
/// or 64 by bits 7:6.
pub fn gas_wait_ms(register: u8) -> u32 {
    u32::from(register & 0x3F) << (2 * (register >> 6))
}

/// Conversion cycles of an oversampling setting (`osrs_x` 0 = skipped, 1..=5 = x1..x16; 6 and 7
/// also mean x16).
pub fn oversampling_cycles(osrs: u8) -> u32 {
    match osrs & 0x07 {
        0 => 0,
        n @ 1..=4 => 1 << (n - 1),
        _ => 16,
    }
}

/// Duration in µs of one forced-mode temperature/pressure/humidity measurement, without the
/// heater wait: `(cycles_t + cycles_p + cycles_h) * 1963 + 477 * 4 + 477 * 5 + 1000`.
pub fn measurement_duration_us(osrs_t: u8, osrs_p: u8, osrs_h: u8) -> u32 {
    let cycles =
        oversampling_cycles(osrs_t) + oversampling_cycles(osrs_p) + oversampling_cycles(osrs_h);
    cycles * 1963 + TPH_SWITCHING_US + GAS_CONVERSION_US + WAKE_UP_US
}

/// Switching between the temperature, pressure and humidity conversions.
pub(crate) const TPH_SWITCHING_US: u32 = 477 * 4;
/// The gas conversion slot (always part of a measurement, even without a gas conversion).
pub(crate) const GAS_CONVERSION_US: u32 = 477 * 5;
/// Waking up from sleep.
pub(crate) const WAKE_UP_US: u32 = 1000;

/// `a / b` as C computes it for the values that occur; 0 instead of a division-by-zero trap.
fn div(a: i32, b: i32) -> i32 {
    if b == 0 { 0 } else { a.wrapping_div(b) }
}
