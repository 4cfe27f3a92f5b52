//! The live board built from a [`BoardSpec`]: `host/sim` parts wired on one clock and one trace.

use crate::frames::FrameOut;
use crate::{BoardSpec, I2cSpec, LineSpec, PartSpec, PwmSpec, SensorSpec, SpiSpec};
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};
use wasi_hal_policy::Level;
use wasi_hal_policy::hold::{GuestHold, GuestId, Reopen};
use wasi_hal_sim::bme680::{self, SharedBme680};
use wasi_hal_sim::buzzer::SharedSimBuzzer;
use wasi_hal_sim::dht22::SimDht22;
use wasi_hal_sim::ws2812::{SharedWs2812Strip, Ws2812Strip};
use wasi_hal_sim::{
    SimButton, SimClock, SimDisplay, SimI2cBus, SimLine, SimPwm, SimSpiDevice, SimWiring, Trace,
};

/// The duty resolution of a simulated PWM channel, as on the host-side board.
pub use wasi_hal_sim::wiring::PWM_MAX_DUTY;

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

/// A PWM channel of the board, with the host's rules (`wasi-hal-pwm`): one open handle at a
/// time; opened off at the default frequency with duty 0; switched off when let go.
pub struct PwmEntry {
    /// The policy.
    pub spec: PwmSpec,
    /// The channel (a passive buzzer watches it).
    pub channel: SimPwm,
    /// Which handle holds it now: one at a time ([`Reopen::Never`]).
    pub hold: Mutex<GuestHold>,
}

/// The board's host-read sensor: a simulated DHT22, and whether a guest holds it open.
pub struct SensorEntry {
    /// Its name and air.
    pub spec: SensorSpec,
    /// The part.
    pub dht22: Mutex<SimDht22>,
    /// Whether the one guest has it open (a second open is `in-use`, as on the host).
    pub open: Mutex<bool>,
}

/// A virtual board: every bus, line and part of a [`BoardSpec`], on one clock and one trace.
pub struct VirtualBoard {
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
    /// PWM channels by name.
    pub pwm: BTreeMap<&'static str, PwmEntry>,
    /// The host-read sensor (`sensor:environment`), if the board has one.
    pub sensor: Option<SensorEntry>,
    /// Display parts, in the order of the spec.
    pub displays: Vec<(&'static str, SimDisplay)>,
    /// LED strip parts, in the order of the spec, with how many of their warnings have been
    /// written to stderr.
    pub strips: Vec<(&'static str, SharedWs2812Strip, Mutex<u64>)>,
    /// Sensor parts, in the order of the spec.
    pub sensors: Vec<(&'static str, SharedBme680)>,
    /// Button parts by name.
    pub buttons: BTreeMap<&'static str, SimButton>,
    /// `wasi:config` values.
    pub config: Vec<(&'static str, &'static str)>,
    /// Where frames go.
    pub frames: Mutex<FrameOut>,
}

/// Locks `m`, using the data even if a panic poisoned it (nothing here is left half-written).
pub fn lock<T: ?Sized>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl VirtualBoard {
    /// Wires the parts of `spec` as the host-side simulated board wires a board file's.
    pub fn build(spec: BoardSpec) -> VirtualBoard {
        let mut wiring = SimWiring::new();
        let hold = || Mutex::new(GuestHold::new(Reopen::Never));
        let lines: BTreeMap<&'static str, LineEntry> = spec
            .gpio
            .iter()
            .map(|l| {
                let initial = l.policy.initial_level.unwrap_or_default();
                let line = wiring.add_line(l.name, initial.is_high());
                let spec = l.clone();
                (
                    l.name,
                    LineEntry {
                        spec,
                        line,
                        hold: hold(),
                    },
                )
            })
            .collect();
        let pwm: BTreeMap<&'static str, PwmEntry> = spec
            .pwm
            .iter()
            .map(|p| {
                let channel = wiring.add_pwm(p.name, p.policy.default_frequency_hz);
                let spec = p.clone();
                (
                    p.name,
                    PwmEntry {
                        spec,
                        channel,
                        hold: hold(),
                    },
                )
            })
            .collect();
        let sensor = spec.sensors.first().map(|s| SensorEntry {
            spec: *s,
            dht22: Mutex::new(wiring.dht22(
                s.temperature_celsius,
                s.humidity_percent,
                s.fail_every,
            )),
            open: Mutex::new(false),
        });
        let i2c: BTreeMap<&'static str, I2cEntry> = spec
            .i2c
            .iter()
            .map(|b| {
                let bus = Mutex::new(wiring.add_i2c(b.name, b.frequency_hz));
                (
                    b.name,
                    I2cEntry {
                        spec: b.clone(),
                        bus,
                    },
                )
            })
            .collect();
        let mut displays = Vec::new();
        let mut strips = Vec::new();
        let mut sensors = Vec::new();
        let mut buttons = BTreeMap::new();
        for part in &spec.parts {
            match *part {
                PartSpec::Ssd1306Spi {
                    name,
                    panel,
                    spi,
                    dc,
                    res,
                } => {
                    let display = wiring.ssd1306_spi(panel, spi, dc, res);
                    displays.push((name, SimDisplay::Ssd1306(display)));
                }
                PartSpec::Ssd1331 {
                    name,
                    spi,
                    dc,
                    res,
                    vccen,
                } => {
                    let display = wiring.ssd1331(spi, dc, res, vccen);
                    displays.push((name, SimDisplay::Ssd1331(display)));
                }
                PartSpec::Ws2812 {
                    name,
                    spi,
                    model,
                    length,
                } => {
                    let strip = wiring.ws2812(spi, model, length);
                    displays.push((name, SimDisplay::LedStrip(strip.clone())));
                    strips.push((name, strip, Mutex::new(0)));
                }
                PartSpec::Ssd1306I2c {
                    name,
                    panel,
                    bus,
                    address,
                } => {
                    let display = wiring.ssd1306_i2c(panel, bus, address, None);
                    displays.push((name, SimDisplay::Ssd1306(display)));
                }
                PartSpec::Bme680 {
                    name,
                    bus,
                    address,
                    conditions,
                } => {
                    let variant = bme680::Bme680Variant::Bme680;
                    sensors.push((name, wiring.bme680(bus, address, variant, conditions)));
                }
                PartSpec::Buzzer {
                    name,
                    line,
                    active_high,
                    pitch_hz,
                } => {
                    if let Some((buzzer, line)) = wiring.active_buzzer(line, active_high, pitch_hz)
                    {
                        let mut reporter = ToneReporter::new(name);
                        line.watch(Box::new(move |_, _| reporter.report(&buzzer)));
                    }
                }
                PartSpec::PassiveBuzzer { name, pwm: channel } => {
                    if let Some((buzzer, channel)) = wiring.passive_buzzer(channel) {
                        let mut reporter = ToneReporter::new(name);
                        channel.watch(Box::new(move |_, _| reporter.report(&buzzer)));
                    }
                }
                PartSpec::Button {
                    name,
                    line,
                    active_high,
                } => {
                    if let Some(button) = wiring.button(line, Level::from(active_high)) {
                        buttons.insert(name, button);
                    }
                }
            }
        }
        let spi = spec
            .spi
            .iter()
            .map(|s| {
                let device = wiring.spi_device(s.name, s.policy.default_config);
                let device = Mutex::new(device);
                (
                    s.name,
                    SpiEntry {
                        spec: s.clone(),
                        device,
                    },
                )
            })
            .collect();
        let SimWiring { clock, trace, .. } = wiring;
        VirtualBoard {
            name: spec.name,
            guest: GuestId::fresh(),
            clock,
            trace,
            spi,
            i2c,
            lines,
            pwm,
            sensor,
            displays,
            strips,
            sensors,
            buttons,
            config: spec.config,
            frames: Mutex::new(FrameOut::from_env()),
        }
    }

    /// Called after every delay: a frame boundary. Writes the frames that are due, and the
    /// strips' new warnings.
    pub fn frame_boundary(&self) {
        let now = self.clock.now_ns();
        let mut out = lock(&self.frames);
        for (index, (name, display)) in self.displays.iter().enumerate() {
            out.sample(index, name, now, &display.frame(), display.is_lit());
        }
        for (name, strip, written) in &self.strips {
            report_strip_warnings(name, &lock(strip), &mut lock(written));
        }
    }
}

/// Writes the warnings of `strip` not written yet to stderr, one line each:
/// `wasi-hal-strip-warning strip=<name> time-ns=<ns> kind=<kind> <message>`. The strip keeps
/// the first 1000 and counts the rest: those are summed up in one line each time more came.
fn report_strip_warnings(name: &str, strip: &Ws2812Strip, written: &mut u64) {
    let kept = strip.warnings();
    let total = kept.len() as u64 + strip.warnings_dropped();
    if total == *written {
        return;
    }
    let from = usize::try_from(*written).unwrap_or(usize::MAX);
    for warning in kept.iter().skip(from) {
        eprintln!(
            "wasi-hal-strip-warning strip={name} time-ns={} kind={:?} {}",
            warning.time_ns, warning.kind, warning.message
        );
    }
    let already_dropped = written.saturating_sub(kept.len() as u64);
    let dropped = strip.warnings_dropped().saturating_sub(already_dropped);
    if dropped > 0 {
        eprintln!(
            "wasi-hal-strip-warning strip={name} {dropped} more warnings (only the first {} are \
             kept)",
            kept.len()
        );
    }
    *written = total;
}

/// Writes each tone a buzzer played to stderr when it ends, one line each:
/// `wasi-hal-tone buzzer=<name> start-ns=<ns> duration-ns=<ns> frequency-hz=<hz>`, so a person
/// (or a test) running the composition under any WASI 0.2 host hears what it played. It runs in
/// a watcher of what drives the buzzer (its line, or its PWM channel), registered after the
/// buzzer's own watcher, which records the tone.
struct ToneReporter {
    name: &'static str,
    /// How many tones have been written.
    reported: u64,
}

impl ToneReporter {
    fn new(name: &'static str) -> Self {
        Self { name, reported: 0 }
    }

    /// Writes the tones `buzzer` played since the last call.
    fn report(&mut self, buzzer: &SharedSimBuzzer) {
        let buzzer = lock(buzzer);
        let played = buzzer.played();
        if played == self.reported {
            return;
        }
        // The newest `played - reported` tones are the ones not written yet.
        let tones = buzzer.tones();
        let new = usize::try_from(played - self.reported).unwrap_or(usize::MAX);
        for tone in &tones[tones.len().saturating_sub(new)..] {
            eprintln!(
                "wasi-hal-tone buzzer={} start-ns={} duration-ns={} frequency-hz={}",
                self.name, tone.start_ns, tone.duration_ns, tone.frequency_hz
            );
        }
        self.reported = played;
    }
}
