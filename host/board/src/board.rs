//! Layer 2: the live board. [`Board::build`] turns a [`BoardFile`] into the shared device objects
//! behind its names, built once per board; per-guest contexts are made from them.

use crate::ctx::{Devices, ToHost};
use crate::error::BoardError;
use crate::file::{Backend, BoardFile, BuzzerWiring, PartKind, SensorSource, Ssd1306Interface};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use wasi_hal_delay::{DelayBackend, WasiDelayCtx};
use wasi_hal_gpio::{SharedPin, WasiGpioCtx};
use wasi_hal_i2c::{SharedI2cBus, WasiI2cCtx};
use wasi_hal_iio::WasiIioCtx;
use wasi_hal_linker::WasiHalCtx;
use wasi_hal_pwm::{SharedPwmChannel, WasiPwmCtx};
use wasi_hal_sim::bme680::SharedBme680;
use wasi_hal_sim::buzzer::{SharedSimBuzzer, SimBuzzer};
use wasi_hal_sim::dht22::SharedSimDht22;
use wasi_hal_sim::ssd1306::SharedSsd1306;
use wasi_hal_sim::ssd1331::SharedSsd1331;
use wasi_hal_sim::ws2812::SharedWs2812Strip;
use wasi_hal_sim::{
    Frame, SimButton, SimClock, SimDisplay, SimI2cBus, SimLed, SimLine, SimPwm, SimSpiDevice,
    SimWiring, Trace,
};
use wasi_hal_spi::{SharedSpiDevice, WasiSpiCtx};

/// A board, built once from a [`BoardFile`]: the shared device objects behind every name, from
/// which each guest gets its own contexts ([`Board::guest_ctx`], or [`Board::spi_ctx`] and its
/// siblings one by one).
pub struct Board {
    file: BoardFile,
    sim: Option<SimBoard>,
    devices: Devices,
}

impl std::fmt::Debug for Board {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Board")
            .field("name", &self.file.name)
            .field("backend", &self.file.backend)
            .field("spi", &self.devices.spi.keys().collect::<Vec<_>>())
            .field("i2c", &self.devices.i2c.keys().collect::<Vec<_>>())
            .field("gpio", &self.devices.gpio.keys().collect::<Vec<_>>())
            .field("pwm", &self.devices.pwm.keys().collect::<Vec<_>>())
            .field(
                "sensor",
                &self.devices.sensor.as_ref().map(|(name, _)| name),
            )
            .finish_non_exhaustive()
    }
}

impl Board {
    /// Reads the board file at `path` and builds the board.
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<Board, BoardError> {
        Self::build(BoardFile::load(path)?)
    }

    /// Builds the board described by `file`.
    ///
    /// A simulated board gets one [`SimClock`] and one [`Trace`] shared by every part, bus and
    /// line, and guests' delays run in virtual time on that clock. A Linux board first adds what
    /// `[discovery]` finds (when enabled), then opens every device node through the host
    /// crates' Linux backends (feature `linux`), in real time; a node that cannot be opened is
    /// an [`ErrorKind::Backend`](crate::ErrorKind::Backend) error naming its key.
    pub fn build(file: BoardFile) -> Result<Board, BoardError> {
        match file.backend {
            Backend::Simulated => {
                let sim = SimBoard::build(&file);
                let devices = Devices::simulated(&file, &sim)?;
                Ok(Board {
                    file,
                    sim: Some(sim),
                    devices,
                })
            }
            Backend::Linux => {
                let file = file.with_discovery()?;
                let devices = Devices::linux(&file)?;
                Ok(Board {
                    file,
                    sim: None,
                    devices,
                })
            }
        }
    }

    /// The description the board was built from (with discovered devices added).
    pub fn file(&self) -> &BoardFile {
        &self.file
    }

    /// The simulated parts, buses and lines, when the board is simulated.
    pub fn simulated(&self) -> Option<&SimBoard> {
        self.sim.as_ref()
    }

    /// The shared SPI device `name`, as `wasi-hal-spi` holds it.
    pub fn spi_device(&self, name: &str) -> Option<&SharedSpiDevice> {
        self.devices.spi.get(name)
    }

    /// The shared I2C bus `name`, as `wasi-hal-i2c` holds it.
    pub fn i2c_bus(&self, name: &str) -> Option<&SharedI2cBus> {
        self.devices.i2c.get(name)
    }

    /// The shared GPIO pin `name`, as `wasi-hal-gpio` holds it.
    pub fn pin(&self, name: &str) -> Option<&SharedPin> {
        self.devices.gpio.get(name)
    }

    /// The shared PWM channel `name`, as `wasi-hal-pwm` holds it.
    pub fn pwm_channel(&self, name: &str) -> Option<&SharedPwmChannel> {
        self.devices.pwm.get(name)
    }

    /// The time base of guests' delays: the board's clock when simulated, real time on Linux.
    pub fn delay_backend(&self) -> &DelayBackend {
        &self.devices.delay
    }

    /// A new guest's `wasi:spi` context, offering every SPI name of the board.
    pub fn spi_ctx(&self) -> WasiSpiCtx {
        self.devices.spi_ctx()
    }

    /// A new guest's `wasi:i2c` context, offering every I2C name of the board.
    pub fn i2c_ctx(&self) -> WasiI2cCtx {
        self.devices.i2c_ctx()
    }

    /// A new guest's `wasi:gpio` context, offering every GPIO name of the board.
    pub fn gpio_ctx(&self) -> WasiGpioCtx {
        self.devices.gpio_ctx()
    }

    /// A new guest's `wasi:pwm` context, offering every PWM name of the board.
    pub fn pwm_ctx(&self) -> WasiPwmCtx {
        self.devices.pwm_ctx()
    }

    /// A new guest's host-served `sensor:environment` context: the board's `[sensor.NAME]`, or
    /// none (`open` answers `not-connected`).
    pub fn sensor_ctx(&self) -> WasiIioCtx {
        self.devices.sensor_ctx()
    }

    /// A new guest's `wasi:delay` context, on the board's time base.
    pub fn delay_ctx(&self) -> WasiDelayCtx {
        self.devices.delay_ctx()
    }

    /// Paces a simulated board's virtual time to the wall clock for the guests created from now
    /// on (`wasi-hal run --realtime`): a delay advances the simulated clock, then sleeps until the
    /// wall clock has caught up, so a person can watch. A Linux board runs in real time anyway,
    /// so this changes nothing there.
    pub fn set_realtime(&mut self) {
        if let Some(sim) = &self.sim {
            self.devices.delay = DelayBackend::paced(sim.clock().clone());
        }
    }

    /// Everything a new guest gets: every context and the board file's `[config]` values,
    /// for [`wasi_hal_linker::add_to_linker_sync`].
    pub fn guest_ctx(&self) -> WasiHalCtx {
        WasiHalCtx {
            spi: self.spi_ctx(),
            i2c: self.i2c_ctx(),
            gpio: self.gpio_ctx(),
            pwm: self.pwm_ctx(),
            delay: self.delay_ctx(),
            sensor: self.sensor_ctx(),
            config: self.file().config.iter().collect(),
        }
    }
}

/// A simulated board: every bus, line and part, wired as the board file says, on one clock and
/// one trace. Handles are clones of the board's: what a guest does through one is what a test
/// sees through another.
pub struct SimBoard {
    /// The clock, the trace, the lines, I2C buses and PWM channels.
    wiring: SimWiring,
    spi: BTreeMap<String, SimSpiDevice>,
    displays: BTreeMap<String, SimDisplay>,
    sensors: BTreeMap<String, SharedBme680>,
    leds: BTreeMap<String, SimLed>,
    buttons: BTreeMap<String, SimButton>,
    buzzers: BTreeMap<String, SharedSimBuzzer>,
    dht22: BTreeMap<String, SharedSimDht22>,
}

impl std::fmt::Debug for SimBoard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimBoard")
            .field("now_ns", &self.wiring.clock.now_ns())
            .field("wiring", &self.wiring)
            .field("spi", &self.spi.keys().collect::<Vec<_>>())
            .field("displays", &self.displays.keys().collect::<Vec<_>>())
            .field("sensors", &self.sensors.keys().collect::<Vec<_>>())
            .field("buzzers", &self.buzzers.keys().collect::<Vec<_>>())
            .field("dht22", &self.dht22.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl SimBoard {
    pub(crate) fn build(file: &BoardFile) -> SimBoard {
        let mut wiring = SimWiring::new();
        // Lines first: parts are wired to them. A line starts at its `initial` level (the checker
        // has already set a button's line to the button's released level).
        for (name, entry) in &file.gpio {
            wiring.add_line(name, entry.policy.initial.is_high());
        }
        for (name, entry) in &file.i2c {
            wiring.add_i2c(name, entry.policy.frequency_hz);
        }
        for (name, entry) in &file.pwm {
            wiring.add_pwm(name, entry.policy.default_frequency_hz);
        }
        let dht22: BTreeMap<String, SharedSimDht22> = file
            .sensors
            .iter()
            .filter_map(|(name, entry)| match &entry.source {
                SensorSource::SimulatedDht22(air) => {
                    let dht = wiring.dht22(air.temperature_c, air.humidity_percent, air.fail_every);
                    Some((name.clone(), Arc::new(Mutex::new(dht))))
                }
                SensorSource::Linux(_) => None,
            })
            .collect();
        let mut buzzers = BTreeMap::new();
        let mut displays = BTreeMap::new();
        let mut sensors = BTreeMap::new();
        let mut leds = BTreeMap::new();
        let mut buttons = BTreeMap::new();
        for part in &file.parts {
            let name = part.name.clone();
            match &part.kind {
                PartKind::Ssd1306(ssd) => {
                    let res = ssd.res.as_deref();
                    let display = match &ssd.interface {
                        Ssd1306Interface::Spi { device, dc } => {
                            wiring.ssd1306_spi(ssd.panel, device, dc, res)
                        }
                        Ssd1306Interface::I2c { bus, address } => {
                            wiring.ssd1306_i2c(ssd.panel, bus, *address, res)
                        }
                    };
                    displays.insert(name, SimDisplay::Ssd1306(display));
                }
                PartKind::Ssd1331(oled) => {
                    let (res, vccen) = (oled.res.as_deref(), oled.vccen.as_deref());
                    let display = wiring.ssd1331(&oled.spi, &oled.dc, res, vccen);
                    displays.insert(name, SimDisplay::Ssd1331(display));
                }
                PartKind::Ws2812(strip) => {
                    let strip = wiring.ws2812(&strip.spi, strip.model, strip.length);
                    displays.insert(name, SimDisplay::LedStrip(strip));
                }
                PartKind::Bme680(sensor) => {
                    let shared = wiring.bme680(
                        &sensor.bus,
                        sensor.address,
                        sensor.variant,
                        sensor.conditions,
                    );
                    sensors.insert(name, shared);
                }
                PartKind::Led(led) => {
                    if let Some(led) = wiring.led(&led.line, led.active) {
                        leds.insert(name, led);
                    }
                }
                PartKind::Buzzer(buzzer) => {
                    let wired = match &buzzer.wiring {
                        BuzzerWiring::Active {
                            line,
                            active,
                            pitch_hz,
                        } => wiring
                            .active_buzzer(line, active.is_high(), *pitch_hz)
                            .map(|(buzzer, _)| buzzer),
                        BuzzerWiring::Passive { pwm } => {
                            wiring.passive_buzzer(pwm).map(|(buzzer, _)| buzzer)
                        }
                    };
                    buzzers.insert(name, wired.unwrap_or_else(SimBuzzer::new_shared));
                }
                PartKind::Button(button) => {
                    if let Some(button) = wiring.button(&button.line, button.active) {
                        buttons.insert(name, button);
                    }
                }
            }
        }
        let spi = file
            .spi
            .iter()
            .map(|(name, entry)| {
                let config = entry.policy.to_host().default_config;
                (name.clone(), wiring.spi_device(name, config))
            })
            .collect();
        SimBoard {
            wiring,
            spi,
            displays,
            sensors,
            leds,
            buttons,
            buzzers,
            dht22,
        }
    }

    /// The board's clock: virtual time for every part, and the guests' delay.
    pub fn clock(&self) -> &SimClock {
        &self.wiring.clock
    }

    /// The board's trace. It records nothing until [`Trace::enable`] is called.
    pub fn trace(&self) -> &Trace {
        &self.wiring.trace
    }

    /// A handle to the SPI device `name`, with the board's settings.
    pub fn spi(&self, name: &str) -> Option<SimSpiDevice> {
        self.spi.get(name).cloned()
    }

    /// A handle to the I2C bus `name`.
    pub fn i2c(&self, name: &str) -> Option<SimI2cBus> {
        self.wiring.i2c.get(name).cloned()
    }

    /// A handle to the GPIO line `name`.
    pub fn line(&self, name: &str) -> Option<SimLine> {
        self.wiring.lines.get(name).cloned()
    }

    /// A handle to the PWM channel `name`.
    pub fn pwm(&self, name: &str) -> Option<SimPwm> {
        self.wiring.pwm.get(name).cloned()
    }

    /// The buzzer part `name`: what it played.
    pub fn buzzer(&self, name: &str) -> Option<&SharedSimBuzzer> {
        self.buzzers.get(name)
    }

    /// The simulated DHT22 behind the sensor name `name` (`[sensor.NAME]`).
    pub fn dht22(&self, name: &str) -> Option<&SharedSimDht22> {
        self.dht22.get(name)
    }

    /// The SSD1306 part `name`.
    pub fn ssd1306(&self, name: &str) -> Option<&SharedSsd1306> {
        match self.displays.get(name)? {
            SimDisplay::Ssd1306(display) => Some(display),
            _ => None,
        }
    }

    /// The SSD1331 part `name`.
    pub fn ssd1331(&self, name: &str) -> Option<&SharedSsd1331> {
        match self.displays.get(name)? {
            SimDisplay::Ssd1331(display) => Some(display),
            _ => None,
        }
    }

    /// The LED strip part `name`.
    pub fn led_strip(&self, name: &str) -> Option<&SharedWs2812Strip> {
        match self.displays.get(name)? {
            SimDisplay::LedStrip(strip) => Some(strip),
            _ => None,
        }
    }

    /// The display part `name` (an OLED, or an LED strip).
    pub fn display(&self, name: &str) -> Option<&SimDisplay> {
        self.displays.get(name)
    }

    /// What the display part `name` (an OLED, or an LED strip) shows now.
    pub fn frame(&self, name: &str) -> Option<Frame> {
        Some(self.displays.get(name)?.frame())
    }

    /// The BME680 part `name`.
    pub fn bme680(&self, name: &str) -> Option<&SharedBme680> {
        self.sensors.get(name)
    }

    /// The LED part `name`.
    pub fn led(&self, name: &str) -> Option<&SimLed> {
        self.leds.get(name)
    }

    /// The button part `name`.
    pub fn button(&self, name: &str) -> Option<&SimButton> {
        self.buttons.get(name)
    }

    /// The names of the display parts: everything that shows a picture (OLEDs and LED strips).
    pub fn display_names(&self) -> impl Iterator<Item = &str> {
        self.displays.keys().map(String::as_str)
    }
}
