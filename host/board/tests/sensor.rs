//! The simulated DHT22 of a board file's `[sensor.NAME]`, read by a real guest through
//! `sensor:environment` as the kernel's `dht11` driver shows it: its resolution, the kernel's
//! 2 s cache and its failures.

use test_programs_artifacts::SENSOR_REPORT;
use wasi_hal_board::{Board, BoardFile};
use wasi_hal_iio::{WasiIioCtx, WasiIioView};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};

struct State {
    iio: WasiIioCtx,
    table: ResourceTable,
}

/// What the guest reports after `n` measurements with the board's sensor.
fn report(engine: &Engine, component: &Component, board: &Board, n: u32) -> String {
    let mut linker = Linker::<State>::new(engine);
    wasi_hal_iio::add_to_linker(&mut linker, |s| WasiIioView {
        ctx: &mut s.iio,
        table: &mut s.table,
    })
    .unwrap();
    let state = State {
        iio: board.sensor_ctx(),
        table: ResourceTable::new(),
    };
    let mut store = Store::new(engine, state);
    let instance = linker.instantiate(&mut store, component).unwrap();
    let run = instance
        .get_typed_func::<(u32,), (String,)>(&mut store, "report")
        .unwrap();
    run.call(&mut store, (n,)).unwrap().0
}

#[test]
fn a_simulated_dht22_has_its_resolution_its_cache_and_its_failures() {
    let text = "[board]\nname = \"dht\"\nbackend = \"simulated\"\n\n[sensor.room]\n\
                model = \"dht22\"\ntemperature-c = 22.47\nhumidity-percent = 51.23\nfail-every = 2\n";
    let file = BoardFile::parse(text, "boards/dht.toml").unwrap_or_else(|e| panic!("{e}"));
    let board = Board::build(file).unwrap_or_else(|e| panic!("{e}"));
    let clock = board.simulated().unwrap().clock().clone();
    let engine = Engine::default();
    let component = Component::from_file(&engine, SENSOR_REPORT).unwrap();
    let report = |n| report(&engine, &component, &board, n);
    // 0.1 resolution.
    assert!(report(1).ends_with("ok t=22.500 p=- h=51.200 g=-\n"));
    // Within 2 s the kernel answers from its last reading: no read of the part, no failure.
    clock.advance_ns(1_000_000_000);
    assert!(report(3).ends_with("ok t=22.500 p=- h=51.200 g=-\n".repeat(3).as_str()));
    // After 2 s the part is read again: the second read fails, the third works.
    clock.advance_ns(1_500_000_000);
    assert!(report(1).ends_with("err bus-error\n"));
    assert!(report(1).ends_with("ok t=22.500 p=- h=51.200 g=-\n"));
}
