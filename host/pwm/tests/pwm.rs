//! The PWM host crate under a real Wasmtime, driven by the guest `PWM_CHANNEL` against
//! simulated channels and a fake sysfs PWM chip (plain files laid out as the kernel's
//! `/sys/class/pwm` has them).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use test_programs_artifacts::*;
use wasi_hal_pwm::{
    PwmPolicy, SYSFS_MAX_DUTY_CYCLE, SharedPwmChannel, SysfsPwmChannel, WasiPwmCtx, WasiPwmView,
};
use wasi_hal_sim::{SimClock, SimPwm};
use wasmtime::component::{
    Component, ComponentNamedList, Instance, Lift, Linker, Lower, ResourceTable,
};
use wasmtime::{Engine, Store};

// Every test program of test-programs-pwm must have a test below.
macro_rules! assert_test_exists {
    ($name:ident) => {
        #[expect(unused_imports, reason = "only checks that the test exists")]
        use self::$name as _;
    };
}
foreach_pwm!(assert_test_exists);

struct State {
    pwm: WasiPwmCtx,
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
        let component = Component::from_file(&engine, PWM_CHANNEL).unwrap();
        (engine, component)
    })
}

type Res<T> = Result<T, String>;

impl Guest {
    fn new(channels: &[(&str, &SharedPwmChannel)]) -> Self {
        let mut builder = WasiPwmCtx::builder();
        for (name, channel) in channels {
            builder.channel(*name, channel);
        }
        let (engine, component) = engine_and_component();
        let mut linker = Linker::<State>::new(engine);
        wasi_hal_pwm::add_to_linker(&mut linker, |s| WasiPwmView {
            ctx: &mut s.pwm,
            table: &mut s.table,
        })
        .unwrap();
        let mut store = Store::new(
            engine,
            State {
                pwm: builder.build(),
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

    fn open(&mut self, name: &str) -> Res<()> {
        self.call::<(&str,), (Res<()>,)>("open", (name,)).0
    }

    fn set_duty(&mut self, duty: u16) -> Res<()> {
        self.call::<(u16,), (Res<()>,)>("set-duty", (duty,)).0
    }

    fn set_frequency(&mut self, hz: u32) -> Res<u32> {
        self.call::<(u32,), (Res<u32>,)>("set-frequency", (hz,)).0
    }

    fn set_enabled(&mut self, on: bool) -> Res<()> {
        self.call::<(bool,), (Res<()>,)>("set-enabled", (on,)).0
    }

    fn state(&mut self) -> (bool, u32, u16) {
        self.call::<(), ((bool, u32, u16),)>("state", ()).0
    }

    fn max_duty(&mut self) -> u16 {
        self.call::<(), (u16,)>("max-duty", ()).0
    }
}

fn policy() -> PwmPolicy {
    PwmPolicy::new(100, 8_000, 2_000).unwrap()
}

fn sim_channel(name: &str) -> (SimPwm, SharedPwmChannel) {
    let sim = SimPwm::new(name, 1_000, 1_000, SimClock::new());
    let shared = SharedPwmChannel::new(wasi_hal_pwm::Hal(sim.clone()), policy()).unwrap();
    (sim, shared)
}

/// `PWM_CHANNEL` sets a simulated channel within the board's policy.
#[test]
fn pwm_channel() {
    let (sim, buzzer) = sim_channel("buzzer");
    assert_eq!(
        sim.setting().frequency_hz,
        2_000,
        "the board brings the channel up at the default frequency"
    );
    let mut guest = Guest::new(&[("buzzer", &buzzer)]);
    assert_eq!(
        guest
            .call::<(), (Vec<(String, u32, u32)>,)>("channels", ())
            .0,
        vec![("buzzer".to_string(), 100, 8_000)]
    );
    assert_eq!(guest.open("fan"), Err("channel-not-allowed".into()));
    guest.open("buzzer").unwrap();
    assert_eq!(guest.open("buzzer"), Err("already-in-use".into()));
    assert_eq!(guest.state(), (false, 2_000, 0));
    assert_eq!(guest.max_duty(), 1_000);

    assert_eq!(guest.set_frequency(99), Err("frequency-not-allowed".into()));
    assert_eq!(
        guest.set_frequency(8_001),
        Err("frequency-not-allowed".into())
    );
    assert_eq!(guest.set_duty(1_001), Err("duty-cycle-out-of-range".into()));
    assert_eq!(
        sim.setting().frequency_hz,
        2_000,
        "a refused frequency changes nothing"
    );

    assert_eq!(guest.set_frequency(440), Ok(440));
    guest.set_duty(500).unwrap();
    guest.set_enabled(true).unwrap();
    assert_eq!(guest.state(), (true, 440, 500));
    let setting = sim.setting();
    assert!(setting.enabled && setting.is_pulsing());
    assert_eq!((setting.frequency_hz, setting.duty), (440, 500));

    // Dropping the handle switches the channel off; the next open starts at the default.
    guest.call::<(), ()>("close-all", ());
    assert!(!sim.setting().enabled);
    assert_eq!(sim.setting().duty, 0);
    assert!(!buzzer.is_held());
    guest.open("buzzer").unwrap();
    assert_eq!(guest.state(), (false, 2_000, 0));
}

#[test]
fn another_guest_waits_for_the_channel_and_a_trap_switches_it_off() {
    let (sim, buzzer) = sim_channel("buzzer");
    let mut first = Guest::new(&[("buzzer", &buzzer)]);
    let mut second = Guest::new(&[("buzzer", &buzzer)]);
    first.open("buzzer").unwrap();
    assert_eq!(second.open("buzzer"), Err("already-in-use".into()));
    drop(first);
    second.open("buzzer").unwrap();
    drop(second);

    // A host that drops the store after the trap.
    let mut guest = Guest::new(&[("buzzer", &buzzer)]);
    assert!(
        guest
            .try_call::<(&str,), ()>("enable-and-trap", ("buzzer",))
            .is_err()
    );
    assert!(sim.setting().is_pulsing(), "on before the trap");
    drop(guest);
    assert!(!sim.setting().enabled);
    assert!(!buzzer.is_held());

    // A host that keeps the trapped store releases its channels at once.
    let mut guest = Guest::new(&[("buzzer", &buzzer)]);
    assert!(
        guest
            .try_call::<(&str,), ()>("enable-and-trap", ("buzzer",))
            .is_err()
    );
    assert!(sim.setting().enabled);
    guest.store.data_mut().pwm.release_all();
    assert!(!sim.setting().enabled);
    assert!(!buzzer.is_held());
}

/// A fake `pwmchipN` directory under the system's temp folder, removed when dropped.
struct FakeChip(PathBuf);

impl FakeChip {
    /// A chip with `npwm` channels; `exported` have their `pwmM/` directory already.
    fn new(test: &str, npwm: u32, exported: &[u32]) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "wasi-hal-pwm-{test}-{}/pwmchip0",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(dir.parent().unwrap());
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("npwm"), format!("{npwm}\n")).unwrap();
        fs::write(dir.join("export"), "").unwrap();
        for channel in exported {
            let ch = dir.join(format!("pwm{channel}"));
            fs::create_dir_all(&ch).unwrap();
            // What a channel may hold from an earlier user.
            fs::write(ch.join("period"), "5000000\n").unwrap();
            fs::write(ch.join("duty_cycle"), "2500000\n").unwrap();
            fs::write(ch.join("enable"), "1\n").unwrap();
        }
        Self(dir)
    }

    fn read(&self, file: &str) -> String {
        fs::read_to_string(self.0.join(file)).unwrap()
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for FakeChip {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(self.0.parent().unwrap());
    }
}

#[test]
fn pwm_channel_writes_period_duty_and_enable_to_sysfs() {
    let chip = FakeChip::new("sysfs", 2, &[0]);
    let backend = SysfsPwmChannel::open(chip.path(), 0, 2_000).unwrap();
    let channel = SharedPwmChannel::new(backend, policy()).unwrap();
    // Brought up off, duty 0, at the default period (500 us).
    assert_eq!(chip.read("pwm0/enable"), "0");
    assert_eq!(chip.read("pwm0/duty_cycle"), "0");
    assert_eq!(chip.read("pwm0/period"), "500000");
    assert_eq!(
        chip.read("export"),
        "",
        "an exported channel is not exported again"
    );

    let mut guest = Guest::new(&[("buzzer", &channel)]);
    guest.open("buzzer").unwrap();
    assert_eq!(guest.max_duty(), SYSFS_MAX_DUTY_CYCLE);
    guest.set_duty(SYSFS_MAX_DUTY_CYCLE / 4).unwrap();
    assert_eq!(chip.read("pwm0/duty_cycle"), "124994");
    // The duty cycle keeps its share of the new period.
    assert_eq!(guest.set_frequency(1_000), Ok(1_000));
    assert_eq!(chip.read("pwm0/period"), "1000000");
    assert_eq!(chip.read("pwm0/duty_cycle"), "249988");
    guest.set_enabled(true).unwrap();
    assert_eq!(chip.read("pwm0/enable"), "1");
    assert_eq!(guest.set_frequency(50), Err("frequency-not-allowed".into()));
    assert_eq!(chip.read("pwm0/period"), "1000000");

    // What the kernel refuses comes back as `other`, not a trap; the guest can go on.
    fs::remove_file(chip.path().join("pwm0/duty_cycle")).unwrap();
    fs::create_dir(chip.path().join("pwm0/duty_cycle")).unwrap();
    assert_eq!(guest.set_duty(10), Err("other".into()));
    guest.set_enabled(false).unwrap();
    assert_eq!(chip.read("pwm0/enable"), "0");
}

#[test]
fn a_sysfs_channel_is_exported_and_a_missing_one_named() {
    let chip = FakeChip::new("export", 2, &[]);
    // The fake kernel does not create pwm1/, so the export is written and then reported.
    let err = SysfsPwmChannel::open(chip.path(), 1, 1_000).unwrap_err();
    assert_eq!(chip.read("export"), "1");
    assert!(err.to_string().contains("pwm1 did not appear"), "{err}");

    let err = SysfsPwmChannel::open(chip.path(), 2, 1_000).unwrap_err();
    assert!(
        err.to_string().contains("has 2 channels, no channel 2"),
        "{err}"
    );

    let missing = chip.path().with_file_name("pwmchip9");
    let err = SysfsPwmChannel::open(&missing, 0, 1_000).unwrap_err();
    assert!(err.to_string().contains("no PWM chip at"), "{err}");
    assert!(err.to_string().contains("pwmchip9"), "{err}");
}
