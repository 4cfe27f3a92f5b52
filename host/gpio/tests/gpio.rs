//! The GPIO host crate under a real Wasmtime, driven by the guest `GPIO_PINS` against
//! recording fake pins and simulated lines.

use embedded_hal::digital::{ErrorType, InputPin, OutputPin};
use std::sync::{Arc, Mutex, OnceLock};
use test_programs_artifacts::*;
use wasi_hal_delay::DelayBackend;
use wasi_hal_gpio::{Level, PinModes, PinPolicy, SharedPin, WasiGpioCtx, WasiGpioView};
use wasi_hal_sim::{SimClock, SimLine, Trace};
use wasmtime::component::{
    Component, ComponentNamedList, Instance, Lift, Linker, Lower, ResourceTable,
};
use wasmtime::{Engine, Store};

// Every test program of test-programs-gpio must have a test below.
macro_rules! assert_test_exists {
    ($name:ident) => {
        #[expect(unused_imports, reason = "only checks that the test exists")]
        use self::$name as _;
    };
}
foreach_gpio!(assert_test_exists);

/// A fake output pin that records every level it is driven to (`true` = high).
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<bool>>>);

impl Recorder {
    fn levels(&self) -> Vec<bool> {
        self.0.lock().unwrap().clone()
    }
}

impl ErrorType for Recorder {
    type Error = core::convert::Infallible;
}

impl OutputPin for Recorder {
    fn set_low(&mut self) -> Result<(), Self::Error> {
        self.0.lock().unwrap().push(false);
        Ok(())
    }
    fn set_high(&mut self) -> Result<(), Self::Error> {
        self.0.lock().unwrap().push(true);
        Ok(())
    }
}

/// A fake input pin whose level the test sets; it records how often it was read.
#[derive(Clone, Default)]
struct Button(Arc<Mutex<(bool, usize)>>);

impl ErrorType for Button {
    type Error = core::convert::Infallible;
}

impl InputPin for Button {
    fn is_high(&mut self) -> Result<bool, Self::Error> {
        let mut s = self.0.lock().unwrap();
        s.1 += 1;
        Ok(s.0)
    }
    fn is_low(&mut self) -> Result<bool, Self::Error> {
        Ok(!self.is_high()?)
    }
}

struct State {
    gpio: WasiGpioCtx,
    table: ResourceTable,
}

struct Guest {
    store: Store<State>,
    instance: Instance,
}

fn engine_and_component() -> &'static (Engine, Component) {
    static CELL: OnceLock<(Engine, Component)> = OnceLock::new();
    CELL.get_or_init(|| {
        let engine = Engine::default();
        let component = Component::from_file(&engine, GPIO_PINS).unwrap();
        (engine, component)
    })
}

impl Guest {
    fn new(gpio: WasiGpioCtx) -> Self {
        let (engine, component) = engine_and_component();
        let mut linker = Linker::<State>::new(engine);
        wasi_hal_gpio::add_to_linker(&mut linker, |s| WasiGpioView {
            ctx: &mut s.gpio,
            table: &mut s.table,
        })
        .unwrap();
        let mut store = Store::new(
            engine,
            State {
                gpio,
                table: ResourceTable::new(),
            },
        );
        let instance = linker.instantiate(&mut store, component).unwrap();
        Self { store, instance }
    }

    fn try_call<P, R>(&mut self, name: &str, params: P) -> wasmtime::Result<R>
    where
        P: ComponentNamedList + Lower,
        R: ComponentNamedList + Lift,
    {
        let func = self
            .instance
            .get_typed_func::<P, R>(&mut self.store, name)
            .unwrap();
        func.call(&mut self.store, params)
    }

    fn call<P, R>(&mut self, name: &str, params: P) -> R
    where
        P: ComponentNamedList + Lower,
        R: ComponentNamedList + Lift,
    {
        self.try_call(name, params).unwrap()
    }

    fn open_output(&mut self, name: &str, high: bool) -> Result<(), String> {
        self.call::<(&str, bool), (Result<(), String>,)>("open-output", (name, high))
            .0
    }

    fn open_input(&mut self, name: &str) -> Result<(), String> {
        self.call::<(&str,), (Result<(), String>,)>("open-input", (name,))
            .0
    }

    fn set(&mut self, high: bool) -> Result<(), String> {
        self.call::<(bool,), (Result<(), String>,)>("set", (high,))
            .0
    }

    fn read(&mut self) -> Result<bool, String> {
        self.call::<(), (Result<bool, String>,)>("read", ()).0
    }

    fn wait(&mut self, edge: u8, timeout_ns: u64) -> Result<bool, String> {
        self.call::<(u8, u64), (Result<bool, String>,)>("wait", (edge, timeout_ns))
            .0
    }

    fn close_all(&mut self) {
        self.call::<(), ()>("close-all", ())
    }
}

fn ctx(pins: &[(&str, &SharedPin)]) -> WasiGpioCtx {
    let mut builder = WasiGpioCtx::builder();
    for (name, pin) in pins {
        builder.pin(*name, pin);
    }
    builder.build()
}

fn output_policy(safe: Level) -> PinPolicy {
    PinPolicy {
        modes: PinModes::OUTPUT,
        initial_level: None,
        safe_level: safe,
    }
}

#[test]
fn gpio_pins() {
    let led = Recorder::default();
    let led_pin = SharedPin::from_hal_output(led.clone(), output_policy(Level::Low)).unwrap();
    let button = Button::default();
    let button_pin = SharedPin::from_hal_input(
        button.clone(),
        PinPolicy {
            modes: PinModes::BOTH, // the backend can only do input
            ..PinPolicy::default()
        },
    )
    .unwrap();
    let mut guest = Guest::new(ctx(&[("button", &button_pin), ("led", &led_pin)]));

    let (pins,) = guest.call::<(), (Vec<(String, bool, bool)>,)>("pins", ());
    assert_eq!(
        pins,
        [("button".into(), true, false), ("led".into(), false, true)]
    );

    guest.open_output("led", true).unwrap();
    assert!(guest.call::<(), (bool,)>("get", ()).0);
    guest.set(false).unwrap();
    assert!(!guest.call::<(), (bool,)>("get", ()).0);
    guest.set(true).unwrap();
    assert_eq!(led.levels(), [true, false, true]);
    assert_eq!(led_pin.driven_level(), Some(Level::High));

    guest.open_input("button").unwrap();
    assert_eq!(guest.read(), Ok(false));
    button.0.lock().unwrap().0 = true;
    assert_eq!(guest.read(), Ok(true));
    // The rise since the pin was opened counts as an edge, once.
    assert_eq!(guest.wait(0, 2_000_000), Ok(true));
    // No new edge within 2 ms of real time.
    assert_eq!(guest.wait(2, 2_000_000), Ok(false));
    assert!(button.0.lock().unwrap().1 >= 3, "the input was polled");
}

#[test]
fn names_modes_and_holders_are_enforced() {
    let led = SharedPin::from_hal_output(Recorder::default(), output_policy(Level::Low)).unwrap();
    let mut a = Guest::new(ctx(&[("led", &led)]));
    let mut b = Guest::new(ctx(&[("led", &led)]));
    assert_eq!(
        a.open_output("buzzer", true).unwrap_err(),
        "pin-not-allowed"
    );
    assert_eq!(a.open_input("buzzer").unwrap_err(), "pin-not-allowed");
    assert_eq!(a.open_input("led").unwrap_err(), "mode-not-allowed");
    assert!(!led.is_held());

    a.open_output("led", false).unwrap();
    // Another handle of the same guest, or another guest: already in use.
    assert_eq!(a.open_output("led", false).unwrap_err(), "already-in-use");
    assert_eq!(b.open_output("led", false).unwrap_err(), "already-in-use");
    a.close_all();
    b.open_output("led", true).unwrap();
    drop(b);
    assert!(!led.is_held());
    a.open_output("led", true).unwrap();
}

#[test]
fn outputs_return_to_their_safe_level_when_dropped_or_the_store_ends() {
    let reset = Recorder::default();
    let policy = PinPolicy {
        modes: PinModes::OUTPUT,
        initial_level: Some(Level::High),
        safe_level: Level::High,
    };
    let pin = SharedPin::from_hal_output(reset.clone(), policy).unwrap();
    // The board drove the initial level when it set the pin up.
    assert_eq!(reset.levels(), [true]);

    let mut guest = Guest::new(ctx(&[("reset", &pin)]));
    guest.open_output("reset", false).unwrap();
    assert_eq!(pin.driven_level(), Some(Level::Low));
    // The guest drops its handle: back to the safe level.
    guest.close_all();
    assert_eq!(reset.levels(), [true, false, true]);
    assert_eq!(pin.driven_level(), Some(Level::High));

    guest.open_output("reset", false).unwrap();
    assert_eq!(pin.driven_level(), Some(Level::Low));
    // The store ends with the handle still open: back to the safe level.
    drop(guest);
    assert_eq!(reset.levels(), [true, false, true, false, true]);
    assert!(!pin.is_held());
}

#[test]
fn outputs_return_to_their_safe_level_after_a_trap() {
    let clock = SimClock::new();
    let line = SimLine::new("enable", false, clock.clone(), Trace::new());
    let pin = SharedPin::from_sim_line(
        line.clone(),
        DelayBackend::virtual_time(clock),
        output_policy(Level::Low),
    )
    .unwrap();

    // A host that drops the store after the trap.
    let mut guest = Guest::new(ctx(&[("enable", &pin)]));
    let trapped = guest.try_call::<(&str,), ()>("drive-and-trap", ("enable",));
    assert!(trapped.is_err(), "the guest trapped");
    assert!(
        line.is_high_now(),
        "the guest drove the line high before it trapped"
    );
    drop(guest);
    assert!(!line.is_high_now());
    assert!(!pin.is_held());

    // A host that keeps the trapped store releases its pins at once.
    let mut guest = Guest::new(ctx(&[("enable", &pin)]));
    assert!(
        guest
            .try_call::<(&str,), ()>("drive-and-trap", ("enable",))
            .is_err()
    );
    assert!(line.is_high_now());
    guest.store.data_mut().gpio.release_all();
    assert!(!line.is_high_now());
    assert!(!pin.is_held());
    // Another guest can use it; the trapped one's stale handle no longer drives it.
    let mut other = Guest::new(ctx(&[("enable", &pin)]));
    other.open_output("enable", true).unwrap();
    drop(guest);
    assert!(
        line.is_high_now(),
        "dropping the trapped store left the new holder alone"
    );
    // History: low, high (trap 1), low, high (trap 2), low, high (other).
    let levels: Vec<bool> = line.history().into_iter().map(|(_, h)| h).collect();
    assert_eq!(levels, [false, true, false, true, false, true]);
}

#[test]
fn edges_on_a_simulated_line_in_virtual_time() {
    let clock = SimClock::new();
    let line = SimLine::new("irq", false, clock.clone(), Trace::new());
    let pin = SharedPin::from_sim_line(
        line.clone(),
        DelayBackend::virtual_time(clock.clone()),
        PinPolicy {
            modes: PinModes::INPUT,
            ..PinPolicy::default()
        },
    )
    .unwrap();
    let mut guest = Guest::new(ctx(&[("irq", &pin)]));
    assert_eq!(
        guest.open_output("irq", true).unwrap_err(),
        "mode-not-allowed"
    );
    guest.open_input("irq").unwrap();
    // No edge: the timeout passes in virtual time, at once.
    let start = std::time::Instant::now();
    assert_eq!(guest.wait(2, 60_000_000_000), Ok(false));
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(clock.now_ns(), 60_000_000_000);
    // An edge between waits is reported without moving time.
    line.set(true);
    assert_eq!(guest.read(), Ok(true));
    assert_eq!(guest.wait(0, 1_000), Ok(true));
    assert_eq!(clock.now_ns(), 60_000_000_000);
    // A falling edge does not satisfy a wait for a rising one.
    line.set(false);
    assert_eq!(guest.wait(0, 1_000), Ok(false));
    assert_eq!(clock.now_ns(), 60_000_001_000);
}
