//! The SPI host crate under a real Wasmtime, driven by the guest `SPI_DEVICE` against recording
//! fake devices.

use embedded_hal::spi::{ErrorKind, ErrorType, Operation, SpiDevice};
use std::sync::{Arc, Mutex, OnceLock};
use test_programs_artifacts::*;
use wasi_hal_spi::{
    AboveMaximum, ApplySpiSettings, SharedSpiDevice, SpiConfig, SpiMode, SpiPolicy, WasiSpiCtx,
    WasiSpiView,
};
use wasmtime::component::{
    Component, ComponentNamedList, Instance, Lift, Linker, Lower, ResourceTable,
};
use wasmtime::{Engine, Store};

// Every test program of test-programs-spi must have a test below.
macro_rules! assert_test_exists {
    ($name:ident) => {
        #[expect(unused_imports, reason = "only checks that the test exists")]
        use self::$name as _;
    };
}
foreach_spi!(assert_test_exists);

/// One operation as the fake device saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Seen {
    Read(usize),
    Write(Vec<u8>),
    Transfer(Vec<u8>),
    Delay(u32),
}

#[derive(Default)]
struct Log {
    transactions: Vec<Vec<Seen>>,
    configs: Vec<SpiConfig>,
    fail: Option<ErrorKind>,
}

/// A fake SPI device that records every call. Reads return 0xA5 bytes, transfers return the
/// inverted bytes sent.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Log>>);

impl Recorder {
    fn log(&self) -> std::sync::MutexGuard<'_, Log> {
        self.0.lock().unwrap()
    }
    fn transactions(&self) -> Vec<Vec<Seen>> {
        self.log().transactions.clone()
    }
}

#[derive(Debug)]
struct FakeError(ErrorKind);

impl embedded_hal::spi::Error for FakeError {
    fn kind(&self) -> ErrorKind {
        self.0
    }
}

impl ErrorType for Recorder {
    type Error = FakeError;
}

impl SpiDevice for Recorder {
    fn transaction(&mut self, operations: &mut [Operation<'_, u8>]) -> Result<(), FakeError> {
        let mut log = self.log();
        let seen = operations
            .iter_mut()
            .map(|op| match op {
                Operation::Read(buf) => {
                    buf.fill(0xA5);
                    Seen::Read(buf.len())
                }
                Operation::Write(data) => Seen::Write(data.to_vec()),
                Operation::TransferInPlace(buf) => {
                    let sent = buf.to_vec();
                    buf.iter_mut().for_each(|b| *b = !*b);
                    Seen::Transfer(sent)
                }
                Operation::Transfer(_, write) => Seen::Transfer(write.to_vec()),
                Operation::DelayNs(ns) => Seen::Delay(*ns),
            })
            .collect();
        log.transactions.push(seen);
        match log.fail {
            Some(kind) => Err(FakeError(kind)),
            None => Ok(()),
        }
    }
}

impl ApplySpiSettings for Recorder {
    fn apply_spi_settings(&mut self, config: &SpiConfig) -> Result<(), FakeError> {
        self.log().configs.push(*config);
        Ok(())
    }
}

struct State {
    spi: WasiSpiCtx,
    table: ResourceTable,
}

/// One guest: a store with its context and an instance of the test program.
struct Guest {
    store: Store<State>,
    instance: Instance,
}

fn engine() -> &'static Engine {
    static CELL: OnceLock<Engine> = OnceLock::new();
    CELL.get_or_init(Engine::default)
}

/// The `device` program, compiled once.
fn device_component() -> &'static Component {
    static CELL: OnceLock<Component> = OnceLock::new();
    CELL.get_or_init(|| Component::from_file(engine(), SPI_DEVICE).unwrap())
}

impl Guest {
    /// The `device` program.
    fn new(spi: WasiSpiCtx) -> Self {
        Self::of(device_component(), spi)
    }

    /// Any program of test-programs-spi.
    fn of(component: &Component, spi: WasiSpiCtx) -> Self {
        let engine = engine();
        let mut linker = Linker::<State>::new(engine);
        wasi_hal_spi::add_to_linker(&mut linker, |s| WasiSpiView {
            ctx: &mut s.spi,
            table: &mut s.table,
        })
        .unwrap();
        let mut store = Store::new(
            engine,
            State {
                spi,
                table: ResourceTable::new(),
            },
        );
        let instance = linker.instantiate(&mut store, component).unwrap();
        Self { store, instance }
    }

    fn call<P, R>(&mut self, name: &str, params: P) -> R
    where
        P: ComponentNamedList + Lower,
        R: ComponentNamedList + Lift,
    {
        let func = self
            .instance
            .get_typed_func::<P, R>(&mut self.store, name)
            .unwrap();
        func.call(&mut self.store, params).unwrap()
    }

    fn open(&mut self, name: &str) -> Result<(), String> {
        self.call::<(&str,), (Result<(), String>,)>("open", (name,))
            .0
    }

    fn configure(&mut self, hz: u32, mode: u8, lsb: bool) -> Result<(u32, u8, bool), String> {
        self.call::<_, (Result<(u32, u8, bool), String>,)>("configure", (hz, mode, lsb))
            .0
    }

    fn read(&mut self, len: u32) -> Result<Vec<u8>, String> {
        self.call::<(u32,), (Result<Vec<u8>, String>,)>("read", (len,))
            .0
    }

    fn write(&mut self, data: &[u8]) -> Result<(), String> {
        self.call::<(&[u8],), (Result<(), String>,)>("write", (data,))
            .0
    }

    fn transfer(&mut self, data: &[u8]) -> Result<Vec<u8>, String> {
        self.call::<(&[u8],), (Result<Vec<u8>, String>,)>("transfer", (data,))
            .0
    }

    fn transaction(&mut self, data: &[u8], read_len: u32) -> Result<Vec<Vec<u8>>, String> {
        self.call::<(&[u8], u32), (Result<Vec<Vec<u8>>, String>,)>("transaction", (data, read_len))
            .0
    }

    fn close_all(&mut self) {
        self.call::<(), ()>("close-all", ())
    }
}

fn ctx(devices: &[(&str, &SharedSpiDevice)]) -> WasiSpiCtx {
    let mut builder = WasiSpiCtx::builder();
    for (name, device) in devices {
        builder.device(*name, device);
    }
    builder.build()
}

#[test]
fn spi_device() {
    let fake = Recorder::default();
    let device = SharedSpiDevice::from_hal(fake.clone(), SpiPolicy::default());
    let other = SharedSpiDevice::from_hal(Recorder::default(), SpiPolicy::default());
    let mut guest = Guest::new(ctx(&[("display", &device), ("flash", &other)]));

    let (names,) = guest.call::<(), (Vec<String>,)>("names", ());
    assert_eq!(names, ["display", "flash"]);

    guest.open("display").unwrap();
    assert!(device.is_held());
    assert!(!other.is_held());
    assert_eq!(guest.call::<(), (u32,)>("max-transfer", ()).0, 4096);
    assert_eq!(
        guest.call::<(), ((u32, u8, bool),)>("current", ()).0,
        (1_000_000, 0, false)
    );

    assert_eq!(guest.read(3).unwrap(), [0xA5; 3]);
    guest.write(&[1, 2, 3]).unwrap();
    assert_eq!(guest.transfer(&[0x0F, 0xF0]).unwrap(), [0xF0, 0x0F]);
    assert_eq!(
        fake.transactions(),
        [
            vec![Seen::Read(3)],
            vec![Seen::Write(vec![1, 2, 3])],
            vec![Seen::Transfer(vec![0x0F, 0xF0])],
        ]
    );
}

#[test]
fn one_guest_transaction_is_one_backend_transaction() {
    let fake = Recorder::default();
    let device = SharedSpiDevice::from_hal(fake.clone(), SpiPolicy::default());
    let mut guest = Guest::new(ctx(&[("display", &device)]));
    guest.open("display").unwrap();

    let results = guest.transaction(&[0x11, 0x22], 4).unwrap();
    // One buffer per read and transfer, in order.
    assert_eq!(results, [vec![0xA5; 4], vec![0xEE, 0xDD]]);
    assert_eq!(
        fake.transactions(),
        [vec![
            Seen::Write(vec![0x11, 0x22]),
            Seen::Read(4),
            Seen::Transfer(vec![0x11, 0x22]),
            Seen::Delay(1000),
        ]]
    );
}

#[test]
fn an_unknown_name_is_not_permitted() {
    let device = SharedSpiDevice::from_hal(Recorder::default(), SpiPolicy::default());
    let mut guest = Guest::new(ctx(&[("display", &device)]));
    assert_eq!(guest.open("flash").unwrap_err(), "not-permitted");
    assert_eq!(guest.open("/dev/spidev0.0").unwrap_err(), "not-permitted");
    // A device that exists on the board but is not offered to this guest looks the same.
    let hidden = SharedSpiDevice::from_hal(Recorder::default(), SpiPolicy::default());
    let mut guest2 = Guest::new(ctx(&[("other", &hidden)]));
    assert_eq!(guest2.open("display").unwrap_err(), "not-permitted");
    assert!(!device.is_held());
}

#[test]
fn a_device_held_by_another_guest_is_in_use_until_released() {
    let device = SharedSpiDevice::from_hal(Recorder::default(), SpiPolicy::default());
    let mut a = Guest::new(ctx(&[("display", &device)]));
    let mut b = Guest::new(ctx(&[("display", &device)]));

    a.open("display").unwrap();
    // The same guest may open it again; another may not.
    a.open("display").unwrap();
    assert_eq!(b.open("display").unwrap_err(), "in-use");

    // Dropping the guest's handles lets it go.
    a.close_all();
    assert!(!device.is_held());
    b.open("display").unwrap();
    assert_eq!(a.open("display").unwrap_err(), "in-use");

    // Dropping the store (and with it the context) lets it go too.
    drop(b);
    assert!(!device.is_held());
    a.open("display").unwrap();
}

#[test]
fn configure_applies_the_policy_and_returns_the_effective_settings() {
    let fake = Recorder::default();
    let policy = SpiPolicy {
        max_frequency_hz: 8_000_000,
        allowed_modes: vec![SpiMode::Mode0, SpiMode::Mode3],
        allow_lsb_first: false,
        ..SpiPolicy::default()
    };
    let device = SharedSpiDevice::from_hal_with_settings(fake.clone(), policy);
    let mut guest = Guest::new(ctx(&[("display", &device)]));
    guest.open("display").unwrap();

    // Within the policy: as asked, and given to the device.
    assert_eq!(
        guest.configure(4_000_000, 3, false),
        Ok((4_000_000, 3, false))
    );
    // Above the maximum: clamped.
    assert_eq!(
        guest.configure(20_000_000, 0, false),
        Ok((8_000_000, 0, false))
    );
    assert_eq!(
        fake.log().configs.last().copied(),
        Some(SpiConfig {
            frequency_hz: 8_000_000,
            mode: SpiMode::Mode0,
            lsb_first: false
        })
    );
    // A mode or bit order the board does not allow: refused, settings unchanged.
    assert_eq!(
        guest.configure(1_000_000, 1, false).unwrap_err(),
        "not-permitted"
    );
    assert_eq!(
        guest.configure(1_000_000, 0, true).unwrap_err(),
        "not-permitted"
    );
    assert_eq!(
        guest.call::<(), ((u32, u8, bool),)>("current", ()).0,
        (8_000_000, 0, false)
    );
    assert_eq!(fake.log().configs.len(), 2);

    // After the guest lets go, the next guest starts from the board's settings, and the
    // device gets them before its next transaction.
    guest.close_all();
    assert_eq!(device.current_config(), SpiConfig::default());
    let mut next = Guest::new(ctx(&[("display", &device)]));
    next.open("display").unwrap();
    next.write(&[0]).unwrap();
    assert_eq!(
        fake.log().configs.last().copied(),
        Some(SpiConfig::default())
    );
}

#[test]
fn above_the_maximum_may_be_refused_and_settings_may_be_fixed() {
    let refuse = SharedSpiDevice::from_hal(
        Recorder::default(),
        SpiPolicy {
            max_frequency_hz: 8_000_000,
            above_maximum: AboveMaximum::Refuse,
            ..SpiPolicy::default()
        },
    );
    let fixed_config = SpiConfig {
        frequency_hz: 2_000_000,
        mode: SpiMode::Mode3,
        lsb_first: false,
    };
    let fixed = SharedSpiDevice::from_hal(
        Recorder::default(),
        SpiPolicy {
            default_config: fixed_config,
            guest_may_configure: false,
            ..SpiPolicy::default()
        },
    );
    let mut guest = Guest::new(ctx(&[("a", &refuse), ("b", &fixed)]));
    guest.open("a").unwrap();
    assert_eq!(
        guest.configure(8_000_001, 0, false).unwrap_err(),
        "not-permitted"
    );
    assert_eq!(
        guest.configure(8_000_000, 0, false),
        Ok((8_000_000, 0, false))
    );
    guest.open("b").unwrap();
    // Fixed: the request is answered with the board's settings.
    assert_eq!(guest.configure(10_000, 1, true), Ok((2_000_000, 3, false)));
    assert_eq!(fixed.current_config(), fixed_config);
}

#[test]
fn sizes_over_the_cap_are_refused_before_anything_is_allocated_or_sent() {
    let fake = Recorder::default();
    let policy = SpiPolicy {
        max_transfer_bytes: 16,
        ..SpiPolicy::default()
    };
    let device = SharedSpiDevice::from_hal(fake.clone(), policy);
    let mut guest = Guest::new(ctx(&[("display", &device)]));
    guest.open("display").unwrap();
    assert_eq!(guest.call::<(), (u32,)>("max-transfer", ()).0, 16);

    // 4 GiB: refused without allocating it (an allocation of that size would abort the test).
    assert_eq!(guest.read(u32::MAX).unwrap_err(), "too-large");
    assert_eq!(guest.read(17).unwrap_err(), "too-large");
    assert_eq!(guest.write(&[0; 17]).unwrap_err(), "too-large");
    assert_eq!(guest.transfer(&[0; 17]).unwrap_err(), "too-large");
    // The total of a transaction counts: 2 + 13 + 2 = 17.
    assert_eq!(guest.transaction(&[1, 2], 13).unwrap_err(), "too-large");
    assert_eq!(
        guest.transaction(&[1, 2], u32::MAX).unwrap_err(),
        "too-large"
    );
    assert!(fake.transactions().is_empty(), "nothing reached the device");

    // At the cap: allowed.
    assert_eq!(guest.read(16).unwrap().len(), 16);
    assert_eq!(guest.transaction(&[1, 2], 12).unwrap().len(), 2);
    assert_eq!(fake.transactions().len(), 2);
}

#[test]
fn device_errors_map_to_wit_errors() {
    let fake = Recorder::default();
    let device = SharedSpiDevice::from_hal(fake.clone(), SpiPolicy::default());
    let mut guest = Guest::new(ctx(&[("display", &device)]));
    guest.open("display").unwrap();
    for (kind, wit) in [
        (ErrorKind::Overrun, "overrun"),
        (ErrorKind::ModeFault, "mode-fault"),
        (ErrorKind::FrameFormat, "frame-format"),
        (ErrorKind::ChipSelectFault, "chip-select-fault"),
        (ErrorKind::Other, "other"),
    ] {
        fake.log().fail = Some(kind);
        assert_eq!(guest.write(&[1]).unwrap_err(), wit, "{kind:?}");
        assert_eq!(guest.transaction(&[1], 1).unwrap_err(), wit, "{kind:?}");
    }
    fake.log().fail = None;
    guest.write(&[1]).unwrap();
}

/// The guest-side embedded-hal adapter (`embedded-hal-wasi`, what the drivers use): `write` is
/// one write transaction, and one embedded-hal transaction is one `wasi:spi` transaction with
/// the same operations in order, a transfer's shorter write padded to its read buffer, and the
/// read data back in the caller's buffers.
#[test]
fn spi_embedded_hal() {
    let fake = Recorder::default();
    let device = SharedSpiDevice::from_hal(fake.clone(), SpiPolicy::default());
    let component = Component::from_file(engine(), SPI_EMBEDDED_HAL).unwrap();
    let mut guest = Guest::of(&component, ctx(&[("bus", &device)]));

    let wrote = guest.call::<(&str, &[u8]), (Result<(), String>,)>("write", ("bus", &[1, 2, 3]));
    assert_eq!(wrote.0, Ok(()));
    assert_eq!(fake.transactions(), [vec![Seen::Write(vec![1, 2, 3])]]);

    let (answer,) = guest
        .call::<(&str, &[u8]), (Result<Vec<Vec<u8>>, String>,)>("transaction", ("bus", &[9, 8]));
    assert_eq!(
        fake.transactions()[1],
        [
            Seen::Write(vec![9, 8]),
            Seen::Read(3),
            // The 2-byte write of a transfer with a 4-byte read buffer, padded with zeros.
            Seen::Transfer(vec![9, 8, 0, 0]),
            Seen::Transfer(vec![9, 8]),
            Seen::Delay(5),
        ]
    );
    // The fake reads 0xA5 and answers a transfer with the inverted bytes sent.
    assert_eq!(
        answer,
        Ok(vec![vec![0xA5; 3], vec![!9, !8, 0xFF, 0xFF], vec![!9, !8],])
    );
    assert_eq!(fake.transactions().len(), 2);
}
