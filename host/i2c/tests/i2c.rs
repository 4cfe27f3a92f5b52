//! The I2C host crate under a real Wasmtime, driven by the guest `I2C_BUS` against recording
//! fake buses.

use embedded_hal::i2c::{ErrorKind, ErrorType, I2c, NoAcknowledgeSource, Operation};
use std::sync::{Arc, Mutex, OnceLock};
use test_programs_artifacts::*;
use wasi_hal_i2c::{AllowedAddresses, I2cPolicy, SharedI2cBus, WasiI2cCtx, WasiI2cView};
use wasmtime::component::{
    Component, ComponentNamedList, Instance, Lift, Linker, Lower, ResourceTable,
};
use wasmtime::{Engine, Store};

// Every test program of test-programs-i2c must have a test below.
macro_rules! assert_test_exists {
    ($name:ident) => {
        #[expect(unused_imports, reason = "only checks that the test exists")]
        use self::$name as _;
    };
}
foreach_i2c!(assert_test_exists);

/// One segment as the fake bus saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Seen {
    Read(usize),
    Write(Vec<u8>),
}

#[derive(Default)]
struct Log {
    transactions: Vec<(u8, Vec<Seen>)>,
    fail: Option<ErrorKind>,
}

/// A fake bus that records every transaction; reads return the address repeated.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Log>>);

impl Recorder {
    fn log(&self) -> std::sync::MutexGuard<'_, Log> {
        self.0.lock().unwrap()
    }
    fn transactions(&self) -> Vec<(u8, Vec<Seen>)> {
        self.log().transactions.clone()
    }
}

#[derive(Debug)]
struct FakeError(ErrorKind);

impl embedded_hal::i2c::Error for FakeError {
    fn kind(&self) -> ErrorKind {
        self.0
    }
}

impl ErrorType for Recorder {
    type Error = FakeError;
}

impl I2c for Recorder {
    fn transaction(
        &mut self,
        address: u8,
        operations: &mut [Operation<'_>],
    ) -> Result<(), FakeError> {
        let mut log = self.log();
        let seen = operations
            .iter_mut()
            .map(|op| match op {
                Operation::Read(buf) => {
                    buf.fill(address);
                    Seen::Read(buf.len())
                }
                Operation::Write(data) => Seen::Write(data.to_vec()),
            })
            .collect();
        log.transactions.push((address, seen));
        match log.fail {
            Some(kind) => Err(FakeError(kind)),
            None => Ok(()),
        }
    }
}

struct State {
    i2c: WasiI2cCtx,
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
        let component = Component::from_file(&engine, I2C_BUS).unwrap();
        (engine, component)
    })
}

impl Guest {
    fn new(i2c: WasiI2cCtx) -> Self {
        let (engine, component) = engine_and_component();
        let mut linker = Linker::<State>::new(engine);
        wasi_hal_i2c::add_to_linker(&mut linker, |s| WasiI2cView {
            ctx: &mut s.i2c,
            table: &mut s.table,
        })
        .unwrap();
        let mut store = Store::new(
            engine,
            State {
                i2c,
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

    fn read(&mut self, address: u8, len: u32) -> Result<Vec<u8>, String> {
        self.call::<(u8, u32), (Result<Vec<u8>, String>,)>("read", (address, len))
            .0
    }

    fn write(&mut self, address: u8, data: &[u8]) -> Result<(), String> {
        self.call::<(u8, &[u8]), (Result<(), String>,)>("write", (address, data))
            .0
    }

    fn write_read(&mut self, address: u8, data: &[u8], len: u32) -> Result<Vec<u8>, String> {
        self.call::<(u8, &[u8], u32), (Result<Vec<u8>, String>,)>(
            "write-read",
            (address, data, len),
        )
        .0
    }

    fn transaction(&mut self, address: u8, data: &[u8], len: u32) -> Result<Vec<Vec<u8>>, String> {
        self.call::<(u8, &[u8], u32), (Result<Vec<Vec<u8>>, String>,)>(
            "transaction",
            (address, data, len),
        )
        .0
    }

    fn close_all(&mut self) {
        self.call::<(), ()>("close-all", ())
    }
}

fn ctx(buses: &[(&str, &SharedI2cBus)]) -> WasiI2cCtx {
    let mut builder = WasiI2cCtx::builder();
    for (name, bus) in buses {
        builder.bus(*name, bus);
    }
    builder.build()
}

#[test]
fn i2c_bus() {
    let fake = Recorder::default();
    let bus = SharedI2cBus::from_hal(fake.clone(), I2cPolicy::default());
    let mut guest = Guest::new(ctx(&[("sensors", &bus)]));
    assert_eq!(guest.call::<(), (Vec<String>,)>("names", ()).0, ["sensors"]);
    guest.open("sensors").unwrap();
    assert!(bus.is_held());
    assert_eq!(guest.call::<(), (u32,)>("max-transfer", ()).0, 4096);

    assert_eq!(guest.read(0x76, 2).unwrap(), [0x76, 0x76]);
    guest.write(0x3c, &[0x00, 0xAF]).unwrap();
    assert_eq!(guest.write_read(0x76, &[0xD0], 1).unwrap(), [0x76]);
    assert_eq!(
        fake.transactions(),
        [
            (0x76, vec![Seen::Read(2)]),
            (0x3c, vec![Seen::Write(vec![0x00, 0xAF])]),
            // write-read is one transaction: a repeated START, not two.
            (0x76, vec![Seen::Write(vec![0xD0]), Seen::Read(1)]),
        ]
    );
}

#[test]
fn one_guest_transaction_is_one_backend_transaction() {
    let fake = Recorder::default();
    let bus = SharedI2cBus::from_hal(fake.clone(), I2cPolicy::default());
    let mut guest = Guest::new(ctx(&[("sensors", &bus)]));
    guest.open("sensors").unwrap();
    assert_eq!(
        guest.transaction(0x77, &[0x1D], 3).unwrap(),
        [vec![0x77; 3]]
    );
    assert_eq!(
        fake.transactions(),
        [(
            0x77,
            vec![
                Seen::Write(vec![0x1D]),
                Seen::Read(3),
                Seen::Write(vec![0x1D])
            ]
        )]
    );
}

#[test]
fn disallowed_addresses_never_reach_the_bus() {
    let fake = Recorder::default();
    let policy = I2cPolicy {
        allowed_addresses: AllowedAddresses::Only(vec![0x76]),
        ..I2cPolicy::default()
    };
    let listed = SharedI2cBus::from_hal(fake.clone(), policy);
    let any = Recorder::default();
    let default = SharedI2cBus::from_hal(any.clone(), I2cPolicy::default());
    let mut guest = Guest::new(ctx(&[("listed", &listed), ("any", &default)]));
    guest.open("listed").unwrap();
    for address in [0x00, 0x3c, 0x77, 0x80, 0xff] {
        assert_eq!(guest.read(address, 1).unwrap_err(), "address-not-permitted");
        assert_eq!(
            guest.write(address, &[1]).unwrap_err(),
            "address-not-permitted"
        );
        assert_eq!(
            guest.transaction(address, &[1], 1).unwrap_err(),
            "address-not-permitted"
        );
    }
    assert!(fake.transactions().is_empty(), "nothing reached the bus");
    guest.read(0x76, 1).unwrap();
    assert_eq!(fake.transactions().len(), 1);

    // The default policy: every 7-bit address but the general call.
    guest.open("any").unwrap();
    assert_eq!(
        guest.write(0x00, &[6]).unwrap_err(),
        "address-not-permitted"
    );
    assert_eq!(
        guest.write(0x80, &[6]).unwrap_err(),
        "address-not-permitted"
    );
    guest.write(0x7f, &[6]).unwrap();
    assert_eq!(any.transactions(), [(0x7f, vec![Seen::Write(vec![6])])]);
}

#[test]
fn an_unknown_name_is_not_permitted() {
    let bus = SharedI2cBus::from_hal(Recorder::default(), I2cPolicy::default());
    let mut guest = Guest::new(ctx(&[("sensors", &bus)]));
    assert_eq!(guest.open("display").unwrap_err(), "not-permitted");
    assert_eq!(guest.open("/dev/i2c-1").unwrap_err(), "not-permitted");
    assert!(!bus.is_held());
}

#[test]
fn one_guest_may_open_a_bus_twice_another_gets_in_use() {
    let bus = SharedI2cBus::from_hal(Recorder::default(), I2cPolicy::default());
    let mut a = Guest::new(ctx(&[("sensors", &bus)]));
    let mut b = Guest::new(ctx(&[("sensors", &bus)]));
    a.open("sensors").unwrap();
    a.open("sensors").unwrap();
    assert_eq!(b.open("sensors").unwrap_err(), "in-use");
    a.close_all();
    assert!(!bus.is_held());
    b.open("sensors").unwrap();
    assert_eq!(a.open("sensors").unwrap_err(), "in-use");
    // Dropping the store lets go of every handle it had.
    drop(b);
    assert!(!bus.is_held());
    a.open("sensors").unwrap();
}

#[test]
fn sizes_over_the_cap_are_refused_before_anything_is_allocated_or_sent() {
    let fake = Recorder::default();
    let policy = I2cPolicy {
        max_transfer_bytes: 8,
        ..I2cPolicy::default()
    };
    let bus = SharedI2cBus::from_hal(fake.clone(), policy);
    let mut guest = Guest::new(ctx(&[("sensors", &bus)]));
    guest.open("sensors").unwrap();
    assert_eq!(guest.call::<(), (u32,)>("max-transfer", ()).0, 8);
    // 4 GiB: refused without allocating it.
    assert_eq!(guest.read(0x76, u32::MAX).unwrap_err(), "too-large");
    assert_eq!(guest.read(0x76, 9).unwrap_err(), "too-large");
    assert_eq!(guest.write(0x76, &[0; 9]).unwrap_err(), "too-large");
    assert_eq!(guest.write_read(0x76, &[0; 4], 5).unwrap_err(), "too-large");
    // The total of a transaction counts: 3 + 3 + 3 = 9.
    assert_eq!(
        guest.transaction(0x76, &[1, 2, 3], 3).unwrap_err(),
        "too-large"
    );
    assert_eq!(
        guest.transaction(0x76, &[1], u32::MAX).unwrap_err(),
        "too-large"
    );
    assert!(fake.transactions().is_empty(), "nothing reached the bus");
    assert_eq!(guest.transaction(0x76, &[1, 2, 3], 2).unwrap().len(), 1);
}

#[test]
fn bus_errors_map_to_wit_errors() {
    let fake = Recorder::default();
    let bus = SharedI2cBus::from_hal(fake.clone(), I2cPolicy::default());
    let mut guest = Guest::new(ctx(&[("sensors", &bus)]));
    guest.open("sensors").unwrap();
    for (kind, wit) in [
        (ErrorKind::Bus, "bus"),
        (ErrorKind::ArbitrationLoss, "arbitration-loss"),
        (
            ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address),
            "no-acknowledge(address)",
        ),
        (
            ErrorKind::NoAcknowledge(NoAcknowledgeSource::Data),
            "no-acknowledge(data)",
        ),
        (
            ErrorKind::NoAcknowledge(NoAcknowledgeSource::Unknown),
            "no-acknowledge(unknown)",
        ),
        (ErrorKind::Overrun, "overrun"),
        (ErrorKind::Other, "other"),
    ] {
        fake.log().fail = Some(kind);
        assert_eq!(guest.write(0x76, &[1]).unwrap_err(), wit, "{kind:?}");
        assert_eq!(
            guest.write_read(0x76, &[1], 1).unwrap_err(),
            wit,
            "{kind:?}"
        );
    }
}

#[test]
fn the_simulated_bus_answers() {
    use wasi_hal_sim::{I2cTarget, I2cTargetError, SimClock, SimI2cBus, Trace};

    /// A part with one register that reads back what was last written.
    #[derive(Default)]
    struct Echo(Vec<u8>);
    impl I2cTarget for Echo {
        fn write(&mut self, bytes: &[u8]) -> Result<(), I2cTargetError> {
            self.0 = bytes.to_vec();
            Ok(())
        }
        fn read(&mut self, buf: &mut [u8]) -> Result<(), I2cTargetError> {
            for (i, b) in buf.iter_mut().enumerate() {
                *b = self.0.get(i).copied().unwrap_or(0);
            }
            Ok(())
        }
    }

    let sim = SimI2cBus::new("i2c-1", SimClock::new(), Trace::new());
    sim.attach(0x42, Arc::new(Mutex::new(Echo::default())));
    let bus = SharedI2cBus::from_hal(sim, I2cPolicy::default());
    let mut guest = Guest::new(ctx(&[("i2c", &bus)]));
    guest.open("i2c").unwrap();
    assert_eq!(guest.write_read(0x42, &[7, 8], 2).unwrap(), [7, 8]);
    // Nothing answers at 0x43.
    assert_eq!(guest.read(0x43, 1).unwrap_err(), "no-acknowledge(address)");
}
