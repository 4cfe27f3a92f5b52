//! A short soak run in CI: the soak guest for 30 simulated seconds (about 240 000 host calls,
//! two seconds of wall time in the test profile).
//! What the simulated board retains must be the same at every sample after the first: nothing
//! the host keeps grows with run time. The long run is the `soak` binary (docs/performance.md).

use test_programs_artifacts::*;
use wasi_hal_benches::soak::{self, SoakOptions};
use wasi_hal_sim::gpio::HISTORY_WINDOW;

// Every program of the `soak` test-program crate must have a test below.
macro_rules! assert_test_exists {
    ($name:ident) => {
        #[expect(unused_imports, reason = "only checks that the test exists")]
        use self::$name as _;
    };
}
foreach_soak!(assert_test_exists);

#[test]
fn soak_traffic() {
    let report = soak::run(
        SOAK_TRAFFIC,
        SoakOptions {
            seconds: 30,
            period_us: 1000,
            sample_every_ns: 10_000_000_000,
        },
    )
    .unwrap();
    let samples = &report.samples;
    // Samples at the first wait, at 10 and 20 simulated seconds, and after the guest returned
    // (a round takes a little more than its period: the transfers take time on the wire).
    assert_eq!(samples.len(), 4, "{samples:?}");
    let (first, last) = (&samples[1], samples.last().unwrap());
    // About 27 000 rounds of 9 calls.
    assert!(last.host_calls >= 200_000, "{last:?}");
    assert!(last.host_calls > first.host_calls + 100_000, "{samples:?}");
    // Both lines changed tens of thousands of times; each keeps its window, no more.
    assert_eq!(first.retained.line_levels, 2 * HISTORY_WINDOW);
    for sample in &samples[1..] {
        assert_eq!(sample.retained, first.retained, "{samples:?}");
    }
    for s in samples {
        eprintln!(
            "{:>6.1} s simulated: {:>7} host calls, RSS {:?} KiB, {:?}",
            s.sim_ns as f64 / 1e9,
            s.host_calls,
            s.rss_kib,
            s.retained
        );
    }
}
