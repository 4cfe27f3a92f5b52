//! Layer 3: the board's shared device handles for the host crates, and per-guest contexts built
//! from them with the host crates' builders.

use crate::board::SimBoard;
use crate::dht22::SimDht22Source;
use crate::error::{BoardError, ErrorKind};
use crate::file::{
    BitOrder, BoardFile, GpioPolicy, GpioSource, I2cPolicy, I2cSource, PwmSource, SensorSource,
    SpiPolicy, SpiSource,
};
use std::collections::BTreeMap;
use wasi_hal_delay::{DelayBackend, WasiDelayCtx};
use wasi_hal_gpio::{SharedPin, WasiGpioCtx};
use wasi_hal_i2c::{SharedI2cBus, WasiI2cCtx};
use wasi_hal_iio::{SharedSource, WasiIioCtx};
use wasi_hal_pwm::{SharedPwmChannel, WasiPwmCtx};
use wasi_hal_spi::{SharedSpiDevice, WasiSpiCtx};

/// A board-file type as the host crate that enforces it spells it.
pub(crate) trait ToHost {
    /// The host crate's type.
    type Host;
    /// The value in the host crate's type.
    fn to_host(&self) -> Self::Host;
}

impl ToHost for SpiPolicy {
    type Host = wasi_hal_spi::SpiPolicy;

    /// The policy as `wasi-hal-spi` enforces it.
    fn to_host(&self) -> Self::Host {
        wasi_hal_spi::SpiPolicy {
            default_config: wasi_hal_spi::SpiConfig {
                frequency_hz: self.settings.frequency_hz,
                mode: self.settings.mode,
                lsb_first: self.settings.bit_order == BitOrder::LsbFirst,
            },
            guest_may_configure: self.configurable,
            max_frequency_hz: self.max_frequency_hz,
            above_maximum: self.above_max,
            allowed_modes: self.modes.clone(),
            allow_lsb_first: self.bit_orders.contains(&BitOrder::LsbFirst),
            max_transfer_bytes: self.max_transfer_bytes,
        }
    }
}

impl ToHost for I2cPolicy {
    type Host = wasi_hal_i2c::I2cPolicy;

    /// The policy as `wasi-hal-i2c` enforces it.
    fn to_host(&self) -> Self::Host {
        wasi_hal_i2c::I2cPolicy {
            allowed_addresses: wasi_hal_i2c::AllowedAddresses::Only(
                self.addresses.iter().copied().collect(),
            ),
            max_transfer_bytes: self.max_transfer_bytes,
        }
    }
}

impl ToHost for GpioPolicy {
    type Host = wasi_hal_gpio::PinPolicy;

    /// The policy as `wasi-hal-gpio` enforces it. An output-capable line is driven to `initial`
    /// when the pin is built; an input-only line is left alone.
    fn to_host(&self) -> Self::Host {
        wasi_hal_gpio::PinPolicy {
            modes: wasi_hal_gpio::PinModes {
                input: self.input,
                output: self.output,
            },
            initial_level: self.output.then_some(self.initial),
            safe_level: self.safe,
        }
    }
}

/// The shared device handles of a board, one per name, built once.
pub(crate) struct Devices {
    pub(crate) spi: BTreeMap<String, SharedSpiDevice>,
    pub(crate) i2c: BTreeMap<String, SharedI2cBus>,
    pub(crate) gpio: BTreeMap<String, SharedPin>,
    pub(crate) pwm: BTreeMap<String, SharedPwmChannel>,
    /// The host-read sensor: its name and source.
    pub(crate) sensor: Option<(String, SharedSource)>,
    pub(crate) delay: DelayBackend,
}

fn backend_error(file: &BoardFile, key: String, line: usize, message: String) -> BoardError {
    let err = BoardError::new(&file.path, ErrorKind::Backend, message).with_key(key);
    match file
        .spi
        .values()
        .map(|e| e.location)
        .chain(file.i2c.values().map(|e| e.location))
        .chain(file.gpio.values().map(|e| e.location))
        .chain(file.pwm.values().map(|e| e.location))
        .chain(file.sensors.values().map(|e| e.location))
        .find(|l| l.line == line && line > 0)
    {
        Some(location) => err.at(location),
        None => err,
    }
}

impl Devices {
    /// Handles on the simulated board's buses and lines (virtual time on its clock).
    pub(crate) fn simulated(file: &BoardFile, sim: &SimBoard) -> Result<Devices, BoardError> {
        let delay = DelayBackend::virtual_time(sim.clock().clone());
        let mut devices = Devices {
            spi: BTreeMap::new(),
            i2c: BTreeMap::new(),
            gpio: BTreeMap::new(),
            pwm: BTreeMap::new(),
            sensor: None,
            delay: delay.clone(),
        };
        for (name, entry) in &file.spi {
            if let Some(device) = sim.spi(name) {
                let shared =
                    SharedSpiDevice::from_hal_with_settings(device, entry.policy.to_host());
                devices.spi.insert(name.clone(), shared);
            }
        }
        for (name, entry) in &file.i2c {
            if let Some(bus) = sim.i2c(name) {
                let shared = SharedI2cBus::from_hal(bus, entry.policy.to_host());
                devices.i2c.insert(name.clone(), shared);
            }
        }
        for (name, entry) in &file.gpio {
            if let Some(line) = sim.line(name) {
                let pin = SharedPin::from_sim_line(line, delay.clone(), entry.policy.to_host())
                    .map_err(|e| {
                        backend_error(
                            file,
                            format!("gpio.{name}"),
                            entry.location.line,
                            format!("cannot set up the simulated line: {e}"),
                        )
                    })?;
                devices.gpio.insert(name.clone(), pin);
            }
        }
        for (name, entry) in &file.pwm {
            if let Some(channel) = sim.pwm(name) {
                let shared = SharedPwmChannel::new(wasi_hal_pwm::Hal(channel), entry.policy)
                    .map_err(|e| {
                        backend_error(
                            file,
                            format!("pwm.{name}"),
                            entry.location.line,
                            format!("cannot set up the simulated PWM channel: {e}"),
                        )
                    })?;
                devices.pwm.insert(name.clone(), shared);
            }
        }
        for name in file.sensors.keys() {
            if let Some(dht) = sim.dht22(name) {
                let source: SharedSource =
                    std::sync::Arc::new(std::sync::Mutex::new(SimDht22Source(dht.clone())));
                devices.sensor = Some((name.clone(), source));
            }
        }
        Ok(devices)
    }

    /// Opens every Linux device node of the board (real time).
    #[cfg(all(feature = "linux", target_os = "linux"))]
    pub(crate) fn linux(file: &BoardFile) -> Result<Devices, BoardError> {
        let mut devices = Devices {
            spi: BTreeMap::new(),
            i2c: BTreeMap::new(),
            gpio: BTreeMap::new(),
            pwm: BTreeMap::new(),
            sensor: None,
            delay: DelayBackend::real(),
        };
        for (name, entry) in &file.spi {
            if let SpiSource::Linux { path } = &entry.backend {
                let device = wasi_hal_spi::LinuxSpiDevice::open(path).map_err(|e| {
                    backend_error(
                        file,
                        format!("spi.{name}.device"),
                        entry.location.line,
                        format!("cannot open {}: {e}", path.display()),
                    )
                })?;
                devices.spi.insert(
                    name.clone(),
                    SharedSpiDevice::new(device, entry.policy.to_host()),
                );
            }
        }
        for (name, entry) in &file.i2c {
            if let I2cSource::Linux { path } = &entry.backend {
                let bus = wasi_hal_i2c::LinuxI2cBus::open(path).map_err(|e| {
                    backend_error(
                        file,
                        format!("i2c.{name}.device"),
                        entry.location.line,
                        format!("cannot open {}: {e}", path.display()),
                    )
                })?;
                devices
                    .i2c
                    .insert(name.clone(), SharedI2cBus::new(bus, entry.policy.to_host()));
            }
        }
        for (name, entry) in &file.gpio {
            if let GpioSource::Linux { chip, line } = &entry.backend {
                let backend = wasi_hal_gpio::LinuxGpioLine::new(chip, *line)
                    .with_consumer(format!("wasi-hal:{name}"));
                let pin = SharedPin::new(backend, entry.policy.to_host()).map_err(|e| {
                    backend_error(
                        file,
                        format!("gpio.{name}"),
                        entry.location.line,
                        format!("cannot request line {line} of {}: {e}", chip.display()),
                    )
                })?;
                devices.gpio.insert(name.clone(), pin);
            }
        }
        for (name, entry) in &file.pwm {
            if let PwmSource::Linux { chip, channel } = &entry.backend {
                let backend = wasi_hal_pwm::SysfsPwmChannel::open(
                    chip,
                    *channel,
                    entry.policy.default_frequency_hz,
                )
                .map_err(|e| {
                    backend_error(
                        file,
                        format!("pwm.{name}"),
                        entry.location.line,
                        format!("cannot open channel {channel} of {}: {e}", chip.display()),
                    )
                })?;
                let shared = SharedPwmChannel::new(backend, entry.policy).map_err(|e| {
                    backend_error(
                        file,
                        format!("pwm.{name}"),
                        entry.location.line,
                        format!(
                            "cannot switch channel {channel} of {} off: {e}",
                            chip.display()
                        ),
                    )
                })?;
                devices.pwm.insert(name.clone(), shared);
            }
        }
        for (name, entry) in &file.sensors {
            if let SensorSource::Linux(device) = &entry.source {
                let opened = match device {
                    crate::file::IioDevice::Path(dir) => wasi_hal_iio::SysfsIio::open(dir),
                    crate::file::IioDevice::Name(driver) => wasi_hal_iio::SysfsIio::find(
                        std::path::Path::new(wasi_hal_iio::IIO_DEVICES),
                        driver,
                    ),
                };
                let device = opened.map_err(|e| {
                    backend_error(
                        file,
                        format!("sensor.{name}.device"),
                        entry.location.line,
                        format!("cannot open the IIO device: {e}"),
                    )
                })?;
                let source: SharedSource = std::sync::Arc::new(std::sync::Mutex::new(device));
                devices.sensor = Some((name.clone(), source));
            }
        }
        Ok(devices)
    }

    /// Linux device nodes cannot be opened in this build.
    #[cfg(not(all(feature = "linux", target_os = "linux")))]
    pub(crate) fn linux(file: &BoardFile) -> Result<Devices, BoardError> {
        let _ = (
            SpiSource::Simulated,
            I2cSource::Simulated,
            GpioSource::Simulated,
            PwmSource::Simulated,
            SensorSource::Linux,
        );
        Err(BoardError::new(
            &file.path,
            ErrorKind::Backend,
            "this build cannot open Linux devices (it needs Linux and the `linux` feature)",
        ))
    }

    pub(crate) fn spi_ctx(&self) -> WasiSpiCtx {
        let mut builder = WasiSpiCtx::builder();
        for (name, device) in &self.spi {
            builder.device(name.as_str(), device);
        }
        builder.build()
    }

    pub(crate) fn i2c_ctx(&self) -> WasiI2cCtx {
        let mut builder = WasiI2cCtx::builder();
        for (name, bus) in &self.i2c {
            builder.bus(name.as_str(), bus);
        }
        builder.build()
    }

    pub(crate) fn gpio_ctx(&self) -> WasiGpioCtx {
        let mut builder = WasiGpioCtx::builder();
        for (name, pin) in &self.gpio {
            builder.pin(name.as_str(), pin);
        }
        builder.build()
    }

    pub(crate) fn pwm_ctx(&self) -> WasiPwmCtx {
        let mut builder = WasiPwmCtx::builder();
        for (name, channel) in &self.pwm {
            builder.channel(name.as_str(), channel);
        }
        builder.build()
    }

    pub(crate) fn sensor_ctx(&self) -> WasiIioCtx {
        let mut builder = WasiIioCtx::builder();
        if let Some((_, source)) = &self.sensor {
            builder.source(source.clone());
        }
        builder.build()
    }

    pub(crate) fn delay_ctx(&self) -> WasiDelayCtx {
        WasiDelayCtx::builder().backend(self.delay.clone()).build()
    }
}
