//! The `bme680` driver component in a real Wasmtime with the real host crates (`wasi-hal-i2c`,
//! `wasi-hal-delay`, `wasmtime-wasi-config`), against the simulated BME680.
//!
//! Expected values come from the reference vector (`host/sim/tests/data/bme680-vector.toml`,
//! computed with Bosch's BME68x Sensor API v4.4.8 integer formulas), expected bytes from the
//! datasheet's register map and measurement flow, never from the driver's code.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, OnceLock};
use test_programs_artifacts::DRIVER_BME680;
use wasi_hal_delay::{DelayBackend, WasiDelayCtx};
use wasi_hal_gpio::WasiGpioCtx;
use wasi_hal_i2c::{AllowedAddresses, I2cPolicy, SharedI2cBus, WasiI2cCtx};
use wasi_hal_linker::WasiHalCtx;
use wasi_hal_sim::bme680::{
    Bme680, Bme680Address, Bme680I2c, Calibration, Conditions, SharedBme680,
};
use wasi_hal_sim::trace::TraceOp;
use wasi_hal_sim::{I2cTarget, I2cTargetError, SimClock, SimI2cBus, Trace, TraceEvent, TraceKind};
use wasi_hal_spi::WasiSpiCtx;
use wasi_hal_tests::HostState;
use wasmtime::component::{Component, Linker, ResourceAny};
use wasmtime::{Engine, Store};
use wasmtime_wasi_config::WasiConfigVariables;

mod bindings {
    wasmtime::component::bindgen!({
        path: "../wit/sensor-environment",
        world: "sensor:environment/driver",
        additional_derives: [PartialEq],
    });
}

use bindings::exports::sensor::environment::environment::{ErrorCode, Measurement, Quantities};

// ---------------------------------------------------------------------------------------------
// Harness: a store with the wasi-hal interfaces, no SPI device and no pin offered
// ---------------------------------------------------------------------------------------------

/// The engine, a linker with the wasi-hal interfaces and `wasi:config/store` (no WASI 0.2:
/// what the driver may import is checked by
/// `the_component_imports_only_i2c_delay_and_config_and_exports_environment`), and the
/// component.
fn setup() -> &'static (Engine, Linker<HostState>, Component) {
    static CELL: OnceLock<(Engine, Linker<HostState>, Component)> = OnceLock::new();
    CELL.get_or_init(|| {
        let engine = Engine::default();
        let mut linker = Linker::new(&engine);
        wasi_hal_linker::add_only_hal_to_linker_sync(&mut linker).unwrap();
        let component = Component::from_file(&engine, DRIVER_BME680).unwrap();
        (engine, linker, component)
    })
}

/// The reference vector.
struct Vector {
    registers: Vec<(u8, Vec<u8>)>,
    raw: toml::Table,
    expected: toml::Table,
    heater: toml::Table,
}

fn vector() -> Vector {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../host/sim/tests/data/bme680-vector.toml"
    );
    let doc: toml::Table = std::fs::read_to_string(path).unwrap().parse().unwrap();
    let table = |name: &str| doc[name].as_table().unwrap().clone();
    let registers = table("registers")
        .iter()
        .map(|(key, bytes)| {
            let start = u8::from_str_radix(key.trim_start_matches("0x"), 16).unwrap();
            let bytes = bytes
                .as_array()
                .unwrap()
                .iter()
                .map(|b| u8::try_from(b.as_integer().unwrap()).unwrap())
                .collect();
            (start, bytes)
        })
        .collect();
    Vector {
        registers,
        raw: table("raw"),
        expected: table("expected_integer"),
        heater: table("expected_heater"),
    }
}

fn int(table: &toml::Table, key: &str) -> i64 {
    table[key].as_integer().unwrap()
}

impl Vector {
    /// The vector's calibration bytes (every other byte 0).
    fn calibration(&self) -> Calibration {
        let mut cal = Calibration::zeroed();
        for (start, bytes) in &self.registers {
            cal = cal.with_bytes(*start, bytes).unwrap();
        }
        cal
    }

    /// The calibration block starting at `start`, as the vector lists it.
    fn block(&self, start: u8) -> Vec<u8> {
        self.registers
            .iter()
            .find(|(s, _)| *s == start)
            .unwrap()
            .1
            .clone()
    }
}

/// A simulated board: a clock, a trace, one I2C bus `i2c0`, the configuration.
struct Board {
    clock: SimClock,
    trace: Trace,
    bus: SimI2cBus,
    policy: I2cPolicy,
    bus_name: String,
    config: WasiConfigVariables,
}

impl Board {
    fn new() -> Board {
        let clock = SimClock::new();
        let trace = Trace::new();
        trace.enable();
        let bus = SimI2cBus::new("i2c0", clock.clone(), trace.clone());
        Board {
            clock,
            trace,
            bus,
            policy: I2cPolicy::default(),
            bus_name: "i2c0".into(),
            config: WasiConfigVariables::new(),
        }
    }

    /// Puts a BME680 with the reference vector's calibration and raw values at `address`.
    fn with_vector_sensor(&mut self, address: Bme680Address) -> SharedBme680 {
        let v = vector();
        let part = Bme680::new(self.clock.clone())
            .with_calibration(v.calibration())
            .into_shared();
        part.lock().unwrap().set_raw(
            int(&v.raw, "temperature_adc") as u32,
            int(&v.raw, "pressure_adc") as u32,
            int(&v.raw, "humidity_adc") as u16,
            int(&v.raw, "gas_adc") as u16,
            int(&v.raw, "gas_range") as u8,
        );
        Bme680I2c::attach(&part, &self.bus, address);
        part
    }

    fn config(&mut self, key: &str, value: &str) -> &mut Self {
        self.config.insert(key, value);
        self
    }

    fn start(self) -> Running {
        let (engine, linker, component) = setup();
        let shared = SharedI2cBus::from_hal(self.bus.clone(), self.policy);
        let state = HostState::new(WasiHalCtx {
            spi: WasiSpiCtx::builder().build(),
            i2c: WasiI2cCtx::builder().bus(self.bus_name, &shared).build(),
            gpio: WasiGpioCtx::builder().build(),
            pwm: wasi_hal_pwm::WasiPwmCtx::builder().build(),
            sensor: wasi_hal_iio::WasiIioCtx::builder().build(),
            delay: WasiDelayCtx::builder()
                .backend(DelayBackend::virtual_time(self.clock.clone()))
                .build(),
            config: self.config,
        });
        let mut store = Store::new(engine, state);
        let driver = bindings::Driver::instantiate(&mut store, component, linker).unwrap();
        Running {
            clock: self.clock,
            trace: self.trace,
            store,
            driver,
        }
    }
}

struct Running {
    clock: SimClock,
    trace: Trace,
    store: Store<HostState>,
    driver: bindings::Driver,
}

impl Running {
    fn open(&mut self) -> Result<ResourceAny, ErrorCode> {
        self.driver
            .sensor_environment_environment()
            .call_open(&mut self.store)
            .expect("the driver trapped")
    }

    fn measure(&mut self, s: ResourceAny) -> Result<Measurement, ErrorCode> {
        self.driver
            .sensor_environment_environment()
            .sensor()
            .call_measure(&mut self.store, s)
            .expect("the driver trapped")
    }

    fn info(&mut self, s: ResourceAny) -> (String, Quantities) {
        let info = self
            .driver
            .sensor_environment_environment()
            .sensor()
            .call_get_info(&mut self.store, s)
            .expect("the driver trapped");
        (info.model, info.quantities)
    }

    fn close(&mut self, s: ResourceAny) {
        s.resource_drop(&mut self.store).unwrap();
    }
}

/// One I2C transaction as `(address, ops)`, with its time and error.
#[derive(Debug)]
struct Tx {
    time_ns: u64,
    address: u8,
    ops: Vec<TraceOp>,
    error: Option<String>,
}

fn transactions(events: &[TraceEvent]) -> Vec<Tx> {
    events
        .iter()
        .map(|e| match &e.kind {
            TraceKind::I2c {
                address,
                ops,
                error,
                ..
            } => Tx {
                time_ns: e.time_ns,
                address: *address,
                ops: ops.clone(),
                error: error.clone(),
            },
            other => panic!("unexpected event {other:?}"),
        })
        .collect()
}

fn w(bytes: &[u8]) -> TraceOp {
    TraceOp::Write {
        bytes: bytes.to_vec(),
    }
}

fn r(bytes: &[u8]) -> TraceOp {
    TraceOp::Read {
        bytes: bytes.to_vec(),
    }
}

fn read_len(op: &TraceOp) -> usize {
    match op {
        TraceOp::Read { bytes } => bytes.len(),
        other => panic!("not a read: {other:?}"),
    }
}

/// The datasheet's measurement time in µs for oversampling cycles `t + p + h`, without the
/// heater: `cycles * 1963 + 477 * 4 + 477 * 5 + 1000`.
fn tph_us(cycles: u64) -> u64 {
    cycles * 1963 + 477 * 4 + 477 * 5 + 1000
}

/// Power modes of `ctrl_meas` bits 1:0.
const SLEEP: u8 = 0b00;
const FORCED: u8 = 0b01;

/// `ctrl_meas` (datasheet 5.3.2.1): `osrs_t` in bits 7:5, `osrs_p` in bits 4:2, the mode in 1:0.
fn ctrl_meas(osrs_t: u8, osrs_p: u8, mode: u8) -> u8 {
    (osrs_t << 5) | (osrs_p << 2) | mode
}

fn assert_no_warnings(part: &SharedBme680) {
    let warnings = part.lock().unwrap().warnings().to_vec();
    assert!(warnings.is_empty(), "{warnings:#?}");
}

// ---------------------------------------------------------------------------------------------
// The reference vector and the traffic
// ---------------------------------------------------------------------------------------------

#[test]
fn reference_vector_is_exact_through_the_whole_stack() {
    let v = vector();
    let mut board = Board::new();
    let part = board.with_vector_sensor(Bme680Address::Primary);
    let mut running = board.start();
    let s = running.open().unwrap();
    let m = running.measure(s).unwrap();
    // Bosch's integer results, converted once: 0.01 °C, Pa, 0.001 %RH, Ω.
    let centi = int(&v.expected, "temperature_centi_celsius") as f64;
    let milli = int(&v.expected, "humidity_milli_percent") as f64;
    assert_eq!(m.temperature_celsius, Some(centi / 100.0)); // 26.69 °C
    assert_eq!(
        m.pressure_pa,
        Some(int(&v.expected, "pressure_pa") as f64) // 98711 Pa
    );
    assert_eq!(m.humidity_percent, Some(milli / 1000.0)); // 42.402 %RH
    assert_eq!(
        m.gas_resistance_ohm,
        Some(int(&v.expected, "gas_resistance_ohm") as f64) // 248262 Ω
    );
    assert_eq!(m.temperature_celsius, Some(26.69));
    assert_eq!(m.humidity_percent, Some(42.402));

    let (model, quantities) = running.info(s);
    assert_eq!(model, "BME680");
    assert_eq!(quantities, Quantities::all());
    // A second measurement gives the same values (the part reports the same raw values).
    assert_eq!(running.measure(s).unwrap(), m);
    assert_eq!(part.lock().unwrap().measurements_completed(), 2);
    assert_no_warnings(&part);
}

#[test]
fn open_and_one_measurement_follow_the_datasheet_byte_for_byte() {
    let v = vector();
    let mut board = Board::new();
    let part = board.with_vector_sensor(Bme680Address::Primary);
    let mut running = board.start();
    let s = running.open().unwrap();
    running.measure(s).unwrap();
    let txs = transactions(&running.trace.take());

    // Defaults: temperature x8 (osrs_t 0b100), pressure x4 (0b011), humidity x2 (0b010), IIR
    // filter coefficient 3 (0b010), heater 320 °C for 150 ms (the vector's res_heat and gas_wait).
    let res_heat = int(&v.heater, "res_heat") as u8;
    let gas_wait = int(&v.heater, "gas_wait") as u8;
    let ctrl_meas_sleep = ctrl_meas(0b100, 0b011, SLEEP);
    let ctrl_meas_forced = ctrl_meas(0b100, 0b011, FORCED);
    let expected: Vec<Vec<TraceOp>> = vec![
        // Soft reset.
        vec![w(&[0xE0, 0xB6])],
        // Chip id 0x61, then the variant id (0 = BME680).
        vec![w(&[0xD0]), r(&[0x61])],
        vec![w(&[0xF0]), r(&[0x00])],
        // Calibration: 0x8A..=0xA0, 0xE1..=0xEE, 0x00..=0x04.
        vec![w(&[0x8A]), r(&v.block(0x8A))],
        vec![w(&[0xE1]), r(&v.block(0xE1))],
        vec![w(&[0x00]), r(&v.block(0x00))],
        // Settings, register/value pairs in one write: heater set-point 0 and its wait, heater
        // on, run_gas with profile 0, ctrl_hum before ctrl_meas (sleep), config.
        vec![w(&[
            0x5A,
            res_heat,
            0x64,
            gas_wait,
            0x70,
            0x00,
            0x71,
            0x10,
            0x72,
            0b010,
            0x74,
            ctrl_meas_sleep,
            0x75,
            0b010 << 2,
        ])],
        // Measurement: ctrl_hum, then ctrl_meas with forced mode.
        vec![w(&[0x72, 0b010, 0x74, ctrl_meas_forced])],
    ];
    assert_eq!(txs.len(), expected.len() + 1, "{txs:#?}");
    for (i, (tx, ops)) in txs.iter().zip(&expected).enumerate() {
        assert_eq!(tx.address, 0x76, "transaction {i}");
        assert_eq!(&tx.ops, ops, "transaction {i}");
        assert_eq!(tx.error, None, "transaction {i}");
    }
    // Then the data: one read from 0x1D (status, pressure, temperature, humidity, gas) with
    // new_data set: no polling was needed.
    let data = &txs[expected.len()];
    assert_eq!(data.ops[0], w(&[0x1D]));
    assert!(read_len(&data.ops[1]) >= 15, "{data:?}");
    match &data.ops[1] {
        TraceOp::Read { bytes } => assert_eq!(bytes[0] & 0x80, 0x80, "new_data"),
        _ => unreachable!(),
    }

    // The chip id is read after the start-up time (at least the datasheet's 2 ms).
    assert!(txs[1].time_ns - txs[0].time_ns >= 2_000_000);
    // The data is read after the measurement time in simulated time, and not much later:
    // (8 + 4 + 2) cycles + 150 ms of heating.
    let measurement_ns = (tph_us(14) + 150_000) * 1000;
    let waited = data.time_ns - txs[expected.len() - 1].time_ns;
    assert!(waited >= measurement_ns, "{waited} < {measurement_ns}");
    assert!(waited < measurement_ns + 1_000_000, "{waited}");
    assert_no_warnings(&part);
    // The whole of open + measure took simulated time only.
    assert!(running.clock.now_ns() >= measurement_ns);
}

#[test]
fn configuration_keys_choose_address_oversampling_filter_and_heater() {
    let mut board = Board::new();
    let part = board.with_vector_sensor(Bme680Address::Secondary);
    board
        .config("sensor.address", "119") // 0x77, as a board file's number arrives
        .config("sensor.oversampling-temperature", "1")
        .config("sensor.oversampling-pressure", "16")
        .config("sensor.oversampling-humidity", "none")
        .config("sensor.iir-filter", "127")
        .config("sensor.heater-temperature-c", "off");
    let mut running = board.start();
    let s = running.open().unwrap();
    let (_, quantities) = running.info(s);
    assert_eq!(quantities, Quantities::TEMPERATURE | Quantities::PRESSURE);
    let m = running.measure(s).unwrap();
    assert_eq!(m.temperature_celsius, Some(26.69));
    assert_eq!(m.pressure_pa, Some(98711.0));
    assert_eq!(m.humidity_percent, None);
    assert_eq!(m.gas_resistance_ohm, None);

    let txs = transactions(&running.trace.take());
    assert!(txs.iter().all(|tx| tx.address == 0x77));
    // ctrl_meas: osrs_t x1 (0b001), osrs_p x16 (0b101); humidity skipped; filter 127 (0b111);
    // heater off (heat_off bit 3) and no gas conversion.
    assert_eq!(
        txs[6].ops,
        [w(&[
            0x70,
            0x08,
            0x71,
            0x00,
            0x72,
            0x00,
            0x74,
            ctrl_meas(0b001, 0b101, SLEEP),
            0x75,
            0b111 << 2
        ])]
    );
    assert_eq!(
        txs[7].ops,
        [w(&[0x72, 0x00, 0x74, ctrl_meas(0b001, 0b101, FORCED)])]
    );
    let waited = txs[8].time_ns - txs[7].time_ns;
    let measurement_ns = tph_us(1 + 16) * 1000;
    assert!(waited >= measurement_ns && waited < measurement_ns + 1_000_000);
    assert_no_warnings(&part);
}

#[test]
fn a_heater_duration_of_off_turns_the_heater_off_too() {
    let mut board = Board::new();
    board.with_vector_sensor(Bme680Address::Primary);
    board.config("sensor.heater-duration-ms", "off");
    let mut running = board.start();
    let s = running.open().unwrap();
    let m = running.measure(s).unwrap();
    assert_eq!(m.gas_resistance_ohm, None);
    assert!(m.humidity_percent.is_some());
}

#[test]
fn conditions_come_back_through_the_inverse_of_the_compensation() {
    let mut board = Board::new();
    let part = board.with_vector_sensor(Bme680Address::Primary);
    part.lock().unwrap().set_conditions(Conditions {
        temperature_celsius: 21.5,
        pressure_pa: 101_325.0,
        humidity_percent: 45.0,
        gas_resistance_ohm: 120_000.0,
    });
    let mut running = board.start();
    let s = running.open().unwrap();
    let m = running.measure(s).unwrap();
    // Within one ADC step of each condition.
    let t = m.temperature_celsius.unwrap();
    let p = m.pressure_pa.unwrap();
    let h = m.humidity_percent.unwrap();
    let g = m.gas_resistance_ohm.unwrap();
    assert!((t - 21.5).abs() <= 0.02, "{t}");
    assert!((p - 101_325.0).abs() <= 2.0, "{p}");
    assert!((h - 45.0).abs() <= 0.05, "{h}");
    assert!((g - 120_000.0).abs() <= 1_200.0, "{g}");
    assert_no_warnings(&part);
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

#[test]
fn a_missing_sensor_is_not_connected() {
    let mut running = Board::new().start();
    assert_eq!(running.open().unwrap_err(), ErrorCode::NotConnected);
    let txs = transactions(&running.trace.take());
    // The soft reset was not acknowledged and nothing else was tried.
    assert_eq!(txs.len(), 1);
    assert_eq!(txs[0].address, 0x76);
    assert!(txs[0].error.is_some());
}

/// A part at 0x76 that is not a BME68x: it answers every read with `id`.
struct OtherChip {
    id: u8,
}

impl I2cTarget for OtherChip {
    fn write(&mut self, _: &[u8]) -> Result<(), I2cTargetError> {
        Ok(())
    }
    fn read(&mut self, buf: &mut [u8]) -> Result<(), I2cTargetError> {
        buf.fill(self.id);
        Ok(())
    }
}

#[test]
fn a_wrong_chip_id_is_not_connected() {
    let board = Board::new();
    // A BME280 answers 0x60.
    board
        .bus
        .attach(0x76, Arc::new(Mutex::new(OtherChip { id: 0x60 })));
    let mut running = board.start();
    assert_eq!(running.open().unwrap_err(), ErrorCode::NotConnected);
    let txs = transactions(&running.trace.take());
    // Reset, chip id, and nothing written after the wrong answer.
    assert_eq!(txs.len(), 2, "{txs:#?}");
    assert_eq!(txs[1].ops, [w(&[0xD0]), r(&[0x60])]);
}

#[test]
fn an_address_the_policy_refuses_is_not_permitted_and_nothing_is_sent() {
    let mut board = Board::new();
    board.with_vector_sensor(Bme680Address::Primary);
    board.policy = I2cPolicy {
        allowed_addresses: AllowedAddresses::Only(vec![0x3C]),
        ..I2cPolicy::default()
    };
    let mut running = board.start();
    assert_eq!(running.open().unwrap_err(), ErrorCode::NotPermitted);
    assert!(running.trace.take().is_empty());
}

#[test]
fn a_bus_the_host_does_not_offer_is_not_permitted() {
    let mut board = Board::new();
    board.with_vector_sensor(Bme680Address::Primary);
    board.config("sensor.i2c-bus", "i2c7");
    let mut running = board.start();
    assert_eq!(running.open().unwrap_err(), ErrorCode::NotPermitted);
    assert!(running.trace.take().is_empty());
}

#[test]
fn invalid_configuration_is_other_before_anything_is_sent() {
    for (key, value) in [
        ("sensor.address", "0x3c"),
        ("sensor.address", "seventy-six"),
        ("sensor.oversampling-temperature", "none"),
        ("sensor.oversampling-pressure", "3"),
        ("sensor.oversampling-humidity", "32"),
        ("sensor.iir-filter", "2"),
        ("sensor.heater-temperature-c", "401"),
        ("sensor.heater-temperature-c", "-5"),
        ("sensor.heater-duration-ms", "4033"),
        ("sensor.heater-duration-ms", "99999999999999999999"),
    ] {
        let mut board = Board::new();
        board.with_vector_sensor(Bme680Address::Primary);
        board.config(key, value);
        let mut running = board.start();
        assert_eq!(
            running.open().unwrap_err(),
            ErrorCode::Other,
            "{key} = {value}"
        );
        assert!(running.trace.take().is_empty(), "{key} = {value}");
    }
}

/// A BME680 whose measurements never finish: `new_data` always reads 0.
struct NeverDone(Bme680I2c);

impl I2cTarget for NeverDone {
    fn write(&mut self, bytes: &[u8]) -> Result<(), I2cTargetError> {
        self.0.write(bytes)
    }
    fn read(&mut self, buf: &mut [u8]) -> Result<(), I2cTargetError> {
        let start = self.0.pointer();
        self.0.read(buf)?;
        if start == 0x1D
            && let Some(status) = buf.first_mut()
        {
            *status &= !0x80;
        }
        Ok(())
    }
}

#[test]
fn a_measurement_that_never_finishes_is_a_timeout_and_the_sensor_goes_back_to_sleep() {
    let board = Board::new();
    let part = Bme680::new(board.clock.clone()).into_shared();
    board.bus.attach(
        0x76,
        Arc::new(Mutex::new(NeverDone(Bme680I2c::new(
            part.clone(),
            Bme680Address::Primary,
        )))),
    );
    let mut running = board.start();
    let s = running.open().unwrap();
    running.trace.take();
    let start = running.clock.now_ns();
    assert_eq!(running.measure(s).unwrap_err(), ErrorCode::Timeout);
    let txs = transactions(&running.trace.take());
    // It polled a bounded number of times, then wrote sleep mode to ctrl_meas.
    assert!(txs.len() > 2 && txs.len() < 20, "{}", txs.len());
    assert_eq!(
        txs.last().unwrap().ops,
        [w(&[0x74, ctrl_meas(0b100, 0b011, SLEEP)])]
    );
    // Within twice the measurement time (182.775 ms) and some.
    let took = running.clock.now_ns() - start;
    assert!(took < 2 * 182_775_000 + 20_000_000, "{took}");
    // The sensor is still usable: the next measurement times out the same way, no trap.
    assert_eq!(running.measure(s).unwrap_err(), ErrorCode::Timeout);
}

#[test]
fn one_sensor_per_component_and_it_can_be_opened_again_after_close() {
    let mut board = Board::new();
    board.with_vector_sensor(Bme680Address::Primary);
    let mut running = board.start();
    let s = running.open().unwrap();
    assert_eq!(running.open().unwrap_err(), ErrorCode::InUse);
    running.close(s);
    let s = running.open().unwrap();
    assert_eq!(running.measure(s).unwrap().pressure_pa, Some(98711.0));
}

#[test]
fn a_sensor_that_disappears_is_not_connected_and_comes_back() {
    let mut board = Board::new();
    let part = board.with_vector_sensor(Bme680Address::Primary);
    let bus = board.bus.clone();
    let mut running = board.start();
    let s = running.open().unwrap();
    // Unplugged: a target that never acknowledges.
    struct Gone;
    impl I2cTarget for Gone {
        fn write(&mut self, _: &[u8]) -> Result<(), I2cTargetError> {
            Err(I2cTargetError::AddressNack)
        }
        fn read(&mut self, _: &mut [u8]) -> Result<(), I2cTargetError> {
            Err(I2cTargetError::AddressNack)
        }
    }
    bus.attach(0x76, Arc::new(Mutex::new(Gone)));
    assert_eq!(running.measure(s).unwrap_err(), ErrorCode::NotConnected);
    Bme680I2c::attach(&part, &bus, Bme680Address::Primary);
    assert_eq!(running.measure(s).unwrap().pressure_pa, Some(98711.0));
}

// ---------------------------------------------------------------------------------------------
// The component itself
// ---------------------------------------------------------------------------------------------

#[test]
fn the_component_imports_only_i2c_delay_and_config_and_exports_environment() {
    let bytes = std::fs::read(DRIVER_BME680).unwrap();
    let wit_component::DecodedWasm::Component(resolve, world) =
        wit_component::decode(&bytes).unwrap()
    else {
        panic!("not a component");
    };
    let world = &resolve.worlds[world];
    let names = |items: Vec<&wit_parser::WorldKey>| {
        items
            .into_iter()
            .map(|key| match key {
                wit_parser::WorldKey::Interface(id) => resolve.id_of(*id).unwrap(),
                wit_parser::WorldKey::Name(name) => panic!("a bare item {name}"),
            })
            .collect::<BTreeSet<_>>()
    };
    let set = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(
        names(world.imports.keys().collect()),
        set(&[
            "wasi:i2c/i2c@0.1.0",
            "wasi:delay/delay@0.1.0",
            "wasi:config/store@0.2.0-rc.1"
        ])
    );
    assert_eq!(
        names(world.exports.keys().collect()),
        set(&["sensor:environment/environment@0.1.0"])
    );
}

#[test]
fn the_component_is_at_most_64_kib() {
    let size = std::fs::metadata(DRIVER_BME680).unwrap().len();
    assert!(size <= 64 * 1024, "{size} bytes");
}
