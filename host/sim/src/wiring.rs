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
use crate::{Frame, SimClock, SimI2cBus, SimLine, SimPwm, SimSpiDevice, SpiConfig, Trace};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use wasi_hal_policy::Level;

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
#[derive(Default)]
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
        Self::default()
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
        variant: bme680::Bme680Variant,
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

    /// A push button on the line `line` (at `active` while pressed), released: the line is set
    /// to its released level.
    pub fn button(&mut self, line: &str, active: Level) -> Option<SimButton> {
        let button = SimButton {
            line: self.line(Some(line))?,
            active,
        };
        button.release();
        Some(button)
    }

    /// An LED on the line `line`, lit while the line is at `active`.
    pub fn led(&mut self, line: &str, active: Level) -> Option<SimLed> {
        let line = self.line(Some(line))?;
        Some(SimLed { line, active })
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

/// A part of the simulated board a person looks at: its picture is a [`Frame`].
#[derive(Clone)]
pub enum SimDisplay {
    /// A monochrome OLED.
    Ssd1306(SharedSsd1306),
    /// A colour OLED.
    Ssd1331(SharedSsd1331),
    /// An LED strip, shown as a row of blocks.
    LedStrip(SharedWs2812Strip),
}

impl SimDisplay {
    /// Whether it shows anything now (an OLED switched off or unpowered does not; a strip
    /// always does, dark LEDs being a picture too).
    pub fn is_lit(&self) -> bool {
        match self {
            SimDisplay::Ssd1306(d) => d.lock().unwrap_or_else(|e| e.into_inner()).is_lit(),
            SimDisplay::Ssd1331(d) => d.lock().unwrap_or_else(|e| e.into_inner()).is_lit(),
            SimDisplay::LedStrip(_) => true,
        }
    }

    /// What it shows now.
    pub fn frame(&self) -> Frame {
        match self {
            SimDisplay::Ssd1306(d) => d.lock().unwrap_or_else(|e| e.into_inner()).frame(),
            SimDisplay::Ssd1331(d) => d.lock().unwrap_or_else(|e| e.into_inner()).frame(),
            SimDisplay::LedStrip(s) => s.lock().unwrap_or_else(|e| e.into_inner()).frame(),
        }
    }
}

/// An LED on a simulated line.
#[derive(Clone, Debug)]
pub struct SimLed {
    line: SimLine,
    active: Level,
}

impl SimLed {
    /// Whether it is lit now.
    pub fn is_lit(&self) -> bool {
        self.line.is_high_now() == self.active.is_high()
    }

    /// The line it is on.
    pub fn line(&self) -> &SimLine {
        &self.line
    }
}

/// A push button on a simulated line: pressing it drives the line to its active level.
#[derive(Clone, Debug)]
pub struct SimButton {
    line: SimLine,
    active: Level,
}

impl SimButton {
    /// Presses the button (at the board clock's current time).
    pub fn press(&self) {
        self.line.set(self.active.is_high());
    }

    /// Releases the button.
    pub fn release(&self) {
        self.line.set(!self.active.is_high());
    }

    /// Whether it is pressed now.
    pub fn is_pressed(&self) -> bool {
        self.line.is_high_now() == self.active.is_high()
    }

    /// The line it is on.
    pub fn line(&self) -> &SimLine {
        &self.line
    }
}
