//! A simulated DHT22 as a `wasi-hal-iio` source, as the kernel's `dht11` driver shows it.

use wasi_hal_iio::{EnvironmentSource, Quantities, Reading, SourceError, SourceInfo};
use wasi_hal_sim::dht22::SharedSimDht22;

/// A [`SimDht22`](wasi_hal_sim::dht22::SimDht22) as a source: the model is `dht11` (the kernel
/// driver that reads DHT22s), the readings are the kernel's milli-units converted, and a failed
/// read (the kernel's `EIO`) is [`SourceError::Bus`].
#[derive(Clone, Debug)]
pub(crate) struct SimDht22Source(pub SharedSimDht22);

impl EnvironmentSource for SimDht22Source {
    fn info(&self) -> SourceInfo {
        SourceInfo {
            model: "dht11".into(),
            quantities: Quantities {
                temperature: true,
                humidity: true,
                ..Quantities::default()
            },
        }
    }

    fn measure(&mut self) -> Result<Reading, SourceError> {
        let reading = self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .read()
            .map_err(|_| SourceError::Bus("EIO from the simulated DHT22".into()))?;
        Ok(Reading {
            temperature_celsius: Some(f64::from(reading.temperature_milli_celsius) / 1000.0),
            humidity_percent: Some(f64::from(reading.humidity_milli_percent) / 1000.0),
            ..Reading::default()
        })
    }
}
