//! The `sensor:environment/environment` host functions.

use crate::bindings::sensor::environment::environment::{
    self as wit, ErrorCode, Measurement, SensorInfo,
};
use crate::source::SourceError;
use crate::{SharedSource, WasiIioView};
use wasmtime::component::Resource;
use wasmtime_wasi::TrappableError;

/// An open sensor in the guest's resource table.
pub struct Sensor {
    source: SharedSource,
}

/// What a host function that can fail gives back (bindgen's `trappable_error_type` for
/// `error-code`): a `sensor:environment` error for the guest, or a host fault
/// ([`TrappableError::trap`]), which traps.
pub type SensorError = TrappableError<ErrorCode>;

impl From<&SourceError> for ErrorCode {
    fn from(e: &SourceError) -> Self {
        match e {
            SourceError::NotConnected(_) => ErrorCode::NotConnected,
            SourceError::Bus(_) => ErrorCode::BusError,
            SourceError::Timeout(_) => ErrorCode::Timeout,
            SourceError::Other(_) => ErrorCode::Other,
        }
    }
}

fn lock(
    source: &SharedSource,
) -> std::sync::MutexGuard<'_, dyn crate::EnvironmentSource + 'static> {
    source.lock().unwrap_or_else(|e| e.into_inner())
}

impl wit::Host for WasiIioView<'_> {
    fn open(&mut self) -> Result<Resource<Sensor>, SensorError> {
        let Some(source) = self.ctx.source.clone() else {
            return Err(ErrorCode::NotConnected.into());
        };
        if self.ctx.open {
            return Err(ErrorCode::InUse.into());
        }
        let sensor = self
            .table
            .push(Sensor { source })
            .map_err(TrappableError::trap)?;
        self.ctx.open = true;
        Ok(sensor)
    }

    fn convert_error_code(&mut self, err: SensorError) -> wasmtime::Result<ErrorCode> {
        err.downcast()
    }
}

impl wit::HostSensor for WasiIioView<'_> {
    fn get_info(&mut self, sensor: Resource<Sensor>) -> wasmtime::Result<SensorInfo> {
        let info = lock(&self.table.get(&sensor)?.source).info();
        let q = info.quantities;
        let mut quantities = wit::Quantities::empty();
        for (has, flag) in [
            (q.temperature, wit::Quantities::TEMPERATURE),
            (q.pressure, wit::Quantities::PRESSURE),
            (q.humidity, wit::Quantities::HUMIDITY),
            (q.gas_resistance, wit::Quantities::GAS_RESISTANCE),
        ] {
            if has {
                quantities |= flag;
            }
        }
        Ok(SensorInfo {
            model: info.model,
            quantities,
        })
    }

    fn measure(&mut self, sensor: Resource<Sensor>) -> Result<Measurement, SensorError> {
        let source = &self
            .table
            .get(&sensor)
            .map_err(TrappableError::trap)?
            .source;
        let reading = lock(source).measure().map_err(|e| {
            // The guest gets the code; the host's log gets what happened and where.
            tracing::warn!(error = %e, "a host-read sensor failed");
            ErrorCode::from(&e)
        })?;
        Ok(Measurement {
            temperature_celsius: reading.temperature_celsius,
            pressure_pa: reading.pressure_pa,
            humidity_percent: reading.humidity_percent,
            gas_resistance_ohm: reading.gas_resistance_ohm,
        })
    }

    fn drop(&mut self, sensor: Resource<Sensor>) -> wasmtime::Result<()> {
        self.table.delete(sensor)?;
        self.ctx.open = false;
        Ok(())
    }
}
