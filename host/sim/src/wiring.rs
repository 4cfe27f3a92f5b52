//! A simulated board's wiring, written once: the buses, lines and channels by name, and the
//! parts put on them.
//!
//! Every simulated board wires its parts here: the host's (`wasi-hal-board`, from a board file)
//! and the virtual-board components (from the same board file, at build time). So a part sits
//! on its bus, answers on its chip select and reads its lines the same way whichever host runs
//! it. The names a part refers to are looked up here; a name the board does not have leaves
//! that connection out (the board file's checker has already refused such a file).

use crate::bme680::{self, Bme680, Bme680Address, Bme680I2c, SharedBme680};
use crate::buzzer::{self, SharedSimBuzzer, SimBuzzer};
use crate::dht22::SimDht22;
use crate::spi::{SharedSpiTarget, SpiTarget};
use crate::ssd1306::{
    PanelSize, SharedSsd1306, Ssd1306, Ssd1306Config, Ssd1306I2c, Ssd1306Spi, connect_reset_line,
};
use crate::ssd1331::{SharedSsd1331, Ssd1331, Ssd1331Spi};
use crate::ws2812::{SharedWs2812Strip, StripModel, Ws2812Spi, Ws2812Strip};
use crate::{SimClock, SimI2cBus, SimLine, SimPwm, SimSpiDevice, SpiConfig, Trace};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The duty resolution of a simulated PWM channel: 1000 steps, a tenth of a percent.
pub const PWM_MAX_DUTY: u16 = 1_000;

/// What an SPI name with no part behind it answers: MISO floats high, as with a pull-up.
struct NoPart;

impl SpiTarget for NoPart {
    fn exchange(&mut self, _mosi: &[u8], miso: &mut [u8]) {
        miso.fill(0xFF);
    }
}

/// A simulated board being wired: add its lines, buses and channels, then its parts, then
/// make its SPI devices (each with the part that answers on it).
pub struct SimWiring {
    /// The board's clock.
    pub clock: SimClock,
    /// The board's trace.
    pub trace: Trace,
    /// GPIO lines by name.
    pub lines: BTreeMap<String, SimLine>,
    /// I2C buses by name.
    pub i2c: BTreeMap<String, SimI2cBus>,
    /// PWM channels by name.
    pub pwm: BTreeMap<String, SimPwm>,
    /// The part on each SPI name wired so far, until its device is made.
    spi_targets: BTreeMap<String, SharedSpiTarget>,
}

impl std::fmt::Debug for SimWiring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimWiring")
            .field("lines", &self.lines.keys().collect::<Vec<_>>())
            .field("i2c", &self.i2c.keys().collect::<Vec<_>>())
            .field("pwm", &self.pwm.keys().collect::<Vec<_>>())
            .field("spi_targets", &self.spi_targets.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl SimWiring {
    /// An empty board on a new clock and trace.
    pub fn new() -> Self {
        Self {
            clock: SimClock::new(),
            trace: Trace::new(),
            lines: BTreeMap::new(),
            i2c: BTreeMap::new(),
            pwm: BTreeMap::new(),
            spi_targets: BTreeMap::new(),
        }
    }

    /// Adds the line `name`, starting high when `initial_high`.
    pub fn add_line(&mut self, name: &str, initial_high: bool) -> SimLine {
        let line = SimLine::new(name, initial_high, self.clock.clone(), self.trace.clone());
        self.lines.insert(name.to_string(), line.clone());
        line
    }

    /// Adds the I2C bus `name`, clocked at `frequency_hz`.
    pub fn add_i2c(&mut self, name: &str, frequency_hz: u32) -> SimI2cBus {
        let mut bus = SimI2cBus::new(name, self.clock.clone(), self.trace.clone());
        bus.set_frequency_hz(frequency_hz);
        self.i2c.insert(name.to_string(), bus.clone());
        bus
    }

    /// Adds the PWM channel `name`, off at `frequency_hz`, with [`PWM_MAX_DUTY`] steps.
    pub fn add_pwm(&mut self, name: &str, frequency_hz: u32) -> SimPwm {
        let channel = SimPwm::new(name, frequency_hz, PWM_MAX_DUTY, self.clock.clone())
            .with_trace(self.trace.clone());
        self.pwm.insert(name.to_string(), channel.clone());
        channel
    }

    fn line(&self, name: Option<&str>) -> Option<SimLine> {
        self.lines.get(name?).cloned()
    }

    fn answer_on_spi(&mut self, spi: &str, target: impl SpiTarget + 'static) {
        self.spi_targets
            .insert(spi.to_string(), Arc::new(Mutex::new(target)));
    }

    /// An SSD1306 driving `panel` on the SPI name `spi`, with its D/C# on the line `dc` and
    /// its RES# on `res`.
    pub fn ssd1306_spi(
        &mut self,
        panel: PanelSize,
        spi: &str,
        dc: &str,
        res: Option<&str>,
    ) -> SharedSsd1306 {
        let display = Ssd1306::new_shared(Ssd1306Config::new(panel), self.clock.clone());
        let res = self.line(res);
        if let Some(dc) = self.line(Some(dc)) {
            let target = Ssd1306Spi::new(display.clone(), dc, res.as_ref());
            self.answer_on_spi(spi, target);
        }
        display
    }

    /// An SSD1306 driving `panel` on the I2C bus `bus` at `address`, with its RES# on `res`.
    pub fn ssd1306_i2c(
        &mut self,
        panel: PanelSize,
        bus: &str,
        address: u8,
        res: Option<&str>,
    ) -> SharedSsd1306 {
        let display = Ssd1306::new_shared(Ssd1306Config::new(panel), self.clock.clone());
        if let Some(res) = self.line(res) {
            connect_reset_line(&display, &res);
        }
        if let Some(bus) = self.i2c.get(bus) {
            bus.attach(
                address,
                Arc::new(Mutex::new(Ssd1306I2c::new(display.clone()))),
            );
        }
        display
    }

    /// An SSD1331 on the SPI name `spi`, with its D/C#, RES# and VCCEN lines.
    pub fn ssd1331(
        &mut self,
        spi: &str,
        dc: &str,
        res: Option<&str>,
        vccen: Option<&str>,
    ) -> SharedSsd1331 {
        let display = Ssd1331::new_shared(self.clock.clone());
        let (res, vccen) = (self.line(res), self.line(vccen));
        if let Some(dc) = self.line(Some(dc)) {
            let target = Ssd1331Spi::new(display.clone(), dc, res.as_ref(), vccen.as_ref());
            self.answer_on_spi(spi, target);
        }
        display
    }

    /// A strip of `length` LEDs of `model` whose data input is the MOSI of the SPI name `spi`.
    pub fn ws2812(&mut self, spi: &str, model: StripModel, length: u32) -> SharedWs2812Strip {
        let strip = Arc::new(Mutex::new(Ws2812Strip::new(
            model,
            length,
            self.clock.clone(),
        )));
        self.answer_on_spi(spi, Ws2812Spi(strip.clone()));
        strip
    }

    /// A BME680 (or BME688) on the I2C bus `bus` at `address` (0x77 is the secondary
    /// address, anything else the primary), measuring `conditions`.
    pub fn bme680(
        &mut self,
        bus: &str,
        address: u8,
        variant: bme680::Variant,
        conditions: bme680::Conditions,
    ) -> SharedBme680 {
        let shared = Bme680::new(self.clock.clone())
            .with_variant(variant)
            .into_shared();
        shared
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .set_conditions(conditions);
        if let Some(bus) = self.i2c.get(bus) {
            let address = if address == 0x77 {
                Bme680Address::Secondary
            } else {
                Bme680Address::Primary
            };
            Bme680I2c::attach(&shared, bus, address);
        }
        shared
    }

    /// An active buzzer (its own oscillator at `pitch_hz`) switched by the line `line`, which
    /// it sounds while `active_high` matches; with the line, for a host that watches it.
    pub fn active_buzzer(
        &mut self,
        line: &str,
        active_high: bool,
        pitch_hz: u32,
    ) -> Option<(SharedSimBuzzer, SimLine)> {
        let line = self.line(Some(line))?;
        let buzzer = SimBuzzer::new_shared();
        buzzer::connect_active(&buzzer, &line, pitch_hz, active_high);
        Some((buzzer, line))
    }

    /// A passive buzzer on the PWM channel `pwm`; with the channel, for a host that watches it.
    pub fn passive_buzzer(&mut self, pwm: &str) -> Option<(SharedSimBuzzer, SimPwm)> {
        let channel = self.pwm.get(pwm)?.clone();
        let buzzer = SimBuzzer::new_shared();
        buzzer::connect_passive(&buzzer, &channel);
        Some((buzzer, channel))
    }

    /// A push button on the line `line` (high while pressed when `active_high`), released: the
    /// line is set to its released level.
    pub fn button(&mut self, line: &str, active_high: bool) -> Option<SimLine> {
        let line = self.line(Some(line))?;
        line.set(!active_high);
        Some(line)
    }

    /// A DHT22 in air at `temperature_c` and `humidity_percent`; every `fail_every`-th read
    /// fails.
    pub fn dht22(
        &self,
        temperature_c: f64,
        humidity_percent: f64,
        fail_every: Option<u32>,
    ) -> SimDht22 {
        let mut dht = SimDht22::new(self.clock.clone(), temperature_c, humidity_percent);
        if let Some(n) = fail_every {
            dht.fail_every(n);
        }
        dht
    }

    /// The SPI device `name` at the settings `config`, with the part wired to it, or with MISO
    /// floating high when no part is.
    pub fn spi_device(&mut self, name: &str, config: SpiConfig) -> SimSpiDevice {
        let target = self
            .spi_targets
            .remove(name)
            .unwrap_or_else(|| Arc::new(Mutex::new(NoPart)));
        let mut device = SimSpiDevice::new(name, target, self.clock.clone(), self.trace.clone());
        device.set_config(config);
        device
    }
}

impl Default for SimWiring {
    fn default() -> Self {
        Self::new()
    }
}
