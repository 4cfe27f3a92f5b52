//! The poll benchmarks of a device (`device-poll`, docs/performance.md) keep running: a short
//! overhead run in virtual time, and a short jitter run next to a spinning neighbour. Only what
//! the runtime guarantees is checked (every poll made, the spinner preempted); no timing.

use std::time::Duration;
use wasi_hal_benches::device_poll;

#[test]
fn a_polled_sensor_keeps_its_schedule_and_its_polls_are_counted() {
    let dir =
        std::env::temp_dir().join(format!("wasi-hal-device-poll-test-{}", std::process::id()));
    let overhead = device_poll::overhead(Duration::from_secs(10), &dir).unwrap();
    // Slots at 0, 10, ..., 9990 ms (the stop at 10 s comes before the slot at 10 s).
    assert!((1000..=1001).contains(&overhead.polls), "{overhead:?}");
    let jitter = device_poll::jitter(
        Duration::from_millis(50),
        Duration::from_millis(1000),
        true,
        &dir,
    )
    .unwrap();
    assert!(jitter.preemptions > 0, "{jitter:?}");
    assert!(jitter.polls >= 2, "{jitter:?}");
    // The spinner does not starve the sensor's timer: with the epoch's yield going straight
    // back to the spinner, the timers were looked at only every 61 polls of a task and most
    // slots were missed (13 of 20 here). A loose bound, for a loaded machine.
    assert!(jitter.missed * 4 <= jitter.polls, "{jitter:?}");
    eprintln!(
        "{overhead:?} {:?}",
        (jitter.polls, jitter.missed, jitter.quantile(1.0))
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
