//! The fuzz targets in CI: each replays its regression corpus (`fuzz/corpus/<target>/`) and then
//! runs seeded mutations for a bounded number of inputs and time (the figures are in
//! [`budget`]); no input may fail. Longer runs: `WASI_HAL_FUZZ_SECONDS=600 cargo test --release
//! -p wasi-hal-fuzz --test fuzz` (each target gets that many seconds and no input cap; `WASI_HAL_FUZZ_SEED`
//! picks another seed), or cargo-fuzz in `fuzz/libfuzzer` (docs/security.md).

use std::path::{Path, PathBuf};
use std::time::Duration;
use test_programs_artifacts::*;
use wasi_hal_fuzz::driver::{self, Budget};

// Every program of the `fuzz` test-program crate must have a test below.
macro_rules! assert_test_exists {
    ($name:ident) => {
        #[expect(unused_imports, reason = "only checks that the test exists")]
        use self::$name as _;
    };
}
foreach_fuzz!(assert_test_exists);

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// CI's bound for a target, or the environment's (`WASI_HAL_FUZZ_SECONDS`, `WASI_HAL_FUZZ_SEED`).
fn budget(max_inputs: usize, seconds: u64) -> Budget {
    let env_seconds = std::env::var("WASI_HAL_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok());
    let seed = std::env::var("WASI_HAL_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(16);
    match env_seconds {
        Some(seconds) => Budget {
            seed,
            max_inputs: usize::MAX,
            max_time: Duration::from_secs(seconds),
        },
        None => Budget {
            seed,
            max_inputs,
            max_time: Duration::from_secs(seconds),
        },
    }
}

fn check(
    name: &str,
    target: driver::Target,
    seeds: &[Vec<u8>],
    dictionary: &[&[u8]],
    budget: Budget,
) {
    let report = driver::fuzz(
        name,
        target,
        &root().join("fuzz/corpus").join(name),
        seeds,
        dictionary,
        &budget,
        &root().join("target/wasi-hal/fuzz"),
    );
    eprintln!(
        "{name}: {} corpus inputs replayed, {} mutated inputs run (seed {})",
        report.replayed, report.mutated, budget.seed
    );
    assert!(
        report.replayed > 0,
        "{name}: the regression corpus is empty"
    );
    assert!(
        report.failures.is_empty(),
        "{name}: {} failing inputs (copy each into fuzz/corpus/{name}/ once fixed):\n{}",
        report.failures.len(),
        report
            .failures
            .iter()
            .map(|(path, message)| format!("  {}: {message}", path.display()))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn fuzz_board_file() {
    let mut seeds = vec![wasi_hal_fuzz::FUZZ_BOARD.as_bytes().to_vec()];
    for dir in ["boards", "benches/boards"] {
        seeds.extend(
            driver::corpus(&root().join(dir))
                .into_iter()
                .map(|(_, b)| b),
        );
    }
    let dictionary: &[&[u8]] = &[
        b"[board]\n",
        b"[spi.x]\n",
        b"[i2c.x]\naddresses = [0x76]\n",
        b"[gpio.x]\nmodes = [\"output\"]\n",
        b"[[part]]\nkind = \"ssd1306\"\n",
        b"[discovery]\nenabled = true\n",
        b"[config]\n",
        b" = 99999999999999999999999\n",
        b" = -1\n",
        b" = {}\n",
        b" = []\n",
        b" = \"\"\n",
        b"max-transfer-bytes = 4294967295\n",
        b"max-frequency-hz = 0\n",
        b"a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.",
        b"[[[[[[[[[[[[[[[[",
        b"{a={a={a={a={a={",
        b"\"\"\"",
        b"'''",
        b"\\u0000",
        b"\xef\xbb\xbf",
        b"0x",
        b"nan",
        b"1979-05-27T07:32:00Z",
    ];
    check(
        "board_file",
        wasi_hal_fuzz::board_file,
        &seeds,
        dictionary,
        budget(20_000, 20),
    );
}

#[test]
fn fuzz_component() {
    let seeds: Vec<Vec<u8>> = [
        WORLDS_DELAY_IMPORTS,
        WORLDS_SPI_IMPORTS,
        WORLDS_GPIO_IMPORTS,
        DELAY_CLOCK,
    ]
    .iter()
    .map(|path| std::fs::read(path).unwrap())
    .collect();
    let dictionary: &[&[u8]] = &[
        b"\0asm",
        b"\x0d\x00\x01\x00",
        b"\x01\x00\x00\x00",
        b"wasi:spi/spi@0.1.0",
        b"wasi:i2c/i2c@0.2.0",
        b"wasi:gpio/gpio@1.0.0",
        b"wasi:cli/run@0.2.6",
        b"wasi:filesystem/types@0.2.0",
        b"\xff\xff\xff\xff\x0f",
        b"\x80\x80\x80\x80\x10",
    ];
    check(
        "component",
        wasi_hal_fuzz::component,
        &seeds,
        dictionary,
        budget(600, 25),
    );
    wasi_hal_fuzz::component_cleanup();
}

#[test]
fn fuzz_host_calls() {
    // Seeds: random scripts of a few lengths (the corpus adds hand-picked ones).
    let mut rng = driver::Rng::new(7);
    let seeds: Vec<Vec<u8>> = [16, 64, 256, 1024]
        .iter()
        .map(|&n| (0..n).map(|_| rng.next_u64() as u8).collect())
        .collect();
    let dictionary: &[&[u8]] = &[
        b"\xff\xff\xff\xff",
        b"\x00\x00\x00\x00",
        b"\x00\x00\x00\x80",
        b"\x77",
        b"\x3c",
        b"\x76",
        b"\xff\xff\xff\xff\xff\xff\xff\xff",
    ];
    check(
        "host_calls",
        wasi_hal_fuzz::host_calls,
        &seeds,
        dictionary,
        budget(4_000, 25),
    );
}
