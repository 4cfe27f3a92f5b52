//! From physical conditions to the raw ADC values a part would report: the inverse of
//! [`super::compensation`].
//!
//! Each compensation formula is monotonic in its ADC value for realistic calibrations over the
//! span where its 32-bit arithmetic does not wrap around ([`compensation::pressure_adc_range`],
//! [`compensation::humidity_adc_range`]; temperature and gas do not wrap). The inverse is a binary
//! search over that span followed by a look at the neighbour: the result is the ADC value whose
//! compensated value is closest to the target, so the forward formula gives back the target to
//! within one ADC step.

use super::calibration::CalibrationParams;
use super::compensation;
use super::{Bme680Variant, Conditions, RawSample};

/// Largest 20-bit ADC value (temperature, pressure).
pub const ADC20_MAX: u32 = 0x000F_FFFF;
/// Largest gas ADC value (10 bits).
pub const GAS_ADC_MAX: u16 = 0x03FF;

/// The result of inverting one compensation formula.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inversion<T> {
    /// The raw value whose compensated value is closest to the target.
    pub raw: T,
    /// `false` when the target lies outside what the ADC range can express (the raw value is then
    /// the end of the range that comes closest).
    pub in_range: bool,
}

/// The raw temperature whose `t_fine` is closest to `celsius * 5120`.
///
/// Inverting on `t_fine` rather than on the 0.01 °C output keeps the most precision for the
/// pressure and humidity inversions that depend on it; the 0.01 °C output is then within one
/// step of `celsius`.
pub fn temperature_adc(cal: &CalibrationParams, celsius: f64) -> Inversion<u32> {
    let target = to_i64(celsius * 5120.0);
    let (raw, in_range) = closest(0, ADC20_MAX, target, |adc| {
        i64::from(compensation::temperature(cal, adc).t_fine)
    });
    Inversion { raw, in_range }
}

/// The raw pressure whose compensated pressure is closest to `pascal` at `t_fine`.
pub fn pressure_adc(cal: &CalibrationParams, t_fine: i32, pascal: f64) -> Inversion<u32> {
    let target = to_i64(pascal);
    let (lowest, highest) = compensation::pressure_adc_range(cal, t_fine);
    let (raw, in_range) = closest(lowest, highest, target, |adc| {
        i64::from(compensation::pressure(cal, t_fine, adc))
    });
    Inversion { raw, in_range }
}

/// The raw humidity whose compensated humidity is closest to `percent` %RH at `t_fine`.
pub fn humidity_adc(cal: &CalibrationParams, t_fine: i32, percent: f64) -> Inversion<u16> {
    let target = to_i64(percent * 1000.0);
    let (lowest, highest) = compensation::humidity_adc_range(cal, t_fine);
    let (raw, in_range) = closest(lowest.into(), highest.into(), target, |adc| {
        i64::from(compensation::humidity(cal, t_fine, adc as u16))
    });
    Inversion {
        raw: raw as u16,
        in_range,
    }
}

/// The raw gas ADC value and range whose compensated resistance is closest to `ohm`.
///
/// A real part switches its gas ADC range so that the reading sits well inside the ADC's span;
/// this picks, among the ranges that can express `ohm`, the one whose ADC value is closest to
/// mid-scale (512).
pub fn gas_adc(cal: &CalibrationParams, variant: Bme680Variant, ohm: f64) -> Inversion<(u16, u8)> {
    let target = to_i64(ohm);
    let mut best: Option<(u16, u8, bool, u64)> = None;
    for range in 0..16u8 {
        let (adc, in_range) = closest(0, u32::from(GAS_ADC_MAX), target, |adc| {
            i64::from(compensation::gas_resistance(
                cal, variant, adc as u16, range,
            ))
        });
        let adc = adc as u16;
        let error =
            i64::from(compensation::gas_resistance(cal, variant, adc, range)).abs_diff(target);
        let better = match best {
            None => true,
            Some((best_adc, _, best_in_range, best_error)) => {
                if in_range != best_in_range {
                    in_range
                } else if in_range {
                    adc.abs_diff(512) < best_adc.abs_diff(512)
                } else {
                    error < best_error
                }
            }
        };
        if better {
            best = Some((adc, range, in_range, error));
        }
    }
    let (adc, range, in_range, _) = best.unwrap_or((512, 0, false, 0));
    Inversion {
        raw: (adc, range),
        in_range,
    }
}

/// The raw sample a part of `variant` with calibration `cal` reports under `conditions`, and the
/// names of the conditions it cannot express (empty when every value is in range).
pub fn raw_for_conditions(
    cal: &CalibrationParams,
    variant: Bme680Variant,
    conditions: &Conditions,
) -> (RawSample, Vec<&'static str>) {
    let mut out_of_range = Vec::new();
    let temperature = temperature_adc(cal, conditions.temperature_celsius);
    if !temperature.in_range {
        out_of_range.push("temperature");
    }
    let t_fine = compensation::temperature(cal, temperature.raw).t_fine;
    let pressure = pressure_adc(cal, t_fine, conditions.pressure_pa);
    if !pressure.in_range {
        out_of_range.push("pressure");
    }
    let humidity = humidity_adc(cal, t_fine, conditions.humidity_percent);
    if !humidity.in_range {
        out_of_range.push("humidity");
    }
    let gas = gas_adc(cal, variant, conditions.gas_resistance_ohm);
    if !gas.in_range {
        out_of_range.push("gas resistance");
    }
    (
        RawSample {
            temperature_adc: temperature.raw,
            pressure_adc: pressure.raw,
            humidity_adc: humidity.raw,
            gas_adc: gas.raw.0,
            gas_range: gas.raw.1,
        },
        out_of_range,
    )
}

/// Rounds to the nearest integer (saturating; NaN gives 0).
fn to_i64(x: f64) -> i64 {
    x.round() as i64
}

/// The `x` in `lo..=hi` whose `f(x)` is closest to `target`, for `f` monotonic (either way), and
/// whether `target` lies within `f`'s values on the range.
fn closest(lo: u32, hi: u32, target: i64, f: impl Fn(u32) -> i64) -> (u32, bool) {
    let (f_lo, f_hi) = (f(lo), f(hi));
    let increasing = f_lo <= f_hi;
    let in_range = f_lo.min(f_hi) <= target && target <= f_lo.max(f_hi);
    // The first x where f(x) has reached the target (or `hi` if it never does).
    let reached = |x: u32| {
        let v = f(x);
        if increasing { v >= target } else { v <= target }
    };
    let (mut a, mut b) = (lo, hi);
    while a < b {
        let mid = a + (b - a) / 2;
        if reached(mid) {
            b = mid;
        } else {
            a = mid + 1;
        }
    }
    // The one before may be closer.
    if a > lo && f(a - 1).abs_diff(target) < f(a).abs_diff(target) {
        a -= 1;
    }
    (a, in_range)
}
