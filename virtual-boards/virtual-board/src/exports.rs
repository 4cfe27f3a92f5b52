//! The exported interfaces, over the one [`VirtualBoard`] of the component.

use crate::Spec;
use crate::bindings::exports::sensor::environment::environment;
use crate::bindings::exports::wasi::config::store;
use crate::bindings::exports::wasi::delay::delay;
use crate::bindings::exports::wasi::gpio::gpio;
use crate::bindings::exports::wasi::i2c::i2c;
use crate::bindings::exports::wasi::pwm::pwm;
use crate::bindings::exports::wasi::spi::spi;
use crate::bindings::exports::wasi_hal::inspect::board as inspect;
use crate::board::{PWM_MAX_DUTY, VirtualBoard, lock};
use embedded_hal::i2c::{I2c as _, NoAcknowledgeSource};
use embedded_hal::spi::{Operation, SpiDevice as _};
use std::cell::Cell;
use std::marker::PhantomData;
use wasi_hal_policy::hold::HoldToken;
use wasi_hal_policy::{Level, SpiConfig, SpiMode};
use wasi_hal_sim::TraceKind;
use wasi_hal_sim::trace::TraceOp;

/// The component: every export, over the board `S` describes.
pub struct Component<S>(PhantomData<S>);

// ---------------------------------------------------------------------------------------------
// wasi:delay

impl<S: Spec> delay::Guest for Component<S> {
    fn delay_ns(ns: u32) {
        wait(S::board(), u64::from(ns));
    }

    fn delay_us(us: u32) {
        wait(S::board(), u64::from(us) * 1_000);
    }

    fn delay_ms(ms: u32) {
        wait(S::board(), u64::from(ms) * 1_000_000);
    }

    fn now_ns() -> u64 {
        S::board().clock.now_ns()
    }
}

/// A delay: virtual time moves on at once, then the displays are sampled (a frame boundary).
fn wait(board: &VirtualBoard, ns: u64) {
    board.clock.advance_ns(ns);
    board.frame_boundary();
}

// ---------------------------------------------------------------------------------------------
// wasi:spi

/// An open SPI device.
pub struct SpiHandle {
    board: &'static VirtualBoard,
    name: &'static str,
}

impl<S: Spec> spi::Guest for Component<S> {
    type Device = SpiHandle;

    fn get_device_names() -> Vec<String> {
        S::board().spi.keys().map(|n| n.to_string()).collect()
    }

    fn open_device(name: String) -> Result<spi::Device, spi::ErrorCode> {
        let board = S::board();
        let (&name, _) = board
            .spi
            .get_key_value(name.as_str())
            .ok_or(spi::ErrorCode::NotPermitted)?;
        Ok(spi::Device::new(SpiHandle { board, name }))
    }
}

impl SpiHandle {
    fn entry(&self) -> &crate::board::SpiEntry {
        &self.board.spi[self.name]
    }

    /// Runs `ops` as one transaction: the size cap first, then the simulated wire.
    fn run(&self, ops: Vec<spi::Operation>) -> Result<Vec<Vec<u8>>, spi::ErrorCode> {
        let entry = self.entry();
        // Guest-controlled sizes: checked before any read buffer is allocated.
        let total: u64 = ops
            .iter()
            .map(|op| match op {
                spi::Operation::Read(len) => u64::from(*len),
                spi::Operation::Write(d) | spi::Operation::Transfer(d) => d.len() as u64,
                spi::Operation::DelayNs(_) => 0,
            })
            .sum();
        if !entry.spec.policy.allows_transfer(total) {
            return Err(spi::ErrorCode::TooLarge);
        }
        enum Owned {
            Read(Vec<u8>),
            Write(Vec<u8>),
            Transfer(Vec<u8>),
            Delay(u32),
        }
        let mut owned: Vec<Owned> = ops
            .into_iter()
            .map(|op| match op {
                spi::Operation::Read(len) => Owned::Read(vec![0; len as usize]),
                spi::Operation::Write(d) => Owned::Write(d),
                spi::Operation::Transfer(d) => Owned::Transfer(d),
                spi::Operation::DelayNs(ns) => Owned::Delay(ns),
            })
            .collect();
        let mut hal: Vec<Operation<'_, u8>> = owned
            .iter_mut()
            .map(|op| match op {
                Owned::Read(b) => Operation::Read(b),
                Owned::Write(d) => Operation::Write(d),
                Owned::Transfer(b) => Operation::TransferInPlace(b),
                Owned::Delay(ns) => Operation::DelayNs(*ns),
            })
            .collect();
        lock(&entry.device)
            .transaction(&mut hal)
            .map_err(|_| spi::ErrorCode::Other)?;
        drop(hal);
        Ok(owned
            .into_iter()
            .filter_map(|op| match op {
                Owned::Read(b) | Owned::Transfer(b) => Some(b),
                Owned::Write(_) | Owned::Delay(_) => None,
            })
            .collect())
    }
}

fn wit_config(c: SpiConfig) -> spi::Config {
    spi::Config {
        frequency_hz: c.frequency_hz,
        mode: match c.mode {
            SpiMode::Mode0 => spi::Mode::Mode0,
            SpiMode::Mode1 => spi::Mode::Mode1,
            SpiMode::Mode2 => spi::Mode::Mode2,
            SpiMode::Mode3 => spi::Mode::Mode3,
        },
        bit_order: if c.lsb_first {
            spi::BitOrder::LsbFirst
        } else {
            spi::BitOrder::MsbFirst
        },
    }
}

impl spi::GuestDevice for SpiHandle {
    fn configure(&self, requested: spi::Config) -> Result<spi::Config, spi::ErrorCode> {
        let entry = self.entry();
        let mut device = lock(&entry.device);
        let requested = SpiConfig {
            frequency_hz: requested.frequency_hz,
            mode: match requested.mode {
                spi::Mode::Mode0 => SpiMode::Mode0,
                spi::Mode::Mode1 => SpiMode::Mode1,
                spi::Mode::Mode2 => SpiMode::Mode2,
                spi::Mode::Mode3 => SpiMode::Mode3,
            },
            lsb_first: matches!(requested.bit_order, spi::BitOrder::LsbFirst),
        };
        // The host's rule (host/policy): every refusal is `not-permitted`.
        let effective = entry
            .spec
            .policy
            .effective_config(device.config(), requested)
            .map_err(|_| spi::ErrorCode::NotPermitted)?;
        device.set_config(effective);
        Ok(wit_config(effective))
    }

    fn current_config(&self) -> spi::Config {
        wit_config(lock(&self.entry().device).config())
    }

    fn max_transfer_bytes(&self) -> u32 {
        self.entry().spec.policy.max_transfer_bytes
    }

    fn read(&self, len: u32) -> Result<Vec<u8>, spi::ErrorCode> {
        self.run(vec![spi::Operation::Read(len)])
            .map(|mut b| b.pop().unwrap_or_default())
    }

    fn write(&self, data: Vec<u8>) -> Result<(), spi::ErrorCode> {
        self.run(vec![spi::Operation::Write(data)]).map(drop)
    }

    fn transfer(&self, data: Vec<u8>) -> Result<Vec<u8>, spi::ErrorCode> {
        self.run(vec![spi::Operation::Transfer(data)])
            .map(|mut b| b.pop().unwrap_or_default())
    }

    fn transaction(&self, operations: Vec<spi::Operation>) -> Result<Vec<Vec<u8>>, spi::ErrorCode> {
        self.run(operations)
    }
}

// ---------------------------------------------------------------------------------------------
// wasi:i2c

/// An open I2C bus.
pub struct I2cHandle {
    board: &'static VirtualBoard,
    name: &'static str,
}

impl<S: Spec> i2c::Guest for Component<S> {
    type Bus = I2cHandle;

    fn get_bus_names() -> Vec<String> {
        S::board().i2c.keys().map(|n| n.to_string()).collect()
    }

    fn open_bus(name: String) -> Result<i2c::Bus, i2c::ErrorCode> {
        let board = S::board();
        let (&name, _) = board
            .i2c
            .get_key_value(name.as_str())
            .ok_or(i2c::ErrorCode::NotPermitted)?;
        Ok(i2c::Bus::new(I2cHandle { board, name }))
    }
}

impl I2cHandle {
    fn run(&self, address: u8, ops: Vec<i2c::Operation>) -> Result<Vec<Vec<u8>>, i2c::ErrorCode> {
        let entry = &self.board.i2c[self.name];
        // Policy first: a refused address never reaches the bus.
        if !entry.spec.policy.allows(address) {
            return Err(i2c::ErrorCode::AddressNotPermitted);
        }
        let total: u64 = ops
            .iter()
            .map(|op| match op {
                i2c::Operation::Read(len) => u64::from(*len),
                i2c::Operation::Write(d) => d.len() as u64,
            })
            .sum();
        if !entry.spec.policy.allows_transfer(total) {
            return Err(i2c::ErrorCode::TooLarge);
        }
        let mut owned: Vec<(bool, Vec<u8>)> = ops
            .into_iter()
            .map(|op| match op {
                i2c::Operation::Read(len) => (true, vec![0; len as usize]),
                i2c::Operation::Write(d) => (false, d),
            })
            .collect();
        let mut hal: Vec<embedded_hal::i2c::Operation<'_>> = owned
            .iter_mut()
            .map(|(read, buf)| {
                if *read {
                    embedded_hal::i2c::Operation::Read(buf)
                } else {
                    embedded_hal::i2c::Operation::Write(buf)
                }
            })
            .collect();
        let result = lock(&entry.bus).transaction(address, &mut hal);
        drop(hal);
        result.map_err(|e| {
            use embedded_hal::i2c::{Error as _, ErrorKind};
            match e.kind() {
                ErrorKind::NoAcknowledge(source) => i2c::ErrorCode::NoAcknowledge(match source {
                    NoAcknowledgeSource::Address => i2c::NoAcknowledgeSource::Address,
                    NoAcknowledgeSource::Data => i2c::NoAcknowledgeSource::Data,
                    NoAcknowledgeSource::Unknown => i2c::NoAcknowledgeSource::Unknown,
                }),
                ErrorKind::Bus => i2c::ErrorCode::Bus,
                ErrorKind::ArbitrationLoss => i2c::ErrorCode::ArbitrationLoss,
                ErrorKind::Overrun => i2c::ErrorCode::Overrun,
                _ => i2c::ErrorCode::Other,
            }
        })?;
        Ok(owned
            .into_iter()
            .filter_map(|(read, buf)| read.then_some(buf))
            .collect())
    }
}

impl i2c::GuestBus for I2cHandle {
    fn max_transfer_bytes(&self) -> u32 {
        self.board.i2c[self.name].spec.policy.max_transfer_bytes
    }

    fn transaction(
        &self,
        address: u8,
        operations: Vec<i2c::Operation>,
    ) -> Result<Vec<Vec<u8>>, i2c::ErrorCode> {
        self.run(address, operations)
    }

    fn read(&self, address: u8, len: u32) -> Result<Vec<u8>, i2c::ErrorCode> {
        self.run(address, vec![i2c::Operation::Read(len)])
            .map(|mut b| b.pop().unwrap_or_default())
    }

    fn write(&self, address: u8, data: Vec<u8>) -> Result<(), i2c::ErrorCode> {
        self.run(address, vec![i2c::Operation::Write(data)])
            .map(drop)
    }

    fn write_read(&self, address: u8, data: Vec<u8>, len: u32) -> Result<Vec<u8>, i2c::ErrorCode> {
        self.run(
            address,
            vec![i2c::Operation::Write(data), i2c::Operation::Read(len)],
        )
        .map(|mut b| b.pop().unwrap_or_default())
    }
}

// ---------------------------------------------------------------------------------------------
// wasi:gpio

/// An open GPIO line; dropping it lets the line go (an output returns to its safe level).
pub struct PinHandle {
    board: &'static VirtualBoard,
    name: &'static str,
    /// This handle's share of the line's hold.
    hold: HoldToken,
    output: bool,
    /// The level this handle drives, for `get-level`.
    driven: Cell<bool>,
}

impl PinHandle {
    fn entry(&self) -> &crate::board::LineEntry {
        &self.board.lines[self.name]
    }
}

impl Drop for PinHandle {
    fn drop(&mut self) {
        let entry = self.entry();
        let ended = lock(&entry.hold).release(self.hold);
        if ended && self.output {
            entry.line.set(entry.spec.policy.safe_level.is_high());
        }
    }
}

fn open_pin(
    board: &'static VirtualBoard,
    name: &str,
    output: Option<bool>,
) -> Result<PinHandle, gpio::ErrorCode> {
    let (&name, entry) = board
        .lines
        .get_key_value(name)
        .ok_or(gpio::ErrorCode::PinNotAllowed)?;
    let allowed = match output {
        Some(_) => entry.spec.policy.modes.output,
        None => entry.spec.policy.modes.input,
    };
    if !allowed {
        return Err(gpio::ErrorCode::ModeNotAllowed);
    }
    let hold = lock(&entry.hold)
        .acquire(board.guest)
        .map_err(|_| gpio::ErrorCode::AlreadyInUse)?;
    if let Some(high) = output {
        entry.line.set(high);
    }
    Ok(PinHandle {
        board,
        name,
        hold,
        output: output.is_some(),
        driven: Cell::new(output.unwrap_or(false)),
    })
}

fn is_high(level: gpio::Level) -> bool {
    matches!(level, gpio::Level::High)
}

fn level(high: bool) -> gpio::Level {
    match Level::from(high) {
        Level::High => gpio::Level::High,
        Level::Low => gpio::Level::Low,
    }
}

impl<S: Spec> gpio::Guest for Component<S> {
    type OutputPin = PinHandle;
    type InputPin = PinHandle;

    fn get_pins() -> Vec<gpio::PinInfo> {
        S::board()
            .lines
            .values()
            .map(|l| {
                let mut modes = gpio::PinModes::empty();
                if l.spec.policy.modes.input {
                    modes = modes | gpio::PinModes::INPUT;
                }
                if l.spec.policy.modes.output {
                    modes = modes | gpio::PinModes::OUTPUT;
                }
                gpio::PinInfo {
                    name: l.spec.name.to_string(),
                    modes,
                }
            })
            .collect()
    }

    fn open_output(name: String, initial: gpio::Level) -> Result<gpio::OutputPin, gpio::ErrorCode> {
        open_pin(S::board(), &name, Some(is_high(initial))).map(gpio::OutputPin::new)
    }

    fn open_input(name: String) -> Result<gpio::InputPin, gpio::ErrorCode> {
        open_pin(S::board(), &name, None).map(gpio::InputPin::new)
    }
}

impl gpio::GuestOutputPin for PinHandle {
    fn set_level(&self, new: gpio::Level) -> Result<(), gpio::ErrorCode> {
        let high = is_high(new);
        self.driven.set(high);
        self.entry().line.set(high);
        Ok(())
    }

    fn get_level(&self) -> gpio::Level {
        level(self.driven.get())
    }
}

impl gpio::GuestInputPin for PinHandle {
    fn read_level(&self) -> Result<gpio::Level, gpio::ErrorCode> {
        Ok(level(self.entry().line.is_high_now()))
    }

    fn wait_for_edge(&self, edge: gpio::Edge, timeout_ns: u64) -> Result<bool, gpio::ErrorCode> {
        // Nothing else runs while a guest waits in a composition (the only other party, the
        // inspecting host, calls in between guest calls), so no edge can come: the wait is
        // the whole timeout in virtual time.
        let _ = edge;
        self.board.clock.advance_ns(timeout_ns);
        Ok(false)
    }
}

// ---------------------------------------------------------------------------------------------
// wasi:pwm

/// An open PWM channel; dropping it switches the channel off and lets it go.
pub struct PwmHandle {
    board: &'static VirtualBoard,
    name: &'static str,
    /// This handle's share of the channel's hold.
    hold: HoldToken,
}

impl PwmHandle {
    fn entry(&self) -> &crate::board::PwmEntry {
        &self.board.pwm[self.name]
    }
}

/// Switches `channel` off as the host does (`wasi-hal-pwm`): output off first, then duty 0.
fn switch_off(channel: &wasi_hal_sim::SimPwm) {
    channel.set_enabled(false);
    channel.set_duty(0);
}

impl Drop for PwmHandle {
    fn drop(&mut self) {
        let entry = self.entry();
        if lock(&entry.hold).release(self.hold) {
            switch_off(&entry.channel);
        }
    }
}

impl<S: Spec> pwm::Guest for Component<S> {
    type Channel = PwmHandle;

    fn get_channels() -> Vec<pwm::ChannelInfo> {
        S::board()
            .pwm
            .values()
            .map(|p| pwm::ChannelInfo {
                name: p.spec.name.to_string(),
                min_frequency_hz: p.spec.policy.min_frequency_hz,
                max_frequency_hz: p.spec.policy.max_frequency_hz,
            })
            .collect()
    }

    fn open(name: String) -> Result<pwm::Channel, pwm::ErrorCode> {
        let board = S::board();
        let (&name, entry) = board
            .pwm
            .get_key_value(name.as_str())
            .ok_or(pwm::ErrorCode::ChannelNotAllowed)?;
        let hold = lock(&entry.hold)
            .acquire(board.guest)
            .map_err(|_| pwm::ErrorCode::AlreadyInUse)?;
        // Opened off, duty 0, at the board's default frequency, as on the host.
        switch_off(&entry.channel);
        entry
            .channel
            .set_frequency(entry.spec.policy.default_frequency_hz);
        Ok(pwm::Channel::new(PwmHandle { board, name, hold }))
    }
}

impl pwm::GuestChannel for PwmHandle {
    fn max_duty_cycle(&self) -> u16 {
        PWM_MAX_DUTY
    }

    fn set_duty_cycle(&self, duty: u16) -> Result<(), pwm::ErrorCode> {
        if duty > PWM_MAX_DUTY {
            return Err(pwm::ErrorCode::DutyCycleOutOfRange);
        }
        self.entry().channel.set_duty(duty);
        Ok(())
    }

    fn get_duty_cycle(&self) -> u16 {
        self.entry().channel.setting().duty
    }

    fn set_frequency(&self, frequency_hz: u32) -> Result<u32, pwm::ErrorCode> {
        let entry = self.entry();
        let hz = entry
            .spec
            .policy
            .check_frequency(frequency_hz)
            .map_err(|_| pwm::ErrorCode::FrequencyNotAllowed)?;
        Ok(entry.channel.set_frequency(hz))
    }

    fn get_frequency(&self) -> u32 {
        self.entry().channel.setting().frequency_hz
    }

    fn set_enabled(&self, enabled: bool) -> Result<(), pwm::ErrorCode> {
        self.entry().channel.set_enabled(enabled);
        Ok(())
    }

    fn is_enabled(&self) -> bool {
        self.entry().channel.setting().enabled
    }
}

// ---------------------------------------------------------------------------------------------
// sensor:environment

/// The board's host-read sensor, open; dropping it lets the guest open it again.
pub struct SensorHandle {
    board: &'static VirtualBoard,
}

impl SensorHandle {
    fn entry(&self) -> &crate::board::SensorEntry {
        self.board
            .sensor
            .as_ref()
            .expect("a handle is only made for a board with a sensor")
    }
}

impl Drop for SensorHandle {
    fn drop(&mut self) {
        *lock(&self.entry().open) = false;
    }
}

impl<S: Spec> environment::Guest for Component<S> {
    type Sensor = SensorHandle;

    fn open() -> Result<environment::Sensor, environment::ErrorCode> {
        let board = S::board();
        // As the host answers: no `[sensor.NAME]` is `not-connected`, a second open `in-use`.
        let entry = board
            .sensor
            .as_ref()
            .ok_or(environment::ErrorCode::NotConnected)?;
        let mut open = lock(&entry.open);
        if *open {
            return Err(environment::ErrorCode::InUse);
        }
        *open = true;
        Ok(environment::Sensor::new(SensorHandle { board }))
    }
}

impl environment::GuestSensor for SensorHandle {
    fn get_info(&self) -> environment::SensorInfo {
        // The kernel's driver for DHT11 and DHT22 is `dht11`, and that is what the host says.
        environment::SensorInfo {
            model: "dht11".to_string(),
            quantities: environment::Quantities::TEMPERATURE | environment::Quantities::HUMIDITY,
        }
    }

    fn measure(&self) -> Result<environment::Measurement, environment::ErrorCode> {
        let entry = self.entry();
        let reading = lock(&entry.dht22).read().map_err(|_| {
            // The kernel's EIO: the host logs it and the app gets `bus-error`.
            eprintln!(
                "virtual board: sensor `{}`: EIO from the simulated DHT22",
                entry.spec.name
            );
            environment::ErrorCode::BusError
        })?;
        Ok(environment::Measurement {
            temperature_celsius: Some(f64::from(reading.temperature_milli_celsius) / 1000.0),
            pressure_pa: None,
            humidity_percent: Some(f64::from(reading.humidity_milli_percent) / 1000.0),
            gas_resistance_ohm: None,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// wasi:config/store

impl<S: Spec> store::Guest for Component<S> {
    fn get(key: String) -> Result<Option<String>, store::Error> {
        Ok(S::board()
            .config
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.to_string()))
    }

    fn get_all() -> Result<Vec<(String, String)>, store::Error> {
        Ok(S::board()
            .config
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect())
    }
}

// ---------------------------------------------------------------------------------------------
// wasi-hal:inspect/board

fn bus_op(op: TraceOp) -> inspect::BusOp {
    match op {
        TraceOp::Write { bytes } => inspect::BusOp::Write(bytes),
        TraceOp::Read { bytes } => inspect::BusOp::Read(bytes),
        TraceOp::Transfer { written, read } => inspect::BusOp::Transfer((written, read)),
        TraceOp::Delay { ns } => inspect::BusOp::DelayNs(ns),
    }
}

fn wit_conditions(c: wasi_hal_sim::bme680::Conditions) -> inspect::Conditions {
    inspect::Conditions {
        temperature_celsius: c.temperature_celsius,
        pressure_pa: c.pressure_pa,
        humidity_percent: c.humidity_percent,
        gas_resistance_ohm: c.gas_resistance_ohm,
    }
}

impl<S: Spec> inspect::Guest for Component<S> {
    fn name() -> String {
        S::board().name.to_string()
    }

    fn now_ns() -> u64 {
        S::board().clock.now_ns()
    }

    fn display_names() -> Vec<String> {
        S::board()
            .displays
            .iter()
            .map(|(n, _)| n.to_string())
            .collect()
    }

    fn display_frame(name: String) -> Option<inspect::Frame> {
        let (_, display) = S::board().displays.iter().find(|(n, _)| *n == name)?;
        let frame = display.frame();
        Some(inspect::Frame {
            width: frame.width,
            height: frame.height,
            rgb: frame.rgb,
            lit: display.is_lit(),
        })
    }

    fn line_names() -> Vec<String> {
        S::board().lines.keys().map(|n| n.to_string()).collect()
    }

    fn line_level(name: String) -> Option<bool> {
        S::board()
            .lines
            .get(name.as_str())
            .map(|l| l.line.is_high_now())
    }

    fn set_button(name: String, pressed: bool) -> bool {
        let Some(button) = S::board().buttons.get(name.as_str()) else {
            return false;
        };
        if pressed {
            button.press();
        } else {
            button.release();
        }
        true
    }

    fn sensor_names() -> Vec<String> {
        S::board()
            .sensors
            .iter()
            .map(|(n, _)| n.to_string())
            .collect()
    }

    fn sensor_conditions(name: String) -> Option<inspect::Conditions> {
        let (_, sensor) = S::board().sensors.iter().find(|(n, _)| *n == name)?;
        match lock(sensor).environment() {
            wasi_hal_sim::bme680::Environment::Conditions(c) => Some(wit_conditions(c)),
            // Raw samples are only set by tests of the model itself, never by a board spec.
            wasi_hal_sim::bme680::Environment::Raw(_) => None,
        }
    }

    fn set_sensor_conditions(name: String, conditions: inspect::Conditions) -> bool {
        let Some((_, sensor)) = S::board().sensors.iter().find(|(n, _)| *n == name) else {
            return false;
        };
        lock(sensor).set_conditions(wasi_hal_sim::bme680::Conditions {
            temperature_celsius: conditions.temperature_celsius,
            pressure_pa: conditions.pressure_pa,
            humidity_percent: conditions.humidity_percent,
            gas_resistance_ohm: conditions.gas_resistance_ohm,
        });
        true
    }

    fn start_trace() {
        S::board().trace.enable();
    }

    fn take_trace() -> Vec<inspect::TraceEvent> {
        S::board()
            .trace
            .take()
            .into_iter()
            .filter_map(|e| {
                Some(inspect::TraceEvent {
                    time_ns: e.time_ns,
                    kind: match e.kind {
                        TraceKind::Spi { device, ops } => {
                            inspect::EventKind::Spi(inspect::SpiEvent {
                                device,
                                ops: ops.into_iter().map(bus_op).collect(),
                            })
                        }
                        TraceKind::I2c {
                            bus,
                            address,
                            ops,
                            error,
                        } => inspect::EventKind::I2c(inspect::I2cEvent {
                            bus,
                            address,
                            ops: ops.into_iter().map(bus_op).collect(),
                            error,
                        }),
                        TraceKind::Gpio { line, high } => {
                            inspect::EventKind::Gpio(inspect::GpioEvent { line, high })
                        }
                        // `wasi-hal:inspect` has no PWM event: a passive buzzer's tones go to
                        // stderr instead.
                        TraceKind::Pwm { .. } => return None,
                    },
                })
            })
            .collect()
    }
}
