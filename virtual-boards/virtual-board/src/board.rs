//! The live board built from a [`BoardSpec`]: `host/sim` parts wired on one clock and one trace.

use crate::frames::FrameOut;
use crate::{BoardSpec, I2cSpec, LineSpec, PartSpec, SpiSpec};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use wasi_hal_policy::hold::{GuestHold, GuestId, Reopen};
use wasi_hal_sim::bme680::{self, Bme680, Bme680I2c, SharedBme680};
use wasi_hal_sim::buzzer::{SharedSimBuzzer, SimBuzzer, connect_active};
use wasi_hal_sim::spi::{SharedSpiTarget, SpiTarget};
use wasi_hal_sim::ssd1306::{SharedSsd1306, Ssd1306, Ssd1306Config, Ssd1306I2c, Ssd1306Spi};
use wasi_hal_sim::{SimClock, SimI2cBus, SimLine, SimSpiDevice, Trace};

/// An SPI device of the board: the simulated chip select and the board's policy for it.
pub struct SpiEntry {
    /// The policy.
    pub spec: SpiSpec,
    /// The device; its settings change when a guest configures it.
    pub device: Mutex<SimSpiDevice>,
}

/// An I2C bus of the board.
pub struct I2cEntry {
    /// The policy.
    pub spec: I2cSpec,
    /// The bus.
    pub bus: Mutex<SimI2cBus>,
}

/// A GPIO line of the board.
pub struct LineEntry {
    /// The policy.
    pub spec: LineSpec,
    /// The line.
    pub line: SimLine,
    /// Which handle holds it now: one at a time ([`Reopen::Never`]).
    pub hold: Mutex<GuestHold>,
}

/// A button part.
pub struct Button {
    /// The line it drives.
    pub line: SimLine,
    /// Whether the line reads high while it is pressed.
    pub active_high: bool,
}

/// A virtual board: every bus, line and part of a [`BoardSpec`], on one clock and one trace.
pub struct Board {
    /// The board's name.
    pub name: &'static str,
    /// The one guest of the board: every driver and app composed onto it.
    pub guest: GuestId,
    /// The board's clock.
    pub clock: SimClock,
    /// The board's trace (records nothing until started).
    pub trace: Trace,
    /// SPI devices by name.
    pub spi: BTreeMap<&'static str, SpiEntry>,
    /// I2C buses by name.
    pub i2c: BTreeMap<&'static str, I2cEntry>,
    /// GPIO lines by name.
    pub lines: BTreeMap<&'static str, LineEntry>,
    /// Display parts, in the order of the spec.
    pub displays: Vec<(&'static str, SharedSsd1306)>,
    /// Sensor parts, in the order of the spec.
    pub sensors: Vec<(&'static str, SharedBme680)>,
    /// Button parts by name.
    pub buttons: BTreeMap<&'static str, Button>,
    /// `wasi:config` values.
    pub config: Vec<(&'static str, &'static str)>,
    /// Where frames go.
    pub frames: Mutex<FrameOut>,
}

/// What an SPI name with no part behind it answers: MISO floats high, as with a pull-up.
struct NoPart;

impl SpiTarget for NoPart {
    fn exchange(&mut self, _mosi: &[u8], miso: &mut [u8]) {
        miso.fill(0xFF);
    }
}

/// Locks `m`, using the data even if a panic poisoned it (nothing here is left half-written).
pub fn lock<T: ?Sized>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The simulated device's settings for `config`.
pub fn sim_config(config: wasi_hal_policy::SpiConfig) -> wasi_hal_sim::SpiConfig {
    wasi_hal_sim::SpiConfig {
        frequency_hz: config.frequency_hz,
        mode: config.mode.to_hal(),
        lsb_first: config.lsb_first,
    }
}

/// The policy's settings for the simulated device's `config`.
pub fn policy_config(config: wasi_hal_sim::SpiConfig) -> wasi_hal_policy::SpiConfig {
    wasi_hal_policy::SpiConfig {
        frequency_hz: config.frequency_hz,
        mode: wasi_hal_policy::SpiMode::from_hal(config.mode),
        lsb_first: config.lsb_first,
    }
}

impl Board {
    /// Wires the parts of `spec` as the host-side simulated board wires a board file's.
    pub fn build(spec: BoardSpec) -> Board {
        let clock = SimClock::new();
        let trace = Trace::new();
        let lines: BTreeMap<&'static str, LineEntry> = spec
            .gpio
            .iter()
            .map(|l| {
                let initial = l.policy.initial_level.unwrap_or_default();
                let line = SimLine::new(l.name, initial.is_high(), clock.clone(), trace.clone());
                (
                    l.name,
                    LineEntry {
                        spec: l.clone(),
                        line,
                        hold: Mutex::new(GuestHold::new(Reopen::Never)),
                    },
                )
            })
            .collect();
        let line = |name: &str| lines.get(name).map(|l| l.line.clone());
        let i2c: BTreeMap<&'static str, I2cEntry> = spec
            .i2c
            .iter()
            .map(|b| {
                let mut bus = SimI2cBus::new(b.name, clock.clone(), trace.clone());
                bus.set_frequency_hz(b.frequency_hz);
                (
                    b.name,
                    I2cEntry {
                        spec: b.clone(),
                        bus: Mutex::new(bus),
                    },
                )
            })
            .collect();
        let mut spi_targets: BTreeMap<&str, SharedSpiTarget> = BTreeMap::new();
        let mut displays = Vec::new();
        let mut sensors = Vec::new();
        let mut buttons = BTreeMap::new();
        for part in &spec.parts {
            match part {
                PartSpec::Ssd1306Spi {
                    name,
                    panel,
                    spi,
                    dc,
                    res,
                } => {
                    let display = Ssd1306::new_shared(Ssd1306Config::new(*panel), clock.clone());
                    let res = res.and_then(line);
                    if let Some(dc) = line(dc) {
                        let target = Ssd1306Spi::new(display.clone(), dc, res.as_ref());
                        spi_targets.insert(spi, Arc::new(Mutex::new(target)));
                    }
                    displays.push((*name, display));
                }
                PartSpec::Ssd1306I2c {
                    name,
                    panel,
                    bus,
                    address,
                } => {
                    let display = Ssd1306::new_shared(Ssd1306Config::new(*panel), clock.clone());
                    if let Some(entry) = i2c.get(bus) {
                        let target = Ssd1306I2c::new(display.clone());
                        lock(&entry.bus).attach(*address, Arc::new(Mutex::new(target)));
                    }
                    displays.push((*name, display));
                }
                PartSpec::Bme680 {
                    name,
                    bus,
                    address,
                    conditions,
                } => {
                    let shared = Bme680::new(clock.clone()).into_shared();
                    lock(&shared).set_conditions(*conditions);
                    if let Some(entry) = i2c.get(bus) {
                        let address = if *address == 0x77 {
                            bme680::Bme680Address::Secondary
                        } else {
                            bme680::Bme680Address::Primary
                        };
                        Bme680I2c::attach(&shared, &lock(&entry.bus), address);
                    }
                    sensors.push((*name, shared));
                }
                PartSpec::Buzzer {
                    name,
                    line: line_name,
                    active_high,
                    pitch_hz,
                } => {
                    if let Some(line) = line(line_name) {
                        let buzzer = SimBuzzer::new_shared();
                        connect_active(&buzzer, &line, *pitch_hz, *active_high);
                        report_tones(name, &buzzer, &line);
                    }
                }
                PartSpec::Button {
                    name,
                    line: line_name,
                    active_high,
                } => {
                    if let Some(line) = line(line_name) {
                        // Released at the start.
                        line.set(!active_high);
                        buttons.insert(
                            *name,
                            Button {
                                line,
                                active_high: *active_high,
                            },
                        );
                    }
                }
            }
        }
        let spi = spec
            .spi
            .iter()
            .map(|s| {
                let target = spi_targets
                    .remove(s.name)
                    .unwrap_or_else(|| Arc::new(Mutex::new(NoPart)));
                let mut device = SimSpiDevice::new(s.name, target, clock.clone(), trace.clone());
                device.set_config(sim_config(s.policy.default_config));
                (
                    s.name,
                    SpiEntry {
                        spec: s.clone(),
                        device: Mutex::new(device),
                    },
                )
            })
            .collect();
        Board {
            name: spec.name,
            guest: GuestId::fresh(),
            clock,
            trace,
            spi,
            i2c,
            lines,
            displays,
            sensors,
            buttons,
            config: spec.config,
            frames: Mutex::new(FrameOut::from_env()),
        }
    }

    /// Called after every delay: a frame boundary. Writes the frames that are due.
    pub fn frame_boundary(&self) {
        let now = self.clock.now_ns();
        let mut out = lock(&self.frames);
        for (index, (name, display)) in self.displays.iter().enumerate() {
            let (frame, lit) = {
                let d = lock(display);
                (d.frame(), d.is_lit())
            };
            out.sample(index, name, now, &frame, lit);
        }
    }
}

/// Writes each tone `buzzer` played to stderr when it ends, one line each:
/// `wasi-hal-tone buzzer=<name> start-ns=<ns> duration-ns=<ns> frequency-hz=<hz>`, so a person
/// (or a test) running the composition under any WASI 0.2 host hears what it played. The buzzer
/// records the tone in its own watcher of `line`, registered before this one.
fn report_tones(name: &'static str, buzzer: &SharedSimBuzzer, line: &SimLine) {
    let buzzer = buzzer.clone();
    let mut reported = 0u64;
    line.watch(Box::new(move |_, _| {
        let buzzer = lock(&buzzer);
        let played = buzzer.played();
        if played == reported {
            return;
        }
        // The newest `played - reported` tones are the ones not written yet.
        let tones = buzzer.tones();
        let new = usize::try_from(played - reported).unwrap_or(usize::MAX);
        for tone in &tones[tones.len().saturating_sub(new)..] {
            eprintln!(
                "wasi-hal-tone buzzer={name} start-ns={} duration-ns={} frequency-hz={}",
                tone.start_ns, tone.duration_ns, tone.frequency_hz
            );
        }
        reported = played;
    }));
}
