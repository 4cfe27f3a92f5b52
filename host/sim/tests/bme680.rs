//! The BME680 model driven through the simulated buses exactly as a host would.
//!
//! Expected values come from the reference vector (`data/bme680-vector.toml`, Bosch's integer API
//! results) or are register bytes worked out by hand from the datasheet; none is computed by the
//! code under test.

// Binary register values are grouped by bit field (osrs_t | osrs_p | mode), not by nibble.
#![allow(clippy::unusual_byte_groupings)]

use embedded_hal::i2c::{ErrorKind, I2c, NoAcknowledgeSource, Operation};
use embedded_hal::spi::SpiDevice;
use wasi_hal_sim::bme680::compensation;
use wasi_hal_sim::bme680::{
    Bme680, Bme680Address, Bme680I2c, Bme680Spi, Bme680Variant, Calibration, CalibrationParams,
    Conditions, SharedBme680, WarningKind,
};
use wasi_hal_sim::{SimClock, SimI2cBus, SimSpiDevice, SpiConfig, Trace};

const ADDR: u8 = 0x76;

// ---------------------------------------------------------------------------------------------
// The reference vector

struct Vector {
    /// (first register, bytes)
    registers: Vec<(u8, Vec<u8>)>,
    temperature_adc: u32,
    pressure_adc: u32,
    humidity_adc: u16,
    gas_adc: u16,
    gas_range: u8,
    temperature_centi_celsius: i16,
    t_fine: i32,
    pressure_pa: u32,
    humidity_milli_percent: u32,
    gas_resistance_ohm: u32,
    res_heat: u8,
    gas_wait: u8,
}

fn vector() -> Vector {
    let text = include_str!("data/bme680-vector.toml");
    let table: toml::Table = toml::from_str(text).expect("the vector is valid TOML");
    let int = |section: &str, key: &str| -> i64 {
        table[section][key]
            .as_integer()
            .unwrap_or_else(|| panic!("[{section}] {key} is an integer"))
    };
    let mut registers: Vec<(u8, Vec<u8>)> = table["registers"]
        .as_table()
        .expect("[registers] is a table")
        .iter()
        .map(|(key, value)| {
            let start = u8::from_str_radix(key.trim_start_matches("0x"), 16).expect("hex key");
            let bytes = value
                .as_array()
                .expect("register bytes are an array")
                .iter()
                .map(|b| u8::try_from(b.as_integer().expect("byte")).expect("byte range"))
                .collect();
            (start, bytes)
        })
        .collect();
    registers.sort();
    Vector {
        registers,
        temperature_adc: int("raw", "temperature_adc") as u32,
        pressure_adc: int("raw", "pressure_adc") as u32,
        humidity_adc: int("raw", "humidity_adc") as u16,
        gas_adc: int("raw", "gas_adc") as u16,
        gas_range: int("raw", "gas_range") as u8,
        temperature_centi_celsius: int("expected_integer", "temperature_centi_celsius") as i16,
        t_fine: int("expected_integer", "t_fine") as i32,
        pressure_pa: int("expected_integer", "pressure_pa") as u32,
        humidity_milli_percent: int("expected_integer", "humidity_milli_percent") as u32,
        gas_resistance_ohm: int("expected_integer", "gas_resistance_ohm") as u32,
        res_heat: int("expected_heater", "res_heat") as u8,
        gas_wait: int("expected_heater", "gas_wait") as u8,
    }
}

impl Vector {
    fn bytes_at(&self, start: u8) -> &[u8] {
        &self
            .registers
            .iter()
            .find(|(s, _)| *s == start)
            .unwrap_or_else(|| panic!("the vector has registers from {start:#04x}"))
            .1
    }

    /// The calibration parameters decoded from the vector's own register image.
    fn params(&self) -> CalibrationParams {
        let mut cal = Calibration::zeroed();
        for (start, bytes) in &self.registers {
            cal = cal
                .with_bytes(*start, bytes)
                .expect("calibration registers");
        }
        cal.params()
    }
}

// ---------------------------------------------------------------------------------------------
// Benches

struct I2cBench {
    clock: SimClock,
    bus: SimI2cBus,
    part: SharedBme680,
}

fn i2c_bench_with(make: impl FnOnce(SimClock) -> Bme680) -> I2cBench {
    let clock = SimClock::new();
    let bus = SimI2cBus::new("i2c-1", clock.clone(), Trace::new());
    let part = make(clock.clone()).into_shared();
    Bme680I2c::attach(&part, &bus, Bme680Address::Primary);
    I2cBench { clock, bus, part }
}

fn i2c_bench() -> I2cBench {
    i2c_bench_with(Bme680::new)
}

impl I2cBench {
    fn read(&mut self, register: u8, len: usize) -> Vec<u8> {
        let mut buf = vec![0; len];
        self.bus
            .write_read(ADDR, &[register], &mut buf)
            .expect("read acknowledged");
        buf
    }

    fn write(&mut self, register: u8, value: u8) {
        self.bus
            .write(ADDR, &[register, value])
            .expect("write acknowledged");
    }

    /// Advances the clock so that it reads `t_ns`.
    fn advance_to(&self, t_ns: u64) {
        let now = self.clock.now_ns();
        assert!(t_ns >= now, "cannot go back from {now} to {t_ns}");
        self.clock.advance_ns(t_ns - now);
    }

    /// `meas_status_0..=gas_r_lsb` and `ctrl_meas`, read in one transaction (so at one instant
    /// of simulated time).
    fn snapshot(&mut self) -> ([u8; 15], u8) {
        let (mut field, mut ctrl_meas) = ([0; 15], [0]);
        self.bus
            .transaction(
                ADDR,
                &mut [
                    Operation::Write(&[0x1D]),
                    Operation::Read(&mut field),
                    Operation::Write(&[0x74]),
                    Operation::Read(&mut ctrl_meas),
                ],
            )
            .expect("read acknowledged");
        (field, ctrl_meas[0])
    }

    /// `meas_status_0` and `ctrl_meas` at one instant.
    fn status_and_ctrl_meas(&mut self) -> (u8, u8) {
        let (field, ctrl_meas) = self.snapshot();
        (field[0], ctrl_meas)
    }

    fn warnings(&self) -> Vec<WarningKind> {
        self.part
            .lock()
            .unwrap()
            .warnings()
            .iter()
            .map(|w| w.kind.clone())
            .collect()
    }

    /// Runs one forced measurement with the current settings plus `ctrl_meas` and waits 1 s.
    fn measure(&mut self, ctrl_meas: u8) {
        self.write(0x74, ctrl_meas);
        self.clock.advance_ns(1_000_000_000);
    }
}

/// What a host reads `offset_ns` after it started a forced measurement with `ctrl_meas` on a
/// fresh part, after the `setup` writes. (Every bus transaction takes simulated time, so each
/// instant gets its own part.)
fn snapshot_after(setup: &[(u8, u8)], ctrl_meas: u8, offset_ns: u64) -> ([u8; 15], u8) {
    let mut b = i2c_bench();
    for &(register, value) in setup {
        b.write(register, value);
    }
    let t0 = b.clock.now_ns();
    b.write(0x74, ctrl_meas);
    b.advance_to(t0 + offset_ns);
    let snapshot = b.snapshot();
    assert!(b.warnings().is_empty(), "{:?}", b.warnings());
    snapshot
}

struct SpiBench {
    clock: SimClock,
    spi: SimSpiDevice,
    part: SharedBme680,
}

fn spi_bench() -> SpiBench {
    let clock = SimClock::new();
    let part = Bme680::new(clock.clone()).into_shared();
    let target = std::sync::Arc::new(std::sync::Mutex::new(Bme680Spi::new(part.clone())));
    let spi = SimSpiDevice::new("spi0.0", target, clock.clone(), Trace::new());
    SpiBench { clock, spi, part }
}

impl SpiBench {
    /// One chip-select period: sends `mosi`, returns MISO.
    fn xfer(&mut self, mosi: &[u8]) -> Vec<u8> {
        let mut buf = mosi.to_vec();
        self.spi
            .transfer_in_place(&mut buf)
            .expect("SPI never fails");
        buf
    }

    fn warnings(&self) -> Vec<WarningKind> {
        self.part
            .lock()
            .unwrap()
            .warnings()
            .iter()
            .map(|w| w.kind.clone())
            .collect()
    }
}

fn adc20(bytes: &[u8]) -> u32 {
    (u32::from(bytes[0]) << 12) | (u32::from(bytes[1]) << 4) | (u32::from(bytes[2]) >> 4)
}

/// The reset values of field 0, `0x1D..=0x2D`.
const FIELD0_RESET: [u8; 17] = [
    0x00, 0x00, // meas_status_0, sub_meas_index
    0x80, 0x00, 0x00, // pressure 0x80000
    0x80, 0x00, 0x00, // temperature 0x80000
    0x80, 0x00, // humidity 0x8000
    0x00, 0x00, 0x00, // reserved
    0x00, 0x00, // gas (BME680)
    0x00, 0x00, // gas (BME688)
];

// ---------------------------------------------------------------------------------------------
// Direct register access

#[test]
fn chip_id_and_variant_id() {
    let mut b = i2c_bench();
    assert_eq!(b.read(0xD0, 1), [0x61]);
    assert_eq!(b.read(0xF0, 1), [0x00]);

    let mut b = i2c_bench_with(|clock| Bme680::new(clock).with_variant(Bme680Variant::Bme688));
    assert_eq!(b.read(0xD0, 1), [0x61]);
    assert_eq!(b.read(0xF0, 1), [0x01]);
    assert!(b.warnings().is_empty());
}

#[test]
fn calibration_banks_hold_the_vector_register_image() {
    let v = vector();
    let mut b = i2c_bench();
    for (start, bytes) in &v.registers {
        assert_eq!(&b.read(*start, bytes.len()), bytes, "bank at {start:#04x}");
    }
    // The chunks of the older BME680 API: 0x89..=0xA1 and 0xE1..=0xF0 (ending in the variant id).
    let bank1 = b.read(0x89, 25);
    assert_eq!(bank1[0], 0x00, "0x89 is not in the vector: 0");
    assert_eq!(&bank1[1..24], v.bytes_at(0x8A));
    assert_eq!(bank1[24], 0x00, "0xA1 is not in the vector: 0");
    let bank2 = b.read(0xE1, 16);
    assert_eq!(&bank2[..14], v.bytes_at(0xE1));
    assert_eq!(
        &bank2[14..],
        [0x00, 0x00],
        "0xEF (not in the vector), variant id 0"
    );
    // One register at a time.
    for (i, &byte) in v.bytes_at(0x00).iter().enumerate() {
        assert_eq!(b.read(i as u8, 1), [byte]);
    }
    assert!(b.warnings().is_empty());
}

#[test]
fn configured_calibration_is_what_the_bus_reads() {
    let cal = Calibration::reference()
        .with_bytes(0x8A, &[0x11, 0x22])
        .unwrap()
        .with_bytes(0xEF, &[0x57])
        .unwrap();
    let mut b = i2c_bench_with(|clock| Bme680::new(clock).with_calibration(cal));
    assert_eq!(b.read(0x8A, 3), [0x11, 0x22, 0x03]);
    assert_eq!(b.read(0xEE, 3), [0x12, 0x57, 0x00]);
    // Calibration bytes only live in the three banks.
    assert!(
        Calibration::reference()
            .with_bytes(0xA0, &[1, 2, 3])
            .is_err()
    );
    assert!(Calibration::reference().with_bytes(0xFF, &[1, 2]).is_err());
}

#[test]
fn calibration_params_decode_like_bosch_and_encode_back() {
    let p = vector().params();
    // Decoded by hand from the vector's bytes.
    assert_eq!(p.par_t1, 0x65B9);
    assert_eq!(p.par_t2, 0x6765);
    assert_eq!(p.par_t3, 3);
    assert_eq!(p.par_p1, 0x8F41);
    assert_eq!(p.par_p6, 0x1E);
    assert_eq!(p.par_p7, 0x2E);
    assert_eq!(p.par_p10, 0x1E);
    assert_eq!(p.par_h1, 0x2A4);
    assert_eq!(p.par_h2, 0x405);
    assert_eq!(p.par_gh1, -30);
    assert_eq!(p.par_gh2, 0x9F4E_u16 as i16);
    assert_eq!(p.par_gh3, 18);
    assert_eq!(p.res_heat_val, 0x30);
    assert_eq!(p.res_heat_range, 1);
    assert_eq!(p.range_sw_err, 0);
    assert_eq!(Calibration::default().params(), p);
    assert_eq!(Calibration::from_params(&p).params(), p);

    let negative = CalibrationParams {
        range_sw_err: -3,
        res_heat_range: 2,
        ..p
    };
    let cal = Calibration::from_params(&negative);
    assert_eq!(cal.register(0x04), Some(0xD0));
    assert_eq!(cal.register(0x02), Some(0x20));
    assert_eq!(cal.params(), negative);
}

#[test]
fn register_pointer_survives_a_split_write_and_read() {
    let v = vector();
    let mut b = i2c_bench();
    let mut one = [0u8; 1];
    b.bus.write(ADDR, &[0xD0]).unwrap();
    b.bus.read(ADDR, &mut one).unwrap();
    assert_eq!(one, [0x61]);

    let mut three = [0u8; 3];
    b.bus.write(ADDR, &[0x8A]).unwrap();
    b.bus.read(ADDR, &mut three).unwrap();
    assert_eq!(three, v.bytes_at(0x8A)[0..3]);
    // The pointer moved on with the read.
    b.bus.read(ADDR, &mut three).unwrap();
    assert_eq!(three, v.bytes_at(0x8A)[3..6]);
    assert!(b.warnings().is_empty());
}

#[test]
fn i2c_writes_are_register_value_pairs() {
    let mut b = i2c_bench();
    b.bus.write(ADDR, &[0x72, 0x05, 0x75, 0x08]).unwrap();
    assert_eq!(b.read(0x72, 4), [0x05, 0x00, 0x00, 0x08]);
    // No auto-increment on writes: the byte after a value is the next register address.
    b.bus.write(ADDR, &[0x64, 0x11, 0x66]).unwrap();
    let mut one = [0u8; 1];
    b.bus.read(ADDR, &mut one).unwrap();
    assert_eq!(one, [0x00], "the pointer is at 0x66");
    assert_eq!(b.read(0x64, 3), [0x11, 0x00, 0x00]);
}

#[test]
fn soft_reset_restores_reset_values_after_startup() {
    let v = vector();
    let mut b = i2c_bench();
    for (register, value) in [
        (0x50, 0x12),
        (0x5A, 0x6A),
        (0x64, 0x65),
        (0x70, 0x00),
        (0x71, 0x10),
        (0x72, 0x01),
        (0x75, 0x04),
    ] {
        b.write(register, value);
    }
    b.measure(0x55);
    assert_eq!(b.read(0x1D, 1), [0x80]);

    let t_reset = b.clock.now_ns();
    b.bus.write(ADDR, &[0xE0, 0xB6]).unwrap();
    // The part does not acknowledge during its 2 ms start-up.
    b.advance_to(t_reset + 1_999_999);
    let mut id = [0u8];
    let err = b.bus.write_read(ADDR, &[0xD0], &mut id).unwrap_err();
    assert_eq!(
        embedded_hal::i2c::Error::kind(&err),
        ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address)
    );
    assert_eq!(b.warnings(), [WarningKind::AccessDuringStartup]);

    // (That transaction took simulated time; the end of the start-up gets a part of its own.)
    assert!(b.clock.now_ns() > t_reset + 2_000_000);
    assert_eq!(b.read(0xD0, 1), [0x61]);
    assert_eq!(b.read(0x50, 0x76 - 0x50), vec![0u8; 0x76 - 0x50]);
    assert_eq!(b.read(0x1D, 17), FIELD0_RESET);
    assert_eq!(b.read(0xE0, 1), [0x00]);
    // NVM contents survive.
    assert_eq!(b.read(0x8A, 23), v.bytes_at(0x8A));
    assert_eq!(b.warnings(), [WarningKind::AccessDuringStartup]);

    let mut b = i2c_bench();
    let t_reset = b.clock.now_ns();
    b.bus.write(ADDR, &[0xE0, 0xB6]).unwrap();
    b.advance_to(t_reset + 1_999_999);
    assert!(b.part.lock().unwrap().is_starting_up());
    b.advance_to(t_reset + 2_000_000);
    assert!(!b.part.lock().unwrap().is_starting_up());
    assert_eq!(b.read(0xD0, 1), [0x61]);
    assert!(b.warnings().is_empty());
}

#[test]
fn bytes_after_a_reset_in_the_same_write_are_not_acknowledged() {
    let mut b = i2c_bench();
    let err = b.bus.write(ADDR, &[0xE0, 0xB6, 0x72, 0x01]).unwrap_err();
    assert_eq!(
        embedded_hal::i2c::Error::kind(&err),
        ErrorKind::NoAcknowledge(NoAcknowledgeSource::Data)
    );
    b.clock.advance_ns(2_000_000);
    assert_eq!(b.read(0x72, 1), [0x00]);
}

#[test]
fn spi_reads_and_writes_through_the_memory_page() {
    let v = vector();
    let mut s = spi_bench();
    // Page 0 after reset: 0x80..=0xFF.
    assert_eq!(s.xfer(&[0xD0, 0x00]), [0x00, 0x61]);
    let mut bank2 = vec![0xE1];
    bank2.extend([0u8; 14]);
    assert_eq!(s.xfer(&bank2)[1..], *v.bytes_at(0xE1));
    assert_eq!(s.xfer(&[0xF3, 0x00]), [0x00, 0x00], "status, page 0");

    // Page 1: 0x00..=0x7F.
    s.xfer(&[0x73, 0x10]);
    assert_eq!(s.xfer(&[0xF3, 0x00]), [0x00, 0x10], "status from page 1");
    assert_eq!(s.xfer(&[0x80, 0, 0, 0, 0, 0])[1..], *v.bytes_at(0x00));
    assert_eq!(
        s.xfer(&[0xD0, 0x00]),
        [0x00, 0x00],
        "0x50 is idac_heat_0 here"
    );
    // Several control/data pairs in one chip-select period.
    s.xfer(&[0x72, 0x01, 0x74, 0x54]);
    assert_eq!(s.xfer(&[0xF2, 0, 0, 0]), [0x00, 0x01, 0x10, 0x54]);
    assert_eq!(s.part.lock().unwrap().read_register(0x74), 0x54);

    // Back to page 0.
    s.xfer(&[0x73, 0x00]);
    assert_eq!(s.xfer(&[0xD0, 0x00]), [0x00, 0x61]);
    assert!(s.warnings().is_empty());
}

#[test]
fn spi_split_operations_and_soft_reset() {
    let mut s = spi_bench();
    // Control byte and data in separate operations of one transaction.
    let mut id = [0u8];
    s.spi
        .transaction(&mut [
            embedded_hal::spi::Operation::Write(&[0xD0]),
            embedded_hal::spi::Operation::Read(&mut id),
        ])
        .unwrap();
    assert_eq!(id, [0x61]);

    s.xfer(&[0x73, 0x10]);
    s.xfer(&[0x75, 0x08]);
    s.xfer(&[0x73, 0x00]);
    // 0xE0 is 0x60 in page 0.
    s.xfer(&[0x60, 0xB6]);
    assert_eq!(s.xfer(&[0xD0, 0x00]), [0x00, 0x00], "starting up");
    assert_eq!(s.warnings(), [WarningKind::AccessDuringStartup]);
    s.clock.advance_ns(2_000_000);
    assert_eq!(s.xfer(&[0xF3, 0x00]), [0x00, 0x00], "page 0 again");
    s.xfer(&[0x73, 0x10]);
    assert_eq!(s.xfer(&[0xF5, 0x00]), [0x00, 0x00], "config reset");
}

#[test]
fn spi_misuse_is_ignored_or_reported() {
    let mut s = spi_bench();
    s.spi.set_config(SpiConfig {
        mode: wasi_hal_sim::SpiMode::Mode1,
        ..SpiConfig::default()
    });
    assert_eq!(s.xfer(&[0xD0, 0x00]), [0x00, 0x00]);
    s.spi.set_config(SpiConfig {
        lsb_first: true,
        ..SpiConfig::default()
    });
    assert_eq!(s.xfer(&[0xD0, 0x00]), [0x00, 0x00]);
    s.spi.set_config(SpiConfig {
        frequency_hz: 12_000_000,
        ..SpiConfig::default()
    });
    assert_eq!(
        s.xfer(&[0xD0, 0x00]),
        [0x00, 0x61],
        "too fast is only reported"
    );
    s.spi.set_config(SpiConfig {
        mode: wasi_hal_sim::SpiMode::Mode3,
        ..SpiConfig::default()
    });
    assert_eq!(s.xfer(&[0xD0, 0x00]), [0x00, 0x61], "mode 3 works");
    s.xfer(&[0x60]);
    assert_eq!(
        s.warnings(),
        [
            WarningKind::UnsupportedSpiMode { mode: 1 },
            WarningKind::SpiLsbFirst,
            WarningKind::SpiClockTooFast {
                frequency_hz: 12_000_000
            },
            WarningKind::IncompleteSpiWrite { address: 0xE0 },
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Forced mode in simulated time

#[test]
fn forced_measurement_completes_after_the_datasheet_duration() {
    let setup = [(0x72, 0x01)]; // humidity x1
    let ctrl_meas = 0b010_101_01; // temperature x2, pressure x16, forced
    // (2 + 16 + 1) * 1963 + 477 * 4 + 477 * 5 + 1000 = 42590 us
    const DURATION_NS: u64 = 42_590_000;

    let mut b = i2c_bench();
    b.write(0x72, 0x01);
    let t0 = b.clock.now_ns();
    b.write(0x74, ctrl_meas);
    assert_eq!(
        b.part.lock().unwrap().measurement_end_ns(),
        Some(t0 + DURATION_NS)
    );

    let (field, ctrl) = snapshot_after(&setup, ctrl_meas, DURATION_NS - 1);
    assert_eq!(field[0], 0x20, "measuring, no new data, no gas phase");
    assert_eq!(ctrl, 0b010_101_01, "still in forced mode");
    assert_eq!(field[2..10], FIELD0_RESET[2..10], "data not there yet");

    let (field, ctrl) = snapshot_after(&setup, ctrl_meas, DURATION_NS);
    assert_eq!(ctrl, 0b010_101_00, "back to sleep");
    // New data; the reference vector's raw values, worked out by hand:
    // pressure 353485 = 0x564CD, temperature 501240 = 0x7A5F8, humidity 19019 = 0x4A4B.
    assert_eq!(
        field,
        [
            0x80, 0x00, 0x56, 0x4C, 0xD0, 0x7A, 0x5F, 0x80, 0x4A, 0x4B, 0x00, 0x00, 0x00, 0x00,
            0x00
        ]
    );

    // Polling like a driver does: the measurement completes once, and only once.
    b.clock.advance_ns(DURATION_NS);
    assert_eq!(b.status_and_ctrl_meas(), (0x80, 0b010_101_00));
    assert_eq!(b.part.lock().unwrap().measurements_completed(), 1);
    assert!(b.warnings().is_empty());
}

#[test]
fn gas_measurement_adds_the_heater_wait_and_shows_the_gas_phase() {
    let setup = [
        (0x72, 0x01),
        (0x5A, 0x6A), // res_heat_0
        (0x64, 0x65), // gas_wait_0: 37 * 4 = 148 ms
        (0x71, 0x10), // run_gas, profile 0
    ];
    // TPH phase: 42590 - 477 * 5 = 40205 us; then 148 ms heating and the 2385 us gas conversion.
    const GAS_PHASE_NS: u64 = 40_205_000;
    const DURATION_NS: u64 = 190_590_000;
    let at = |offset| {
        let (field, ctrl_meas) = snapshot_after(&setup, 0x55, offset);
        (field[0], ctrl_meas)
    };
    assert_eq!(at(GAS_PHASE_NS - 1), (0x20, 0x55));
    assert_eq!(at(GAS_PHASE_NS), (0x60, 0x55), "gas measuring");
    assert_eq!(at(DURATION_NS - 1), (0x60, 0x55));
    let (field, ctrl_meas) = snapshot_after(&setup, 0x55, DURATION_NS);
    assert_eq!((field[0], ctrl_meas), (0x80, 0x54));
    // gas_adc 512 = 0b10_0000_0000: msb 0x80; lsb = adc bits 1:0 (00) | gas_valid | heat_stab |
    // range 5.
    assert_eq!(field[13..], [0x80, 0x35]);
}

#[test]
fn heater_profile_heater_off_and_unstable_heater() {
    let mut b = i2c_bench();
    b.write(0x72, 0x01);
    b.write(0x67, 0x4A); // gas_wait_3: 10 * 4 = 40 ms
    b.write(0x71, 0x13); // run_gas, profile 3
    let t0 = b.clock.now_ns();
    b.write(0x74, 0x55);
    assert_eq!(
        b.part.lock().unwrap().measurement_end_ns(),
        Some(t0 + 42_590_000 + 40_000_000)
    );
    b.clock.advance_ns(100_000_000);
    assert_eq!(b.read(0x1D, 1), [0x83], "new data from heater profile 3");
    assert_eq!(b.read(0x2A, 2), [0x80, 0x35]);

    // Heater off: no wait, a gas conversion without heat_stab.
    b.write(0x70, 0x08);
    let t0 = b.clock.now_ns();
    b.write(0x74, 0x55);
    assert_eq!(
        b.part.lock().unwrap().measurement_end_ns(),
        Some(t0 + 42_590_000)
    );
    b.clock.advance_ns(100_000_000);
    assert_eq!(b.read(0x2A, 2), [0x80, 0x25]);

    // Heater on, but it does not reach its target.
    b.write(0x70, 0x00);
    b.part.lock().unwrap().set_heater_stable(false);
    b.measure(0x55);
    assert_eq!(b.read(0x2A, 2), [0x80, 0x25]);

    // No gas conversion: the gas registers hold 0.
    b.write(0x71, 0x00);
    b.measure(0x55);
    assert_eq!(b.read(0x1D, 1), [0x80]);
    assert_eq!(b.read(0x2A, 2), [0x00, 0x00]);
    assert!(b.warnings().is_empty());
}

#[test]
fn bme688_reports_gas_in_its_own_registers() {
    let mut b = i2c_bench_with(|clock| Bme680::new(clock).with_variant(Bme680Variant::Bme688));
    b.write(0x72, 0x01);
    b.write(0x64, 0x59);
    b.write(0x71, 0x20); // run_gas for the BME688
    b.measure(0x55);
    assert_eq!(b.read(0x2A, 4), [0x00, 0x00, 0x80, 0x35]);
    assert!(b.warnings().is_empty());

    b.write(0x71, 0x10); // the BME680's bit: no gas conversion on a BME688
    b.measure(0x55);
    assert_eq!(b.read(0x2A, 4), [0x00, 0x00, 0x00, 0x00]);
    assert_eq!(
        b.warnings(),
        [WarningKind::RunGasBitOfOtherVariant { ctrl_gas_1: 0x10 }]
    );
}

#[test]
fn skipped_oversampling_leaves_the_reset_value() {
    let mut b = i2c_bench();
    let t0 = b.clock.now_ns();
    b.write(0x74, 0b000_001_01); // temperature skipped, pressure x1, humidity skipped
    // 1 * 1963 + 477 * 9 + 1000 = 7256 us
    assert_eq!(
        b.part.lock().unwrap().measurement_end_ns(),
        Some(t0 + 7_256_000)
    );
    b.clock.advance_ns(7_256_000);
    assert_eq!(
        b.read(0x1F, 8),
        [0x56, 0x4C, 0xD0, 0x80, 0x00, 0x00, 0x80, 0x00]
    );
}

#[test]
fn sleep_during_a_measurement_aborts_it() {
    let mut b = i2c_bench();
    b.write(0x74, 0x55);
    b.clock.advance_ns(10_000_000);
    b.write(0x74, 0x54);
    assert_eq!(b.status_and_ctrl_meas(), (0x00, 0x54));
    b.clock.advance_ns(1_000_000_000);
    assert_eq!(b.status_and_ctrl_meas(), (0x00, 0x54), "no new data");
    assert_eq!(b.read(0x1F, 3), [0x80, 0x00, 0x00]);
    assert!(b.warnings().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Compensation and the reference vector

#[test]
fn forward_integer_compensation_of_the_vector() {
    let v = vector();
    let p = v.params();
    let t = compensation::temperature(&p, v.temperature_adc);
    assert_eq!(t.centi_celsius, v.temperature_centi_celsius);
    assert_eq!(t.centi_celsius, 2669);
    assert_eq!(t.t_fine, v.t_fine);
    assert_eq!(t.t_fine, 136_667);
    assert_eq!(
        compensation::pressure(&p, t.t_fine, v.pressure_adc),
        v.pressure_pa
    );
    assert_eq!(v.pressure_pa, 98_711);
    assert_eq!(
        compensation::humidity(&p, t.t_fine, v.humidity_adc),
        v.humidity_milli_percent
    );
    assert_eq!(v.humidity_milli_percent, 42_402);
    assert_eq!(
        compensation::gas_resistance_low(&p, v.gas_adc, v.gas_range),
        v.gas_resistance_ohm
    );
    assert_eq!(v.gas_resistance_ohm, 248_262);
    assert_eq!(
        compensation::gas_resistance(&p, Bme680Variant::Bme680, v.gas_adc, v.gas_range),
        v.gas_resistance_ohm
    );
}

#[test]
fn heater_set_points_of_the_vector() {
    let v = vector();
    let p = v.params();
    assert_eq!(compensation::heater_resistance(&p, 25, 320), v.res_heat);
    assert_eq!(v.res_heat, 0x6A);
    assert_eq!(compensation::gas_wait(150), v.gas_wait);
    assert_eq!(v.gas_wait, 0x65);
    // Datasheet examples and limits.
    assert_eq!(compensation::gas_wait(100), 0x59);
    assert_eq!(compensation::gas_wait(63), 0x3F);
    assert_eq!(compensation::gas_wait(4032), 0xFF);
    assert_eq!(compensation::gas_wait_ms(0x65), 148);
    assert_eq!(compensation::gas_wait_ms(0xFF), 63 * 64);
    assert_eq!(compensation::measurement_duration_us(2, 5, 1), 42_590);
}

#[test]
fn bme688_gas_formula() {
    // 262144 >> 5 = 8192; var2 = 4096 + (512 - 512) * 3 = 4096;
    // 10000 * 8192 / 4096 = 20000, * 100 = 2_000_000.
    assert_eq!(compensation::gas_resistance_high(512, 5), 2_000_000);
    // var2 = 4096 + 511 * 3 = 5629; 10000 * 262144 / 5629 = 465_702 (truncated), * 100.
    assert_eq!(compensation::gas_resistance_high(1023, 0), 46_570_200);
}

#[test]
fn raw_values_set_directly_are_read_back() {
    let v = vector();
    let mut b = i2c_bench();
    b.part.lock().unwrap().set_raw(
        v.temperature_adc,
        v.pressure_adc,
        v.humidity_adc,
        v.gas_adc,
        v.gas_range,
    );
    b.write(0x72, 0x01);
    b.write(0x64, 0x59);
    b.write(0x71, 0x10);
    b.measure(0x55);
    let data = b.read(0x1D, 15);
    assert_eq!(adc20(&data[2..5]), v.pressure_adc);
    assert_eq!(adc20(&data[5..8]), v.temperature_adc);
    assert_eq!(u16::from_be_bytes([data[8], data[9]]), v.humidity_adc);
    assert_eq!(
        (u16::from(data[13]) << 2) | u16::from(data[14] >> 6),
        v.gas_adc
    );
    assert_eq!(data[14] & 0x0F, v.gas_range);

    // Every bit of every field.
    b.part
        .lock()
        .unwrap()
        .set_raw(0x12345, 0xABCDE, 0xBEEF, 0x3FF, 15);
    b.measure(0x55);
    assert_eq!(
        b.read(0x1D, 15),
        [
            0x80, 0x00, 0xAB, 0xCD, 0xE0, 0x12, 0x34, 0x50, 0xBE, 0xEF, 0x00, 0x00, 0x00, 0xFF,
            0xFF
        ]
    );
    assert!(b.warnings().is_empty());
}

#[test]
fn raw_values_too_wide_are_clamped_and_reported() {
    let mut b = i2c_bench();
    b.part
        .lock()
        .unwrap()
        .set_raw(0x10_0000, 0x1F_FFFF, 0, 0x400, 16);
    b.write(0x71, 0x10);
    b.measure(0x55);
    assert_eq!(b.read(0x1F, 6), [0xFF, 0xFF, 0xF0, 0xFF, 0xFF, 0xF0]);
    assert_eq!(b.read(0x2A, 2), [0xFF, 0xEF]);
    assert_eq!(
        b.warnings(),
        [
            WarningKind::RawValueOutOfRange {
                quantity: "temperature_adc",
                value: 0x10_0000
            },
            WarningKind::RawValueOutOfRange {
                quantity: "pressure_adc",
                value: 0x1F_FFFF
            },
            WarningKind::RawValueOutOfRange {
                quantity: "gas_adc",
                value: 0x400
            },
            WarningKind::RawValueOutOfRange {
                quantity: "gas_range",
                value: 16
            },
        ]
    );
}

/// `target` lies between the compensated values of `raw - 1` and `raw + 1`: `raw` is within one
/// ADC step of the exact inverse.
fn within_one_step(f: impl Fn(u32) -> i64, raw: u32, max: u32, target: i64) -> bool {
    let a = f(raw.saturating_sub(1));
    let b = f((raw + 1).min(max));
    a.min(b) <= target && target <= a.max(b)
}

#[test]
fn conditions_round_trip_through_the_forward_compensation() {
    let p = vector().params();
    let sets = [
        (26.69, 98_711.0, 42.402, 248_262.0),
        (25.0, 101_325.0, 50.0, 100_000.0),
        (-10.5, 80_000.0, 10.0, 5_000.0),
        (60.0, 110_000.0, 95.0, 2_000_000.0),
        (0.0, 30_000.0, 0.5, 12_000_000.0),
    ];
    for (temperature, pressure, humidity, gas) in sets {
        let mut b = i2c_bench();
        b.part.lock().unwrap().set_conditions(Conditions {
            temperature_celsius: temperature,
            pressure_pa: pressure,
            humidity_percent: humidity,
            gas_resistance_ohm: gas,
        });
        b.write(0x72, 0x01);
        b.write(0x64, 0x59);
        b.write(0x71, 0x10);
        b.measure(0x55);
        let data = b.read(0x1D, 15);
        let t_adc = adc20(&data[5..8]);
        let p_adc = adc20(&data[2..5]);
        let h_adc = u32::from(u16::from_be_bytes([data[8], data[9]]));
        let g_adc = (u32::from(data[13]) << 2) | u32::from(data[14] >> 6);
        let g_range = data[14] & 0x0F;
        let label = format!("{temperature} °C, {pressure} Pa, {humidity} %, {gas} Ω");

        let t = compensation::temperature(&p, t_adc);
        assert!(
            (i64::from(t.centi_celsius) - (temperature * 100.0).round() as i64).abs() <= 1,
            "{label}: {} centi-°C",
            t.centi_celsius
        );
        assert!(
            within_one_step(
                |adc| compensation::temperature(&p, adc).t_fine.into(),
                t_adc,
                0xF_FFFF,
                (temperature * 5120.0).round() as i64
            ),
            "{label}: t_fine"
        );
        assert!(
            within_one_step(
                |adc| compensation::pressure(&p, t.t_fine, adc).into(),
                p_adc,
                0xF_FFFF,
                pressure.round() as i64
            ),
            "{label}: pressure {}",
            compensation::pressure(&p, t.t_fine, p_adc)
        );
        assert!(
            within_one_step(
                |adc| compensation::humidity(&p, t.t_fine, adc as u16).into(),
                h_adc,
                0xFFFF,
                (humidity * 1000.0).round() as i64
            ),
            "{label}: humidity {}",
            compensation::humidity(&p, t.t_fine, h_adc as u16)
        );
        assert!(
            within_one_step(
                |adc| compensation::gas_resistance_low(&p, adc as u16, g_range).into(),
                g_adc,
                0x3FF,
                gas.round() as i64
            ),
            "{label}: gas {} (range {g_range})",
            compensation::gas_resistance_low(&p, g_adc as u16, g_range)
        );
        assert!(b.warnings().is_empty(), "{label}: {:?}", b.warnings());
    }
}

#[test]
fn conditions_out_of_reach_or_not_finite_are_reported() {
    let mut b = i2c_bench();
    let good = Conditions {
        temperature_celsius: 20.0,
        pressure_pa: 100_000.0,
        humidity_percent: 150.0,
        gas_resistance_ohm: 50_000.0,
    };
    b.part.lock().unwrap().set_conditions(good);
    b.part.lock().unwrap().set_conditions(Conditions {
        temperature_celsius: f64::NAN,
        ..good
    });
    b.write(0x72, 0x01);
    b.measure(0x55);
    let h = b.read(0x25, 2);
    let p = vector().params();
    let t_fine = compensation::temperature(&p, adc20(&b.read(0x22, 3))).t_fine;
    assert_eq!(
        compensation::humidity(&p, t_fine, u16::from_be_bytes([h[0], h[1]])),
        100_000,
        "the nearest the part can say is 100 %"
    );
    assert_eq!(
        b.warnings(),
        [
            WarningKind::InvalidCondition {
                quantity: "temperature"
            },
            WarningKind::ConditionOutOfRange {
                quantity: "humidity"
            },
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// A third-party driver: bosch-bme680 (embedded-hal 1.0, Bosch's float formulas)

#[test]
fn bosch_bme680_driver_reads_the_vector() {
    let v = vector();
    let b = i2c_bench();
    let config = bosch_bme680::Configuration::default(); // T x2, P x16, H x1, 150 ms at 300 °C
    let mut driver = bosch_bme680::Bme680::new(
        b.bus.clone(),
        bosch_bme680::DeviceAddress::Primary,
        b.clock.clone(),
        &config,
        25,
    )
    .expect("the driver initialises the part");
    let t0 = b.clock.now_ns();
    let data = driver.measure().expect("a forced measurement");
    assert!(b.clock.now_ns() - t0 >= 190_590_000);

    // Tolerances. The float formulas are not a rounding of the integer ones: each integer
    // formula truncates at several fixed-point steps, and f32 adds its own rounding (24-bit
    // mantissa: ~0.008 Pa at 1e5 Pa). Measured here: 26.6931 °C, 98716.93 Pa, 42.4097 %RH,
    // 248262.19 Ω. Bounds:
    // - temperature 0.01 °C: the integer result is t_fine rounded to 0.01 °C (±0.005).
    // - humidity 0.01 %RH: truncation to 0.001 % after >> 10, >> 12 and / 100 steps (0.008 here).
    // - pressure 8 Pa: Bosch's float and integer pressure formulas disagree by 5.9 Pa for this
    //   calibration (the float formula in double precision gives 98716.87 Pa); the integer one
    //   keeps only the integer part of var1 after >> 18 and truncates each division.
    // - gas 1e-4 relative: the float range factors equal the integer lookup tables to ~1e-7;
    //   the rest is truncation to 1 Ω and f32 rounding.
    let temperature = f32::from(v.temperature_centi_celsius) / 100.0;
    assert!(
        (data.temperature - temperature).abs() <= 0.01,
        "temperature {} vs {temperature}",
        data.temperature
    );
    let pressure = v.pressure_pa as f32;
    assert!(
        (data.pressure - pressure).abs() <= 8.0,
        "pressure {} vs {pressure}",
        data.pressure
    );
    let humidity = v.humidity_milli_percent as f32 / 1000.0;
    assert!(
        (data.humidity - humidity).abs() <= 0.01,
        "humidity {} vs {humidity}",
        data.humidity
    );
    let gas = data.gas_resistance.expect("a valid gas measurement");
    let expected_gas = v.gas_resistance_ohm as f32;
    assert!(
        (gas - expected_gas).abs() <= expected_gas * 1e-4,
        "gas {gas} vs {expected_gas}"
    );

    // What the driver configured, as register bytes.
    let mut b = b;
    assert_eq!(
        b.read(0x71, 5),
        [0x10, 0x01, 0x00, 0b010_101_00, 0b000_001_00]
    );
    assert_eq!(b.read(0x64, 1), [0x65], "150 ms");
    assert!(b.warnings().is_empty(), "{:?}", b.warnings());
}

#[test]
fn bosch_bme680_driver_reads_conditions() {
    let b = i2c_bench();
    b.part.lock().unwrap().set_conditions(Conditions {
        temperature_celsius: 21.0,
        pressure_pa: 95_000.0,
        humidity_percent: 40.0,
        gas_resistance_ohm: 50_000.0,
    });
    let mut driver = bosch_bme680::Bme680::new(
        b.bus.clone(),
        bosch_bme680::DeviceAddress::Primary,
        b.clock.clone(),
        &bosch_bme680::Configuration::default(),
        25,
    )
    .expect("the driver initialises the part");
    let data = driver.measure().expect("a forced measurement");
    // The vector test's tolerances plus one ADC step of the inversion (about 0.0003 °C,
    // 0.2 Pa, 0.004 %RH and 0.1 % of the gas resistance here).
    assert!((data.temperature - 21.0).abs() <= 0.011, "{data:?}");
    assert!((data.pressure - 95_000.0).abs() <= 8.5, "{data:?}");
    assert!((data.humidity - 40.0).abs() <= 0.015, "{data:?}");
    let gas = data.gas_resistance.expect("a valid gas measurement");
    assert!((gas - 50_000.0).abs() <= 50_000.0 * 1.2e-3, "{data:?}");
    assert!(b.warnings().is_empty(), "{:?}", b.warnings());
}

// ---------------------------------------------------------------------------------------------
// Misuse

#[test]
fn an_address_with_no_part_is_not_acknowledged() {
    let mut b = i2c_bench();
    let mut id = [0u8];
    let err = b.bus.write_read(0x77, &[0xD0], &mut id).unwrap_err();
    assert_eq!(
        embedded_hal::i2c::Error::kind(&err),
        ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address)
    );
    // Strapped to the secondary address it answers there.
    let part = Bme680::new(b.clock.clone()).into_shared();
    Bme680I2c::attach(&part, &b.bus, Bme680Address::Secondary);
    b.bus.write_read(0x77, &[0xD0], &mut id).unwrap();
    assert_eq!(id, [0x61]);
}

#[test]
fn undefined_registers_read_zero_and_are_reported() {
    let mut b = i2c_bench();
    assert_eq!(b.read(0x05, 1), [0x00]);
    assert_eq!(b.read(0xF1, 2), [0x00, 0x00]);
    // Bursts through reserved bytes are normal.
    b.read(0x1D, 17);
    b.read(0x50, 0x26);
    assert_eq!(
        b.warnings(),
        [
            WarningKind::ReadFromUndefined { address: 0x05 },
            WarningKind::ReadFromUndefined { address: 0xF1 },
        ]
    );
}

#[test]
fn writes_to_read_only_or_undefined_registers_are_ignored_and_reported() {
    let v = vector();
    let mut b = i2c_bench();
    b.write(0x72, 0x01);
    let t = b.clock.now_ns();
    b.write(0xD0, 0x55);
    b.write(0x8A, 0x00);
    b.write(0x1F, 0x12);
    b.write(0xF5, 0x01);
    b.write(0xE0, 0x00);
    b.write(0x74, 0x02);
    assert_eq!(b.read(0xD0, 1), [0x61]);
    assert_eq!(b.read(0x8A, 1), [v.bytes_at(0x8A)[0]]);
    assert_eq!(b.read(0x1F, 1), [0x80]);
    assert_eq!(b.read(0x72, 1), [0x01], "no reset");
    assert!(
        !b.part.lock().unwrap().is_measuring(),
        "mode 2 starts nothing"
    );
    let warnings = b.part.lock().unwrap().warnings().to_vec();
    assert_eq!(warnings[0].time_ns, t);
    assert_eq!(
        warnings.into_iter().map(|w| w.kind).collect::<Vec<_>>(),
        [
            WarningKind::WriteToReadOnly {
                address: 0xD0,
                value: 0x55
            },
            WarningKind::WriteToReadOnly {
                address: 0x8A,
                value: 0x00
            },
            WarningKind::WriteToReadOnly {
                address: 0x1F,
                value: 0x12
            },
            WarningKind::WriteToUndefined {
                address: 0xF5,
                value: 0x01
            },
            WarningKind::InvalidResetCommand { value: 0x00 },
            WarningKind::UnsupportedMode { mode: 2 },
        ]
    );
}

#[test]
fn control_writes_during_a_measurement_are_reported() {
    let mut b = i2c_bench();
    b.write(0x74, 0x55);
    b.write(0x72, 0x05);
    b.write(0x71, 0x1A);
    b.measure(0x55);
    assert_eq!(
        b.warnings(),
        [
            WarningKind::WriteDuringMeasurement {
                address: 0x72,
                value: 0x05
            },
            WarningKind::WriteDuringMeasurement {
                address: 0x71,
                value: 0x1A
            },
            WarningKind::WriteDuringMeasurement {
                address: 0x74,
                value: 0x55
            },
        ]
    );
}
