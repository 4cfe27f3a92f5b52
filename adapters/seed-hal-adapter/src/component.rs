//! The component: each export of the seed's interfaces calls wasi-hal's imports.

use crate::errors::{gpio_other_message, spi_other_message, u32_chunks};
use crate::levels::{FlagConflict, Polarity, Requested};
use alloc::format;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use component_runtime as _;
use core::cell::{Cell, RefCell};

mod bindings {
    #![allow(missing_docs, reason = "generated")]
    wit_bindgen::generate!({
        path: [
            "../../wit/wasi-spi",
            "../../wit/wasi-gpio",
            "../../wit/wasi-delay",
            "../wit/seed-spi",
            "../wit/seed-gpio",
            "wit",
        ],
        world: "wasi-hal:seed-hal-adapter/adapter",
        generate_all,
    });
}

use bindings::exports::wasi::gpio0_2_0::{delay as seed_delay, digital, general, poll};
use bindings::exports::wasi::spi::spi as seed_spi;
use bindings::wasi::delay::delay as hal_delay;
use bindings::wasi::gpio0_1_0::gpio as hal_gpio;
use bindings::wasi::spi0_1_0::spi as hal_spi;

use digital::{DigitalConfig, DigitalFlag, PinState};
use general::{ActiveLevel, GpioError, PinMode};

struct Adapter;

bindings::export!(Adapter with_types_in bindings);

// ---------------------------------------------------------------- SPI

/// A wasi-hal SPI error code as the seed's `error`.
fn spi_error(code: hal_spi::ErrorCode) -> seed_spi::Error {
    use hal_spi::ErrorCode as C;
    match code {
        C::Overrun => seed_spi::Error::Overrun,
        C::ModeFault => seed_spi::Error::ModeFault,
        C::FrameFormat => seed_spi::Error::FrameFormat,
        C::ChipSelectFault => seed_spi::Error::ChipSelectFault,
        C::NotPermitted => seed_spi::Error::Other(spi_other_message("not-permitted")),
        C::InUse => seed_spi::Error::Other(spi_other_message("in-use")),
        C::TooLarge => seed_spi::Error::Other(spi_other_message("too-large")),
        C::Other => seed_spi::Error::Other(spi_other_message("other")),
    }
}

/// A length from the seed's `u64` as wasi-hal's `u32`; longer than any host allows anyway.
fn spi_len(len: u64) -> Result<u32, seed_spi::Error> {
    u32::try_from(len).map_err(|_| {
        seed_spi::Error::Other(format!(
            "a read of {len} bytes: wasi:spi@0.1.0 reads at most {} bytes at once",
            u32::MAX
        ))
    })
}

/// An opened device: wasi-hal's, as the seed's `spi-device`.
struct SpiDevice(hal_spi::Device);

impl seed_spi::Guest for Adapter {
    type SpiDevice = SpiDevice;

    fn get_device_names() -> Vec<String> {
        hal_spi::get_device_names()
    }

    fn open_device(name: String) -> Result<seed_spi::SpiDevice, seed_spi::Error> {
        let device = hal_spi::open_device(&name).map_err(spi_error)?;
        Ok(seed_spi::SpiDevice::new(SpiDevice(device)))
    }
}

impl seed_spi::GuestSpiDevice for SpiDevice {
    fn configure(&self, config: seed_spi::Config) -> Result<(), seed_spi::Error> {
        use seed_spi::Mode as M;
        let requested = hal_spi::Config {
            frequency_hz: config.frequency,
            mode: match config.mode {
                M::Mode0 => hal_spi::Mode::Mode0,
                M::Mode1 => hal_spi::Mode::Mode1,
                M::Mode2 => hal_spi::Mode::Mode2,
                M::Mode3 => hal_spi::Mode::Mode3,
            },
            bit_order: if config.lsb_first {
                hal_spi::BitOrder::LsbFirst
            } else {
                hal_spi::BitOrder::MsbFirst
            },
        };
        // The host may grant less than asked (a clamped clock): the seed's `configure` has no
        // way to say so, and the host's board file is what decides either way.
        self.0.configure(requested).map(drop).map_err(spi_error)
    }

    fn read(&self, len: u64) -> Result<Vec<u8>, seed_spi::Error> {
        self.0.read(spi_len(len)?).map_err(spi_error)
    }

    fn write(&self, data: Vec<u8>) -> Result<(), seed_spi::Error> {
        self.0.write(&data).map_err(spi_error)
    }

    fn transfer(&self, data: Vec<u8>) -> Result<Vec<u8>, seed_spi::Error> {
        self.0.transfer(&data).map_err(spi_error)
    }

    fn transaction(
        &self,
        operations: Vec<seed_spi::Operation>,
    ) -> Result<Vec<seed_spi::OperationResult>, seed_spi::Error> {
        use seed_spi::Operation as Op;
        let mut hal_ops = Vec::with_capacity(operations.len());
        for op in &operations {
            hal_ops.push(match op {
                Op::Read(len) => hal_spi::Operation::Read(spi_len(*len)?),
                Op::Write(data) => hal_spi::Operation::Write(data.clone()),
                Op::Transfer(data) => hal_spi::Operation::Transfer(data.clone()),
                Op::DelayNs(ns) => hal_spi::Operation::DelayNs(*ns),
            });
        }
        // wasi-hal returns one buffer per read and transfer, in order.
        let mut buffers = self.0.transaction(&hal_ops).map_err(spi_error)?.into_iter();
        let mut next = || {
            buffers.next().ok_or_else(|| {
                seed_spi::Error::Other(String::from(
                    "the host returned fewer buffers than the transaction has reads",
                ))
            })
        };
        operations
            .iter()
            .map(|op| {
                Ok(match op {
                    Op::Read(_) => seed_spi::OperationResult::Read(next()?),
                    Op::Write(_) => seed_spi::OperationResult::Write,
                    Op::Transfer(_) => seed_spi::OperationResult::Transfer(next()?),
                    Op::DelayNs(_) => seed_spi::OperationResult::Delay,
                })
            })
            .collect()
    }
}

// ---------------------------------------------------------------- GPIO

/// A wasi-hal GPIO error code as the seed's `gpio-error`.
fn gpio_error(code: hal_gpio::ErrorCode) -> GpioError {
    use hal_gpio::ErrorCode as C;
    match code {
        C::PinNotAllowed => GpioError::PinNotAllowed,
        C::ModeNotAllowed => GpioError::PinModeNotAllowed,
        C::AlreadyInUse => GpioError::AlreadyInUse,
        C::Other => GpioError::Other(gpio_other_message("other")),
    }
}

/// Whether `all` holds `flag`.
fn has(all: DigitalFlag, flag: DigitalFlag) -> bool {
    (all & flag) == flag
}

/// The flags given to `get`, checked: a label the host does not list is `undefined-pin-label`
/// (the host would say `pin-not-allowed`, which is also true but says less).
fn requested(label: &str, flags: &[DigitalFlag]) -> Result<Requested, GpioError> {
    let all = flags.iter().fold(DigitalFlag::empty(), |a, f| a | *f);
    let requested = Requested::from_flags([
        has(all, DigitalFlag::ACTIVE_HIGH),
        has(all, DigitalFlag::ACTIVE_LOW),
        has(all, DigitalFlag::PULL_UP),
        has(all, DigitalFlag::PULL_DOWN),
        has(all, DigitalFlag::ACTIVE),
        has(all, DigitalFlag::INACTIVE),
        has(all, DigitalFlag::INPUT),
        has(all, DigitalFlag::OUTPUT),
    ])
    .map_err(|conflict| match conflict {
        FlagConflict::BothPolarities | FlagConflict::BothStartStates => GpioError::InvalidFlag,
    })?;
    if !hal_gpio::get_pins().iter().any(|p| p.name == label) {
        return Err(GpioError::UndefinedPinLabel);
    }
    Ok(requested)
}

fn level(high: bool) -> hal_gpio::Level {
    if high {
        hal_gpio::Level::High
    } else {
        hal_gpio::Level::Low
    }
}

fn state(active: bool) -> PinState {
    if active {
        PinState::Active
    } else {
        PinState::Inactive
    }
}

fn active_level(polarity: Polarity) -> ActiveLevel {
    match polarity {
        Polarity::ActiveHigh => ActiveLevel::ActiveHigh,
        Polarity::ActiveLow => ActiveLevel::ActiveLow,
    }
}

/// An output opened through wasi-hal, with the polarity the guest asked for.
struct Output {
    label: String,
    polarity: Polarity,
    pin: hal_gpio::OutputPin,
}

impl Output {
    fn open(label: String, flags: Vec<DigitalFlag>) -> Result<Self, GpioError> {
        let r = requested(&label, &flags)?;
        if r.input {
            return Err(GpioError::PinModeNotAllowed);
        }
        let initial = r.polarity.level_of(r.start_active.unwrap_or(false));
        let pin = hal_gpio::open_output(&label, level(initial)).map_err(gpio_error)?;
        Ok(Self {
            label,
            polarity: r.polarity,
            pin,
        })
    }

    fn config(&self) -> DigitalConfig {
        DigitalConfig {
            label: self.label.clone(),
            pin_mode: PinMode::Out,
            active_level: active_level(self.polarity),
            pull_resistor: None,
        }
    }

    fn set(&self, active: bool) -> Result<(), GpioError> {
        self.pin
            .set_level(level(self.polarity.level_of(active)))
            .map_err(gpio_error)
    }

    fn is_set_active(&self) -> bool {
        self.polarity
            .is_active(self.pin.get_level() == hal_gpio::Level::High)
    }
}

/// An input opened through wasi-hal, shared with the pollables that watch it.
struct Input {
    label: String,
    polarity: Polarity,
    pin: hal_gpio::InputPin,
}

impl Input {
    fn open(label: String, flags: Vec<DigitalFlag>) -> Result<Self, GpioError> {
        let r = requested(&label, &flags)?;
        if r.output {
            return Err(GpioError::PinModeNotAllowed);
        }
        let pin = hal_gpio::open_input(&label).map_err(gpio_error)?;
        Ok(Self {
            label,
            polarity: r.polarity,
            pin,
        })
    }

    fn config(&self) -> DigitalConfig {
        DigitalConfig {
            label: self.label.clone(),
            pin_mode: PinMode::In,
            active_level: active_level(self.polarity),
            pull_resistor: None,
        }
    }

    fn is_active(&self) -> Result<bool, GpioError> {
        let high = self.pin.read_level().map_err(gpio_error)? == hal_gpio::Level::High;
        Ok(self.polarity.is_active(high))
    }
}

struct DigitalOutPin(Output);
struct StatefulDigitalOutPin(Output);
struct DigitalInPin(Rc<Input>);

/// A pin that is an input or an output at a time: switching reopens it through the host,
/// which checks that the board allows the new direction.
struct DigitalInOutPin {
    label: String,
    polarity: Polarity,
    pin: RefCell<InOut>,
}

enum InOut {
    In(hal_gpio::InputPin),
    Out(hal_gpio::OutputPin),
    /// Between closing one direction and opening the other, when the second open failed.
    Closed,
}

impl digital::Guest for Adapter {
    type DigitalOutPin = DigitalOutPin;
    type StatefulDigitalOutPin = StatefulDigitalOutPin;
    type DigitalInPin = DigitalInPin;
    type DigitalInOutPin = DigitalInOutPin;
}

/// The methods the seed's two output resources share, on the [`Output`] each one wraps.
macro_rules! output_methods {
    () => {
        fn get_config(&self) -> Result<DigitalConfig, GpioError> {
            Ok(self.0.config())
        }
        fn is_ready(&self) -> bool {
            true
        }
        fn set_state(&self, s: PinState) -> Result<(), GpioError> {
            self.0.set(s == PinState::Active)
        }
        fn set_active(&self) -> Result<(), GpioError> {
            self.0.set(true)
        }
        fn set_inactive(&self) -> Result<(), GpioError> {
            self.0.set(false)
        }
    };
}

impl digital::GuestDigitalOutPin for DigitalOutPin {
    fn get(label: String, flags: Vec<DigitalFlag>) -> Result<digital::DigitalOutPin, GpioError> {
        Ok(digital::DigitalOutPin::new(Self(Output::open(
            label, flags,
        )?)))
    }
    output_methods!();
}

impl digital::GuestStatefulDigitalOutPin for StatefulDigitalOutPin {
    fn get(
        label: String,
        flags: Vec<DigitalFlag>,
    ) -> Result<digital::StatefulDigitalOutPin, GpioError> {
        Ok(digital::StatefulDigitalOutPin::new(Self(Output::open(
            label, flags,
        )?)))
    }
    output_methods!();
    fn toggle(&self) -> Result<(), GpioError> {
        self.0.set(!self.0.is_set_active())
    }
    fn is_set_active(&self) -> Result<bool, GpioError> {
        Ok(self.0.is_set_active())
    }
    fn is_set_inactive(&self) -> Result<bool, GpioError> {
        Ok(!self.0.is_set_active())
    }
    fn get_state(&self) -> Result<PinState, GpioError> {
        Ok(state(self.0.is_set_active()))
    }
}

impl digital::GuestDigitalInPin for DigitalInPin {
    fn get(label: String, flags: Vec<DigitalFlag>) -> Result<digital::DigitalInPin, GpioError> {
        Ok(digital::DigitalInPin::new(Self(Rc::new(Input::open(
            label, flags,
        )?))))
    }
    fn get_config(&self) -> Result<DigitalConfig, GpioError> {
        Ok(self.0.config())
    }
    fn is_ready(&self) -> bool {
        true
    }
    fn read(&self) -> Result<PinState, GpioError> {
        Ok(state(self.0.is_active()?))
    }
    fn is_active(&self) -> Result<bool, GpioError> {
        self.0.is_active()
    }
    fn is_inactive(&self) -> Result<bool, GpioError> {
        Ok(!self.0.is_active()?)
    }
    fn watch_state(&self, s: PinState) -> Result<poll::Pollable, GpioError> {
        Ok(Pollable::level(&self.0, s == PinState::Active))
    }
    fn watch_active(&self) -> Result<poll::Pollable, GpioError> {
        Ok(Pollable::level(&self.0, true))
    }
    fn watch_inactive(&self) -> Result<poll::Pollable, GpioError> {
        Ok(Pollable::level(&self.0, false))
    }
    fn watch_falling_edge(&self) -> Result<poll::Pollable, GpioError> {
        Ok(Pollable::edge(&self.0, hal_gpio::Edge::Falling))
    }
    fn watch_rising_edge(&self) -> Result<poll::Pollable, GpioError> {
        Ok(Pollable::edge(&self.0, hal_gpio::Edge::Rising))
    }
}

impl DigitalInOutPin {
    fn with_output<R>(
        &self,
        f: impl FnOnce(&hal_gpio::OutputPin) -> Result<R, GpioError>,
    ) -> Result<R, GpioError> {
        match &*self.pin.borrow() {
            InOut::Out(pin) => f(pin),
            InOut::In(_) => Err(GpioError::PinModeNotAvailable),
            InOut::Closed => Err(GpioError::ResourceInvalidated),
        }
    }

    fn set(&self, active: bool) -> Result<(), GpioError> {
        self.with_output(|pin| {
            pin.set_level(level(self.polarity.level_of(active)))
                .map_err(gpio_error)
        })
    }

    fn is_active(&self) -> Result<bool, GpioError> {
        let high = match &*self.pin.borrow() {
            InOut::Out(pin) => pin.get_level(),
            InOut::In(pin) => pin.read_level().map_err(gpio_error)?,
            InOut::Closed => return Err(GpioError::ResourceInvalidated),
        } == hal_gpio::Level::High;
        Ok(self.polarity.is_active(high))
    }
}

impl digital::GuestDigitalInOutPin for DigitalInOutPin {
    fn get(label: String, flags: Vec<DigitalFlag>) -> Result<digital::DigitalInOutPin, GpioError> {
        let r = requested(&label, &flags)?;
        if r.input && r.output {
            return Err(GpioError::InvalidFlag);
        }
        let pin = if r.output {
            let initial = r.polarity.level_of(r.start_active.unwrap_or(false));
            InOut::Out(hal_gpio::open_output(&label, level(initial)).map_err(gpio_error)?)
        } else if r.input {
            InOut::In(hal_gpio::open_input(&label).map_err(gpio_error)?)
        } else {
            return Err(GpioError::MissingFlags);
        };
        Ok(digital::DigitalInOutPin::new(Self {
            label,
            polarity: r.polarity,
            pin: RefCell::new(pin),
        }))
    }
    fn get_config(&self) -> Result<DigitalConfig, GpioError> {
        Ok(DigitalConfig {
            label: self.label.clone(),
            pin_mode: match &*self.pin.borrow() {
                InOut::Out(_) => PinMode::Out,
                InOut::In(_) | InOut::Closed => PinMode::In,
            },
            active_level: active_level(self.polarity),
            pull_resistor: None,
        })
    }
    fn is_ready(&self) -> bool {
        !matches!(&*self.pin.borrow(), InOut::Closed)
    }
    fn set_state(&self, s: PinState) -> Result<(), GpioError> {
        self.set(s == PinState::Active)
    }
    fn set_active(&self) -> Result<(), GpioError> {
        self.set(true)
    }
    fn set_inactive(&self) -> Result<(), GpioError> {
        self.set(false)
    }
    fn read(&self) -> Result<PinState, GpioError> {
        Ok(state(self.is_active()?))
    }
    fn is_active(&self) -> Result<bool, GpioError> {
        DigitalInOutPin::is_active(self)
    }
    fn is_inactive(&self) -> Result<bool, GpioError> {
        Ok(!DigitalInOutPin::is_active(self)?)
    }
    fn set_pin_mode(&self, mode: PinMode) -> Result<(), GpioError> {
        let mut pin = self.pin.borrow_mut();
        let keep_level = match (&*pin, mode) {
            (InOut::Out(_), PinMode::Out) | (InOut::In(_), PinMode::In) => return Ok(()),
            (InOut::Out(out), PinMode::In) => Some(out.get_level()),
            _ => None,
        };
        // The host holds a pin for one open at a time: close it before opening it again.
        *pin = InOut::Closed;
        *pin = match mode {
            PinMode::In => InOut::In(hal_gpio::open_input(&self.label).map_err(gpio_error)?),
            PinMode::Out => {
                let initial = keep_level.unwrap_or(level(self.polarity.level_of(false)));
                InOut::Out(hal_gpio::open_output(&self.label, initial).map_err(gpio_error)?)
            }
        };
        Ok(())
    }
}

// ---------------------------------------------------------------- poll

/// What a pollable waits for, on the input it watches.
enum Watch {
    /// The pin in this logical state (`true` = active).
    Level(bool),
    /// A voltage edge; `seen` once one came (it stays ready, as an edge that happened did).
    Edge {
        edge: hal_gpio::Edge,
        seen: Cell<bool>,
    },
}

/// A condition on an input pin.
struct Pollable {
    input: Rc<Input>,
    watch: Watch,
}

/// How long one wait of `block` and `poll` lasts before the conditions are checked again.
const POLL_SLICE_NS: u64 = 1_000_000;

impl Pollable {
    fn level(input: &Rc<Input>, active: bool) -> poll::Pollable {
        poll::Pollable::new(Self {
            input: Rc::clone(input),
            watch: Watch::Level(active),
        })
    }

    fn edge(input: &Rc<Input>, edge: hal_gpio::Edge) -> poll::Pollable {
        poll::Pollable::new(Self {
            input: Rc::clone(input),
            watch: Watch::Edge {
                edge,
                seen: Cell::new(false),
            },
        })
    }

    /// Whether the condition holds, waiting at most `timeout_ns` for an edge.
    fn check(&self, timeout_ns: u64) -> bool {
        match &self.watch {
            // A pin that cannot be read is not in the state.
            Watch::Level(active) => self.input.is_active().is_ok_and(|a| a == *active),
            Watch::Edge { edge, seen } => {
                if !seen.get() && self.input.pin.wait_for_edge(*edge, timeout_ns) == Ok(true) {
                    seen.set(true);
                }
                seen.get()
            }
        }
    }
}

impl poll::Guest for Adapter {
    type Pollable = Pollable;

    fn poll(in_: Vec<poll::PollableBorrow<'_>>) -> Vec<u32> {
        if in_.is_empty() {
            return Vec::new();
        }
        loop {
            let ready: Vec<u32> = in_
                .iter()
                .enumerate()
                .filter(|(_, p)| p.get::<Pollable>().check(0))
                .map(|(i, _)| i as u32)
                .collect();
            if !ready.is_empty() {
                return ready;
            }
            // Wait on the first one for a slice (an edge on it ends the wait early).
            in_[0].get::<Pollable>().check(POLL_SLICE_NS);
        }
    }
}

impl poll::GuestPollable for Pollable {
    fn ready(&self) -> bool {
        self.check(0)
    }

    fn block(&self) {
        while !self.check(POLL_SLICE_NS) {
            if let Watch::Level(_) = self.watch {
                // A level can only change with an edge: wait for one.
                let _ = self
                    .input
                    .pin
                    .wait_for_edge(hal_gpio::Edge::Both, POLL_SLICE_NS);
            }
        }
    }
}

// ---------------------------------------------------------------- delay

impl seed_delay::Guest for Adapter {
    fn delay_ns(ns: u64) {
        u32_chunks(ns).for_each(hal_delay::delay_ns);
    }
    fn delay_us(us: u64) {
        u32_chunks(us).for_each(hal_delay::delay_us);
    }
    fn delay_ms(ms: u64) {
        u32_chunks(ms).for_each(hal_delay::delay_ms);
    }
}
