//! Long runs and the host's limits, with real guests through a real Wasmtime on simulated
//! boards: what the host keeps while a guest toggles an output hundreds of thousands of times
//! stays bounded, a streamed trace still has every edge, and a board cannot make one guest read
//! allocate more than the host's transfer limit.

use std::path::{Path, PathBuf};
use test_programs_artifacts::*;
use wasi_hal_board::{Board, BoardFile, ErrorKind, MAX_TRANSFER_BYTES_LIMIT};
use wasi_hal_gpio::RecordedLine;
use wasi_hal_tests::WasiHalHost;

use wasi_hal_sim::gpio::HISTORY_WINDOW;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::WasiCtx;

// Every program of the `longrun` test-program crate must have a test below.
macro_rules! assert_test_exists {
    ($name:ident) => {
        #[expect(unused_imports, reason = "only checks that the test exists")]
        use self::$name as _;
    };
}
foreach_longrun!(assert_test_exists);

/// Changes of level the toggling guest makes: hundreds of thousands, far past the window.
const CHANGES: u64 = 200_000;

/// Runs the command component `program` on `board` with `args`; returns what `run` returned.
/// The store is dropped before returning, as at the end of `wasi-hal run`.
fn run_guest(board: &Board, program: &str, args: &[&str]) -> Result<(), ()> {
    let engine = Engine::default();
    let mut linker: Linker<WasiHalHost> = Linker::new(&engine);
    wasi_hal_linker::add_to_linker_sync(&mut linker).unwrap();
    let mut argv = vec![program];
    argv.extend_from_slice(args);
    let host = WasiHalHost {
        table: ResourceTable::new(),
        wasi: WasiCtx::builder().args(&argv).inherit_stderr().build(),
        hal: board.guest_ctx(),
    };
    let mut store = Store::new(&engine, host);
    let component = Component::from_file(&engine, program).unwrap();
    let command =
        wasmtime_wasi::p2::bindings::sync::Command::instantiate(&mut store, &component, &linker)
            .unwrap();
    command.wasi_cli_run().call_run(&mut store).unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("wasi-hal-long-runs-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const LED_BOARD: &str = "[board]\nname = \"led\"\nbackend = \"simulated\"\n\n\
    [gpio.led]\nmodes = [\"output\"]\ninitial = \"low\"\nsafe = \"low\"\n";

/// The GPIO edges of a JSON-lines trace, as levels, in order.
fn gpio_levels(path: &Path, line: &str) -> Vec<bool> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["kind"] == "gpio" && e["line"] == line)
        .map(|e| e["high"].as_bool().unwrap())
        .collect()
}

fn alternating(n: u64) -> Vec<bool> {
    (0..n).map(|i| i % 2 == 0).collect()
}

#[test]
fn longrun_toggle() {
    // Hundreds of thousands of edges: the line keeps a bounded window and counts the rest; the
    // trace goes to its file as it happens and keeps nothing in memory; the file has every edge.
    let board = Board::build(BoardFile::parse(LED_BOARD, "led.toml").unwrap()).unwrap();
    let sim = board.simulated().unwrap();
    let line = sim.line("led").unwrap();
    let path = temp_dir("toggle").join("trace.jsonl");
    let stream = wasi_hal_sim_render::stream_trace_jsonl(sim.trace(), &path).unwrap();
    let changes = CHANGES.to_string();
    assert_eq!(
        run_guest(&board, LONGRUN_TOGGLE, &["--changes", &changes]),
        Ok(())
    );
    assert_eq!(line.level_count(), CHANGES + 1);
    assert_eq!(line.history().len(), HISTORY_WINDOW);
    assert_eq!(
        sim.trace().kept_count(),
        0,
        "a streamed trace keeps nothing"
    );
    assert_eq!(sim.trace().recorded_count(), CHANGES);
    assert_eq!(stream.finish(sim.trace()).unwrap(), CHANGES);
    assert_eq!(gpio_levels(&path, "led"), alternating(CHANGES));
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}

#[test]
fn toggling_under_wasi_hal_run_with_a_trace_writes_every_edge() {
    // The same through `wasi-hal run`'s library entry: `--trace` streams.
    let dir = temp_dir("run");
    let board = dir.join("led.toml");
    std::fs::write(&board, LED_BOARD).unwrap();
    let trace = dir.join("trace.jsonl");
    let outcome = wasi_hal::run(&wasi_hal::RunOptions {
        component: LONGRUN_TOGGLE.into(),
        board,
        trace: Some(trace.clone()),
        guest_args: vec!["--changes".into(), CHANGES.to_string()],
        ..Default::default()
    })
    .unwrap();
    assert!(matches!(outcome, wasi_hal::Outcome::Success), "{outcome:?}");
    assert_eq!(gpio_levels(&trace, "led"), alternating(CHANGES));
    // Nothing but the trace is left in the folder: no temporary file.
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["led.toml", "trace.jsonl"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn spi_board(max_transfer_bytes: u64) -> String {
    format!(
        "[board]\nname = \"big\"\nbackend = \"simulated\"\n\n[spi.bus]\n\
         max-frequency-hz = 10_000_000\nmax-transfer-bytes = {max_transfer_bytes}\n"
    )
}

#[test]
fn longrun_huge_read() {
    // A board may not give a cap that makes one guest read allocate gigabytes in the host.
    let e = BoardFile::parse(&spi_board(u64::from(u32::MAX)), "big.toml").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidValue, "{e}");
    assert!(
        e.to_string().starts_with(
            "big.toml:7:22: key `spi.bus.max-transfer-bytes`: 4294967295 bytes is above"
        ),
        "{e}"
    );
    // At the largest cap allowed, a 4 GiB read is refused before any allocation and a read of
    // the cap itself works: the host allocates at most the limit for one call.
    let board = Board::build(
        BoardFile::parse(&spi_board(u64::from(MAX_TRANSFER_BYTES_LIMIT)), "big.toml").unwrap(),
    )
    .unwrap();
    assert_eq!(run_guest(&board, LONGRUN_HUGE_READ, &[]), Ok(()));
}
